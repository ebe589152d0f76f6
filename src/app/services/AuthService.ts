// Registration (proven by a mailed link), login into one of a person's studios, switching studios, token
// refresh with rotation and theft detection, logout, password changes.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import { AuthenticationError, AuthorizationError, ConflictError, NotFoundError, RateLimitError, ServiceUnavailableError, UnprocessableEntityError, ValidationError } from '../../shared/errors';
import type { StudioRepository } from '../repositories/StudioRepository';
import type { AssetRepository } from '../repositories/AssetRepository';
import type { ProjectRepository } from '../repositories/ProjectRepository';
import type { TaskRepository } from '../repositories/TaskRepository';
import type { UserRepository } from '../repositories/UserRepository';
import type { AccountRepository } from '../repositories/AccountRepository';
import type { PasswordResetRepository, RegistrationRepository } from '../repositories/RegistrationRepository';
import type { PasswordResetDoc } from '../repositories/models/PasswordReset';
import { normalizeEmail } from '../repositories/AccountRepository';
import type { RegistrationDoc } from '../repositories/models/Registration';
import type { RefreshTokenRepository } from '../repositories/RefreshTokenRepository';
import type { RefreshTokenDoc } from '../repositories/models/RefreshToken';
import type { UserDoc } from '../repositories/models/User';
import type { AccountDoc } from '../repositories/models/Account';
import { hashRefreshToken, type TokenService } from './TokenService';
import type { PasswordHasher } from './PasswordHasher';
import type { AuditService } from './AuditService';
import type { LeaseLock } from '../../infra/database/LeaseLock';
import { isDuplicateKey } from '../../infra/database/errors';
import type { Actor } from './types';
import { reasonDetail, sessionEnded, sessionStateOf, whyEnded, type SessionEndReason, type SessionService } from './SessionService';
import type { CurrentPassword } from './CurrentPassword';
import { mails, type MailLinks, type Mailer, type MailMessage } from './Mailer';
import { toUserDto, type MembershipDto, type UserDto } from '../dto';

export interface AuthResult {
  accessToken: string;
  refreshToken: string;
  user: UserDto;
}

const INVALID_CREDENTIALS = () => new AuthenticationError('INVALID_CREDENTIALS', 'Invalid email or password');
const INVALID_REFRESH = () => new AuthenticationError('INVALID_REFRESH_TOKEN', 'Refresh token is invalid or expired');
/** A refresh refused for a session that ended: the refresh's own code (clients act on it), the session's words and reason. */
const refreshRefused = (ended: AuthenticationError) => new AuthenticationError('INVALID_REFRESH_TOKEN', ended.message, { details: ended.details });
// A replayed refresh token ends its login everywhere: the page that held it says so.
const REUSED = () => new AuthenticationError('REFRESH_TOKEN_REUSED', 'You were signed out because this sign-in was used from two places at once, which can mean someone copied it; sign in again', { details: reasonDetail('reused') });
const RESET_LINK_INVALID = () => new ValidationError('LINK_INVALID', 'This password-reset link is invalid, was already used or has expired; ask for a new one on the sign-in page (Forgot password?)');
const LINK_INVALID = () => new ValidationError('LINK_INVALID', 'This link is invalid, was already used or has expired; register again for a new one');
const NOT_A_MEMBER = () => new NotFoundError('STUDIO_NOT_FOUND', 'Studio not found among yours');
const DEACTIVATED = () => new AuthorizationError('ACCOUNT_DEACTIVATED', 'This account has been deactivated');
const WRONG_ACCOUNT_PASSWORD = () =>
  new AuthenticationError('INVALID_CREDENTIALS', "This address already has an account: give that account's password", { details: [{ path: 'password', message: "is not this account's password" }] });

/** What following a mailed link does to the address's account: make one, sign in to it, or take it back (never confirmed). */
export type AccountKind = 'new' | 'existing' | 'unconfirmed';

export interface RegistrationPreview {
  email: string;
  studioName: string;
  name: string;
  expiresAt: string;
  account: AccountKind;
}

