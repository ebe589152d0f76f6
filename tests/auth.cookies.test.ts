// Browser sign-in (cookie mode): the refresh token lives only in an HttpOnly, SameSite=Strict cookie on
// /auth; refresh and logout spend it only with the web app's custom header from its own origin (CSRF), and
// rotation and family revocation work through the cookie exactly as through the body.
import { randomBytes } from 'node:crypto';
import { startHarness, type Harness } from './support/harness';
import { givenMember, givenStudio, invite, PASSWORD, uniqueEmail } from './support/factories';

const WEB = { 'X-Studio-Client': 'web' };

/** The studio_refresh cookie of a response: its value and attributes, lower-cased names. */
function refreshCookieOf(res: { headers: Record<string, unknown> }): { value: string; attrs: Record<string, string | true> } | undefined {
  const raw = res.headers['set-cookie'] as string[] | undefined;
  const line = raw?.find((c) => c.startsWith('studio_refresh='));
  if (!line) return undefined;
  const [pair, ...rest] = line.split(';').map((s) => s.trim());
  const attrs: Record<string, string | true> = {};
  for (const a of rest) {
    const eq = a.indexOf('=');
    if (eq < 0) attrs[a.toLowerCase()] = true;
    else attrs[a.slice(0, eq).toLowerCase()] = a.slice(eq + 1);
  }
  return { value: pair!.slice('studio_refresh='.length), attrs };
}

