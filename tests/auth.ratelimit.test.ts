// Login throttling (issue 14, finding 3): failures slow the client that made them and the account as a whole,
// but a correct password is never refused because of other people's failures.
import { PassThrough } from 'node:stream';
import { startHarness, type Harness } from './support/harness';
import { givenStudio } from './support/factories';
import { LoginThrottle, type AttemptCount, type LoginAttemptStore } from '../src/app/services/LoginThrottle';
import { createLogger } from '../src/infra/logging/logger';

/** trust proxy is `loopback`, so a request from the test may name any client address. */
const from = (h: Harness, ip: string) => ({
  login: (email: string, password: string) => h.http.post('/auth/login').set('X-Forwarded-For', ip).send({ email, password }),
});

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; res: T }> {
  const start = performance.now();
  const res = await work();
  return { ms: performance.now() - start, res };
}

describe('auth: nobody can lock another person out of their account', () => {
  let h: Harness;
  beforeAll(async () => {
    // The defaults for the thresholds (5 per client, delays after 10 per account); short delays keep it quick.
    h = await startHarness({ AUTH_RATE_LIMIT_MAX_PER_IP: '1000', AUTH_FIRST_DELAY_MS: '20', AUTH_MAX_DELAY_MS: '80' });
  });
  afterAll(() => h.close());

  it('lets the owner in with the right password after ten wrong ones from ten other addresses (429 before the fix)', async () => {
    const victim = await givenStudio(h);
    const attackers = Array.from({ length: 10 }, (_, i) => `198.51.100.${i + 1}`);
    const statuses: number[] = [];
    for (const ip of attackers) statuses.push((await from(h, ip).login(victim.user.email, `wrong password ${ip}`)).status);
    expect(statuses).toEqual(Array(10).fill(401));

    const owner = await from(h, '203.0.113.50').login(victim.user.email, victim.password);
    expect(owner.status).toBe(200);
    expect(owner.body.user.email).toBe(victim.user.email);

    // Repeating the attack does not close the account either: more failures, and the owner still gets in.
    for (let i = 11; i <= 15; i++) expect((await from(h, `198.51.100.${i}`).login(victim.user.email, 'wrong again')).status).toBe(401);
    expect((await from(h, '203.0.113.50').login(victim.user.email.toUpperCase(), victim.password)).status).toBe(200);
  });
});

describe('auth: one client\'s failures limit only that client on that account', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ AUTH_RATE_LIMIT_MAX_PER_IP: '1000', AUTH_FAILURES_PER_CLIENT: '3', AUTH_DELAY_AFTER_FAILURES: '1000' });
  });
  afterAll(() => h.close());

  it('answers a client hammering one account with 429 and Retry-After after its own limit, while another client logs in', async () => {
    const s = await givenStudio(h);
    const hammer = from(h, '198.51.100.7');
    for (let i = 1; i <= 3; i++) expect((await hammer.login(s.user.email, `wrong password ${i}`)).status).toBe(401);
    const fourth = await hammer.login(s.user.email, 'wrong password 4');
    expect(fourth.status).toBe(429);
    expect(fourth.body.error.code).toBe('AUTH_RATE_LIMITED');
    const retryAfter = Number(fourth.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(h.config.AUTH_RATE_LIMIT_WINDOW_MS / 1000);
    // The limited client cannot tell a right guess from a wrong one any more.
    expect((await hammer.login(s.user.email, s.password)).status).toBe(429);

    expect((await from(h, '203.0.113.8').login(s.user.email, s.password)).status).toBe(200);
    // The hammering client is limited on this account only.
    const other = await givenStudio(h);
    expect((await hammer.login(other.user.email, 'wrong password x')).status).toBe(401);

    // Counters live in Redis under this deployment's prefix (every instance shares them), without the email.
    const keys = await h.container.redis.keys(`${h.config.REDIS_KEY_PREFIX}login:*`);
    expect(keys.length).toBeGreaterThanOrEqual(3);
    expect(keys.join(' ')).not.toContain(s.user.email.split('@')[0]);
  });

  it('counts parallel guesses before their answers: no more than the limit are judged', async () => {
    const s = await givenStudio(h);
    const client = from(h, '198.51.100.9');
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => client.login(s.user.email, `parallel guess ${i}`)));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429, 429, 429]);
  });

  it('forgets a client\'s failures on an account once it gives the right password', async () => {
    const s = await givenStudio(h);
    const client = from(h, '198.51.100.10');
    for (let i = 1; i <= 2; i++) expect((await client.login(s.user.email, `typo ${i}`)).status).toBe(401);
    expect((await client.login(s.user.email, s.password)).status).toBe(200);
    // The full allowance again, not the one failure left before the success.
    for (let i = 3; i <= 5; i++) expect((await client.login(s.user.email, `typo ${i}`)).status).toBe(401);
    expect((await client.login(s.user.email, 'typo 6')).status).toBe(429);
  });

  it('does not count a request whose body is refused before any password is checked', async () => {
    const s = await givenStudio(h);
    const client = from(h, '198.51.100.11');
    for (let i = 0; i < 5; i++) expect((await h.http.post('/auth/login').set('X-Forwarded-For', '198.51.100.11').send({ email: s.user.email })).status).toBe(400);
    expect((await client.login(s.user.email, s.password)).status).toBe(200);
  });
});

