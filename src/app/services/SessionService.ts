// The per-request session check: an access token counts only while its user is active and the session
// version it was issued under is still current. Role changes, deactivation, password changes and
// "sign out everywhere" bump the version, so every instance refuses the old tokens on their next use.
import { Types } from 'mongoose';
import { AuthenticationError } from '../../shared/errors';
import type { UserRepository } from '../repositories/UserRepository';
import { SESSION_END_REASONS, type SessionEndReason, type UserDoc } from '../repositories/models/User';
import type { DomainEvents } from '../events';
import type { Actor, Role } from './types';

export interface SessionState {
  studioId: string;
  role: Role;
  active: boolean;
  version: number;
  /** Why the sessions before `version` ended. */
  endedBy?: SessionEndReason;
}

export interface SessionCache {
  /** undefined on a miss; throws when the cache is unreachable (the check then reads MongoDB). */
  get(userId: string): Promise<SessionState | undefined>;
  /** Best effort; never overwrites a newer version. */
  put(userId: string, state: SessionState): Promise<void>;
}

export type { SessionEndReason };

export const sessionStateOf = (u: UserDoc): SessionState => ({
  studioId: String(u.studioId),
  role: u.role,
  active: u.active,
  version: u.sessionVersion ?? 0,
  ...(u.sessionEndedReason ? { endedBy: u.sessionEndedReason } : {}),
});

/**
 * Each reason in words, for the person whose page was signed out. The code stays SESSION_REVOKED for every
 * reason (clients act on it); only the words say why.
 */
const ENDED: Record<SessionEndReason, string> = {
  'password-changed': 'You were signed out because your password was changed on another device; sign in with the new password',
  'password-reset': 'You were signed out because your password was reset with a link mailed to you; sign in with the new password',
  'signed-out-everywhere': 'You were signed out because "Sign out everywhere" was chosen on another device; sign in again',
  'role-changed': 'You were signed out because your role in this studio changed; sign in again to go on with your new role',
  deactivated: 'You were signed out because your membership of this studio was deactivated; a producer of the studio can tell you more',
};

/**
 * Why a session ended, as a client may act on it: the membership's reasons, plus `expired` (its refresh token
 * outlived its days), `signed-out` (signed out on this device or another tab), `reused` (a replayed refresh
 * token ended its login) and `ended` (not known).
 */
export const SESSION_END_CODES = [...SESSION_END_REASONS, 'expired', 'signed-out', 'reused', 'ended'] as const;
export type SessionEndCode = (typeof SESSION_END_CODES)[number];

/** The reason code in the 401's details, so a client can say why without parsing the words. */
export const reasonDetail = (reason: SessionEndCode) => [{ path: 'reason', message: reason }];

/** 401 SESSION_REVOKED for a session that was ended, saying why when the reason is known. */
export function sessionEnded(reason: SessionEndReason | undefined): AuthenticationError {
  const known = reason ? ENDED[reason] : undefined;
  return new AuthenticationError('SESSION_REVOKED', known ?? 'This session has ended (sign-out everywhere, a role or password change, or deactivation); sign in again', { details: reasonDetail(reason ?? 'ended') });
}

/** The reason a session issued at `version` no longer holds for the membership now, if it does not. */
export function whyEnded(state: Pick<SessionState, 'active' | 'version' | 'endedBy'>, version: number): AuthenticationError | null {
  if (!state.active) return sessionEnded('deactivated');
  return state.version === version ? null : sessionEnded(state.endedBy);
}

export class SessionService {
  constructor(private readonly deps: { users: UserRepository; cache: SessionCache; events: DomainEvents }) {}

  /**
   * The actor a verified token may act as now, with the user's current role. Reads the shared cache and,
   * on a miss or while Redis is down, MongoDB: the check never fails open (if MongoDB is down too, the
   * request gets the 503 of any MongoDB outage).
   */
  async actorFor(token: { id: string; studioId: string; sessionVersion: number }): Promise<Actor> {
    const state = await this.state(token.id, token.studioId);
    if (!state || state.studioId !== token.studioId) throw sessionEnded(undefined);
    const ended = whyEnded(state, token.sessionVersion);
    if (ended) throw ended;
    return { id: token.id, studioId: token.studioId, role: state.role };
  }

  /**
   * The actor a member is now, for credentials that do not end with sessions (API tokens): active and in
   * that studio, with the current role; the session version is not compared.
   */
  async memberActor(userId: string, studioId: string): Promise<Actor> {
    const state = await this.state(userId, studioId);
    if (!state || !state.active || state.studioId !== studioId) throw new AuthenticationError('TOKEN_OWNER_INACTIVE', 'The member this API token acts as is deactivated or gone');
    return { id: userId, studioId, role: state.role };
  }

  private async state(userId: string, studioId: string): Promise<SessionState | null> {
    const cached = await this.deps.cache.get(userId).catch(() => undefined);
    if (cached) return cached;
    if (!Types.ObjectId.isValid(userId) || !Types.ObjectId.isValid(studioId)) return null;
    const user = await this.deps.users.findById(studioId, userId);
    if (!user) return null;
    const state = sessionStateOf(user);
    await this.deps.cache.put(userId, state);
    return state;
  }

  /** Call after a write that bumped the user's session version: publishes the new state and ends live sockets. */
  async ended(user: UserDoc, reason: SessionEndReason): Promise<void> {
    await this.deps.cache.put(String(user._id), sessionStateOf(user));
    this.deps.events.emit('user.sessionEnded', { studioId: String(user.studioId), userId: String(user._id), reason });
  }
}
