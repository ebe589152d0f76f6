// Socket.IO budgets (issue 27 #12): every event spends its socket's budget and its member's or token's (in
// Redis, across instances), open sockets are capped per member or token across instances with slots that a
// crashed instance cannot hold forever, and handshakes are limited per client address and per member.
// Refusals are the error contract with a retry time, in the ack or in connect_error.
import { io as connect, type Socket } from 'socket.io-client';
import { startHarness, type Harness } from './support/harness';
import { givenMember, givenStudio, givenToken, type Session } from './support/factories';
import { waitFor } from './support/workers';
import { ConnectionSlots } from '../src/infra/cache/ConnectionSlots';
import { redisBudget } from '../src/shared/middlewares/rateLimit';
import { createRedis } from '../src/infra/cache/redis';

type Reply = { data?: unknown; error?: { code: string; message: string; retryAfterSeconds?: number } };
type Refusal = { message: string; data?: { error: { code: string; message: string; retryAfterSeconds?: number } } };

describe('real-time: budgets and caps', () => {
  let h: Harness;
  let url: string;
  let producer: Session;
  let assetId: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    h = await startHarness({
      RATE_LIMIT_MAX: '100000',
      SOCKET_MAX_PER_MEMBER: '4',
      SOCKET_HANDSHAKES_PER_MINUTE_PER_MEMBER: '12',
      SOCKET_HANDSHAKES_PER_MINUTE_PER_IP: '30',
    });
    ({ url } = await h.listenRealtime());
    producer = await givenStudio(h, 'Budgets');
    assetId = (await h.http.post('/assets').set(producer.auth).send({ name: 'Joined', type: 'PROP' }).expect(201)).body.id;
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await h.close();
  });

  // Each client from its own address unless a test says otherwise, so only the per-address test meets that limit.
  let addresses = 0;
  const client = (base: string, token: string | undefined, headers: Record<string, string> = { 'X-Forwarded-For': `198.51.100.${++addresses % 250}` }) => {
    const s = connect(base, { auth: token === undefined ? {} : { token }, transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: headers });
    sockets.push(s);
    return s;
  };
  const outcome = (s: Socket) =>
    new Promise<'connected' | Refusal>((resolve) => {
      s.once('connect', () => resolve('connected'));
      s.once('connect_error', (err) => resolve(err as Refusal));
    });
  const opened = async (s: Socket) => {
    const o = await outcome(s);
    if (o !== 'connected') throw new Error(`refused: ${JSON.stringify(o.data)}`);
    return s;
  };
  const closed = (s: Socket) => new Promise<void>((resolve) => (s.connected ? (s.once('disconnect', () => resolve()), s.disconnect()) : resolve()));

  it('answers 700 asset:join on one socket: SOCKET_EVENTS_PER_MINUTE_PER_SOCKET (300) of them, and RATE_LIMITED acks with a retry time past it', async () => {
    const member = await givenMember(h, producer, 'ARTIST');
    const s = await opened(client(url, member.accessToken));
    const replies = await Promise.all(Array.from({ length: 700 }, () => s.timeout(60_000).emitWithAck('asset:join', { assetId }) as Promise<Reply>));
    const limited = replies.filter((r) => r.error?.code === 'RATE_LIMITED');
    expect(replies.filter((r) => r.data).length).toBe(300);
    expect(limited.length).toBe(400);
    expect(limited[0]!.error!.message).toMatch(/^Too many socket events, slow down; try again in \d+ (?:seconds?|minute)$/);
    expect(limited[0]!.error!.retryAfterSeconds).toBeGreaterThan(0);
    expect(limited[0]!.error!.retryAfterSeconds).toBeLessThanOrEqual(60);
    // Events the server has no handler for spend the budget too, and the socket stays connected.
    expect(((await s.timeout(5000).emitWithAck('no:such:event', {})) as Reply).error?.code).toBe('RATE_LIMITED');
    expect(s.connected).toBe(true);
  });

  it('counts a member\'s events across all their sockets and instances (SOCKET_EVENTS_PER_MINUTE_PER_MEMBER, in Redis)', async () => {
    const second = await startHarness({ RATE_LIMIT_MAX: '100000', SOCKET_EVENTS_PER_MINUTE_PER_MEMBER: '40' }, {}, h.identity);
    try {
      // Both instances of one deployment need the same per-member budget: here the second's is 40, and
      // the member's count is shared, so events sent through the first count against it.
      const { url: url2 } = await second.listenRealtime();
      const member = await givenMember(h, producer, 'ARTIST');
      const first = await opened(client(url, member.accessToken));
      const other = await opened(client(url2, member.accessToken));
      const viaFirst = await Promise.all(Array.from({ length: 30 }, () => first.timeout(30_000).emitWithAck('asset:join', { assetId }) as Promise<Reply>));
      expect(viaFirst.every((r) => r.data)).toBe(true);
      const viaSecond = await Promise.all(Array.from({ length: 20 }, () => other.timeout(30_000).emitWithAck('asset:join', { assetId }) as Promise<Reply>));
      expect(viaSecond.filter((r) => r.data).length).toBe(10);
      expect(viaSecond.filter((r) => r.error?.code === 'RATE_LIMITED').length).toBe(10);
    } finally {
      await second.close();
    }
  });

  it('refuses a member\'s 5th open socket (SOCKET_MAX_PER_MEMBER=4) on any instance with TOO_MANY_CONNECTIONS, and lets one in when one closes', async () => {
    const second = await startHarness({ RATE_LIMIT_MAX: '100000', SOCKET_MAX_PER_MEMBER: '4' }, {}, h.identity);
    try {
      const { url: url2 } = await second.listenRealtime();
      const member = await givenMember(h, producer, 'DIRECTOR');
      const four = [await opened(client(url, member.accessToken)), await opened(client(url2, member.accessToken)), await opened(client(url, member.accessToken)), await opened(client(url2, member.accessToken))];
      for (const base of [url, url2]) {
        const refused = await outcome(client(base, member.accessToken));
        expect(refused).not.toBe('connected');
        expect((refused as Refusal).data?.error).toMatchObject({ code: 'TOO_MANY_CONNECTIONS', message: 'You have 4 live connections, the most allowed is 4; close a tab or a script, then connect again' });
        expect((refused as Refusal).data!.error.retryAfterSeconds).toBeGreaterThan(0);
      }
      // Another member is not affected; a token of this member has its own cap.
      await opened(client(url, producer.accessToken));
      const token = (await givenToken(h, member, ['assets:read'], { name: 'script' })).token;
      await opened(client(url2, token));

      await closed(four[1]!);
      await waitFor('a slot to come back', async () => {
        const s = client(url, member.accessToken);
        if ((await outcome(s)) === 'connected') return true;
        return undefined;
      }, 10_000, 100);
    } finally {
      await second.close();
    }
  });

  it('limits handshakes per member (SOCKET_HANDSHAKES_PER_MINUTE_PER_MEMBER=12) with RATE_LIMITED in connect_error', async () => {
    const member = await givenMember(h, producer, 'ARTIST');
    const outcomes: Array<'connected' | Refusal> = [];
    for (let i = 0; i < 13; i++) {
      const s = client(url, member.accessToken);
      outcomes.push(await outcome(s));
      await closed(s);
    }
    expect(outcomes.slice(0, 12)).toEqual(Array.from({ length: 12 }, () => 'connected'));
    const last = outcomes[12] as Refusal;
    expect(last.data?.error).toMatchObject({ code: 'RATE_LIMITED', message: 'Too many connection attempts for this account; wait, then connect again' });
    expect(last.data!.error.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('limits handshakes per client address as the HTTP routes see it (TRUST_PROXY), before any credential check', async () => {
    // From loopback the harness trusts X-Forwarded-For (TRUST_PROXY=loopback), as behind a load balancer.
    const office = { 'X-Forwarded-For': '203.0.113.7' };
    const codes: string[] = [];
    for (let i = 0; i < 31; i++) codes.push(((await outcome(client(url, undefined, office))) as Refusal).data!.error.code);
    expect(codes.slice(0, 30)).toEqual(Array.from({ length: 30 }, () => 'UNAUTHENTICATED'));
    expect(codes[30]).toBe('RATE_LIMITED');
    // Another address is not affected.
    expect(((await outcome(client(url, undefined, { 'X-Forwarded-For': '203.0.113.8' }))) as Refusal).data!.error.code).toBe('UNAUTHENTICATED');
  });
});

describe('real-time: slots and budgets when an instance or Redis fails', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({});
  });
  afterAll(() => h.close());

  it('frees the slots of an instance that stopped without releasing them (a crash) after CONNECTION_SLOT_TTL_SECONDS, and keeps a live instance\'s', async () => {
    const prefix = `${h.config.REDIS_KEY_PREFIX}slots-test:`;
    const crashed = new ConnectionSlots(h.container.redis, prefix, h.container.logger, 1500);
    const live = new ConnectionSlots(h.container.redis, prefix, h.container.logger, 1500);
    try {
      expect((await crashed.acquire('socket:member:a', 2)).acquired).toBe(true);
      expect((await live.acquire('socket:member:a', 2)).acquired).toBe(true);
      expect(await live.acquire('socket:member:a', 2)).toMatchObject({ acquired: false, held: 2 });
      crashed.close();
      // The live instance refreshes its slot every ttl/3; the crashed one's lapses.
      await new Promise((r) => setTimeout(r, 2500));
      expect(await live.count('socket:member:a')).toBe(1);
      expect((await live.acquire('socket:member:a', 2)).acquired).toBe(true);
    } finally {
      crashed.close();
      live.close();
    }
  });

  it('fails open while Redis is unreachable: events and connections are allowed, and a warning is logged', async () => {
    const dead = createRedis('redis://127.0.0.1:1', h.container.logger, 'dead', { retryStrategy: () => null, maxRetriesPerRequest: 0 });
    try {
      const budget = redisBudget({ redis: dead, logger: h.container.logger, prefix: 'x:', windowMs: 60_000, limit: 1 });
      expect(await Promise.all([budget.take('k'), budget.take('k')])).toEqual([{ allowed: true }, { allowed: true }]);
      const slots = new ConnectionSlots(dead, 'x:', h.container.logger, 60_000);
      const answers = await Promise.all([slots.acquire('socket:member:x', 1), slots.acquire('socket:member:x', 1)]);
      expect(answers.map((a) => a.acquired)).toEqual([true, true]);
      slots.close();
      expect(h.logs.some((l) => l.message === 'rate limiter unavailable, allowing (fail open)')).toBe(true);
      expect(h.logs.some((l) => l.message === 'connection slots unavailable, allowing (fail open)')).toBe(true);
    } finally {
      dead.disconnect();
    }
  });
});
