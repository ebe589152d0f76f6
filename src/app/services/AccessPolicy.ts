// Roles map to permissions in this one table, not in ifs spread across services.
import { AuthorizationError } from '../../shared/errors';
import type { Actor, Role } from './types';

const ALL: readonly Role[] = ['ARTIST', 'DIRECTOR', 'PRODUCER'];
const LEADS: readonly Role[] = ['DIRECTOR', 'PRODUCER'];

export const PERMISSIONS = {
  'user:list': ALL,
  'user:invite': ['PRODUCER'],
  'user:update': ['PRODUCER'],
  'asset:read': ALL,
  'asset:create': ALL,
  'asset:update': ALL,
  'asset:archive': LEADS,
  'asset:rollback': LEADS,
  'version:create': ALL,
  'comment:create': ALL,
  'review:decide': LEADS,
  'render:create': ALL,
  'render:manage': ALL,
  'studio:manage': ['PRODUCER'],
  /** Bots, their tokens, and revoking anyone's token. */
  'token:manage': ['PRODUCER'],
  'webhook:manage': ['PRODUCER'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export class AccessPolicy {
  can(actor: Actor, permission: Permission): boolean {
    return (PERMISSIONS[permission] as readonly Role[]).includes(actor.role);
  }

  /** Throws 403 FORBIDDEN unless the actor's role grants the permission. */
  require(actor: Actor, permission: Permission): void {
    if (!this.can(actor, permission)) {
      throw new AuthorizationError('FORBIDDEN', `Your role (${actor.role}) may not ${permission.replace(':', ' ')}`);
    }
  }
}
