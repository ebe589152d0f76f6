// API tokens for scripts and bots. A personal access token acts as the member who made it; a bot is a
// membership without a person (made by a PRODUCER, with a role) that acts only through its tokens. A
// token's rights are its member's current role narrowed by its scopes (checked per route). Tokens are
// shown once, stored as sha256, prefixed `sapi_` so secret scanners can spot a leaked one, and checked
// against MongoDB on every request, so a revocation holds on the next request on every instance.
import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { AuthenticationError, AuthorizationError, ConflictError, NotFoundError } from '../../shared/errors';
import type { ApiTokenRepository } from '../repositories/ApiTokenRepository';
import type { UserRepository } from '../repositories/UserRepository';
import type { ApiTokenDoc, Scope } from '../repositories/models/ApiToken';
import type { Role } from '../repositories/models/User';
import { hashRefreshToken } from './TokenService';
import type { AccessService } from './AccessService';
import type { AuditService } from './AuditService';
import type { SessionService } from './SessionService';
import type { Actor } from './types';
import type { DomainEvents } from '../events';
import { toApiTokenDto, toUserDto, type ApiTokenDto, type UserDto } from '../dto';

export const TOKEN_PREFIX = 'sapi_';
/** sapi_ + 32 random bytes in base64url. */
const TOKEN_SHAPE = /^sapi_[A-Za-z0-9_-]{43}$/;

const INVALID = () => new AuthenticationError('TOKEN_INVALID', 'API token is invalid');
const NOT_FOUND = () => new NotFoundError('TOKEN_NOT_FOUND', 'API token not found');
const TOKENS_CANNOT_MINT = () => new AuthorizationError('TOKEN_NOT_ALLOWED', 'API tokens cannot manage API tokens or bots; sign in as a person');

export interface NewToken {
  name: string;
  scopes: Scope[];
  expiresInDays?: number;
}

export const isApiToken = (bearer: string) => bearer.startsWith(TOKEN_PREFIX);

export class ApiTokenService {
  /** When each token's last use was last written, so a busy script costs one write a minute, not one per request. */
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly deps: {
      tokens: ApiTokenRepository;
      users: UserRepository;
      sessions: SessionService;
      access: AccessService;
      audit: AuditService;
      events: DomainEvents;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** A personal access token of the caller. */
  async createPersonal(actor: Actor, input: NewToken): Promise<ApiTokenDto & { token: string }> {
    if (actor.tokenId) throw TOKENS_CANNOT_MINT();
    return this.mint(actor, new Types.ObjectId(actor.id), input);
  }

  async listPersonal(actor: Actor): Promise<ApiTokenDto[]> {
    const now = this.now();
    return (await this.deps.tokens.ofUser(actor.studioId, actor.id)).map((t) => toApiTokenDto(t, now));
  }

  /** Revokes one of the caller's tokens, or (PRODUCER) any token of the studio. */
  async revoke(actor: Actor, id: string): Promise<ApiTokenDto> {
    const token = await this.deps.tokens.findById(actor.studioId, id);
    if (!token) throw NOT_FOUND();
    if (String(token.userId) !== actor.id) {
      if (!this.deps.access.can(actor, 'token:manage')) throw NOT_FOUND();
      if (actor.tokenId) throw TOKENS_CANNOT_MINT();
    }
    const revoked = await this.deps.tokens.revoke(actor.studioId, token._id, this.now());
    if (!revoked) throw new ConflictError('TOKEN_REVOKED', 'This token was already revoked');
    this.deps.events.emit('token.revoked', { studioId: actor.studioId, tokenId: String(token._id) });
    await this.deps.audit.record(actor, 'token.revoked', 'token', token._id, { name: token.name, userId: String(token.userId) });
    return toApiTokenDto(revoked, this.now());
  }

  /**
   * Revokes every live token of these memberships (their sockets close too), for a credential taken back
   * from whoever held it: an unconfirmed account claimed through its mailbox. Returns how many it revoked.
   */
  async revokeAllOf(members: Array<{ _id: Types.ObjectId; studioId: Types.ObjectId }>): Promise<number> {
    const now = this.now();
    let revoked = 0;
    for (const member of members) {
      for (const token of await this.deps.tokens.ofUser(member.studioId, member._id)) {
        if (token.revokedAt || !(await this.deps.tokens.revoke(member.studioId, token._id, now))) continue;
        this.deps.events.emit('token.revoked', { studioId: String(member.studioId), tokenId: String(token._id) });
        revoked++;
      }
    }
    return revoked;
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

  async createBotToken(actor: Actor, botId: string, input: NewToken): Promise<ApiTokenDto & { token: string }> {
    this.requireManager(actor);
    const bot = await this.deps.users.findById(actor.studioId, botId);
    if (!bot || bot.kind !== 'BOT') throw new NotFoundError('BOT_NOT_FOUND', 'Bot not found');
    return this.mint(actor, bot._id, input);
  }

  async listBotTokens(actor: Actor, botId: string): Promise<ApiTokenDto[]> {
    this.requireManager(actor);
    const bot = await this.deps.users.findById(actor.studioId, botId);
    if (!bot || bot.kind !== 'BOT') throw new NotFoundError('BOT_NOT_FOUND', 'Bot not found');
    const now = this.now();
    return (await this.deps.tokens.ofUser(actor.studioId, bot._id)).map((t) => toApiTokenDto(t, now));
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
    if (token.revokedAt) throw new AuthenticationError('TOKEN_REVOKED', 'API token was revoked');
    if (token.expiresAt && token.expiresAt.getTime() <= now.getTime()) throw new AuthenticationError('TOKEN_EXPIRED', 'API token has expired');
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
    if (!token || token.revokedAt || (token.expiresAt && token.expiresAt.getTime() <= now.getTime())) throw new AuthenticationError('TOKEN_REVOKED', 'API token was revoked or has expired');
    const member = await this.deps.sessions.memberActor(String(token.userId), String(token.studioId));
    return { ...member, tokenId, scopes: token.scopes };
  }

  private requireManager(actor: Actor): void {
    this.deps.access.require(actor, 'token:manage');
    if (actor.tokenId) throw TOKENS_CANNOT_MINT();
  }

  private async mint(actor: Actor, userId: Types.ObjectId, input: NewToken): Promise<ApiTokenDto & { token: string }> {
    const secret = randomBytes(32).toString('base64url');
    const raw = `${TOKEN_PREFIX}${secret}`;
    const now = this.now();
    const expiresAt = input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000) : null;
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
    await this.deps.audit.record(actor, 'token.created', 'token', token._id, { name: token.name, scopes, userId: String(userId), expiresAt: expiresAt?.toISOString() ?? null });
    return { ...toApiTokenDto(token, now), token: raw };
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
