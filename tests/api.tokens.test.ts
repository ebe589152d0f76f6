// API tokens for scripts and bots (issue 19): scoped, shown once, stored hashed, revocable on every
// instance at once, limited per token, named in the audit trail, accepted on REST and Socket.IO.
import { Types } from 'mongoose';
import { startHarness, type Harness } from './support/harness';
import { givenMember, givenStudio, type Session } from './support/factories';
import { listen } from './support/sockets';
import { mountedRoutes } from './support/routeTable';
import { ROUTE_SCOPES } from '../src/infra/http/scopes';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('API tokens: bots and personal access tokens', () => {
  let h: Harness;
  let second: Harness;
  let producer: Session;
  let other: Session;
  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '100000' });
    second = await startHarness({ RATE_LIMIT_MAX: '100000' }, {}, h.identity);
    producer = await givenStudio(h, 'Token Studio');
    other = await givenStudio(h, 'Other Studio');
  });
  afterAll(async () => {
    await second.close();
    await h.close();
  });

  async function botToken(scopes: string[], role = 'ARTIST', extra: Record<string, unknown> = {}) {
    const bot = (await h.http.post('/bots').set(producer.auth).send({ name: `Farm bridge ${scopes.join('+')}`, role }).expect(201)).body;
    const created = await h.http.post(`/bots/${bot.id}/tokens`).set(producer.auth).send({ name: 'ci', scopes, ...extra });
    expect(created.status).toBe(201);
    return { bot, created: created.body as { id: string; token: string; hint: string } };
  }

  it('a bot token with assets:read lists assets and is refused a write (403), which stores nothing; the secret is shown once and stored hashed', async () => {
    await h.http.post('/assets').set(producer.auth).send({ name: 'Hero', type: 'CHARACTER' }).expect(201);
    const { bot, created } = await botToken(['assets:read']);
    expect(bot).toMatchObject({ kind: 'BOT', role: 'ARTIST', active: true, studioId: producer.user.studioId });
    expect(created.token).toMatch(/^sapi_[A-Za-z0-9_-]{43}$/);
    expect(created.hint).toBe(`${created.token.slice(0, 11)}…`);

    const list = await h.http.get('/assets').set(bearer(created.token));
    expect(list.status).toBe(200);
    expect(list.body.data.map((a: { name: string }) => a.name)).toContain('Hero');
    const before = await h.container.models.Asset.countDocuments();
    const write = await h.http.post('/assets').set(bearer(created.token)).send({ name: 'Nope', type: 'PROP' });
    expect([write.status, write.body.error.code]).toEqual([403, 'INSUFFICIENT_SCOPE']);
    expect(write.body.error.details).toEqual([{ path: 'scopes', message: 'needs assets:write' }]);
    expect(await h.container.models.Asset.countDocuments()).toBe(before);

    const stored = await h.container.models.ApiToken.findById(created.id).lean();
    expect(stored?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(created.token.slice(5));
    const tokens = await h.http.get(`/bots/${bot.id}/tokens`).set(producer.auth);
    expect(tokens.body.data).toHaveLength(1);
    expect(JSON.stringify(tokens.body)).not.toContain(created.token);
    expect(tokens.body.data[0]).toMatchObject({ id: created.id, status: 'ACTIVE', scopes: ['assets:read'] });
  });

  it('a revoked token is refused on the next request on a second API instance', async () => {
    const { created } = await botToken(['assets:read']);
    expect((await second.http.get('/assets').set(bearer(created.token))).status).toBe(200);
    const revoked = await h.http.delete(`/tokens/${created.id}`).set(producer.auth);
    expect([revoked.status, revoked.body.status]).toEqual([200, 'REVOKED']);
    const after = await second.http.get('/assets').set(bearer(created.token));
    expect([after.status, after.body.error.code]).toEqual([401, 'TOKEN_REVOKED']);
  });

  it('a personal token acts as its member within its scopes and their role; the audit trail names the token; tokens cannot mint tokens', async () => {
    const artist = await givenMember(h, producer, 'ARTIST');
    const pat = (await h.http.post('/tokens').set(artist.auth).send({ name: 'publish tool', scopes: ['assets:write', 'admin'], expiresInDays: 30 }).expect(201)).body;
    expect(pat.userId).toBe(artist.user.id);
    const asset = await h.http.post('/assets').set(bearer(pat.token)).send({ name: 'From Maya', type: 'PROP' });
    expect(asset.status).toBe(201);
    const audit = await h.container.models.AuditEvent.findOne({ entityId: new Types.ObjectId(asset.body.id as string), action: 'asset.created' }).lean();
    expect(String(audit?.actorId)).toBe(artist.user.id);
    expect(String(audit?.tokenId)).toBe(pat.id);
    // The admin scope does not lift the ARTIST's role.
    const promote = await h.http.patch(`/users/${artist.user.id}`).set(bearer(pat.token)).send({ role: 'PRODUCER' });
    expect([promote.status, promote.body.error.code]).toEqual([403, 'FORBIDDEN']);
    // No token chains: a token cannot create tokens, bots, or act on sessions.
    for (const [method, path, body] of [
      ['post', '/tokens', { name: 'child', scopes: ['assets:read'] }],
      ['post', '/auth/logout-all', {}],
      ['get', '/auth/studios', undefined],
    ] as const) {
      const res = await h.http[method](path).set(bearer(pat.token)).send(body);
      expect({ path, status: res.status, code: res.body.error?.code }).toEqual({ path, status: 403, code: 'TOKEN_NOT_ALLOWED' });
    }
    expect((await h.http.get('/auth/me').set(bearer(pat.token))).body.id).toBe(artist.user.id);
    const mine = await h.http.get('/tokens').set(artist.auth);
    expect(mine.body.data.map((t: { id: string }) => t.id)).toEqual([pat.id]);
    expect(mine.body.data[0].lastUsedAt).toEqual(expect.any(String));
  });

  it('refuses expired tokens, tokens of deactivated bots, and another studio\'s token ids', async () => {
    const { bot, created } = await botToken(['assets:read'], 'ARTIST', { expiresInDays: 1 });
    await h.container.models.ApiToken.updateOne({ _id: created.id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await h.http.get('/assets').set(bearer(created.token))).body.error.code).toBe('TOKEN_EXPIRED');

    const live = await h.http.post(`/bots/${bot.id}/tokens`).set(producer.auth).send({ name: 'second', scopes: ['assets:read'] }).expect(201);
    await h.http.patch(`/users/${bot.id}`).set(producer.auth).send({ active: false }).expect(200);
    const inactive = await h.http.get('/assets').set(bearer(live.body.token));
    expect([inactive.status, inactive.body.error.code]).toEqual([401, 'TOKEN_OWNER_INACTIVE']);

    expect((await h.http.delete(`/tokens/${live.body.id}`).set(other.auth)).status).toBe(404);
    expect((await h.http.get(`/bots/${bot.id}/tokens`).set(other.auth)).status).toBe(404);
    expect((await h.http.get('/assets').set(bearer(`sapi_${'x'.repeat(43)}`))).body.error.code).toBe('TOKEN_INVALID');
    const artist = await givenMember(h, producer, 'ARTIST');
    expect((await h.http.post('/bots').set(artist.auth).send({ name: 'x', role: 'PRODUCER' })).status).toBe(403);
  });

  it('names a scope (or refuses tokens) for every route behind the bearer check', () => {
    const open = new Set(['POST /auth/register', 'GET /auth/verify-email/preview', 'POST /auth/verify-email', 'POST /auth/login', 'POST /auth/refresh', 'POST /auth/logout', 'GET /invitations/preview', 'POST /invitations/accept']);
    const routes = mountedRoutes(h.app)
      .filter((r) => r.method !== 'USE')
      .map((r) => `${r.method} ${r.path}`)
      .filter((k) => !open.has(k) && !/^GET \/(health|ready|metrics|openapi\.json|docs)/.test(k) && !['ALL /render-jobs/retry', 'ALL /assets/:id/versions/from-blob', 'ALL /invitations/preview', 'ALL /invitations/accept'].includes(k));
    expect(routes.filter((k) => !(k in ROUTE_SCOPES))).toEqual([]);
  });

  it('on Socket.IO: a token connects, each event needs its scope, and revoking the token ends the socket', async () => {
    const { url } = await h.listenRealtime();
    const asset = (await h.http.post('/assets').set(producer.auth).send({ name: 'Socket asset', type: 'PROP' }).expect(201)).body;
    const { created } = await botToken(['assets:read'], 'DIRECTOR');
    const l = await listen(url, created.token);
    const join = await l.socket.emitWithAck('asset:join', { assetId: asset.id });
    expect(join).toEqual({ data: { room: `asset:${asset.id}` } });
    const comment = await l.socket.emitWithAck('asset:comment', { assetId: asset.id, body: 'from a bot' });
    expect(comment.error.code).toBe('INSUFFICIENT_SCOPE');
    const refresh = await l.socket.emitWithAck('auth:refresh', { token: producer.accessToken });
    expect(refresh.error.code).toBe('TOKEN_NOT_ALLOWED');
    const gone = new Promise<void>((resolve) => l.socket.once('disconnect', () => resolve()));
    await h.http.delete(`/tokens/${created.id}`).set(producer.auth).expect(200);
    await gone;
    expect(await h.container.models.Comment.countDocuments({ assetId: new Types.ObjectId(asset.id as string) })).toBe(0);
  });
});

describe('API tokens: a request budget per token', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ API_TOKEN_RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(() => h.close());

  it('answers 429 TOKEN_RATE_LIMITED with Retry-After past the budget, while a person from the same address goes on', async () => {
    const producer = await givenStudio(h);
    const token = (await h.http.post('/tokens').set(producer.auth).send({ name: 'loop', scopes: ['assets:read'] }).expect(201)).body.token as string;
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push(await h.http.get('/assets').set(bearer(token)));
    expect(statuses.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    expect(statuses[3]!.body.error.code).toBe('TOKEN_RATE_LIMITED');
    expect(Number(statuses[3]!.headers['retry-after'])).toBeGreaterThan(0);
    expect((await h.http.get('/assets').set(producer.auth)).status).toBe(200);
  });
});
