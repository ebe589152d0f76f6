// The per-request session check: deactivation, demotion, a password change and "sign out everywhere" take
// effect on the very next REST request and socket event, on every API instance, and never fail open.
import { io as connect, type Socket } from 'socket.io-client';
import { Types } from 'mongoose';
import { startHarness, type Harness } from './support/harness';
import { givenMember, givenStudio, PASSWORD, type Session } from './support/factories';
import { createRedis } from '../src/infra/cache/redis';
import { RedisSessionCache } from '../src/infra/cache/SessionCache';
import { SessionService } from '../src/app/services/SessionService';
import { DomainEvents } from '../src/app/events';
import { createLogger } from '../src/infra/logging/logger';
import { PassThrough } from 'node:stream';

type Reply = { data?: Record<string, unknown>; error?: { code: string; message: string } };

describe('session check on every request', () => {
  let h: Harness;
  let second: Harness;
  let url: string;
  let producer: Session;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '100000', AUTH_RATE_LIMIT_MAX_PER_IP: '100000' });
    // A second API instance of the same deployment: same database, same Redis, same signing secret.
    second = await startHarness({ RATE_LIMIT_MAX: '100000', AUTH_RATE_LIMIT_MAX_PER_IP: '100000' }, {}, h.identity);
    ({ url } = await h.listenRealtime());
    await second.listenRealtime();
    producer = await givenStudio(h, 'Sessions Studio');
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await second.close();
    await h.close();
  });

  const socketOf = async (token: string) => {
    const s = connect(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    sockets.push(s);
    await new Promise<void>((resolve, reject) => {
      s.once('connect', () => resolve());
      s.once('connect_error', reject);
    });
    return s;
  };
  const emit = (s: Socket, event: string, payload: unknown) => s.timeout(5000).emitWithAck(event, payload) as Promise<Reply>;
  const assetsOf = (studioId: string) => h.container.models.Asset.countDocuments({ studioId: new Types.ObjectId(studioId) });

  it('refuses a deactivated ARTIST\'s still-valid token on the next request, on every instance, and stores nothing', async () => {
    const artist = await givenMember(h, producer, 'ARTIST');
    expect((await h.http.post('/assets').set(artist.auth).send({ name: 'Before', type: 'PROP' })).status).toBe(201);
    const before = await assetsOf(producer.user.studioId);
    await h.http.patch(`/users/${artist.user.id}`).set(producer.auth).send({ active: false }).expect(200);
    for (const instance of [h, second]) {
      const res = await instance.http.post('/assets').set(artist.auth).send({ name: 'After deactivation', type: 'PROP' });
      expect([res.status, res.body.error.code]).toEqual([401, 'SESSION_REVOKED']);
      expect((await instance.http.get('/assets').set(artist.auth)).status).toBe(401);
    }
    expect(await assetsOf(producer.user.studioId)).toBe(before);
  });

  it('a demoted PRODUCER cannot invite a PRODUCER with the old token, and acts as ARTIST after signing in again', async () => {
    const deputy = await givenMember(h, producer, 'PRODUCER');
    await h.http.patch(`/users/${deputy.user.id}`).set(producer.auth).send({ role: 'ARTIST' }).expect(200);
    const members = await h.container.models.User.countDocuments({ studioId: new Types.ObjectId(producer.user.studioId) });
    // The demotion is read on the other instance at once: the shared cache holds the new state.
    const invitations = await h.container.models.Invitation.countDocuments({ studioId: new Types.ObjectId(producer.user.studioId) });
    const sneaky = await second.http.post('/invitations').set(deputy.auth).send({ email: 'sneaky.producer@studio.test', role: 'PRODUCER' });
    expect([sneaky.status, sneaky.body.error.code]).toEqual([401, 'SESSION_REVOKED']);
    // The refresh token died with the role change too.
    expect((await h.http.post('/auth/refresh').send({ refreshToken: deputy.refreshToken })).status).toBe(401);
    const again = await h.http.post('/auth/login').send({ email: deputy.user.email, password: PASSWORD }).expect(200);
    expect(again.body.user.role).toBe('ARTIST');
    const asArtist = await h.http.post('/invitations').set('Authorization', `Bearer ${again.body.accessToken}`).send({ email: 'sneaky2@studio.test', role: 'PRODUCER' });
    expect([asArtist.status, asArtist.body.error.code]).toEqual([403, 'FORBIDDEN']);
    expect(await h.container.models.User.countDocuments({ studioId: new Types.ObjectId(producer.user.studioId) })).toBe(members);
    expect(await h.container.models.Invitation.countDocuments({ studioId: new Types.ObjectId(producer.user.studioId) })).toBe(invitations);
    expect(h.mailbox.messages.filter((m) => m.to.some((to) => to.startsWith('sneaky')))).toHaveLength(0);
  });

  it('sign-out everywhere ends every access and refresh token of the caller, and only theirs', async () => {
    const director = await givenMember(h, producer, 'DIRECTOR');
    const otherDevice = (await h.http.post('/auth/login').send({ email: director.user.email, password: PASSWORD }).expect(200)).body;
    await h.http.post('/auth/logout-all').set(director.auth).expect(204);
    for (const token of [director.accessToken, otherDevice.accessToken]) {
      const res = await second.http.get('/auth/me').set('Authorization', `Bearer ${token}`);
      expect([res.status, res.body.error.code]).toEqual([401, 'SESSION_REVOKED']);
    }
    for (const refreshToken of [director.refreshToken, otherDevice.refreshToken]) expect((await h.http.post('/auth/refresh').send({ refreshToken })).status).toBe(401);
    expect((await h.http.get('/auth/me').set(producer.auth)).status).toBe(200);
    expect((await h.http.post('/auth/login').send({ email: director.user.email, password: PASSWORD })).status).toBe(200);
  });

  it('a password change ends the other sessions, keeps this one with a fresh pair, and needs the current password', async () => {
    const artist = await givenMember(h, producer, 'ARTIST');
    const wrong = await h.http.post('/auth/password').set(artist.auth).send({ currentPassword: 'not my password', newPassword: 'a brand new passphrase' });
    expect([wrong.status, wrong.body.error.code]).toEqual([403, 'CURRENT_PASSWORD_WRONG']);
    expect((await h.http.get('/auth/me').set(artist.auth)).status).toBe(200);
    const changed = await h.http.post('/auth/password').set(artist.auth).send({ currentPassword: PASSWORD, newPassword: 'a brand new passphrase' }).expect(200);
    expect((await h.http.get('/auth/me').set(artist.auth)).body.error.code).toBe('SESSION_REVOKED');
    expect((await h.http.post('/auth/refresh').send({ refreshToken: artist.refreshToken })).status).toBe(401);
    expect((await h.http.get('/auth/me').set('Authorization', `Bearer ${changed.body.accessToken}`)).status).toBe(200);
    expect((await h.http.post('/auth/login').send({ email: artist.user.email, password: PASSWORD })).status).toBe(401);
    expect((await h.http.post('/auth/login').send({ email: artist.user.email, password: 'a brand new passphrase' })).status).toBe(200);
  });

  it('throttles current-password guesses like logins: a stolen access token is no faster a way to guess', async () => {
    const artist = await givenMember(h, producer, 'ARTIST');
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await h.http.post('/auth/password').set(artist.auth).send({ currentPassword: `guess number ${i}`, newPassword: 'a brand new passphrase' });
      codes.push(`${res.status} ${res.body.error.code}`);
    }
    expect(codes).toEqual([...Array(5).fill('403 CURRENT_PASSWORD_WRONG'), '429 AUTH_RATE_LIMITED']);
    // The guesses changed nothing: the old password still logs in, from a client that has not been guessing
    // (the guessing client is held back on this account, as on the login form).
    expect((await h.http.post('/auth/login').set('X-Forwarded-For', '203.0.113.7').send({ email: artist.user.email, password: PASSWORD })).status).toBe(200);
    expect((await h.http.post('/auth/login').send({ email: artist.user.email, password: PASSWORD })).status).toBe(429);
  });

  it('checks the session on every socket event: a demoted DIRECTOR\'s socket cannot approve, even after auth:refresh with the new ARTIST token', async () => {
    const director = await givenMember(h, producer, 'DIRECTOR');
    const assetId = (await h.http.post('/assets').set(producer.auth).send({ name: 'Shot 010', type: 'SHOT' })).body.id;
    await h.http.post(`/assets/${assetId}/versions`).set(producer.auth).attach('file', Buffer.from('; FBX 7.4.0 project file\n'), 'sh010.fbx').expect(201);
    const s = await socketOf(director.accessToken);
    // Demote behind the socket server's back (no session-ended broadcast), so only the per-event check can stop it.
    await h.container.models.User.updateOne({ _id: director.user.id }, { $set: { role: 'ARTIST' }, $inc: { sessionVersion: 1 } });
    await h.container.redis.del(`${h.config.REDIS_KEY_PREFIX}session:${director.user.id}`);
    const dropped = new Promise<string>((resolve) => s.once('disconnect', (reason) => resolve(reason)));
    const refused = await emit(s, 'asset:approve', { assetId, version: 1, decision: 'APPROVED' });
    expect(refused.error?.code).toBe('SESSION_REVOKED');
    expect(await dropped).toBe('io server disconnect');
    expect(await h.container.models.ReviewDecision.countDocuments({ assetId: new Types.ObjectId(assetId) })).toBe(0);

    const s2 = await socketOf(director.accessToken).catch((err: { data?: { error: { code: string } } }) => err.data?.error.code);
    expect(s2).toBe('SESSION_REVOKED');
    const relogged = (await h.http.post('/auth/login').send({ email: director.user.email, password: PASSWORD }).expect(200)).body;
    // A socket opened with the new (ARTIST) token, refreshed with it, still acts as ARTIST.
    const fresh = await socketOf(relogged.accessToken);
    expect((await emit(fresh, 'auth:refresh', { token: relogged.accessToken })).data).toBeDefined();
    const asArtist = await emit(fresh, 'asset:approve', { assetId, version: 1, decision: 'APPROVED' });
    expect(asArtist.error?.code).toBe('FORBIDDEN');
    expect(await h.container.models.ReviewDecision.countDocuments({ assetId: new Types.ObjectId(assetId) })).toBe(0);
  });

  it('ends a deactivated user\'s open sockets at once', async () => {
    const artist = await givenMember(h, producer, 'ARTIST');
    const s = await socketOf(artist.accessToken);
    const cut = new Promise<string>((resolve) => s.once('disconnect', (reason) => resolve(reason)));
    await second.http.patch(`/users/${artist.user.id}`).set(producer.auth).send({ active: false }).expect(200);
    expect(await cut).toBe('io server disconnect');
  });

  it('voids a refresh token issued under an older session version, even if its record escaped revocation', async () => {
    const artist = await givenMember(h, producer, 'ARTIST');
    await h.http.post('/auth/logout-all').set(artist.auth).expect(204);
    // As if a login in flight during the sign-out stored its refresh record after the revocation ran.
    await h.container.models.RefreshToken.updateMany({ userId: new Types.ObjectId(artist.user.id) }, { $set: { revokedAt: null } });
    const res = await h.http.post('/auth/refresh').send({ refreshToken: artist.refreshToken });
    expect([res.status, res.body.error.code]).toEqual([401, 'INVALID_REFRESH_TOKEN']);
  });

  it('never loses a demotion to a concurrent password change or sign-out (both are serialised per studio)', async () => {
    for (let round = 0; round < 5; round++) {
      const member = await givenMember(h, producer, 'DIRECTOR');
      const before = (await h.container.models.User.findById(member.user.id).lean())!.sessionVersion ?? 0;
      await Promise.all([
        h.http.patch(`/users/${member.user.id}`).set(producer.auth).send({ role: 'ARTIST' }).expect(200),
        h.http.post('/auth/password').set(member.auth).send({ currentPassword: PASSWORD, newPassword: `another passphrase ${round}` }),
        h.http.post('/auth/logout-all').set(member.auth),
      ]);
      const after = (await h.container.models.User.findById(member.user.id).lean())!;
      expect(after.role).toBe('ARTIST');
      // Every session-ending write counted: the demotion's, and each of the others that got through.
      expect(after.sessionVersion).toBeGreaterThanOrEqual(before + 1);
    }
  });

  it('reads MongoDB when Redis is unreachable: the check never fails open', async () => {
    const artist = await givenMember(h, producer, 'ARTIST');
    const logger = createLogger({ level: 'error', service: 'test', stream: new PassThrough() });
    // A real client to a port nothing listens on: every cache call fails as in a Redis outage.
    const dead = createRedis('redis://127.0.0.1:1', logger, 'dead', { retryStrategy: () => null, maxRetriesPerRequest: 0 });
    try {
      const sessions = new SessionService({ users: h.container.repos.users, cache: new RedisSessionCache(dead, 'dead:', logger), events: new DomainEvents() });
      const token = h.container.tokens.verifyAccess(artist.accessToken);
      expect(await sessions.actorFor(token)).toEqual({ id: artist.user.id, studioId: artist.user.studioId, role: 'ARTIST' });
      await h.http.patch(`/users/${artist.user.id}`).set(producer.auth).send({ role: 'DIRECTOR' }).expect(200);
      await expect(sessions.actorFor(token)).rejects.toMatchObject({ code: 'SESSION_REVOKED', status: 401 });
    } finally {
      dead.disconnect();
    }
  });
});