export const accountKind = (account: AccountDoc | null): AccountKind => (!account ? 'new' : account.emailVerifiedAt ? 'existing' : 'unconfirmed');

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The session ends that take a person's personal API tokens with them (a role change or deactivation does not). */
export type PersonalTokenEndReason = Extract<SessionEndReason, 'password-changed' | 'password-reset' | 'signed-out-everywhere'>;

/** What ends a membership's personal API tokens when its person's sessions end. */
export interface PersonalTokens {
  /** Revokes every unrevoked token the member acts as; resolves with how many. */
  revokeAllOf(member: UserDoc, reason: PersonalTokenEndReason): Promise<number>;
}

/** A single-use mailed secret: 256 random bits, of which only the sha256 is stored. */
export function newLinkToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashRefreshToken(token) };
}

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

/** Sends a mail or answers 503 MAIL_UNAVAILABLE; the caller undoes what it wrote for the mail. */
export async function sendOrFail(mailer: Mailer, message: MailMessage, undo: () => Promise<void>): Promise<void> {
  try {
    await mailer.send(message);
  } catch (err) {
    await undo();
    // The SMTP server refused the recipient itself (RCPT TO): the address, not the service, is the problem.
    if ((err as { code?: string }).code === 'EENVELOPE') {
      throw new UnprocessableEntityError('EMAIL_REJECTED', 'The mail server refused this address; check it', { details: [{ path: 'email', message: 'refused by the mail server' }] });
    }
    throw new ServiceUnavailableError('MAIL_UNAVAILABLE', 'The mail could not be sent; nothing was saved, try again shortly', { cause: err });
  }
}

/** What a link into another studio may name. */
export type HeldKind = 'asset' | 'project' | 'task';

