// API tokens for scripts and bots. A personal access token acts as the member who made it; a bot is a
// membership without a person (made by a PRODUCER, with a role) that acts only through its tokens. A
// token's rights are its member's current role narrowed by its scopes (checked per route). Tokens are
// shown once, stored as sha256, prefixed `sapi_` so secret scanners can spot a leaked one, and checked
// against MongoDB on every request, so a revocation holds on the next request on every instance.
import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { AuthenticationError, AuthorizationError, ConflictError, NotFoundError, ValidationError } from '../../shared/errors';
import type { ApiTokenRepository } from '../repositories/ApiTokenRepository';
import type { UserRepository } from '../repositories/UserRepository';
import type { StudioRepository } from '../repositories/StudioRepository';
import { SCOPE_DESCRIPTIONS, SCOPES, type ApiTokenDoc, type Scope, type TokenRevokedReason } from '../repositories/models/ApiToken';
import type { Role, UserDoc } from '../repositories/models/User';
import type { LeaseLock } from '../../infra/database/LeaseLock';
import { hashRefreshToken } from './TokenService';
import type { AccessService } from './AccessService';
import type { AuditService } from './AuditService';
import { sessionStateOf, whyEnded, type SessionService } from './SessionService';
import type { CurrentPassword } from './CurrentPassword';
import { sendOrFail, toActor, type PersonalTokens } from './AuthService';
import { mails, type MailLinks, type Mailer, type MailMessage } from './Mailer';
import type { Actor } from './types';
import type { DomainEvents } from '../events';
import { toApiTokenDto, toUserDto, type ApiTokenDto, type UserDto } from '../dto';

export const TOKEN_PREFIX = 'sapi_';
/** sapi_ + 32 random bytes in base64url. */
const TOKEN_SHAPE = /^sapi_[A-Za-z0-9_-]{43}$/;

const INVALID = () => new AuthenticationError('TOKEN_INVALID', 'API token is invalid');
const NOT_FOUND = () => new NotFoundError('TOKEN_NOT_FOUND', 'API token not found');
const TOKENS_CANNOT_MINT = () => new AuthorizationError('TOKEN_NOT_ALLOWED', 'API tokens cannot manage API tokens or bots; sign in as a person');
const ONLY_ITSELF = () => new AuthorizationError('TOKEN_NOT_ALLOWED', 'An API token can see and revoke only itself; sign in as a person to manage other tokens');
/** Why a revoked token no longer works, in words for whoever runs the script that holds it. */
const REVOKED_BECAUSE: Record<TokenRevokedReason, string> = {
  revoked: 'This API token was revoked on the API tokens page; make a new one there if the script still needs one',
  'password-changed': 'This API token was revoked when the person it acts as changed their password; they can make a new one on the API tokens page',
  'password-reset': 'This API token was revoked when the person it acts as reset their password with a mailed link; they can make a new one on the API tokens page',
  'signed-out-everywhere': 'This API token was revoked when the person it acts as chose "Sign out everywhere"; they can make a new one on the API tokens page',
};
const tokenRevoked = (token: Pick<ApiTokenDoc, 'revokedReason'>) =>
  new AuthenticationError('TOKEN_REVOKED', token.revokedReason ? REVOKED_BECAUSE[token.revokedReason] : 'This API token was revoked; make a new one on the API tokens page');

export interface NewToken {
  name: string;
  scopes: Scope[];
  /** Required: every token expires, after at most API_TOKEN_MAX_DAYS. */
  expiresInDays: number;
  /** The minting person's password, asked afresh: a stolen session alone cannot mint. */
  currentPassword: string;
}

/** What a client needs to offer a mint form: the longest lifetime allowed and every scope in words. */
export interface TokenPolicy {
  maxExpiresInDays: number;
  scopes: Array<{ scope: Scope; description: string }>;
}

export const isApiToken = (bearer: string) => bearer.startsWith(TOKEN_PREFIX);

