// Fair use of the webhook workers (issue 27, finding 7): one studio's slow endpoints and their backlog do not
// delay another studio's deliveries; a studio has at most WEBHOOK_STUDIO_CONCURRENCY deliveries in flight
// across every webhook worker, an endpoint one at a time and in event order; a receiver that keeps failing
// is paused instead of being sent every event; and the caps on endpoints per studio and deliveries waiting
// per endpoint hold, with what was dropped shown in the delivery log. Only the public surface: the same file
// runs against main, where these fail. The lanes' own guarantees (crashes, Redis loss) are in webhooks.lanes.
import { Types } from 'mongoose';
import { startHarness, type Harness } from './support/harness';
import { givenStudio, type Session } from './support/factories';
import { inFlightCounter, startReceiver, type Receiver } from './support/receiver';
import { waitFor, webhookWorkerFor } from './support/workers';
import type { WorkerHandle } from '../src/workers/worker-host';

const STUDIO_CONCURRENCY = 2;
const MAX_ENDPOINTS = 9;
const MAX_PENDING = 4;

describe('webhooks: fair share of the webhook workers between studios', () => {
  let h: Harness;
  const workers: WorkerHandle[] = [];
  const receivers: Receiver[] = [];
  beforeAll(async () => {
    h = await startHarness({
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
      RATE_LIMIT_MAX: '100000',
      WEBHOOK_CONCURRENCY: '8',
      // A held receiver must not time out while the backlog test builds its backlog.
      WEBHOOK_TIMEOUT_MS: '30000',
      WEBHOOK_STUDIO_CONCURRENCY: String(STUDIO_CONCURRENCY),
      WEBHOOK_MAX_ENDPOINTS_PER_STUDIO: String(MAX_ENDPOINTS),
      WEBHOOK_MAX_PENDING_PER_ENDPOINT: String(MAX_PENDING),
    });
    // Two workers, as two processes would be: 16 deliveries at once between them.
    workers.push(await webhookWorkerFor(h), await webhookWorkerFor(h));
  });
  afterAll(async () => {
    for (const w of workers) await w.close();
    for (const r of receivers) await r.close();
    await h.close();
  });

  const receiver = async (options?: Parameters<typeof startReceiver>[0]) => {
    const r = await startReceiver(options);
    receivers.push(r);
    return r;
  };
  const register = async (s: Session, url: string) => (await h.http.post('/webhooks').set(s.auth).send({ url, events: ['asset.created'] }).expect(201)).body as { id: string };
  const newAsset = async (s: Session, name: string) => (await h.http.post('/assets').set(s.auth).send({ name, type: 'PROP' }).expect(201)).body as { id: string };
  const deliveries = (s: Session) => h.container.models.WebhookDelivery.countDocuments({ studioId: new Types.ObjectId(s.user.studioId) });

  it("delivers studio B's event before studio A's slow backlog, and A never has more than its share in flight", async () => {
    const a = await givenStudio(h, 'Slow Hooks Studio');
    const b = await givenStudio(h, 'Quick Hooks Studio');
    // A: 8 endpoints that answer 200 after a second, 3 events each: 24 deliveries, at least 12 s of sending
    // at A's share of 2. On main all 24 were queued ahead of B's and the 16 worker slots took them first.
    const aInFlight = inFlightCounter();
    const slow = await Promise.all(Array.from({ length: 8 }, () => receiver({ answerAfterMs: 1000, group: aInFlight })));
    for (const r of slow) await register(a, r.url);
    const fast = await receiver();
    await register(b, fast.url);

    for (let i = 0; i < 3; i++) await newAsset(a, `Slow ${i}`);
    await waitFor("A's 24 deliveries", async () => (await deliveries(a)) === 24 || undefined, 15_000, 20);
    await newAsset(b, 'Quick');
    const got = await waitFor("B's delivery", async () => fast.received[0], 30_000, 20);

    // B's delivery waited for at most a few of A's turns, not for A's backlog: fewer of A's requests arrived
    // before it than three rounds of A's share (on main: at least 16).
    const aFirst = slow.flatMap((r) => r.received).filter((x) => x.order < got.order).length;
    expect(aFirst).toBeLessThanOrEqual(3 * STUDIO_CONCURRENCY);

    await waitFor("A's backlog", async () => slow.every((r) => r.received.length === 3) || undefined, 60_000, 100);
    // Across both workers A had at most its share in flight (requests open at its receivers at once; on
    // main up to 16), each endpoint one at a time, in event order.
    expect(aInFlight.maxInFlight).toBeLessThanOrEqual(STUDIO_CONCURRENCY);
    for (const r of slow) {
      expect(r.maxInFlight).toBe(1);
      const seqs = r.received.map((x) => x.json.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    }
  });

  it('refuses a studio its 10th endpoint (9 allowed), also when many are registered at once', async () => {
    const c = await givenStudio(h, 'Many Hooks Studio');
    const r = await receiver();
    const answers = await Promise.all(Array.from({ length: MAX_ENDPOINTS + 3 }, () => h.http.post('/webhooks').set(c.auth).send({ url: r.url, events: ['asset.created'] })));
    expect(answers.filter((x) => x.status === 201)).toHaveLength(MAX_ENDPOINTS);
    const refused = answers.filter((x) => x.status !== 201);
    expect(refused.map((x) => [x.status, x.body.error.code])).toEqual(Array.from({ length: 3 }, () => [409, 'WEBHOOK_LIMIT_REACHED']));
    expect(refused[0]!.body.error.message).toBe(`Your studio already has ${MAX_ENDPOINTS} webhooks, the most it may have. Delete one it no longer uses, or add these event types to an existing one`);
    const listed = (await h.http.get('/webhooks').set(c.auth).expect(200)).body.data as Array<{ id: string }>;
    expect(listed).toHaveLength(MAX_ENDPOINTS);
    // Deleting one makes room for one.
    await h.http.delete(`/webhooks/${listed[0]!.id}`).set(c.auth).expect(204);
    await h.http.post('/webhooks').set(c.auth).send({ url: r.url, events: ['asset.created'] }).expect(201);
    expect((await h.http.post('/webhooks').set(c.auth).send({ url: r.url, events: ['asset.created'] })).status).toBe(409);
  });

  it('drops the newest deliveries past the waiting cap, says so in the delivery log and on the endpoint, and keeps the events in the log', async () => {
    const d = await givenStudio(h, 'Backlogged Studio');
    const r = await receiver();
    const release = r.hold();
    const hook = await register(d, r.url);
    for (let i = 1; i <= 7; i++) {
      await newAsset(d, `Backlog ${i}`);
      await waitFor(`delivery ${i}`, async () => (await deliveries(d)) === i || undefined, 10_000, 20);
    }
    // The first is being sent (held by the receiver); 4 wait at most, counting it; events 5 to 7 are dropped.
    const log = (await h.http.get(`/webhooks/${hook.id}/deliveries`).query({ limit: 20 }).set(d.auth).expect(200)).body.data as Array<{ status: string; eventSeq: number; lastError: string | null; nextAttemptAt: string | null }>;
    const bySeq = [...log].sort((x, y) => x.eventSeq - y.eventSeq);
    expect(bySeq.map((x) => x.status)).toEqual(['PENDING', 'PENDING', 'PENDING', 'PENDING', 'DROPPED', 'DROPPED', 'DROPPED']);
    expect(bySeq[4]).toMatchObject({ nextAttemptAt: null, lastError: `Not sent: ${MAX_PENDING} deliveries were already waiting for this endpoint. The event stays in the event log (number ${bySeq[4]!.eventSeq}) for the receiver to read.` });
    const endpoint = (await h.http.get(`/webhooks/${hook.id}`).set(d.auth).expect(200)).body;
    expect(endpoint.lastDroppedAt).toEqual(expect.any(String));
    const test = await h.http.post(`/webhooks/${hook.id}/test`).set(d.auth);
    expect([test.status, test.body.error?.code]).toEqual([409, 'WEBHOOK_BACKLOG_FULL']);

    release();
    await waitFor('the four kept deliveries', async () => r.received.length === 4 || undefined, 20_000, 50);
    await new Promise((x) => setTimeout(x, 500));
    const sent = r.received.map((x) => x.json.seq);
    expect(sent).toEqual(bySeq.slice(0, 4).map((x) => x.eventSeq));
    const events = (await h.http.get('/events').set(d.auth).expect(200)).body.data as Array<{ seq: number; type: string }>;
    expect(events.filter((e) => e.type === 'asset.created').map((e) => e.seq)).toEqual(bySeq.map((x) => x.eventSeq));
  });

  it('pauses an endpoint after two failures in a row instead of sending it every event, and a test event ends the pause', async () => {
    const e = await givenStudio(h, 'Broken Receiver Studio');
    const r = await receiver();
    r.answers.push(503, 503);
    const hook = await register(e, r.url);
    for (let i = 1; i <= 3; i++) await newAsset(e, `Broken ${i}`);
    await waitFor('two failed attempts', async () => r.received.length >= 2 || undefined, 15_000, 20);
    const paused = await waitFor('the pause', async () => {
      const x = (await h.http.get(`/webhooks/${hook.id}`).set(e.auth)).body;
      return x.pausedUntil ? x : undefined;
    }, 5000, 20);
    expect(paused.failingSince).toEqual(expect.any(String));
    // The pause lasts at least the second attempt's back-off (10 s ± 25%); meanwhile nothing more is sent
    // (on main each of the 3 deliveries made its first attempt at once).
    await new Promise((x) => setTimeout(x, 1000));
    expect(r.received).toHaveLength(2);
    const waiting = ((await h.http.get(`/webhooks/${hook.id}/deliveries`).set(e.auth)).body.data as Array<{ status: string; nextAttemptAt: string }>).filter((x) => x.status === 'PENDING');
    expect(waiting.map((x) => x.nextAttemptAt)).toEqual([paused.pausedUntil]);

    // The receiver is fixed: a test event goes at once, and its success sends everything held back.
    await h.http.post(`/webhooks/${hook.id}/test`).set(e.auth).expect(202);
    await waitFor('the three events after the test', async () => r.received.filter((x) => x.json.type === 'asset.created').length === 5 || undefined, 5000, 20);
    expect(r.received[2]!.json.type).toBe('webhook.test');
    expect(Date.now()).toBeLessThan(Date.parse(paused.pausedUntil));
    const healed = (await h.http.get(`/webhooks/${hook.id}`).set(e.auth)).body;
    expect(healed).toMatchObject({ failingSince: null, pausedUntil: null });
    const settled = (await h.http.get(`/webhooks/${hook.id}/deliveries`).set(e.auth)).body.data as Array<{ status: string; eventType: string }>;
    expect(settled.map((x) => x.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
  });
});
