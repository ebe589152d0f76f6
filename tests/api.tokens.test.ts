// API tokens for scripts and bots (issue 19): scoped, shown once, stored hashed, revocable on every
// instance at once, limited per token, named in the audit trail, accepted on REST and Socket.IO. Issue 27:
// minted only with the person's password, mailed, at most API_TOKEN_MAX_DAYS long, ended with the person's
// sessions; a token revokes only itself; purging needs its own scope.
import { Types } from 'mongoose';
import { startHarness, type Harness } from './support/harness';
import { givenBotToken, givenMember, givenStudio, givenToken, invite, PASSWORD, plantToken, type Session } from './support/factories';
import { SCOPES } from '../src/app/repositories/models/ApiToken';
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

  const botToken = (scopes: string[], role: 'ARTIST' | 'DIRECTOR' | 'PRODUCER' = 'ARTIST', extra: { expiresInDays?: number } = {}) => givenBotToken(h, producer, scopes, role, extra);

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
    const pat = await givenToken(h, artist, ['assets:write', 'admin'], { name: 'publish tool' });
    expect(pat.userId).toBe(artist.user.id);
    const asset = await h.http.post('/assets').set(bearer(pat.token)).send({ name: 'From Maya', type: 'PROP' });
    expect(asset.status).toBe(201);
    const audit = await h.container.models.AuditEvent.findOne({ entityId: new Types.ObjectId(asset.body.id as string), action: 'asset.created' }).lean();
    expect(String(audit?.actorId)).toBe(artist.user.id);
    expect(String(audit?.tokenId)).toBe(pat.id);
    // The admin scope does not lift the ARTIST's role (and roles are changed by people only).
    const webhooks = await h.http.get('/webhooks').set(bearer(pat.token));
    expect([webhooks.status, webhooks.body.error.code]).toEqual([403, 'FORBIDDEN']);
    const promote = await h.http.patch(`/users/${artist.user.id}`).set(bearer(pat.token)).send({ role: 'PRODUCER' });
    expect([promote.status, promote.body.error.code]).toEqual([403, 'TOKEN_NOT_ALLOWED']);
    // No token chains: a token cannot create tokens, bots, or act on sessions.
    for (const [method, path, body] of [
      ['post', '/tokens', { name: 'child', scopes: ['assets:read'], expiresInDays: 1, currentPassword: PASSWORD }],
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

    const live = await h.http.post(`/bots/${bot.id}/tokens`).set(producer.auth).send({ name: 'second', scopes: ['assets:read'], expiresInDays: 1, currentPassword: PASSWORD }).expect(201);
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
    const open = new Set(['POST /auth/register', 'POST /auth/password-reset', 'GET /auth/password-reset/preview', 'POST /auth/password-reset/confirm', 'GET /auth/verify-email/preview', 'POST /auth/verify-email', 'POST /auth/login', 'POST /auth/refresh', 'POST /auth/logout', 'GET /invitations/preview', 'POST /invitations/accept']);
    const routes = mountedRoutes(h.app)
      .filter((r) => r.method !== 'USE')
      .map((r) => `${r.method} ${r.path}`)
      .filter((k) => !open.has(k) && !/^GET \/(health|ready|metrics|openapi\.json|docs)/.test(k) && !['ALL /render-jobs/retry', 'ALL /assets/:id/versions/from-blob', 'ALL /invitations/preview', 'ALL /invitations/accept', 'ALL /tasks/bulk'].includes(k));
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
    const { token } = await givenToken(h, producer, ['assets:read']);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push(await h.http.get('/assets').set(bearer(token)));
    expect(statuses.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    expect(statuses[3]!.body.error.code).toBe('TOKEN_RATE_LIMITED');
    expect(Number(statuses[3]!.headers['retry-after'])).toBeGreaterThan(0);
    expect((await h.http.get('/assets').set(producer.auth)).status).toBe(200);
  });
});

