// Limits that fit a studio (issue 28): a whole office is one address behind NAT, so its people are budgeted
// per member and per token, and the per-IP limits bound only what no member made (an unauthenticated
// flood, failed sign-ins). All with the default limits: these are the defaults a studio gets.
import { startHarness, type Harness } from './support/harness';
import { givenStudio, givenToken, PASSWORD, uniqueEmail, type Session } from './support/factories';

/** The office's one public address (trust proxy is `loopback`, so the test may name any client address). */
const OFFICE = '203.0.113.80';

/** n people in one studio, each invited and accepted from an address of their own: only the office's requests are measured. */
async function givenPeople(h: Harness, n: number): Promise<{ producer: Session; people: Array<{ email: string }> }> {
  const producer = await givenStudio(h);
  const people: Array<{ email: string }> = [];
  for (let i = 0; i < n; i++) {
    const email = uniqueEmail(`artist${i}`);
    const elsewhere = `198.18.${Math.floor(i / 250)}.${(i % 250) + 1}`;
    const invited = await h.http.post('/invitations').set(producer.auth).set('X-Forwarded-For', elsewhere).send({ email, role: 'ARTIST' });
    expect(invited.status).toBe(201);
    const token = h.mailbox.tokenOf(await h.mailbox.next(email), 'invitations');
    const accepted = await h.http.post('/invitations/accept').set('X-Forwarded-For', elsewhere).send({ token, name: `Artist ${i}`, password: PASSWORD });
    expect(accepted.status).toBe(201);
    people.push({ email });
  }
  return { producer, people };
}

const signIn = (h: Harness, email: string, password = PASSWORD) => h.http.post('/auth/login').set('X-Forwarded-For', OFFICE).send({ email, password });

/** Runs the calls `width` at a time; resolves with each one's status, in order. */
async function statuses(calls: Array<() => Promise<{ status: number }>>, width: number): Promise<number[]> {
  const out: number[] = new Array(calls.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    for (let i = next++; i < calls.length; i = next++) out[i] = (await calls[i]!()).status;
  }));
  return out;
}

const tally = (xs: number[]) => xs.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});

describe('rate limits: one office behind one address', () => {
  let h: Harness;
  let people: Array<{ email: string }>;
  const sessions: Array<{ auth: { Authorization: string } }> = [];
  beforeAll(async () => {
    h = await startHarness();
    ({ people } = await givenPeople(h, 50));
  }, 180_000);
  afterAll(() => h.close());

  it('lets 150 sign-ins of 50 different people from one address in 15 minutes all in (the 101st was refused before)', async () => {
    const answers = [];
    for (let round = 0; round < 3; round++) {
      for (const p of people) answers.push(await signIn(h, p.email));
    }
    expect(tally(answers.map((a) => a.status))).toEqual({ 200: 150 });
    for (const a of answers.slice(0, 20)) sessions.push({ auth: { Authorization: `Bearer ${a.body.accessToken}` } });
  }, 120_000);

  it('serves 2,000 requests in a minute of 20 signed-in members behind that address (600 were allowed before)', async () => {
    expect(sessions).toHaveLength(20);
    const calls = sessions.flatMap((s) => Array.from({ length: 100 }, () => () => h.http.get('/auth/me').set(s.auth).set('X-Forwarded-For', OFFICE)));
    const started = Date.now();
    const got = await statuses(calls, 20);
    expect(tally(got)).toEqual({ 200: 2000 });
    // All within one window of the per-IP limit, or the test would prove nothing about it.
    expect(Date.now() - started).toBeLessThan(h.config.RATE_LIMIT_WINDOW_MS);
  }, 120_000);

  it('limits one member\'s flood on that member alone: the others behind the address go on, and the refusal says when', async () => {
    const [flooder, ...others] = sessions;
    const budget = h.config.RATE_LIMIT_MAX_PER_MEMBER;
    const flood = await statuses(Array.from({ length: budget + 50 }, () => () => h.http.get('/auth/me').set(flooder!.auth).set('X-Forwarded-For', OFFICE)), 20);
    expect(flood.filter((s) => s === 429).length).toBeGreaterThanOrEqual(50);
    const refused = await h.http.get('/auth/me').set(flooder!.auth).set('X-Forwarded-For', OFFICE);
    expect([refused.status, refused.body.error.code]).toEqual([429, 'RATE_LIMITED']);
    const wait = Number(refused.headers['retry-after']);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(h.config.RATE_LIMIT_WINDOW_MS / 1000);
    expect(refused.body.error.message).toMatch(/^You sent too many requests in a short time; try again in \d+ (seconds?|minutes?)$/);
    // Everyone else at the office, people and their scripts, is served.
    for (const s of others.slice(0, 5)) expect((await h.http.get('/auth/me').set(s.auth).set('X-Forwarded-For', OFFICE)).status).toBe(200);
    expect((await signIn(h, people[30]!.email)).status).toBe(200);
  }, 120_000);
});