describe('auth: failures on an account from many clients slow every login for it, growing to a cap', () => {
  let h: Harness;
  const first = 150;
  const cap = 600;
  beforeAll(async () => {
    h = await startHarness({
      AUTH_RATE_LIMIT_MAX_PER_IP: '1000',
      AUTH_FAILURES_PER_CLIENT: '3',
      AUTH_DELAY_AFTER_FAILURES: '2',
      AUTH_FIRST_DELAY_MS: String(first),
      AUTH_MAX_DELAY_MS: String(cap),
    });
  });
  afterAll(() => h.close());

  it('delays each answer by at least the configured, doubling delay, and still lets the right password in', async () => {
    const s = await givenStudio(h);
    const attempt = (n: number, password = `wrong password ${n}`) => timed(() => from(h, `198.51.100.${n}`).login(s.user.email, password));
    for (const n of [1, 2]) expect((await attempt(n)).res.status).toBe(401);

    // After 2 failures: 150, 300, 600, then the cap of 600 ms (setTimeout may round down by under 1 ms).
    const expected = [first, 2 * first, 4 * first, cap];
    for (const [i, least] of expected.entries()) {
      const { ms, res } = await attempt(3 + i);
      expect(res.status).toBe(401);
      expect(ms).toBeGreaterThanOrEqual(least - 1);
    }
    // The same delay for the right password, from a client that never failed: slower, never refused.
    const owner = await attempt(50, s.password);
    expect(owner.res.status).toBe(200);
    expect(owner.ms).toBeGreaterThanOrEqual(cap - 1);
  });
});

describe('LoginThrottle: bounded and failing open', () => {
  const policy = { windowMs: 60_000, failuresPerClient: 3, delayAfterFailures: 1, firstDelayMs: 10_000, maxDelayMs: 10_000, maxDelayed: 1 };
  const lines: string[] = [];
  const stream = new PassThrough().on('data', (c: Buffer) => lines.push(c.toString('utf8')));
  const logger = createLogger({ level: 'warn', service: 'test', stream });
  const store = (begin: () => Promise<AttemptCount>): LoginAttemptStore => ({ begin, succeeded: async () => undefined, withdrawn: async () => undefined });

  it('lets logins through without limit or delay when the store (Redis) is unreachable, and logs a coded warning', async () => {
    const throttle = new LoginThrottle({ store: store(() => Promise.reject(new Error('Connection is closed.'))), logger, policy });
    const ticket = await throttle.admit('someone@studio.test', '198.51.100.1');
    await ticket.settle('failed');
    await new Promise((r) => setImmediate(r));
    expect(lines.join('')).toContain('LOGIN_THROTTLE_UNAVAILABLE');
  });

  it('holds at most maxDelayed logins in a delay; the next are answered without one, not refused', async () => {
    let release!: () => void;
    const sleep = jest.fn(() => new Promise<void>((r) => (release = r)));
    const throttle = new LoginThrottle({ store: store(async () => ({ admitted: true, accountFailures: 5 })), logger, policy, sleep });
    const waiting = throttle.admit('someone@studio.test', '198.51.100.1');
    await new Promise((r) => setImmediate(r));
    expect(sleep).toHaveBeenCalledTimes(1);
    await expect(throttle.admit('someone@studio.test', '198.51.100.2')).resolves.toBeDefined();
    expect(sleep).toHaveBeenCalledTimes(1);
    release();
    await waiting;
    expect(lines.join('')).toContain('LOGIN_DELAYS_SATURATED');
  });

  it('grows the delay by doubling from the first one after the threshold, up to the cap', () => {
    const throttle = new LoginThrottle({ store: store(async () => ({ admitted: true, accountFailures: 0 })), logger, policy: { ...policy, delayAfterFailures: 10, firstDelayMs: 250, maxDelayMs: 4000 } });
    expect([0, 9, 10, 11, 12, 13, 14, 15, 1000].map((f) => throttle.delayFor(f))).toEqual([0, 0, 250, 500, 1000, 2000, 4000, 4000, 4000]);
  });
});