export class AuthService {
  constructor(
    private readonly deps: {
      studios: StudioRepository;
      users: UserRepository;
      /** For "which of my studios holds this id": read only within the caller's own studios. */
      assets: Pick<AssetRepository, 'findById'>;
      projects: Pick<ProjectRepository, 'findById'>;
      tasks: Pick<TaskRepository, 'findById'>;
      accounts: AccountRepository;
      registrations: RegistrationRepository;
      passwordResets: PasswordResetRepository;
      refreshTokens: RefreshTokenRepository;
      tokens: TokenService;
      passwords: PasswordHasher;
      audit: AuditService;
      locks: LeaseLock;
      sessions: SessionService;
      currentPassword: CurrentPassword;
      /** Ends a person's API tokens with their sessions (ApiTokenService). */
      personalTokens: PersonalTokens;
      mailer: Mailer;
      links: MailLinks;
      refreshTtlDays: number;
      verificationTtlHours: number;
      /** REGISTRATION_MAIL_INTERVAL_MINUTES: one registration mail per address and client in this time. */
      registrationMailIntervalMinutes: number;
      /** PASSWORD_RESET_TTL_MINUTES: how long a mailed reset link works. */
      passwordResetTtlMinutes: number;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /**
   * Starts a registration: nothing but a pending record exists until the link mailed to the address is
   * followed, and it holds no password (the link's holder chooses it). The answer is the same whether the
   * address has an account or not; only the mail differs. Mail is never dropped silently: one client gets
   * one link per address per REGISTRATION_MAIL_INTERVAL_MINUTES and is told (429) when it asks sooner, so
   * a stranger can neither flood a mailbox nor keep its owner from registering from their own network.
   * `client` is the requester's rate-limit key (its IP, an IPv6 /56); only its sha256 is stored.
   */
  async register(input: { studioName: string; name: string; email: string }, client: string): Promise<{ status: 'verification_sent'; expiresAt: string }> {
    const { registrations, accounts, mailer, links } = this.deps;
    const email = input.email.trim();
    const studioName = input.studioName.trim();
    const minutes = this.deps.registrationMailIntervalMinutes;
    return this.pacedMail('registration', registrations, email, client, {
      code: 'REGISTRATION_RECENTLY_MAILED',
      message: `A link to create a studio was mailed to this address from your network less than ${minutes} minutes ago: follow the newest one (you choose the studio name and your password there), or ask again later`,
    }, async (requester, now) => {
      const existing = await accounts.findByEmail(email);
      const link = newLinkToken();
      const expiresAt = new Date(now.getTime() + this.deps.verificationTtlHours * 3_600_000);
      const record = await registrations.create({ tokenHash: link.hash, email, name: input.name.trim(), studioName, requester, mailedAt: now, expiresAt });
      const common = { to: email, studioName, token: link.token, expiresAt, now };
      await sendOrFail(mailer, mails.registration(links, accountKind(existing), common), () => registrations.delete(record._id));
      // The newest link replaces this client's earlier ones for this address: they do not pile up.
      await registrations.deleteOthersFrom(email, requester, record._id);
      return { status: 'verification_sent', expiresAt: expiresAt.toISOString() };
    });
  }

  /**
   * "Forgot password": mails the address a single-use link to choose a new password, or, when it has no
   * account, a note saying so (no link). The answer is the same either way, and so is the pace: one client
   * gets one mail per address per REGISTRATION_MAIL_INTERVAL_MINUTES (sooner: 429 with Retry-After), the
   * record kept even for an address without an account. `client` is the requester's rate-limit key; only
   * its sha256 is stored.
   */
  async requestPasswordReset(input: { email: string }, client: string): Promise<{ status: 'reset_mailed' }> {
    const { passwordResets, accounts, mailer, links } = this.deps;
    const email = input.email.trim();
    const minutes = this.deps.registrationMailIntervalMinutes;
    return this.pacedMail('password-reset', passwordResets, email, client, {
      code: 'PASSWORD_RESET_RECENTLY_MAILED',
      message: `A password-reset mail was sent to this address from your network less than ${minutes} minutes ago: follow the link in the newest one, or ask again later`,
    }, async (requester, now) => {
      const account = await accounts.findByEmail(email);
      const link = newLinkToken();
      const expiresAt = new Date(now.getTime() + this.deps.passwordResetTtlMinutes * 60_000);
      const record = await passwordResets.create({ tokenHash: link.hash, email, accountId: account?._id ?? null, requester, mailedAt: now, expiresAt });
      await sendOrFail(mailer, mails.passwordReset(links, { to: email, token: account ? link.token : null, expiresAt, now }), () => passwordResets.delete(record._id));
      await passwordResets.deleteOthersFrom(email, requester, record._id);
      return { status: 'reset_mailed' };
    });
  }

  /**
   * Runs `send` for a mailed link unless this client had one mailed to this address within
   * REGISTRATION_MAIL_INTERVAL_MINUTES (then 429 `tooSoon`, with Retry-After). Two requests of one client
   * for one address at once must not both mail: decided under a lease. `client` is the requester's
   * rate-limit key; `send` gets its sha256 (what is stored) and the time.
   */
  private pacedMail<T>(kind: string, links: { newestFrom(email: string, requester: string, now: Date): Promise<{ mailedAt: Date } | null> }, email: string, client: string, tooSoon: { code: string; message: string }, send: (requester: string, now: Date) => Promise<T>): Promise<T> {
    const requester = sha256(`${kind}-requester\n${client}`);
    return this.deps.locks.withLock(`${kind}-mail:${sha256(`${normalizeEmail(email)}\n${requester}`)}`, async () => {
      const now = this.now();
      const recent = await links.newestFrom(email, requester, now);
      const nextAllowed = recent ? recent.mailedAt.getTime() + this.deps.registrationMailIntervalMinutes * 60_000 : 0;
      if (nextAllowed > now.getTime()) throw new RateLimitError(tooSoon.code, tooSoon.message, { retryAfterSeconds: (nextAllowed - now.getTime()) / 1000 });
      return send(requester, now);
    });
  }

  /** What a password-reset link is for, for its page to show before anything happens; reading it spends nothing. */
  async previewPasswordReset(token: string): Promise<{ email: string; expiresAt: string }> {
    const record = await this.openPasswordReset(token);
    return { email: record.email, expiresAt: record.expiresAt.toISOString() };
  }

  /**
   * Follows a password-reset link, on its holder's submit: the mailbox is proven, so the account gets this
   * password (and a proven address), every session and personal API token of the person in every studio
   * ends, and every pending reset link of the address stops working. Single-use under a lease; the holder
   * then signs in with the new password.
   */
  async resetPassword(token: string, password: string): Promise<void> {
    const hash = hashRefreshToken(token);
    return this.deps.locks.withLock(`password-reset:${hash}`, async () => {
      const { accounts, passwords, passwordResets } = this.deps;
      const record = await this.openPasswordReset(token);
      assertChosenPassword(password, null);
      const passwordHash = await passwords.hash(password);
      // The same lease as a registration or invitation link of this address deciding the account's password.
      const account = await this.deps.locks.withLock(`account-address:${sha256(record.emailNormalized)}`, async () => {
        const found = record.accountId ? await accounts.findById(record.accountId) : null;
        if (!found) throw RESET_LINK_INVALID();
        await accounts.setPasswordHash(found._id, passwordHash);
        if (!found.emailVerifiedAt) await accounts.markVerified(found._id, this.now());
        return found;
      });
      await passwordResets.deleteAllOf(record.email);
      const { ended, tokens } = await this.endSessionsOfAccount(account._id, 'password-reset');
      for (const member of ended) await this.deps.audit.record(toActor(member), 'user.password_reset', 'user', member._id, { studios: ended.length, tokensRevoked: tokens });
    });
  }

  /** The pending, unexpired reset of a link that was mailed (to an address with an account), or 400 LINK_INVALID. */
  private async openPasswordReset(token: string): Promise<PasswordResetDoc> {
    const record = await this.deps.passwordResets.findByTokenHash(hashRefreshToken(token));
    if (!record || !record.accountId || record.expiresAt.getTime() <= this.now().getTime()) throw RESET_LINK_INVALID();
    return record;
  }

  /** What a registration link will do, for its page to show before anything happens; reading it changes nothing. */
  async previewRegistration(token: string): Promise<RegistrationPreview> {
    const record = await this.openRegistration(token);
    const account = await this.deps.accounts.findByEmail(record.email);
    return { email: record.email, studioName: record.studioName, name: record.name, expiresAt: record.expiresAt.toISOString(), account: accountKind(account) };
  }

  /** The address a registration link is for (undefined for an unusable link): the account whose password a follow may guess. */
  async registrationAddress(token: unknown): Promise<string | undefined> {
    if (typeof token !== 'string') return undefined;
    return (await this.openRegistration(token).catch(() => null))?.email;
  }

  /**
   * Follows a registration link, on its holder's explicit submit: the address is proven, so the account
   * (a new one with the password typed here; the existing one, given its own password; an unconfirmed one,
   * taken back with the password typed here) gets the new studio as its PRODUCER. Single-use under a lease;
   * on failure what was made is removed and the link still works.
   */
  async verifyEmail(token: string, input: { password: string; name?: string; studioName?: string; sameNameOk?: boolean }): Promise<AuthResult> {
    const hash = hashRefreshToken(token);
    return this.deps.locks.withLock(`registration:${hash}`, async () => {
      const { registrations, accounts, users, studios } = this.deps;
      const now = this.now();
      const record = await this.openRegistration(token);
      const name = input.name ?? record.name;
      const { account, created } = await this.claimAccount({ email: record.email, name, password: input.password }, now);
      const studioName = (input.studioName ?? record.studioName).trim();
      // Told only once the password proved the account: a second studio of the same name is asked about.
      if (!created && !input.sameNameOk) await this.refuseSameName(account._id, studioName);
      const studio = await this.createStudio(studioName);
      let user: UserDoc;
      try {
        user = await users.create(studio._id, { accountId: account._id, email: account.email, name: input.name ?? account.name, role: 'PRODUCER' });
      } catch (err) {
        // No multi-document transactions: undo what this call made so nothing half-written remains.
        await studios.delete(studio._id);
        if (created) await accounts.delete(account._id);
        throw err;
      }
      await registrations.delete(record._id);
      await accounts.setLastStudio(account._id, studio._id);
      await this.deps.audit.record(toActor(user), 'studio.registered', 'studio', studio._id, { name: studio.name, slug: studio.slug, newAccount: created });
      return this.issue(user, randomUUID());
    });
  }

  /** 409 STUDIO_NAME_TAKEN when the person already belongs to a studio of this name (any case). */
  private async refuseSameName(accountId: Types.ObjectId, studioName: string): Promise<void> {
    const same = (await this.membershipsOf(accountId)).find((m) => m.studioName.trim().toLowerCase() === studioName.toLowerCase());
    if (!same) return;
    const since = same.studioCreatedAt.slice(0, 10);
    throw new ConflictError('STUDIO_NAME_TAKEN', `You already belong to a studio named "${same.studioName}" (created ${since}). Create another one with the same name, or choose another name`, {
      details: [{ path: 'studioName', message: `you already belong to "${same.studioName}" (${same.studioSlug}, created ${since}); choose another name or confirm to create a second one` }],
    });
  }

  /** The pending, unexpired registration of a link, or 400 LINK_INVALID. */
  private async openRegistration(token: string): Promise<RegistrationDoc> {
    const record = await this.deps.registrations.findByTokenHash(hashRefreshToken(token));
    if (!record || record.expiresAt.getTime() <= this.now().getTime()) throw LINK_INVALID();
    return record;
  }

  /**
   * The account a proven address acts as, given the password the holder of the mailed link typed. The
   * link proves the mailbox, never a password someone else chose:
   * - no account: a new one, with this password (and `name`);
   * - a confirmed account: only with its own password (401 otherwise); a link never changes it;
   * - an account never confirmed (migrated from before addresses were proven, its password set by whoever
   *   made it): this password replaces the old one, and every session and API token of the account ends,
   *   so whoever set the old password loses access.
   * One decision per address at a time (a lease): two links of one mailbox followed at once cannot both
   * make an account or both reset one. `created` says whether this call made the account, for an undo.
   */
  async claimAccount(input: { email: string; name?: string; password: string }, now: Date): Promise<{ account: AccountDoc; created: boolean }> {
    const { accounts, passwords } = this.deps;
    return this.deps.locks.withLock(`account-address:${sha256(normalizeEmail(input.email))}`, async () => {
      const existing = await accounts.findByEmail(input.email);
      if (existing?.emailVerifiedAt) {
        if (!(await passwords.verify(input.password, existing.passwordHash))) throw WRONG_ACCOUNT_PASSWORD();
        return { account: existing, created: false };
      }
      assertChosenPassword(input.password, existing ? null : (input.name ?? ''));
      const passwordHash = await passwords.hash(input.password);
      if (existing) {
        await this.reclaim(existing, passwordHash, now);
        return { account: { ...existing, passwordHash, emailVerifiedAt: now }, created: false };
      }
      try {
        return { account: await accounts.create({ email: input.email.trim(), name: (input.name ?? '').trim(), passwordHash, emailVerifiedAt: now }), created: true };
      } catch (err) {
        // Only past an expired lease: the other follower made the account, and its password decides.
        if (isDuplicateKey(err)) throw new ConflictError('ACCOUNT_JUST_CREATED', 'This address got its account a moment ago: submit again with that account\'s password');
        throw err;
      }
    });
  }

  /** An unconfirmed account taken back through its mailbox: new password, proven address, every old session and token ended. */
  private async reclaim(account: AccountDoc, passwordHash: string, now: Date): Promise<void> {
    await this.deps.accounts.setPasswordHash(account._id, passwordHash);
    await this.deps.accounts.markVerified(account._id, now);
    const { ended, tokens } = await this.endSessionsOfAccount(account._id, 'password-changed');
    for (const member of ended) await this.deps.audit.record(toActor(member), 'user.address_confirmed', 'user', member._id, { passwordReset: true, tokensRevoked: tokens });
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

  /**
   * Signs a person in to one of their studios: the one asked for, else the one they used last, else the
   * first active one. A studio they are not a member of answers like a wrong password.
   */
  async login(email: string, password: string, studioId?: string): Promise<AuthResult> {
    const account = await this.deps.accounts.findByEmail(email);
    if (!account) {
      await this.deps.passwords.burn(password);
      throw INVALID_CREDENTIALS();
    }
    if (!(await this.deps.passwords.verify(password, account.passwordHash))) throw INVALID_CREDENTIALS();
    const memberships = await this.deps.users.ofAccount(account._id);
    const user = pickMembership(memberships, studioId ?? (account.lastStudioId ? String(account.lastStudioId) : undefined), studioId !== undefined);
    // Told only to someone who knows the password, so it reveals nothing to an enumerator.
    if (!user) throw studioId !== undefined ? NOT_A_MEMBER() : DEACTIVATED();
    if (!user.active) throw DEACTIVATED();
    if (String(account.lastStudioId) !== String(user.studioId)) await this.deps.accounts.setLastStudio(account._id, user.studioId);
    return this.issue(user, randomUUID());
  }

  /** The studios the caller's person belongs to (active memberships), for a studio switcher. */
  async memberships(actor: Actor): Promise<MembershipDto[]> {
    const self = await this.deps.users.findById(actor.studioId, actor.id);
    if (!self) throw new NotFoundError('USER_NOT_FOUND', 'User not found');
    return this.membershipsOf(self.accountId, actor.id);
  }

  private async membershipsOf(accountId: Types.ObjectId, currentUserId?: string): Promise<MembershipDto[]> {
    const mine = (await this.deps.users.ofAccount(accountId)).filter((m) => m.active);
    const studios = await this.deps.studios.findByIds(mine.map((m) => m.studioId));
    const byId = new Map(studios.map((s) => [String(s._id), s]));
    return mine.flatMap((m) => {
      const studio = byId.get(String(m.studioId));
      return studio ? [{ studioId: String(studio._id), studioName: studio.name, studioSlug: studio.slug, studioCreatedAt: studio.createdAt.toISOString(), userId: String(m._id), role: m.role, current: String(m._id) === currentUserId }] : [];
    });
  }

  /**
   * Which of the caller's other studios holds this asset, project or task (a link from one of them): read
   * through each of those studios' own tenancy, never another's, so the answer (none) is the same for an id
   * that does not exist and one of a studio the caller is not in.
   */
  async studiosHolding(actor: Actor, kind: HeldKind, id: string): Promise<MembershipDto[]> {
    const others = (await this.memberships(actor)).filter((m) => !m.current);
    const repo = { asset: this.deps.assets, project: this.deps.projects, task: this.deps.tasks }[kind];
    const held = await Promise.all(others.map(async (m) => ((await repo.findById(m.studioId, id)) ? m : null)));
    return held.filter((m): m is MembershipDto => m !== null);
  }

  /** A fresh session in another studio of the same person; the current session stays valid. */
  async switchStudio(actor: Actor, studioId: string): Promise<AuthResult> {
    const self = await this.deps.users.findById(actor.studioId, actor.id);
    if (!self) throw new NotFoundError('USER_NOT_FOUND', 'User not found');
    if (!Types.ObjectId.isValid(studioId)) throw NOT_A_MEMBER();
    const target = await this.deps.users.findMembership(studioId, self.accountId);
    if (!target || !target.active) throw NOT_A_MEMBER();
    await this.deps.accounts.setLastStudio(self.accountId, target.studioId);
    await this.deps.audit.record(toActor(target), 'user.switched_studio', 'user', target._id, { from: actor.studioId });
    return this.issue(target, randomUUID());
  }

  async refresh(refreshToken: string): Promise<AuthResult> {
    const { refreshTokens, users } = this.deps;
    const now = this.now();
    const record = await refreshTokens.findByHash(hashRefreshToken(refreshToken));
    if (!record) throw INVALID_REFRESH();
    if (record.replacedBy !== null) {
      // A rotated token came back: either it was stolen or the thief already used it. Kill the family.
      await refreshTokens.revokeFamily(record.studioId, record.familyId, now);
      throw REUSED();
    }
    if (record.revokedAt !== null || record.expiresAt.getTime() <= now.getTime()) throw await this.whyRefreshEnded(record, now);

    const next = this.deps.tokens.newRefreshToken();
    // Exactly one presentation of a token may rotate it: a once-only claim decides, since conditional
    // updates are not atomic on every MongoDB-wire server we run on.
    const ttlMs = Math.max(record.expiresAt.getTime() - now.getTime(), 0) + 60_000;
    if (!(await this.deps.locks.claimOnce(`refresh-rotation:${record.tokenHash}`, ttlMs))) {
      // Lost a race with another use of the same token: same verdict as a replay.
      await refreshTokens.revokeFamily(record.studioId, record.familyId, now);
      throw REUSED();
    }
    await refreshTokens.markRotated(record.studioId, record._id, next.hash, now);
    const user = await users.findById(record.studioId, record.userId);
    if (!user || !user.active || (record.sessionVersion ?? 0) !== (user.sessionVersion ?? 0)) {
      await refreshTokens.revokeFamily(record.studioId, record.familyId, now);
      throw refreshRefused((user && whyEnded(sessionStateOf(user), record.sessionVersion ?? 0)) ?? sessionEnded(undefined));
    }
    return this.issue(user, record.familyId, next);
  }

  /**
   * The refusal of a refresh token that no longer holds, saying why: its days ran out, its membership's
   * sessions were ended (and by what), or its login was signed out. Only the token's holder learns this.
   */
  private async whyRefreshEnded(record: RefreshTokenDoc, now: Date): Promise<AuthenticationError> {
    if (record.expiresAt.getTime() <= now.getTime()) {
      return new AuthenticationError('INVALID_REFRESH_TOKEN', `Your session expired: a sign-in lasts ${this.deps.refreshTtlDays} days; sign in again`, { details: reasonDetail('expired') });
    }
    const user = await this.deps.users.findById(record.studioId, record.userId);
    const ended = user ? whyEnded(sessionStateOf(user), record.sessionVersion ?? 0) : null;
    return refreshRefused(ended ?? new AuthenticationError('INVALID_REFRESH_TOKEN', 'You were signed out of this session (on this device or in another tab); sign in again', { details: reasonDetail('signed-out') }));
  }

  /** Revokes the whole login session (token family). Unknown tokens are accepted silently: logout is idempotent. */
  async logout(refreshToken: string): Promise<void> {
    const record = await this.deps.refreshTokens.findByHash(hashRefreshToken(refreshToken));
    if (record) await this.deps.refreshTokens.revokeFamily(record.studioId, record.familyId, this.now());
  }

  /**
   * Ends every session of the caller's person on every device and in every studio (access tokens on their
   * next use, refresh tokens at once), and every personal API token of theirs: a token minted from a stolen
   * session must not outlive the owner's "sign out everywhere". Bots' tokens are the studio's and stay.
   */
  async logoutEverywhere(actor: Actor): Promise<void> {
    const self = await this.self(actor);
    const { ended, tokens } = await this.endSessionsOfAccount(self.accountId, 'signed-out-everywhere');
    await this.deps.audit.record(actor, 'user.signed_out_everywhere', 'user', self._id, { studios: ended.length, tokensRevoked: tokens });
  }

  /**
   * A new password (the person's, for every studio) ends every other session and every personal API token
   * of the person in every studio; the caller gets a fresh pair for this one.
   */
  async changePassword(actor: Actor, currentPassword: string, newPassword: string): Promise<AuthResult> {
    const { member: self, account } = await this.deps.currentPassword.confirm(actor, currentPassword);
    await this.deps.accounts.setPasswordHash(account._id, await this.deps.passwords.hash(newPassword));
    const { ended, tokens } = await this.endSessionsOfAccount(account._id, 'password-changed');
    await this.deps.audit.record(actor, 'user.password_changed', 'user', self._id, { studios: ended.length, tokensRevoked: tokens });
    const current = ended.find((u) => String(u._id) === actor.id);
    if (!current) throw new NotFoundError('USER_NOT_FOUND', 'User not found');
    return this.issue(current, randomUUID());
  }

  private async self(actor: Actor): Promise<UserDoc> {
    const user = await this.deps.users.findById(actor.studioId, actor.id);
    if (!user) throw new NotFoundError('USER_NOT_FOUND', 'User not found');
    return user;
  }

  /**
   * Bumps the session version of every membership of the person, revokes their refresh tokens and their
   * personal API tokens. Each under its studio's members lease, like role changes and deactivation: FerretDB
   * does not apply two concurrent updates of one document atomically, and a lost demotion must never be the
   * price. Minting a token takes the same lease, so a mint in flight lands before the revocation (and is
   * revoked) or after the version bump (and is refused).
   */
  private async endSessionsOfAccount(accountId: Types.ObjectId, reason: PersonalTokenEndReason): Promise<{ ended: UserDoc[]; tokens: number }> {
    const ended: UserDoc[] = [];
    let tokens = 0;
    for (const m of await this.deps.users.ofAccount(accountId)) {
      const updated = await this.deps.locks.withLock(`studio-members:${m.studioId}`, async () => {
        const bumped = await this.deps.users.endSessions(m.studioId, m._id, reason);
        if (bumped) tokens += await this.deps.personalTokens.revokeAllOf(bumped, reason);
        return bumped;
      });
      if (!updated) continue;
      await this.deps.refreshTokens.revokeAllForUser(updated.studioId, updated._id, this.now());
      await this.deps.sessions.ended(updated, reason);
      ended.push(updated);
    }
    return { ended, tokens };
  }

  async me(actor: Actor): Promise<UserDto> {
    const user = await this.deps.users.findById(actor.studioId, actor.id);
    if (!user) throw new NotFoundError('USER_NOT_FOUND', 'User not found');
    return toUserDto(user);
  }

  /** A new session (token family) for a membership that another flow (an accepted invitation) just proved. */
  signIn(user: UserDoc): Promise<AuthResult> {
    return this.issue(user, randomUUID());
  }

  private async issue(user: UserDoc, familyId: string, refresh = this.deps.tokens.newRefreshToken()): Promise<AuthResult> {
    const expiresAt = new Date(this.now().getTime() + this.deps.refreshTtlDays * 86_400_000);
    // The same user document signs both tokens, so both carry the session version it was read at: a login
    // or refresh in flight while the sessions are ended yields tokens that the next check refuses.
    await this.deps.refreshTokens.create({ studioId: user.studioId, userId: user._id, familyId, tokenHash: refresh.hash, expiresAt, sessionVersion: user.sessionVersion ?? 0 });
    return { accessToken: this.deps.tokens.signAccess(toActor(user), user.sessionVersion ?? 0), refreshToken: refresh.token, user: toUserDto(user) };
  }
}

/**
 * The membership a login lands in. `wanted` (asked for, or the last used) wins when it is one of theirs;
 * an explicit ask for a foreign studio finds nothing; otherwise the first active membership.
 */
function pickMembership(memberships: UserDoc[], wanted: string | undefined, explicit: boolean): UserDoc | undefined {
  const match = wanted === undefined ? undefined : memberships.find((m) => String(m.studioId) === wanted);
  if (explicit || match?.active) return match;
  return memberships.find((m) => m.active) ?? memberships[0];
}

export function toActor(user: UserDoc): Actor {
  return { id: String(user._id), studioId: String(user.studioId), role: user.role };
}

/**
 * The rules of a password chosen on a link's page (registration's and invitation's): bcrypt must take it
 * whole. `name` is the new account's (required), or null when the account exists and keeps its own.
 */
export function assertChosenPassword(password: string, name: string | null): void {
  const details: Array<{ path: string; message: string }> = [];
  if (name !== null && !name.trim()) details.push({ path: 'name', message: 'Required for a new account' });
  if (password.length < 10) details.push({ path: 'password', message: 'must be at least 10 characters' });
  if (Buffer.byteLength(password, 'utf8') > 72) details.push({ path: 'password', message: 'must be at most 72 bytes (bcrypt ignores anything longer)' });
  if (details.length) throw new ValidationError('VALIDATION_FAILED', 'Choose a password for the account (and a name, for a new one)', { details });
}
