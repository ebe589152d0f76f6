import { startHarness, type Harness } from './support/harness';
import { givenStudio } from './support/factories';

describe('auth: failed logins are rate limited per email in Redis', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ AUTH_RATE_LIMIT_MAX_PER_EMAIL: '10', AUTH_RATE_LIMIT_MAX_PER_IP: '1000' });
  });
  afterAll(() => h.close());

  it('answers the 11th rapid failed login for one email with 429 and Retry-After, while other emails still get 401', async () => {
    const s = await givenStudio(h);
    for (let i = 1; i <= 10; i++) {
      const res = await h.http.post('/auth/login').send({ email: s.user.email, password: `wrong password ${i}` });
      expect(res.status).toBe(401);
    }
    const eleventh = await h.http.post('/auth/login').send({ email: s.user.email.toUpperCase(), password: 'wrong password 11' });
    expect(eleventh.status).toBe(429);
    expect(eleventh.body.error.code).toBe('AUTH_RATE_LIMITED');
    expect(Number(eleventh.headers['retry-after'])).toBeGreaterThan(0);
    // Even the right password waits until the window passes: the attacker cannot tell them apart.
    expect((await h.http.post('/auth/login').send({ email: s.user.email, password: s.password })).status).toBe(429);

    const other = await givenStudio(h);
    expect((await h.http.post('/auth/login').send({ email: other.user.email, password: 'wrong password x' })).status).toBe(401);
    // The count lives in Redis under this app's prefix, so every API instance shares it.
    const keys = await h.container.redis.keys(`${h.config.REDIS_KEY_PREFIX}rl:auth-email:*`);
    expect(keys.length).toBeGreaterThanOrEqual(2);
  });
});
