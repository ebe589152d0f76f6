// Why a session ended, for the page that was signed out: the 401 of the next request and of the refresh that
// follows both carry the reason as a code in their details ({path: 'reason'}) and say it in words, for every
// way a session ends: expiry, signing out (here or everywhere), a password change, a producer's role change
// or removal from the studio, a replayed refresh token. A token nobody issued learns nothing.
import { startHarness, type Harness } from './support/harness';
import { givenMember, givenStudio, PASSWORD, type Session } from './support/factories';

type ErrorBody = { error: { code: string; message: string; details?: Array<{ path: string; message: string }> } };

describe('a signed-out session says why', () => {
  let h: Harness;
  let producer: Session;

  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '100000', AUTH_RATE_LIMIT_MAX_PER_IP: '100000' });
    producer = await givenStudio(h, 'Reasons Studio');
  });
  afterAll(async () => h.close());

  const reasonOf = (body: ErrorBody) => body.error.details?.find((d) => d.path === 'reason')?.message;
  /** The access token's next request and the refresh token's next refresh, as code, reason and words. */
  async function refusals(s: Session) {
    const me = await h.http.get('/auth/me').set(s.auth);
    const refresh = await h.http.post('/auth/refresh').send({ refreshToken: s.refreshToken });
    return {
      access: [me.status, me.body.error?.code, reasonOf(me.body as ErrorBody)],
      refresh: [refresh.status, refresh.body.error?.code, reasonOf(refresh.body as ErrorBody)],
      words: (refresh.body as ErrorBody).error.message,
    };
  }

  it.each([
    ['signed out everywhere from another device', 'signed-out-everywhere', /Sign out everywhere/, async (s: Session) => {
      const other = (await h.http.post('/auth/login').send({ email: s.user.email, password: PASSWORD }).expect(200)).body as { accessToken: string };
      await h.http.post('/auth/logout-all').set({ Authorization: `Bearer ${other.accessToken}` }).expect(204);
    }],
    ['the password changed on another device', 'password-changed', /password was changed/, async (s: Session) => {
      const other = (await h.http.post('/auth/login').send({ email: s.user.email, password: PASSWORD }).expect(200)).body as { accessToken: string };
      await h.http.post('/auth/password').set({ Authorization: `Bearer ${other.accessToken}` }).send({ currentPassword: PASSWORD, newPassword: 'a new and better passphrase' }).expect(200);
    }],
    ['a producer changed the role', 'role-changed', /role in this studio changed/, async (s: Session) => {
      await h.http.patch(`/users/${s.user.id}`).set(producer.auth).send({ role: 'DIRECTOR' }).expect(200);
    }],
    ['a producer removed the person from the studio', 'deactivated', /deactivated/, async (s: Session) => {
      await h.http.patch(`/users/${s.user.id}`).set(producer.auth).send({ active: false }).expect(200);
    }],
  ] as Array<[string, string, RegExp, (s: Session) => Promise<void>]>)('%s: 401 with reason %s on the next request and on the refresh', async (_name, reason, words, end) => {
    const artist = await givenMember(h, producer, 'ARTIST');
    await end(artist);
    const got = await refusals(artist);
    expect(got.access).toEqual([401, 'SESSION_REVOKED', reason]);
    expect(got.refresh).toEqual([401, 'INVALID_REFRESH_TOKEN', reason]);
    expect(got.words).toMatch(words);
  });

  it('a sign-in whose days ran out says it expired', async () => {
    const artist = await givenMember(h, producer, 'ARTIST');
    await h.container.models.RefreshToken.updateMany({ userId: artist.user.id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const res = await h.http.post('/auth/refresh').send({ refreshToken: artist.refreshToken });
    expect([res.status, res.body.error.code, reasonOf(res.body as ErrorBody)]).toEqual([401, 'INVALID_REFRESH_TOKEN', 'expired']);
    expect(res.body.error.message).toMatch(/expired/);
  });

  it('a sign-in ended on this device says so; a replayed refresh token says its login ended', async () => {
    const artist = await givenMember(h, producer, 'ARTIST');
    await h.http.post('/auth/logout').send({ refreshToken: artist.refreshToken }).expect(204);
    const res = await h.http.post('/auth/refresh').send({ refreshToken: artist.refreshToken });
    expect([res.status, res.body.error.code, reasonOf(res.body as ErrorBody)]).toEqual([401, 'INVALID_REFRESH_TOKEN', 'signed-out']);

    const other = await givenMember(h, producer, 'ARTIST');
    await h.http.post('/auth/refresh').send({ refreshToken: other.refreshToken }).expect(200);
    const replay = await h.http.post('/auth/refresh').send({ refreshToken: other.refreshToken });
    expect([replay.status, replay.body.error.code, reasonOf(replay.body as ErrorBody)]).toEqual([401, 'REFRESH_TOKEN_REUSED', 'reused']);
  });

  it('a refresh token nobody issued gets no reason', async () => {
    const res = await h.http.post('/auth/refresh').send({ refreshToken: 'x'.repeat(43) });
    expect([res.status, res.body.error.code, res.body.error.details]).toEqual([401, 'INVALID_REFRESH_TOKEN', undefined]);
  });
});
