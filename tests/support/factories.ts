// Small arrange-helpers that act through the public HTTP surface (and one, plantToken, that writes a legacy token to the store).
import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import type { Harness } from './harness';
import { hashRefreshToken } from '../../src/app/services/TokenService';
import type { Scope } from '../../src/app/repositories/models/ApiToken';

export interface Session {
  accessToken: string;
  refreshToken: string;
  user: { id: string; studioId: string; email: string; role: string; name: string };
  password: string;
  auth: { Authorization: string };
}

export const uniqueEmail = (tag = 'user') => `${tag}.${randomBytes(4).toString('hex')}@studio.test`;
export const PASSWORD = 'correct horse battery';

function session(body: { accessToken: string; refreshToken: string; user: Session['user'] }, password: string): Session {
  return { ...body, password, auth: { Authorization: `Bearer ${body.accessToken}` } };
}

/**
 * Registers a new studio the way a person does: the form, then the link mailed to the address, whose page
 * asks for the password (chosen there for a new account; an existing account's own). The returned session
 * is its first PRODUCER. With an email of an existing account, the studio joins it.
 */
export async function givenStudio(h: Harness, name = `Studio ${randomBytes(3).toString('hex')}`, email = uniqueEmail('owner'), password = PASSWORD): Promise<Session> {
  const res = await h.http.post('/auth/register').send({ studioName: name, name: 'Owner', email });
  if (res.status !== 202) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  const token = h.mailbox.tokenOf(await h.mailbox.next(email), 'verify-email');
  const verified = await h.http.post('/auth/verify-email').send({ token, password });
  if (verified.status !== 201) throw new Error(`verify-email failed: ${verified.status} ${JSON.stringify(verified.body)}`);
  return session(verified.body, password);
}

/** Invites an address to the producer's studio with a role; resolves with the token of the mailed link. */
export async function invite(h: Harness, producer: Session, email: string, role: 'ARTIST' | 'DIRECTOR' | 'PRODUCER'): Promise<string> {
  const created = await h.http.post('/invitations').set(producer.auth).send({ email, role });
  if (created.status !== 201) throw new Error(`invite failed: ${created.status} ${JSON.stringify(created.body)}`);
  return h.mailbox.tokenOf(await h.mailbox.next(email), 'invitations');
}

/** Adds a new person with the given role to the producer's studio (invitation, mail, acceptance) and returns their session. */
export async function givenMember(h: Harness, producer: Session, role: 'ARTIST' | 'DIRECTOR' | 'PRODUCER', email = uniqueEmail(role.toLowerCase())): Promise<Session> {
  const token = await invite(h, producer, email, role);
  const res = await h.http.post('/invitations/accept').send({ token, name: `${role} person`, password: PASSWORD });
  if (res.status !== 201) throw new Error(`accept failed: ${res.status} ${JSON.stringify(res.body)}`);
  return session(res.body, PASSWORD);
}

export interface MintedToken {
  id: string;
  token: string;
  userId: string;
  scopes: string[];
  expiresAt: string;
  hint: string;
}

/** A personal API token of the session's member, minted as a person does: with their password, for 30 days unless told. */
export async function givenToken(h: Harness, s: Session, scopes: string[], extra: { name?: string; expiresInDays?: number } = {}): Promise<MintedToken> {
  const res = await h.http.post('/tokens').set(s.auth).send({ name: extra.name ?? `token ${scopes.join(' ')}`, scopes, expiresInDays: extra.expiresInDays ?? 30, currentPassword: s.password });
  if (res.status !== 201) throw new Error(`token mint failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as MintedToken;
}

/** A new bot of the producer's studio with the role, and a token for it (minted with the producer's password). */
export async function givenBotToken(h: Harness, producer: Session, scopes: string[], role: 'ARTIST' | 'DIRECTOR' | 'PRODUCER' = 'ARTIST', extra: { name?: string; expiresInDays?: number } = {}): Promise<{ bot: { id: string; name: string; role: string; kind: string }; created: MintedToken }> {
  const bot = await h.http.post('/bots').set(producer.auth).send({ name: `bot ${scopes.join('+')} ${randomBytes(3).toString('hex')}`, role });
  if (bot.status !== 201) throw new Error(`bot creation failed: ${bot.status} ${JSON.stringify(bot.body)}`);
  const res = await h.http.post(`/bots/${bot.body.id}/tokens`).set(producer.auth).send({ name: extra.name ?? 'ci', scopes, expiresInDays: extra.expiresInDays ?? 30, currentPassword: producer.password });
  if (res.status !== 201) throw new Error(`bot token mint failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { bot: bot.body, created: res.body as MintedToken };
}

/**
 * A token written straight to the store, like one minted before issue 27 (no password asked, no expiry
 * needed): regression tests show what such a token can still do, on today's code and on the old.
 */
export async function plantToken(h: Harness, member: { id: string; studioId: string }, scopes: string[], opts: { expiresAt?: Date | null; createdAt?: Date } = {}): Promise<{ id: string; token: string }> {
  const secret = randomBytes(32).toString('base64url');
  const token = `sapi_${secret}`;
  const doc = await h.container.repos.apiTokens.create({
    studioId: new Types.ObjectId(member.studioId),
    userId: new Types.ObjectId(member.id),
    name: 'planted',
    hint: secret.slice(0, 6),
    tokenHash: hashRefreshToken(token),
    scopes: scopes as Scope[],
    expiresAt: opts.expiresAt ?? null,
    createdBy: new Types.ObjectId(member.id),
  });
  // Past Mongoose, whose timestamps keep createdAt immutable.
  if (opts.createdAt) await h.container.models.ApiToken.collection.updateOne({ _id: doc._id }, { $set: { createdAt: opts.createdAt } });
  return { id: String(doc._id), token };
}
