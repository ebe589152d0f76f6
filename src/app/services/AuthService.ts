// Registration, login, token refresh with rotation and theft detection, logout.
import { randomBytes, randomUUID } from 'node:crypto';
import { AuthenticationError, AuthorizationError, ConflictError, NotFoundError } from '../../shared/errors';
import type { StudioRepository } from '../repositories/StudioRepository';
import type { UserRepository } from '../repositories/UserRepository';
import type { RefreshTokenRepository } from '../repositories/RefreshTokenRepository';
import type { UserDoc } from '../repositories/models/User';
import { hashRefreshToken, type TokenService } from './TokenService';
import type { PasswordHasher } from './PasswordHasher';
import type { AuditService } from './AuditService';
import type { LeaseLock } from '../../infra/database/LeaseLock';
import { isDuplicateKey } from '../../infra/database/errors';
import type { Actor } from './types';
import type { SessionService } from './SessionService';
import { toUserDto, type UserDto } from '../dto';

export interface AuthResult {
  accessToken: string;
  refreshToken: string;
  user: UserDto;
}

const INVALID_CREDENTIALS = () => new AuthenticationError('INVALID_CREDENTIALS', 'Invalid email or password');
const INVALID_REFRESH = () => new AuthenticationError('INVALID_REFRESH_TOKEN', 'Refresh token is invalid or expired');

export function slugify(name: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|(?<!-)-+$/g, '')
    .slice(0, 60);
  return base || 'studio';
}

