// "Forgot password" by mail (issue 28): the same answer whether the address has an account, mail paced per
// client, a link that its page opens without spending it, and a submit that sets the password, ends every
// session and personal API token of the person, works once and only until it expires.
import { startHarness, type Harness } from './support/harness';
import { givenStudio, givenToken, PASSWORD, uniqueEmail } from './support/factories';
import { hashRefreshToken } from '../src/app/services/TokenService';

const NEW_PASSWORD = 'a brand new passphrase';
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** trust proxy is `loopback`, so a request from the test may name any client address. */
const from = (h: Harness, ip: string) => ({
  ask: (email: string) => h.http.post('/auth/password-reset').set('X-Forwarded-For', ip).send({ email }),
  preview: (token: string) => h.http.get('/auth/password-reset/preview').set('X-Forwarded-For', ip).query({ token }),
  confirm: (body: Record<string, unknown>) => h.http.post('/auth/password-reset/confirm').set('X-Forwarded-For', ip).send(body),
  login: (email: string, password: string) => h.http.post('/auth/login').set('X-Forwarded-For', ip).send({ email, password }),
});

describe('forgot password', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('answers an address with an account and one without alike, and mails a link only to the account', async () => {
    const s = await givenStudio(h);
    const nobody = uniqueEmail('nobody');
    const client = from(h, '198.51.100.10');
    const known = await client.ask(s.user.email);
    const unknown = await client.ask(nobody);
    expect([known.status, known.body]).toEqual([202, { status: 'reset_mailed' }]);
    expect([unknown.status, unknown.body]).toEqual([202, { status: 'reset_mailed' }]);
    const link = await h.mailbox.next(s.user.email);
    expect(link.subject).toBe('Reset your Studio API password');
    expect(h.mailbox.tokenOf(link, 'reset-password')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const note = await h.mailbox.next(nobody);
    expect(note.text).toContain('this address has no account');
    expect(() => h.mailbox.tokenOf(note, 'reset-password')).toThrow(/has no \/app\/reset-password link/);
  });

  it('opens the link without spending it, then sets the password, ends every session and personal token, and works once', async () => {
    const s = await givenStudio(h);
    const token = await givenToken(h, s, ['assets:read']);
    expect((await h.mailbox.next(s.user.email)).subject).toMatch(/^New API token/);
    const other = await from(h, '198.51.100.11').login(s.user.email, PASSWORD);
    expect(other.status).toBe(200);
    const client = from(h, '198.51.100.12');
    expect((await client.ask(s.user.email)).status).toBe(202);
    const link = h.mailbox.tokenOf(await h.mailbox.next(s.user.email), 'reset-password');

    for (let i = 0; i < 2; i++) {
      const preview = await client.preview(link);
      expect(preview.status).toBe(200);
      expect(preview.body).toEqual({ email: s.user.email, expiresAt: expect.any(String) });
      expect(preview.headers['cache-control']).toBe('no-store');
    }
    // Opening it changed nothing: the old password and every session still work.
    expect((await h.http.get('/auth/me').set(s.auth)).status).toBe(200);

    const tooShort = await client.confirm({ token: link, password: 'short' });
    expect([tooShort.status, tooShort.body.error.details]).toEqual([400, [{ path: 'password', message: 'must be at least 10 characters' }]]);
    expect((await client.login(s.user.email, PASSWORD)).status).toBe(200);

    const done = await client.confirm({ token: link, password: NEW_PASSWORD });
    expect(done.status).toBe(204);
    const ended = await h.http.get('/auth/me').set(s.auth);
    expect([ended.status, ended.body.error.code]).toEqual([401, 'SESSION_REVOKED']);
    expect(ended.body.error.message).toBe('You were signed out because your password was reset with a link mailed to you; sign in with the new password');
    expect((await h.http.get('/auth/me').set(bearer(other.body.accessToken))).status).toBe(401);
    expect((await h.http.post('/auth/refresh').send({ refreshToken: other.body.refreshToken })).status).toBe(401);
    const revoked = await h.http.get('/assets').set(bearer(token.token));
    expect([revoked.status, revoked.body.error.code]).toEqual([401, 'TOKEN_REVOKED']);
    expect(revoked.body.error.message).toMatch(/reset their password with a mailed link/);
    expect((await client.login(s.user.email, PASSWORD)).status).toBe(401);
    expect((await client.login(s.user.email, NEW_PASSWORD)).status).toBe(200);

    // Single use: neither the preview nor a second submit works any more.
    const again = await client.confirm({ token: link, password: 'yet another passphrase' });
    expect([again.status, again.body.error.code]).toEqual([400, 'LINK_INVALID']);
    expect(again.body.error.message).toMatch(/ask for a new one on the sign-in page/);
    expect((await client.preview(link)).status).toBe(400);
    expect((await client.login(s.user.email, NEW_PASSWORD)).status).toBe(200);
  });

  it('spends every pending link of the address once one is followed', async () => {
    const s = await givenStudio(h);
    expect((await from(h, '198.51.100.13').ask(s.user.email)).status).toBe(202);
    const first = h.mailbox.tokenOf(await h.mailbox.next(s.user.email), 'reset-password');
    expect((await from(h, '198.51.100.14').ask(s.user.email)).status).toBe(202);
    const second = h.mailbox.tokenOf(await h.mailbox.next(s.user.email), 'reset-password');
    expect((await from(h, '198.51.100.14').confirm({ token: second, password: NEW_PASSWORD })).status).toBe(204);
    const stale = await from(h, '198.51.100.13').confirm({ token: first, password: 'the stale link password' });
    expect([stale.status, stale.body.error.code]).toEqual([400, 'LINK_INVALID']);
    expect((await from(h, '198.51.100.13').login(s.user.email, NEW_PASSWORD)).status).toBe(200);
  });

  it('refuses an expired link, checked in code, and changes nothing', async () => {
    const s = await givenStudio(h);
    const client = from(h, '198.51.100.15');
    expect((await client.ask(s.user.email)).status).toBe(202);
    const link = h.mailbox.tokenOf(await h.mailbox.next(s.user.email), 'reset-password');
    await h.container.models.PasswordReset.updateOne({ tokenHash: hashRefreshToken(link) }, { $set: { expiresAt: new Date(Date.now() - 1000) } }).exec();
    expect((await client.preview(link)).status).toBe(400);
    const late = await client.confirm({ token: link, password: NEW_PASSWORD });
    expect([late.status, late.body.error.code]).toEqual([400, 'LINK_INVALID']);
    expect((await client.login(s.user.email, PASSWORD)).status).toBe(200);
    expect((await h.http.get('/auth/me').set(s.auth)).status).toBe(200);
  });

  it('mails one address once per interval per client, says when to ask again, the same for an address without an account, and never for another client', async () => {
    const s = await givenStudio(h);
    const nobody = uniqueEmail('nobody');
    const client = from(h, '198.51.100.16');
    for (const email of [s.user.email, nobody]) {
      expect((await client.ask(email)).status).toBe(202);
      await h.mailbox.next(email);
      const soon = await client.ask(email);
      expect([soon.status, soon.body.error.code]).toEqual([429, 'PASSWORD_RESET_RECENTLY_MAILED']);
      expect(Number(soon.headers['retry-after'])).toBeGreaterThan(500);
      expect(soon.body.error.message).toMatch(/ask again in 10 minutes$/);
    }
    // Another client (the owner at home) still gets a mail.
    expect((await from(h, '198.51.100.17').ask(s.user.email)).status).toBe(202);
    await h.mailbox.next(s.user.email);
  });

  it('refuses bad input in words for people and sends nothing', async () => {
    const before = h.mailbox.messages.length;
    const empty = await h.http.post('/auth/password-reset').send({});
    expect(empty.status).toBe(400);
    expect(empty.body.error.details).toEqual([expect.objectContaining({ path: 'email' })]);
    const badToken = await h.http.post('/auth/password-reset/confirm').send({ token: 'nope', password: NEW_PASSWORD });
    expect(badToken.status).toBe(400);
    expect(badToken.body.error.details).toEqual([expect.objectContaining({ path: 'token', message: 'must be the token of a link you were sent' })]);
    expect(h.mailbox.messages.length).toBe(before);
  });
});

describe('forgot password: per client, whatever the addresses', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ PASSWORD_RESETS_PER_CLIENT_PER_HOUR: '3' });
  });
  afterAll(() => h.close());

  it('refuses a client that asks for many addresses, and no other', async () => {
    const client = from(h, '198.51.100.20');
    const got = [];
    for (let i = 0; i < 5; i++) got.push((await client.ask(uniqueEmail(`spray${i}`))).status);
    expect(got).toEqual([202, 202, 202, 429, 429]);
    const refused = await client.ask(uniqueEmail('spray'));
    expect(refused.body.error.code).toBe('PASSWORD_RESET_RATE_LIMITED');
    expect(refused.body.error.message).toMatch(/^Too many password resets were asked for from your network this hour; try again in (\d+ minutes?|1 hour)$/);
    expect((await from(h, '198.51.100.21').ask(uniqueEmail('other'))).status).toBe(202);
  });
});
