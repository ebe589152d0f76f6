// The one access check, in the spirit of Immich's requireAccess: the role table (AccessPolicy) decides
// whether the actor's role grants a permission, and an id-set check decides which of the named resources
// belong to the actor's studio. A foreign id and a missing one get the same "not found".
import { NotFoundError } from '../../shared/errors';
import { AccessPolicy, type Permission } from './AccessPolicy';
import type { Actor } from './types';

export type ResourceKind = 'asset' | 'renderJob' | 'user';

/** Which of the ids exist in the studio; implemented by the repositories. */
export interface OwnershipLookup {
  ownedIds(studioId: string, ids: string[]): Promise<Set<string>>;
}

const NOT_FOUND: Record<ResourceKind, () => NotFoundError> = {
  asset: () => new NotFoundError('ASSET_NOT_FOUND', 'Asset not found'),
  renderJob: () => new NotFoundError('RENDER_JOB_NOT_FOUND', 'Render job not found'),
  user: () => new NotFoundError('USER_NOT_FOUND', 'User not found'),
};

export class AccessService {
  private readonly policy = new AccessPolicy();

  constructor(private readonly owners: Record<ResourceKind, OwnershipLookup>) {}

  can(actor: Actor, permission: Permission): boolean {
    return this.policy.can(actor, permission);
  }

  /** Throws 403 FORBIDDEN unless the actor's role grants the permission. */
  require(actor: Actor, permission: Permission): void {
    this.policy.require(actor, permission);
  }

  /** The subset of `ids` the actor may use with `permission`: those of their own studio (after the role check). */
  async check(actor: Actor, permission: Permission, kind: ResourceKind, ids: Iterable<string>): Promise<Set<string>> {
    this.policy.require(actor, permission);
    const wanted = [...new Set(ids)];
    if (wanted.length === 0) return new Set();
    return this.owners[kind].ownedIds(actor.studioId, wanted);
  }

  /** Throws 403 for the role, then 404 if any id is not the actor's studio's (missing or foreign alike). */
  async requireIds(actor: Actor, permission: Permission, kind: ResourceKind, ids: Iterable<string>): Promise<void> {
    const wanted = [...new Set(ids)];
    const owned = await this.check(actor, permission, kind, wanted);
    if (wanted.some((id) => !owned.has(id))) throw NOT_FOUND[kind]();
  }
}