export class AuthService {
  constructor(
    private readonly deps: {
      studios: StudioRepository;
      users: UserRepository;
      refreshTokens: RefreshTokenRepository;
      tokens: TokenService;
      passwords: PasswordHasher;
      audit: AuditService;
      locks: LeaseLock;
      sessions: SessionService;
      refreshTtlDays: number;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async register(input: { studioName: string; name: string; email: string; password: string }): Promise<AuthResult> {
    const { studios, users, passwords } = this.deps;
    const passwordHash = await passwords.hash(input.password);
    const studio = await this.createStudio(input.studioName);
    let user: UserDoc;
    try {
      user = await users.create(studio._id, { email: input.email.trim(), name: input.name, passwordHash, role: 'PRODUCER' });
    } catch (err) {
      // No multi-document transactions: undo the studio we just made so nothing half-written remains.
      await studios.delete(studio._id);
      if (isDuplicateKey(err)) throw new ConflictError('EMAIL_TAKEN', 'An account with this email already exists');
      throw err;
    }
    const actor = toActor(user);
    await this.deps.audit.record(actor, 'studio.registered', 'studio', studio._id, { name: studio.name, slug: studio.slug });
    return this.issue(user, randomUUID());
  }

  private async createStudio(name: string) {
    const base = slugify(name);
    for (let attempt = 0; ; attempt++) {
      const slug = attempt === 0 ? base : `${base}-${randomBytes(3).toString('hex')}`;
      try {
        return await this.deps.studios.create({ name: name.trim(), slug });
      } catch (err) {
        if (!isDuplicateKey(err) || attempt >= 5) throw err;
      }
    }
  }

  async login(email: string, password: string): Promise<AuthResult> {
    const user = await this.deps.users.findForLogin(email);
    if (!user) {
      await this.deps.passwords.burn(password);
      throw INVALID_CREDENTIALS();
    }
    if (!(await this.deps.passwords.verify(password, user.passwordHash))) throw INVALID_CREDENTIALS();
    // Told only to someone who knows the password, so it reveals nothing to an enumerator.
    if (!user.active) throw new AuthorizationError('ACCOUNT_DEACTIVATED', 'This account has been deactivated');
    return this.issue(user, randomUUID());
  }

  async refresh(refreshToken: string): Promise<AuthResult> {
    const { refreshTokens, users } = this.deps;
    const now = this.now();
    const record = await refreshTokens.findByHash(hashRefreshToken(refreshToken));
    if (!record) throw INVALID_REFRESH();
    if (record.replacedBy !== null) {
      // A rotated token came back: either it was stolen or the thief already used it. Kill the family.
      await refreshTokens.revokeFamily(record.studioId, record.familyId, now);
      throw new AuthenticationError('REFRESH_TOKEN_REUSED', 'Refresh token was already used; all sessions of this login were revoked');
    }
    if (record.revokedAt !== null || record.expiresAt.getTime() <= now.getTime()) throw INVALID_REFRESH();

    const next = this.deps.tokens.newRefreshToken();
    // Exactly one presentation of a token may rotate it: a once-only claim decides, since conditional
    // updates are not atomic on every MongoDB-wire server we run on.
    const ttlMs = Math.max(record.expiresAt.getTime() - now.getTime(), 0) + 60_000;
    if (!(await this.deps.locks.claimOnce(`refresh-rotation:${record.tokenHash}`, ttlMs))) {
      // Lost a race with another use of the same token: same verdict as a replay.
      await refreshTokens.revokeFamily(record.studioId, record.familyId, now);
      throw new AuthenticationError('REFRESH_TOKEN_REUSED', 'Refresh token was already used; all sessions of this login were revoked');
    }
    await refreshTokens.markRotated(record.studioId, record._id, next.hash, now);
    const user = await users.findById(record.studioId, record.userId);
    if (!user || !user.active || (record.sessionVersion ?? 0) !== (user.sessionVersion ?? 0)) {
      await refreshTokens.revokeFamily(record.studioId, record.familyId, now);
      throw INVALID_REFRESH();
    }
    return this.issue(user, record.familyId, next);
  }

  /** Revokes the whole login session (token family). Unknown tokens are accepted silently: logout is idempotent. */
  async logout(refreshToken: string): Promise<void> {
    const record = await this.deps.refreshTokens.findByHash(hashRefreshToken(refreshToken));
    if (record) await this.deps.refreshTokens.revokeFamily(record.studioId, record.familyId, this.now());
  }

  /** Ends every session of the caller on every device: access tokens on their next use, refresh tokens at once. */
  async logoutEverywhere(actor: Actor): Promise<void> {
    // Under the studio-members lease, like role changes and deactivation: FerretDB does not apply two
    // concurrent updates of one document atomically, and a lost demotion must never be the price.
    const user = await this.deps.locks.withLock(`studio-members:${actor.studioId}`, () => this.deps.users.endSessions(actor.studioId, actor.id));
    if (!user) throw new NotFoundError('USER_NOT_FOUND', 'User not found');
    await this.deps.refreshTokens.revokeAllForUser(user.studioId, user._id, this.now());
    await this.deps.sessions.ended(user, 'signed-out-everywhere');
    await this.deps.audit.record(actor, 'user.signed_out_everywhere', 'user', user._id, {});
  }

  /** A new password ends every other session; the caller gets a fresh pair for this one. */
  async changePassword(actor: Actor, currentPassword: string, newPassword: string): Promise<AuthResult> {
    const user = await this.deps.users.findById(actor.studioId, actor.id);
    if (!user) throw new NotFoundError('USER_NOT_FOUND', 'User not found');
    if (!(await this.deps.passwords.verify(currentPassword, user.passwordHash))) {
      // Not a 401: the access token is fine, and a client must not read this as "refresh and retry".
      throw new AuthorizationError('CURRENT_PASSWORD_WRONG', 'The current password is wrong', { details: [{ path: 'currentPassword', message: 'does not match' }] });
    }
    const passwordHash = await this.deps.passwords.hash(newPassword);
    const updated = await this.deps.locks.withLock(`studio-members:${actor.studioId}`, () => this.deps.users.endSessions(actor.studioId, actor.id, { passwordHash }));
    if (!updated) throw new NotFoundError('USER_NOT_FOUND', 'User not found');
    await this.deps.refreshTokens.revokeAllForUser(updated.studioId, updated._id, this.now());
    await this.deps.sessions.ended(updated, 'password-changed');
    await this.deps.audit.record(actor, 'user.password_changed', 'user', updated._id, {});
    return this.issue(updated, randomUUID());
  }

  async me(actor: Actor): Promise<UserDto> {
    const user = await this.deps.users.findById(actor.studioId, actor.id);
    if (!user) throw new NotFoundError('USER_NOT_FOUND', 'User not found');
    return toUserDto(user);
  }

  private async issue(user: UserDoc, familyId: string, refresh = this.deps.tokens.newRefreshToken()): Promise<AuthResult> {
    const expiresAt = new Date(this.now().getTime() + this.deps.refreshTtlDays * 86_400_000);
    // The same user document signs both tokens, so both carry the session version it was read at: a login
    // or refresh in flight while the sessions are ended yields tokens that the next check refuses.
    await this.deps.refreshTokens.create({ studioId: user.studioId, userId: user._id, familyId, tokenHash: refresh.hash, expiresAt, sessionVersion: user.sessionVersion ?? 0 });
    return { accessToken: this.deps.tokens.signAccess(toActor(user), user.sessionVersion ?? 0), refreshToken: refresh.token, user: toUserDto(user) };
  }
}

export function toActor(user: UserDoc): Actor {
  return { id: String(user._id), studioId: String(user.studioId), role: user.role };
}