describe('browser sign-in with the refresh cookie', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '100000', AUTH_RATE_LIMIT_MAX_PER_IP: '100000' });
  });
  afterAll(async () => h.close());

  /** A studio's producer signed in by the web app: returns the access token and the refresh cookie. */
  const webLogin = async () => {
    const owner = await givenStudio(h);
    const res = await h.http.post('/auth/login').set(WEB).send({ email: owner.user.email, password: PASSWORD }).expect(200);
    return { owner, res, cookie: refreshCookieOf(res)! };
  };
  const withCookie = (value: string) => ({ ...WEB, Cookie: `studio_refresh=${value}` });

  it('sets the refresh token as an HttpOnly, SameSite=Strict, Secure cookie on /auth and leaves it out of the body', async () => {
    const { res, cookie } = await webLogin();
    expect(res.body.refreshToken).toBeUndefined();
    expect(typeof res.body.accessToken).toBe('string');
    expect(cookie.value.length).toBeGreaterThan(20);
    expect(cookie.attrs).toMatchObject({ path: '/auth', httponly: true, samesite: 'Strict', secure: true });
    expect(Number(cookie.attrs['max-age'])).toBe(30 * 86_400);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('keeps the body token and sets no cookie for clients that do not ask for cookie mode', async () => {
    const owner = await givenStudio(h);
    const res = await h.http.post('/auth/login').send({ email: owner.user.email, password: PASSWORD }).expect(200);
    expect(typeof res.body.refreshToken).toBe('string');
    expect(refreshCookieOf(res)).toBeUndefined();
  });

  it('sets the cookie when a mailed registration link is followed in cookie mode', async () => {
    const email = uniqueEmail('web');
    await h.http.post('/auth/register').send({ studioName: 'Cookie Studio', name: 'Owner', email }).expect(202);
    const token = h.mailbox.tokenOf(await h.mailbox.next(email), 'verify-email');
    const res = await h.http.post('/auth/verify-email').set(WEB).send({ token, password: PASSWORD }).expect(201);
    expect(res.body.refreshToken).toBeUndefined();
    expect(refreshCookieOf(res)?.attrs.httponly).toBe(true);
  });

  it('moves an accepted invitation\'s body token into the cookie by a cookie-mode refresh', async () => {
    const producer = await givenStudio(h);
    const token = await invite(h, producer, uniqueEmail('invitee'), 'ARTIST');
    const accepted = await h.http.post('/invitations/accept').send({ token, name: 'Invitee', password: PASSWORD }).expect(201);
    const res = await h.http.post('/auth/refresh').set(WEB).send({ refreshToken: accepted.body.refreshToken }).expect(200);
    expect(res.body.refreshToken).toBeUndefined();
    const cookie = refreshCookieOf(res)!;
    await h.http.post('/auth/refresh').set(withCookie(cookie.value)).send({}).expect(200);
    // The body token was rotated: replaying it is theft and ends the family, cookie included.
    await h.http.post('/auth/refresh').send({ refreshToken: accepted.body.refreshToken }).expect(401);
  });

  it('refreshes by cookie: a new access token, a rotated cookie, no token in the body', async () => {
    const { cookie } = await webLogin();
    const res = await h.http.post('/auth/refresh').set(withCookie(cookie.value)).send({}).expect(200);
    expect(res.body.refreshToken).toBeUndefined();
    const next = refreshCookieOf(res)!;
    expect(next.value).not.toBe(cookie.value);
    await h.http.get('/auth/me').set({ Authorization: `Bearer ${res.body.accessToken}` }).expect(200);
    // Without a JSON body at all (the browser may send none), the cookie is enough.
    const bare = await h.http.post('/auth/refresh').set(withCookie(next.value)).expect(200);
    expect(refreshCookieOf(bare)!.value).not.toBe(next.value);
  });

  it('logs out by cookie: the session ends and the cookie is cleared', async () => {
    const { cookie } = await webLogin();
    const res = await h.http.post('/auth/logout').set(withCookie(cookie.value)).expect(204);
    const cleared = refreshCookieOf(res)!;
    expect(cleared.value).toBe('');
    expect(cleared.attrs.path).toBe('/auth');
    expect(new Date(cleared.attrs.expires as string).getTime()).toBeLessThan(Date.now());
    const again = await h.http.post('/auth/refresh').set(withCookie(cookie.value)).send({});
    expect([again.status, again.body.error.code]).toEqual([401, 'INVALID_REFRESH_TOKEN']);
  });

  it('answers 401 to a refresh with neither a body token nor a cookie, and logout stays idempotent', async () => {
    const res = await h.http.post('/auth/refresh').set(WEB).send({});
    expect([res.status, res.body.error.code]).toEqual([401, 'INVALID_REFRESH_TOKEN']);
    await h.http.post('/auth/logout').set(WEB).send({}).expect(204);
  });

  it('refuses the cookie without the custom header (CSRF) and leaves the session alive', async () => {
    const { cookie } = await webLogin();
    for (const path of ['/auth/refresh', '/auth/logout']) {
      const res = await h.http.post(path).set('Cookie', `studio_refresh=${cookie.value}`).send({});
      expect([path, res.status, res.body.error.code]).toEqual([path, 403, 'CSRF_REFUSED']);
    }
    // A form post carries no custom header and no JSON either.
    const form = await h.http.post('/auth/logout').set('Cookie', `studio_refresh=${cookie.value}`).type('form').send('x=1');
    expect(form.status).toBe(403);
    await h.http.post('/auth/refresh').set(withCookie(cookie.value)).send({}).expect(200);
  });

  it('refuses cross-site requests that carry the cookie, even with the header', async () => {
    const { cookie } = await webLogin();
    const crossSite = [
      { Origin: 'https://evil.example' },
      { 'Sec-Fetch-Site': 'cross-site' },
      { 'Sec-Fetch-Site': 'same-site' },
      { Origin: 'null' },
    ];
    for (const headers of crossSite) {
      const res = await h.http.post('/auth/refresh').set({ ...withCookie(cookie.value), ...headers }).send({});
      expect([headers, res.status, res.body.error?.code]).toEqual([headers, 403, 'CSRF_REFUSED']);
      const out = await h.http.post('/auth/logout').set({ ...withCookie(cookie.value), ...headers }).send({});
      expect([headers, out.status]).toEqual([headers, 403]);
    }
    // The same request from the app's own origin goes through: the cookie was neither spent nor revoked.
    const base = await h.listen();
    const host = new URL(base).host;
    const ok = await h.http.post('/auth/refresh').set({ ...withCookie(cookie.value), Host: host, Origin: base, 'Sec-Fetch-Site': 'same-origin' }).send({});
    expect(ok.status).toBe(200);
  });

  it('detects the replay of a rotated cookie: the whole family is revoked, the thief\'s and the owner\'s', async () => {
    const { cookie } = await webLogin();
    const first = await h.http.post('/auth/refresh').set(withCookie(cookie.value)).send({}).expect(200);
    const current = refreshCookieOf(first)!.value;
    // The old cookie value, replayed (stolen before rotation): refused, and the cookie is cleared.
    const replay = await h.http.post('/auth/refresh').set(withCookie(cookie.value)).send({});
    expect([replay.status, replay.body.error.code]).toEqual([401, 'REFRESH_TOKEN_REUSED']);
    expect(refreshCookieOf(replay)?.value).toBe('');
    // The owner's current cookie is dead too: the family is revoked.
    const owner = await h.http.post('/auth/refresh').set(withCookie(current)).send({});
    expect(owner.status).toBe(401);
  });

  it('ignores other cookies and a malformed cookie header', async () => {
    const member = await givenMember(h, await givenStudio(h), 'ARTIST');
    const res = await h.http.post('/auth/login').set(WEB).send({ email: member.user.email, password: PASSWORD }).expect(200);
    const value = refreshCookieOf(res)!.value;
    await h.http.post('/auth/refresh').set({ ...WEB, Cookie: `a=b; ;=x; studio_refresh=${value}; theme=dark` }).send({}).expect(200);
    const junk = await h.http.post('/auth/refresh').set({ ...WEB, Cookie: `studio_refresh=${randomBytes(30).toString('base64url')}` }).send({});
    expect(junk.status).toBe(401);
  });
});
