import jwt from 'jsonwebtoken';
import { startHarness, type Harness } from './support/harness';
import { givenStudio, type Session } from './support/factories';

describe('auth: access tokens are verified strictly', () => {
  let h: Harness;
  let s: Session;
  beforeAll(async () => {
    h = await startHarness();
    s = await givenStudio(h);
  });
  afterAll(() => h.close());

  const claims = () => ({ studioId: s.user.studioId, role: 'PRODUCER' });
  const sign = (opts: jwt.SignOptions, secret = h.config.JWT_ACCESS_SECRET, payload: object = claims()) =>
    jwt.sign(payload, secret, { subject: s.user.id, issuer: h.config.JWT_ISSUER, audience: h.config.JWT_AUDIENCE, expiresIn: 60, jwtid: 'j1', ...opts });

  async function expect401(token: string, code: string) {
    const res = await h.http.get('/auth/me').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code, message: expect.any(String), correlationId: res.headers['x-request-id'] } });
  }

  it('accepts its own token', async () => {
    expect((await h.http.get('/auth/me').set(s.auth)).status).toBe(200);
  });

  it('refuses a token whose signature was tampered with', async () => {
    const [head, body, sig] = s.accessToken.split('.');
    const forgedBody = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), role: 'PRODUCER', studioId: '0'.repeat(24) })).toString('base64url');
    await expect401(`${head}.${forgedBody}.${sig}`, 'TOKEN_INVALID');
    await expect401(sign({}, 'another-secret-of-sufficient-length-123'), 'TOKEN_INVALID');
  });

  it('refuses alg none and other algorithms', async () => {
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(
      JSON.stringify({ ...claims(), sub: s.user.id, iss: h.config.JWT_ISSUER, aud: h.config.JWT_AUDIENCE, exp: Math.floor(Date.now() / 1000) + 60, jti: 'x' }),
    ).toString('base64url')}.`;
    await expect401(none, 'TOKEN_INVALID');
    await expect401(sign({ algorithm: 'HS512' }), 'TOKEN_INVALID');
  });

  it('refuses a wrong issuer or audience', async () => {
    await expect401(sign({ issuer: 'someone-else' }), 'TOKEN_INVALID');
    await expect401(sign({ audience: 'another-app' }), 'TOKEN_INVALID');
  });

  it('refuses an expired token with TOKEN_EXPIRED', async () => {
    const expired = jwt.sign({ ...claims(), exp: Math.floor(Date.now() / 1000) - 10 }, h.config.JWT_ACCESS_SECRET, {
      subject: s.user.id, issuer: h.config.JWT_ISSUER, audience: h.config.JWT_AUDIENCE, jwtid: 'j2',
    });
    await expect401(expired, 'TOKEN_EXPIRED');
  });

  it('refuses a token with a role that does not exist', async () => {
    await expect401(sign({}, undefined, { studioId: s.user.studioId, role: 'ADMIN' }), 'TOKEN_INVALID');
  });

  it('requires a Bearer token at all', async () => {
    await expect401('', 'UNAUTHENTICATED');
    const res = await h.http.get('/auth/me').set('Authorization', `Basic ${Buffer.from('a:b').toString('base64')}`);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  });
});