describe('API tokens outlive no sign-out: password, mail, lifetime, revocation (issue 27, finding 6 and the token checks)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '100000', API_TOKEN_MAX_DAYS: '90' });
  });
  afterAll(() => h.close());

  const tokensOf = (userId: string) => h.container.models.ApiToken.countDocuments({ userId: new Types.ObjectId(userId) });
  const status = async (token: string) => {
    const res = await h.http.get('/auth/me').set(bearer(token));
    return res.status === 200 ? 200 : `${res.status} ${res.body.error.code}`;
  };

  it('a stolen session alone mints nothing: no password or no expiry is 400, a guessed password 403, over the maximum 400; nothing is stored', async () => {
    const victim = await givenStudio(h);
    // What the attacker sent from the stolen 15-minute session: every scope, no expiry.
    const backdoor = await h.http.post('/tokens').set(victim.auth).send({ name: 'backdoor', scopes: [...SCOPES] });
    expect([backdoor.status, backdoor.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(backdoor.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['currentPassword', 'expiresInDays']);
    const guessed = await h.http.post('/tokens').set(victim.auth).send({ name: 'backdoor', scopes: [...SCOPES], expiresInDays: 90, currentPassword: 'a guess at it' });
    expect([guessed.status, guessed.body.error.code, guessed.body.error.details]).toEqual([403, 'CURRENT_PASSWORD_WRONG', [{ path: 'currentPassword', message: 'does not match your current password' }]]);
    const tooLong = await h.http.post('/tokens').set(victim.auth).send({ name: 'forever', scopes: ['assets:read'], expiresInDays: 91, currentPassword: PASSWORD });
    expect([tooLong.status, tooLong.body.error.details]).toEqual([400, [{ path: 'expiresInDays', message: 'at most 90' }]]);
    expect(tooLong.body.error.message).toBe('A token lives at most 90 days; choose a shorter expiry');
    expect(await tokensOf(victim.user.id)).toBe(0);
    // The same for a bot's token: a PRODUCER's session alone cannot mint one either.
    const bot = (await h.http.post('/bots').set(victim.auth).send({ name: 'Farm bridge', role: 'PRODUCER' }).expect(201)).body;
    const botBackdoor = await h.http.post(`/bots/${bot.id}/tokens`).set(victim.auth).send({ name: 'backdoor', scopes: ['admin'], expiresInDays: 30, currentPassword: 'a guess at it' });
    expect([botBackdoor.status, botBackdoor.body.error.code]).toEqual([403, 'CURRENT_PASSWORD_WRONG']);
    expect(await tokensOf(bot.id)).toBe(0);
    // Only the mailed notices of real mints ever reached the owner (none here).
    expect(h.mailbox.messages.filter((m) => m.to.includes(victim.user.email) && m.subject.includes('API token'))).toEqual([]);
  });

  it('a password change revokes every personal token of the person in every studio (the attack end to end); the tokens of bots they made stay', async () => {
    const victim = await givenStudio(h, 'Victim A');
    const other = await givenStudio(h, 'Victim B');
    const joined = await h.http.post('/invitations/accept').send({ token: await invite(h, other, victim.user.email, 'DIRECTOR'), password: PASSWORD }).expect(201);
    // The attacker's token as the old code let it be made: every scope, no expiry (and one in the other studio).
    const backdoor = await plantToken(h, victim.user, [...SCOPES].filter((s) => s !== 'assets:purge'));
    const elsewhere = await plantToken(h, joined.body.user, ['assets:read']);
    const bot = (await h.http.post('/bots').set(victim.auth).send({ name: 'Render bridge', role: 'ARTIST' }).expect(201)).body;
    const botToken = await plantToken(h, { id: bot.id, studioId: victim.user.studioId }, ['assets:read']);
    expect([await status(backdoor.token), await status(elsewhere.token), await status(botToken.token)]).toEqual([200, 200, 200]);

    const changed = await h.http.post('/auth/password').set(victim.auth).send({ currentPassword: PASSWORD, newPassword: 'a new and better passphrase' });
    expect(changed.status).toBe(200);
    expect(await status(backdoor.token)).toBe('401 TOKEN_REVOKED');
    expect(await status(elsewhere.token)).toBe('401 TOKEN_REVOKED');
    // A bot's token is the studio's: it keeps the farm running, and making one needed the password.
    expect(await status(botToken.token)).toBe(200);
    // The owner sees what happened to them.
    const listed = await h.http.get('/tokens').set(bearer(changed.body.accessToken as string)).expect(200);
    expect(listed.body.data).toEqual([expect.objectContaining({ id: backdoor.id, status: 'REVOKED' })]);
    const audit = await h.container.models.AuditEvent.findOne({ action: 'user.password_changed', entityId: new Types.ObjectId(victim.user.id) }).lean();
    expect(audit?.details).toMatchObject({ studios: 2, tokensRevoked: 2 });
  });

  it('sign-out everywhere revokes them too, and a token can never sign its person out', async () => {
    const victim = await givenStudio(h);
    const backdoor = await plantToken(h, victim.user, ['assets:read', 'admin']);
    const script = await plantToken(h, victim.user, ['renders:read'], { expiresAt: new Date(Date.now() + 86_400_000) });
    expect((await h.http.post('/auth/logout-all').set(bearer(backdoor.token))).body.error.code).toBe('TOKEN_NOT_ALLOWED');
    await h.http.post('/auth/logout-all').set(victim.auth).expect(204);
    expect([await status(backdoor.token), await status(script.token)]).toEqual(['401 TOKEN_REVOKED', '401 TOKEN_REVOKED']);
  });

  it('mails every mint to its owner (name, scopes in words, expiry, what to do), a bot\'s to every human PRODUCER; no mail, no token', async () => {
    const owner = await givenStudio(h, 'Mail Studio');
    const created = await givenToken(h, owner, ['assets:read', 'renders:write'], { name: 'Maya publish', expiresInDays: 7 });
    expect(Date.parse(created.expiresAt) - Date.now()).toBeGreaterThan(7 * 86_400_000 - 60_000);
    const mail = await h.mailbox.next(owner.user.email);
    expect(mail.subject).toBe('New API token "Maya publish" on your Studio API account');
    expect(mail.text).toContain('An API token was created on your account in the studio "Mail Studio"');
    expect(mail.text).toContain('  Name: Maya publish');
    expect(mail.text).toContain(`  Expires: ${created.expiresAt.slice(0, 16).replace('T', ' ')} UTC`);
    expect(mail.text).toContain('  - see assets, their versions, files, comments and storage use (assets:read)');
    expect(mail.text).toContain('  - start, cancel and retry renders (renders:write)');
    expect(mail.text).toContain('If it was not you, someone knows your password: change it now');
    expect(mail.links).toContain(`${h.config.PUBLIC_URL ?? `http://localhost:${h.config.PORT}`}/app/tokens`);
    expect(mail.text).not.toContain(created.token);

    const deputy = await givenMember(h, owner, 'PRODUCER');
    const { bot } = await givenBotToken(h, owner, ['admin'], 'PRODUCER', { name: 'webhook sync' });
    for (const to of [owner.user.email, deputy.user.email]) {
      const notice = await h.mailbox.next(to);
      expect(notice.subject).toBe(`New API token "webhook sync" for the bot ${bot.name} in Mail Studio`);
      expect(notice.text).toContain(`Owner created an API token for the bot "${bot.name}"`);
    }
    // A bot reads no mail: the next bot token goes to the two people only, never to the PRODUCER bot.
    await givenBotToken(h, owner, ['assets:read']);
    await h.mailbox.next(owner.user.email);
    await h.mailbox.next(deputy.user.email);
    expect(h.mailbox.messages.some((m) => m.to.some((to) => to.endsWith('@bots.studio-api.invalid')))).toBe(false);

    // The notice cannot be sent: the token is never handed out, nor kept.
    const before = await tokensOf(owner.user.id);
    h.mailbox.refused.add(owner.user.email.toLowerCase());
    try {
      const refused = await h.http.post('/tokens').set(owner.auth).send({ name: 'unheard', scopes: ['assets:read'], expiresInDays: 1, currentPassword: PASSWORD });
      expect([refused.status, refused.body.error.code, refused.body.token]).toEqual([422, 'EMAIL_REJECTED', undefined]);
    } finally {
      h.mailbox.refused.delete(owner.user.email.toLowerCase());
    }
    expect(await tokensOf(owner.user.id)).toBe(before);
  });

  it('holds every token to API_TOKEN_MAX_DAYS from its creation, older ones without an expiry too (the ceiling, no migration)', async () => {
    const owner = await givenStudio(h);
    const day = 86_400_000;
    const ancient = await plantToken(h, owner.user, ['assets:read'], { createdAt: new Date(Date.now() - 91 * day) });
    const young = await plantToken(h, owner.user, ['assets:read'], { createdAt: new Date(Date.now() - 10 * day) });
    const longAsked = await plantToken(h, owner.user, ['assets:read'], { createdAt: new Date(Date.now() - 100 * day), expiresAt: new Date(Date.now() + 3000 * day) });
    expect(await status(ancient.token)).toBe('401 TOKEN_EXPIRED');
    expect(await status(longAsked.token)).toBe('401 TOKEN_EXPIRED');
    expect(await status(young.token)).toBe(200);
    const listed = (await h.http.get('/tokens').set(owner.auth).expect(200)).body;
    const row = (id: string) => listed.data.find((t: { id: string }) => t.id === id);
    expect(row(ancient.id).status).toBe('EXPIRED');
    expect(row(young.id).status).toBe('ACTIVE');
    expect(Date.parse(row(young.id).expiresAt) - Date.parse(row(young.id).createdAt)).toBe(90 * day);
    expect(listed.policy.maxExpiresInDays).toBe(90);
    expect(listed.policy.scopes.map((s: { scope: string }) => s.scope)).toEqual([...SCOPES]);
    expect(listed.policy.scopes[0].description).toBe('see assets, their versions, files, comments and storage use');
  });

  it('a token sees and revokes only itself: a renders:read token cannot end its member\'s other tokens', async () => {
    const owner = await givenStudio(h);
    const farm = await plantToken(h, owner.user, ['assets:read', 'assets:write']);
    const reader = await plantToken(h, owner.user, ['renders:read']);
    const kill = await h.http.delete(`/tokens/${farm.id}`).set(bearer(reader.token));
    expect([kill.status, kill.body.error?.code]).toEqual([403, 'TOKEN_NOT_ALLOWED']);
    expect(await status(farm.token)).toBe(200);
    const seen = await h.http.get('/tokens').set(bearer(reader.token)).expect(200);
    expect(seen.body.data.map((t: { id: string }) => t.id)).toEqual([reader.id]);
    const retire = await h.http.delete(`/tokens/${reader.id}`).set(bearer(reader.token));
    expect([retire.status, retire.body.status]).toEqual([200, 'REVOKED']);
    expect(await status(reader.token)).toBe('401 TOKEN_REVOKED');
    expect(await status(farm.token)).toBe(200);
  });

  it('purging needs assets:purge: the add-on\'s assets:write token archives but cannot purge', async () => {
    const owner = await givenStudio(h);
    const addOn = await plantToken(h, owner.user, ['assets:read', 'assets:write']);
    const asset = (await h.http.post('/assets').set(bearer(addOn.token)).send({ name: 'Hero rig', type: 'CHARACTER' }).expect(201)).body;
    await h.http.post(`/assets/${asset.id}/versions`).set(bearer(addOn.token)).attach('file', Buffer.from('; FBX 7.4.0 project file\n'), 'hero.fbx').expect(201);
    await h.http.delete(`/assets/${asset.id}`).set(bearer(addOn.token)).expect(200);
    const purge = await h.http.post(`/assets/${asset.id}/purge`).set(bearer(addOn.token));
    expect([purge.status, purge.body.error?.code, purge.body.error?.details]).toEqual([403, 'INSUFFICIENT_SCOPE', [{ path: 'scopes', message: 'needs assets:purge' }]]);
    expect(await h.container.models.AssetVersion.countDocuments({ assetId: new Types.ObjectId(asset.id as string) })).toBe(1);
    const cleaner = await givenToken(h, owner, ['assets:purge']);
    expect((await h.http.post(`/assets/${asset.id}/purge`).set(bearer(cleaner.token))).status).toBe(200);
    expect(await h.container.models.AssetVersion.countDocuments({ assetId: new Types.ObjectId(asset.id as string) })).toBe(0);
  });

  it('a mint racing a sign-out everywhere is refused once the session has ended (the version is read under the lease)', async () => {
    const owner = await givenStudio(h);
    const actor = { id: owner.user.id, studioId: owner.user.studioId, role: 'PRODUCER' as const, sessionVersion: 0 };
    await h.http.post('/auth/logout-all').set(owner.auth).expect(204);
    // The request passed its bearer check before the sign-out; the service still refuses it.
    await expect(h.container.apiTokens.createPersonal(actor, { name: 'late', scopes: ['assets:read'], expiresInDays: 1, currentPassword: PASSWORD })).rejects.toMatchObject({ status: 401, code: 'SESSION_REVOKED' });
    expect(await tokensOf(owner.user.id)).toBe(0);
  });
});