describe('rate limits: what still holds for an address', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '60', AUTH_RATE_LIMIT_MAX_PER_IP: '8', AUTH_FAILURES_PER_CLIENT: '100' });
  });
  afterAll(() => h.close());

  it('bounds an unauthenticated flood from one address, while the people signed in behind it are served', async () => {
    const s = await givenStudio(h);
    const flood = await statuses(Array.from({ length: 80 }, () => () => h.http.get('/assets').set('X-Forwarded-For', '198.51.100.90')), 10);
    expect(tally(flood)).toEqual({ 401: 60, 429: 20 });
    const refused = await h.http.get('/openapi.json').set('X-Forwarded-For', '198.51.100.90');
    expect([refused.status, refused.body.error.code]).toEqual([429, 'RATE_LIMITED']);
    expect(refused.body.error.message).toMatch(/^Too many requests from your network without signing in; try again in \d+ (seconds?|minute)$/);
    // A signed-in person at that address is counted on their own budget, not the address's.
    for (let i = 0; i < 5; i++) expect((await h.http.get('/assets').set(s.auth).set('X-Forwarded-For', '198.51.100.90')).status).toBe(200);
  });

  it('still counts every failed sign-in of an address, whatever the accounts (a spray), but no successful one', async () => {
    const a = await givenStudio(h);
    const b = await givenStudio(h);
    const sprayer = '198.51.100.91';
    const login = (email: string, password: string) => h.http.post('/auth/login').set('X-Forwarded-For', sprayer).send({ email, password });
    // Successes never spend the budget of failures.
    for (let i = 0; i < 12; i++) expect((await login(i % 2 ? a.user.email : b.user.email, PASSWORD)).status).toBe(200);
    const sprayed = [];
    for (let i = 0; i < 10; i++) sprayed.push((await login(i % 2 ? a.user.email : b.user.email, `Spring2026!${i}`)).status);
    expect(sprayed).toEqual([401, 401, 401, 401, 401, 401, 401, 401, 429, 429]);
    const refused = await login(a.user.email, PASSWORD);
    expect([refused.status, refused.body.error.code]).toEqual([429, 'AUTH_RATE_LIMITED']);
    expect(refused.body.error.message).toMatch(/^Too many failed sign-ins or links from your network; try again in \d+ minutes?$/);
  });

  it('budgets an API token on its own: its flood leaves its owner\'s sessions and the address alone', async () => {
    const h2 = await startHarness({ API_TOKEN_RATE_LIMIT_PER_MINUTE: '30' });
    try {
      const s = await givenStudio(h2);
      const t = await givenToken(h2, s, ['assets:read']);
      const flood = await statuses(Array.from({ length: 40 }, () => () => h2.http.get('/assets').set({ Authorization: `Bearer ${t.token}` }).set('X-Forwarded-For', OFFICE)), 5);
      expect(tally(flood)).toEqual({ 200: 30, 429: 10 });
      const refused = await h2.http.get('/assets').set({ Authorization: `Bearer ${t.token}` }).set('X-Forwarded-For', OFFICE);
      expect(refused.body.error.code).toBe('TOKEN_RATE_LIMITED');
      expect((await h2.http.get('/assets').set(s.auth).set('X-Forwarded-For', OFFICE)).status).toBe(200);
    } finally {
      await h2.close();
    }
  });
});