export class ApiTokenService implements PersonalTokens {
  /** When each token's last use was last written, so a busy script costs one write a minute, not one per request. */
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly deps: {
      tokens: ApiTokenRepository;
      users: UserRepository;
      studios: StudioRepository;
      sessions: SessionService;
      access: AccessService;
      audit: AuditService;
      events: DomainEvents;
      currentPassword: CurrentPassword;
      locks: LeaseLock;
      mailer: Mailer;
      links: MailLinks;
      /** API_TOKEN_MAX_DAYS: the longest a token lives from its creation, whatever it asked for. */
      maxDays: number;
      now?: () => Date;
    },
  ) {}

  get policy(): TokenPolicy {
    return { maxExpiresInDays: this.deps.maxDays, scopes: SCOPES.map((scope) => ({ scope, description: SCOPE_DESCRIPTIONS[scope] })) };
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** A personal access token of the caller, after their password; its person is mailed. */
  async createPersonal(actor: Actor, input: NewToken, from: string | null = null): Promise<ApiTokenDto & { token: string }> {
    if (actor.tokenId) throw TOKENS_CANNOT_MINT();
    const { created, minter, account } = await this.mintConfirmed(actor, new Types.ObjectId(actor.id), input);
    const studio = await this.deps.studios.findById(actor.studioId);
    return this.handOut(actor, created, [
      mails.tokenCreated(this.deps.links, { to: account.email, name: minter.name, studioName: studio?.name ?? '', tokenName: created.name, scopes: describe(created.scopes), expiresAt: created.expiresAt, now: created.createdAt, from }),
    ]);
  }

  /** The caller's tokens; a token sees only itself (its expiry, its last use), never its member's others. */
  async listPersonal(actor: Actor): Promise<ApiTokenDto[]> {
    const now = this.now();
    const mine = await this.deps.tokens.ofUser(actor.studioId, actor.id);
    return mine.filter((t) => !actor.tokenId || String(t._id) === actor.tokenId).map((t) => this.toDto(t, now));
  }

  /**
   * Revokes one of the caller's tokens, or (a PRODUCER) any token of the studio. A token may revoke only
   * itself: no scope lets one of a member's tokens end the others (a leaked read-only token must not be
   * able to cut off the studio's farm bridge), and a script that retires itself needs nothing more.
   */
  async revoke(actor: Actor, id: string): Promise<ApiTokenDto> {
    if (actor.tokenId && actor.tokenId !== id) throw ONLY_ITSELF();
    const token = await this.deps.tokens.findById(actor.studioId, id);
    if (!token) throw NOT_FOUND();
    if (String(token.userId) !== actor.id && !this.deps.access.can(actor, 'token:manage')) throw NOT_FOUND();
    const revoked = await this.deps.tokens.revoke(actor.studioId, token._id, this.now());
    if (!revoked) throw new ConflictError('TOKEN_REVOKED', 'This token was already revoked');
    this.deps.events.emit('token.revoked', { studioId: actor.studioId, tokenId: String(token._id) });
    await this.deps.audit.record(actor, 'token.revoked', 'token', token._id, { name: token.name, userId: String(token.userId) });
    return this.toDto(revoked, this.now());
  }

  /**
   * Ends every token a member acts as: their person changed the password, signed out everywhere, or an
   * unconfirmed account was taken back through its mailbox (a password change too). Only the member's own:
   * the tokens of bots they made are the studio's, stay, and needed the password to make.
   */
  async revokeAllOf(member: UserDoc, reason: Parameters<PersonalTokens['revokeAllOf']>[1]): Promise<number> {
    const { count, ids } = await this.deps.tokens.revokeAllOf(member.studioId, member._id, this.now(), reason);
    for (const id of ids) this.deps.events.emit('token.revoked', { studioId: String(member.studioId), tokenId: String(id) });
    if (count > 0) await this.deps.audit.record(toActor(member), 'token.revoked_all', 'user', member._id, { count, reason });
    return count;
  }

  async createBot(actor: Actor, input: { name: string; role: Role }): Promise<UserDto> {
    this.requireManager(actor);
    const id = new Types.ObjectId();
    // A bot has no Account: its accountId is its own fresh id (unique per studio, as the index wants), and
    // its address a reserved .invalid one that no mail or login can reach.
    const bot = await this.deps.users.create(new Types.ObjectId(actor.studioId), {
      accountId: id,
      email: `bot-${id.toHexString()}@bots.studio-api.invalid`,
      name: input.name,
      role: input.role,
      kind: 'BOT',
    });
    await this.deps.audit.record(actor, 'bot.created', 'user', bot._id, { name: bot.name, role: bot.role });
    return toUserDto(bot);
  }

  async listBots(actor: Actor): Promise<UserDto[]> {
    this.requireManager(actor);
    return (await this.deps.users.bots(actor.studioId)).map(toUserDto);
  }

  /** A token for a bot, after the PRODUCER's password; every PRODUCER of the studio is mailed. */
  async createBotToken(actor: Actor, botId: string, input: NewToken, from: string | null = null): Promise<ApiTokenDto & { token: string }> {
    this.requireManager(actor);
    const bot = await this.deps.users.findById(actor.studioId, botId);
    if (!bot || bot.kind !== 'BOT') throw new NotFoundError('BOT_NOT_FOUND', 'Bot not found');
    const { created, minter } = await this.mintConfirmed(actor, bot._id, input);
    const [studio, producers] = await Promise.all([this.deps.studios.findById(actor.studioId), this.deps.users.producers(actor.studioId)]);
    return this.handOut(
      actor,
      created,
      producers.map((p) =>
        mails.tokenCreated(this.deps.links, { to: p.email, name: p.name, studioName: studio?.name ?? '', tokenName: created.name, scopes: describe(created.scopes), expiresAt: created.expiresAt, now: created.createdAt, from, bot: { name: bot.name, createdBy: minter.name } }),
      ),
    );
  }

  async listBotTokens(actor: Actor, botId: string): Promise<ApiTokenDto[]> {
    this.requireManager(actor);
    const bot = await this.deps.users.findById(actor.studioId, botId);
    if (!bot || bot.kind !== 'BOT') throw new NotFoundError('BOT_NOT_FOUND', 'Bot not found');
    const now = this.now();
    return (await this.deps.tokens.ofUser(actor.studioId, bot._id)).map((t) => this.toDto(t, now));
  }

  /**
   * The actor a presented API token acts as now: the token must be known, unrevoked and unexpired, and its
   * member active (the member's current role applies). Any failure is a 401 in the contract.
   */
  async authenticate(raw: string, ip: string | null): Promise<{ actor: Actor; token: ApiTokenDoc }> {
    if (!TOKEN_SHAPE.test(raw)) throw INVALID();
    const token = await this.deps.tokens.findByHash(hashRefreshToken(raw));
    if (!token) throw INVALID();
    const now = this.now();
    if (token.revokedAt) throw tokenRevoked(token);
    if (this.expiryOf(token).getTime() <= now.getTime()) throw new AuthenticationError('TOKEN_EXPIRED', 'This API token has expired; make a new one on the API tokens page');
    const member = await this.deps.sessions.memberActor(String(token.userId), String(token.studioId));
    this.touch(token, now, ip);
    return { actor: { ...member, tokenId: String(token._id), scopes: token.scopes }, token };
  }

  /**
   * Who a long-lived connection (a socket, an event stream) acts as now: its API token re-checked, or a
   * person's session at the version (and, when known, before the expiry) of the JWT it was opened with.
   */
  actorNow(actor: Actor): Promise<Actor> {
    if (actor.tokenId) return this.recheck(actor.studioId, actor.tokenId);
    if (actor.credentialExpiresAt !== undefined && this.now().getTime() >= actor.credentialExpiresAt) {
      return Promise.reject(new AuthenticationError('TOKEN_EXPIRED', 'Access token has expired; reconnect with a fresh one'));
    }
    return this.deps.sessions.actorFor({ id: actor.id, studioId: actor.studioId, sessionVersion: actor.sessionVersion ?? -1 });
  }

  private async recheck(studioId: string, tokenId: string): Promise<Actor> {
    const token = await this.deps.tokens.findById(studioId, tokenId);
    const now = this.now();
    if (token?.revokedAt) throw tokenRevoked(token);
    if (!token || this.expiryOf(token).getTime() <= now.getTime()) throw new AuthenticationError('TOKEN_REVOKED', 'This API token was revoked or has expired; make a new one on the API tokens page');
    const member = await this.deps.sessions.memberActor(String(token.userId), String(token.studioId));
    return { ...member, tokenId, scopes: token.scopes };
  }

  /** A PRODUCER at a keyboard ('token:manage' is people-only in AccessPolicy). */
  private requireManager(actor: Actor): void {
    this.deps.access.require(actor, 'token:manage');
  }

  /**
   * When a token stops working: what it asked for, but never later than API_TOKEN_MAX_DAYS after it was
   * made. Tokens from before the maximum (some without any expiry) are held to the same ceiling, so the
   * rule needs no migration and a lower maximum applies to every token at once.
   */
  private expiryOf(token: Pick<ApiTokenDoc, 'expiresAt' | 'createdAt'>): Date {
    const ceiling = token.createdAt.getTime() + this.deps.maxDays * 86_400_000;
    return new Date(Math.min(token.expiresAt?.getTime() ?? ceiling, ceiling));
  }

  private toDto(token: ApiTokenDoc, now: Date): ApiTokenDto {
    return toApiTokenDto(token, this.expiryOf(token), now);
  }

  /**
   * Mints after the caller's password, under the studio's members lease: a password change or sign-out
   * everywhere revokes under the same lease, so a mint in flight is either revoked by it or, starting
   * after it, finds the session ended (the version is read from MongoDB here, not from the cache).
   */
  private async mintConfirmed(actor: Actor, userId: Types.ObjectId, input: NewToken) {
    if (input.expiresInDays > this.deps.maxDays) {
      throw new ValidationError('VALIDATION_FAILED', `A token lives at most ${this.deps.maxDays} days; choose a shorter expiry`, { details: [{ path: 'expiresInDays', message: `at most ${this.deps.maxDays}` }] });
    }
    return this.deps.locks.withLock(`studio-members:${actor.studioId}`, async () => {
      const { member, account } = await this.deps.currentPassword.confirm(actor, input.currentPassword);
      const ended = actor.sessionVersion === undefined ? null : whyEnded(sessionStateOf(member), actor.sessionVersion);
      if (ended) throw ended;
      return { created: await this.mint(actor, userId, input), minter: member, account };
    });
  }

  private async mint(actor: Actor, userId: Types.ObjectId, input: NewToken): Promise<{ dto: ApiTokenDto & { token: string }; doc: ApiTokenDoc; name: string; scopes: Scope[]; expiresAt: Date; createdAt: Date }> {
    const secret = randomBytes(32).toString('base64url');
    const raw = `${TOKEN_PREFIX}${secret}`;
    const now = this.now();
    const expiresAt = new Date(now.getTime() + input.expiresInDays * 86_400_000);
    const scopes = [...new Set(input.scopes)];
    const token = await this.deps.tokens.create({
      studioId: new Types.ObjectId(actor.studioId),
      userId,
      name: input.name,
      hint: secret.slice(0, 6),
      tokenHash: hashRefreshToken(raw),
      scopes,
      expiresAt,
      createdBy: new Types.ObjectId(actor.id),
    });
    return { dto: { ...this.toDto(token, now), token: raw }, doc: token, name: token.name, scopes, expiresAt, createdAt: now };
  }

  /**
   * Mails the notices of a new token, then hands out its secret: if one cannot be sent, the token is removed
   * and the request answers 503 MAIL_UNAVAILABLE (nobody holds a token its owner did not hear of).
   */
  private async handOut(actor: Actor, created: { dto: ApiTokenDto & { token: string }; doc: ApiTokenDoc }, messages: MailMessage[]): Promise<ApiTokenDto & { token: string }> {
    const { doc } = created;
    for (const message of messages) await sendOrFail(this.deps.mailer, message, () => this.deps.tokens.remove(doc.studioId, doc._id));
    await this.deps.audit.record(actor, 'token.created', 'token', doc._id, { name: doc.name, scopes: doc.scopes, userId: String(doc.userId), expiresAt: doc.expiresAt?.toISOString() ?? null, notified: messages.length });
    return created.dto;
  }

  private touch(token: ApiTokenDoc, now: Date, ip: string | null): void {
    const key = String(token._id);
    const last = this.touched.get(key) ?? token.lastUsedAt?.getTime() ?? 0;
    if (now.getTime() - last < 60_000 && token.lastUsedIp === ip) return;
    this.touched.set(key, now.getTime());
    if (this.touched.size > 10_000) this.touched.clear();
    // Best effort and off the request's path: a lost write only makes "last used" a little older.
    void this.deps.tokens.touch(token._id, now, ip).catch(() => undefined);
  }
}

const describe = (scopes: readonly Scope[]) => scopes.map((scope) => ({ scope, description: SCOPE_DESCRIPTIONS[scope] }));
