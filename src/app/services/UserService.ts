// Studio membership: PRODUCERs change roles and deactivate (people join by invitation: InvitationService);
// one active PRODUCER who is a person always remains. People only: an API token never reaches update
// (AccessPolicy.PEOPLE_ONLY), so no bot can remove the humans who manage it.
import { Types } from 'mongoose';
import { ConflictError, NotFoundError } from '../../shared/errors';
import type { UserRepository } from '../repositories/UserRepository';
import type { RefreshTokenRepository } from '../repositories/RefreshTokenRepository';
import type { Role } from '../repositories/models/User';
import type { Page } from '../repositories/pagination';
import type { AccessService } from './AccessService';
import type { AuditService } from './AuditService';
import type { LeaseLock } from '../../infra/database/LeaseLock';
import type { DomainEvents } from '../events';
import type { SessionService } from './SessionService';
import type { Actor } from './types';
import { type UserDto, toUserDto } from '../dto';

/** The studio's keepers: active PRODUCERs who are people (a bot cannot sign in to put things right). */
const isKeeper = (u: { role: Role; active: boolean; kind?: 'PERSON' | 'BOT' }) => u.role === 'PRODUCER' && u.active && u.kind !== 'BOT';

export class UserService {
  constructor(
    private readonly deps: {
      users: UserRepository;
      refreshTokens: RefreshTokenRepository;
      access: AccessService;
      audit: AuditService;
      locks: LeaseLock;
      events: DomainEvents;
      sessions: SessionService;
    },
  ) {}

  async list(actor: Actor, req: { limit: number; cursor?: string }): Promise<Page<UserDto>> {
    this.deps.access.require(actor, 'user:list');
    const page = await this.deps.users.list(actor.studioId, req);
    return { ...page, data: page.data.map(toUserDto) };
  }

  async update(actor: Actor, userId: string, patch: { role?: Role; active?: boolean; name?: string }): Promise<UserDto> {
    this.deps.access.require(actor, 'user:update');
    const studioId = new Types.ObjectId(actor.studioId);
    // Membership changes of one studio are serialised, so "at least one active PRODUCER" is checked
    // and applied without a concurrent demotion slipping in between (no multi-document transactions).
    const { current, updated } = await this.deps.locks.withLock(`studio-members:${actor.studioId}`, async () => {
      const current = await this.deps.users.findById(studioId, userId);
      if (!current) throw new NotFoundError('USER_NOT_FOUND', 'User not found');
      const next = { role: patch.role ?? current.role, active: patch.active ?? current.active, kind: current.kind };
      if (isKeeper(current) && !isKeeper(next) && (await this.deps.users.countActiveProducers(studioId)) <= 1) {
        throw new ConflictError('LAST_PRODUCER', 'A studio must keep at least one active PRODUCER who is a person (bots do not count)');
      }
      // A reactivation bumps the version too; the sessions it voids already ended with the deactivation.
      const activeChanged = patch.active !== undefined && patch.active !== current.active;
      const roleChanged = patch.role !== undefined && patch.role !== current.role;
      const endSessions = activeChanged ? 'deactivated' : roleChanged ? 'role-changed' : undefined;
      const updated = await this.deps.users.updateIf(studioId, current._id, { role: current.role, active: current.active }, { ...patch }, endSessions ? { endSessions } : {});
      if (!updated) throw new ConflictError('USER_CHANGED', 'The user was changed concurrently; reload and retry');
      return { current, updated };
    });

    // A new role or a deactivation must not survive in old sessions: access tokens die with the session
    // version bumped above (checked on every request), refresh tokens here.
    if (current.role !== updated.role || current.active !== updated.active) {
      await this.deps.refreshTokens.revokeAllForUser(studioId, updated._id, new Date());
      await this.deps.sessions.ended(updated, updated.sessionEndedReason ?? 'role-changed');
    }
    await this.deps.audit.record(actor, 'user.updated', 'user', updated._id, {
      from: { role: current.role, active: current.active },
      to: { role: updated.role, active: updated.active },
    });
    return toUserDto(updated);
  }
}
