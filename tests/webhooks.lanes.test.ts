// The webhook lanes' own guarantees (issue 27, finding 7): MongoDB holds each delivery's truth and Redis only
// where it waits, so no delivery is lost or sent twice when a worker dies mid-attempt, when it dies between
// recording an attempt and moving the delivery in its lane, or when Redis loses the lanes; an endpoint never
// has more in flight than its concurrency, even past a claim a dead worker left; a studio slot of a dead
// worker lapses; and the queries over waiting deliveries are served by declared indexes.
import { Redis } from 'ioredis';
import { Types } from 'mongoose';
import { startHarness, type Harness } from './support/harness';
import { givenStudio, type Session } from './support/factories';
import { startReceiver, type Receiver } from './support/receiver';
import { waitFor, webhookWorkerFor } from './support/workers';
import type { WorkerHandle } from '../src/workers/worker-host';
import { reconcileWebhooks, type ReconcileWalk } from '../src/app/processors/webhook.processor';
import { dueQuery, waitingFilter } from '../src/app/repositories/WebhookRepository';
import { webhookDeliverySchema, type WebhookDeliveryDoc } from '../src/app/repositories/models/Webhook';
import { WebhookQueue } from '../src/infra/webhooks/WebhookQueue';
import { RedisSemaphore } from '../src/infra/cache/RedisSemaphore';
import { filterFields, indexKeys, servingIndex } from './support/indexCoverage';
import { MIGRATIONS_DIR } from '../src/infra/database/migrations';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const reconcilerIndex = require(`${MIGRATIONS_DIR}/20261208000000-webhook-reconciler-index.js`) as { up(db: unknown): Promise<void> };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('webhook lanes: nothing lost or sent twice across crashes and Redis loss', () => {
  let h: Harness;
  let worker: WorkerHandle;
  const receivers: Receiver[] = [];
  beforeAll(async () => {
    // A held receiver must not time out while a test keeps it waiting.
    h = await startHarness({ WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32', RATE_LIMIT_MAX: '100000', WEBHOOK_TIMEOUT_MS: '30000' });
    // The reconciler runs when a test says so (and once at start, finding nothing due a minute ago).
    worker = await webhookWorkerFor(h, { reconcileEveryMs: 3_600_000 });
  });
  afterAll(async () => {
    await worker.close();
    for (const r of receivers) await r.close();
    await h.close();
  });

  const receiver = async () => {
    const r = await startReceiver();
    receivers.push(r);
    return r;
  };
  const register = async (s: Session, url: string) => (await h.http.post('/webhooks').set(s.auth).send({ url, events: ['asset.created'] }).expect(201)).body as { id: string };
  const lane = (endpointId: string) => `${h.config.REDIS_KEY_PREFIX}webhooks:{${endpointId}}:lane`;
  /** Deliveries as a fan-out writes them, in event order, without their lane entries (Redis lost them, or the fan-out never reached it). */
  const unlaned = async (s: Session, endpointId: string, n: number): Promise<WebhookDeliveryDoc[]> => {
    const made: WebhookDeliveryDoc[] = [];
    for (let i = 0; i < n; i++) {
      const event = await h.container.eventLogRepo.append(s.user.studioId, { type: 'asset.created', actorId: null, data: { asset: { name: `unlaned ${i}` } } });
      made.push(...(await h.container.repos.webhooks.createDeliveries([{ studioId: event.studioId, endpointId: new Types.ObjectId(endpointId), eventId: event._id, eventSeq: event.seq, eventType: 'asset.created' }])));
    }
    return made;
  };
  const enter = (deliveries: WebhookDeliveryDoc[]) => h.container.deliveryQueue.enter(deliveries.map((d) => ({ endpointId: String(d.endpointId), deliveryId: String(d._id), dueAt: d.nextAttemptAt! })));
  const sentIds = (r: Receiver) => r.received.map((x) => x.headers['x-studio-delivery'] as string);

  it('walks every waiting delivery when Redis lost the lanes, past a backlog still in them, and sends each once', async () => {
    const s = await givenStudio(h, 'Lost Lanes Studio');
    const busy = await receiver();
    const release = busy.hold();
    const x = await register(s, busy.url);
    // X: six deliveries due, the first in flight (held by its receiver), five waiting behind it.
    for (let i = 0; i < 6; i++) await h.http.post('/assets').set(s.auth).send({ name: `Backlog ${i}`, type: 'PROP' }).expect(201);
    await waitFor("X's first delivery in flight", async () => busy.received.length === 1 || undefined, 10_000, 20);
    await waitFor("X's six deliveries in its lane", async () => (await h.container.redis.zcard(lane(x.id))) === 6 || undefined, 10_000, 20);
    // Y: seven deliveries due after X's, that Redis never held.
    const quiet = await receiver();
    const y = await register(s, quiet.url);
    const lost = await unlaned(s, y.id, 7);
    // Redis loses X's lane too (X's in-flight claim survives: the worst case for sending twice).
    await h.container.redis.del(lane(x.id));

    // Three at a time and one batch a pass: the walk must get past X's waiting backlog to Y's.
    const walk: ReconcileWalk = {};
    for (let pass = 0; pass < 8 && quiet.received.length < 7; pass++) {
      await reconcileWebhooks({ webhooks: h.container.repos.webhooks, queue: h.container.deliveryQueue, graceMs: 0, walk, batch: 3, batches: 1 });
      await sleep(300);
    }
    await waitFor("Y's seven deliveries", async () => quiet.received.length >= 7 || undefined, 10_000, 50);
    expect(sentIds(quiet)).toEqual(lost.map((d) => String(d._id)));

    release();
    await waitFor("X's six deliveries", async () => busy.received.length >= 6 || undefined, 15_000, 50);
    await sleep(500);
    const xIds = sentIds(busy);
    expect(new Set(xIds).size).toBe(6);
    expect(xIds).toHaveLength(6);
    expect(busy.received.map((r) => r.json.seq)).toEqual([...busy.received.map((r) => r.json.seq)].sort((a, b) => a - b));
  });

  it("sends neither a delivery a dead worker claimed nor the one behind it until the claim lapses, then each once, in order", async () => {
    const s = await givenStudio(h, 'Dead Worker Studio');
    const r = await receiver();
    const hook = await register(s, r.url);
    const [first, second] = await unlaned(s, hook.id, 2);
    await enter([first!, second!]);
    // A worker claimed the first delivery (a 1.5 s claim) and died before sending or recording anything.
    const dead = new WebhookQueue(h.container.queue, h.container.redis, h.config.REDIS_KEY_PREFIX, 1500);
    expect((await dead.take(hook.id, new Date(), 1)).deliveryId).toBe(String(first!._id));
    const claimedAt = Date.now();
    await h.container.deliveryQueue.turn({ studioId: s.user.studioId, endpointId: hook.id, slot: 0 });
    await sleep(800);
    // One at a time per endpoint: the claim counts, so the second does not overtake the first.
    expect(r.received).toHaveLength(0);

    await sleep(Math.max(0, claimedAt + 1600 - Date.now()));
    await reconcileWebhooks({ webhooks: h.container.repos.webhooks, queue: h.container.deliveryQueue, graceMs: 0 });
    await waitFor('both deliveries', async () => r.received.length >= 2 || undefined, 10_000, 50);
    await sleep(300);
    expect(sentIds(r)).toEqual([String(first!._id), String(second!._id)]);
    const stored = await h.container.models.WebhookDelivery.find({ _id: { $in: [first!._id, second!._id] } }).sort({ _id: 1 }).lean();
    expect(stored.map((d) => [d.status, d.attempts, d.nextAttemptAt])).toEqual([['SUCCEEDED', 1, null], ['SUCCEEDED', 1, null]]);
  });

  it('keeps a retry recorded by a worker that died before moving its lane entry waiting for its back-off', async () => {
    const s = await givenStudio(h, 'Half Recorded Studio');
    const r = await receiver();
    const hook = await register(s, r.url);
    const [d] = await unlaned(s, hook.id, 1);
    await enter([d!]);
    // The worker sent it, got a 503 and recorded the retry in MongoDB, then died: the lane still says "due now".
    const retryAt = new Date(Date.now() + 2500);
    await h.container.repos.webhooks.recordAttempt(d!._id, { status: 'RETRYING', attempts: 1, lastStatusCode: 503, lastError: 'HTTP 503', lastDurationMs: 5, nextAttemptAt: retryAt, deliveredAt: null });
    await h.container.deliveryQueue.turn({ studioId: s.user.studioId, endpointId: hook.id, slot: 0 });
    await waitFor('the lane entry moved to the recorded time', async () => Number(await h.container.redis.zscore(lane(hook.id), String(d!._id))) === retryAt.getTime() || undefined, 5000, 20);
    expect(r.received).toHaveLength(0);

    const got = await waitFor('the retry', async () => r.received[0], 10_000, 50);
    expect(got.at).toBeGreaterThanOrEqual(retryAt.getTime());
    expect(got.headers['x-studio-attempt']).toBe('2');
    await sleep(300);
    expect(r.received).toHaveLength(1);
  });

  it('frees a studio slot whose holder died (stopped renewing) after one lease, and never gives more than the limit', async () => {
    const dying = new Redis(h.config.REDIS_URL!, { maxRetriesPerRequest: 0 });
    const name = `studio:${new Types.ObjectId().toHexString()}`;
    const prefix = `${h.config.REDIS_KEY_PREFIX}semaphore-test:`;
    const other = new RedisSemaphore(h.container.redis, prefix, 600);
    const held = await new RedisSemaphore(dying, prefix, 600).acquire(name, 2);
    const second = await other.acquire(name, 2);
    expect([held, second].every(Boolean)).toBe(true);
    expect(await other.acquire(name, 2)).toBeNull();
    // The first holder's process dies: no release, no renewal.
    dying.disconnect();
    await sleep(300);
    expect(await other.acquire(name, 2)).toBeNull();
    const third = await waitFor('the lapsed slot', async () => (await other.acquire(name, 2)) ?? undefined, 3000, 50);
    // The living holder kept renewing past its lease, so the limit still holds.
    expect(await other.acquire(name, 2)).toBeNull();
    await second!.release();
    await third.release();
    const again = await other.acquire(name, 2);
    expect(again).not.toBeNull();
    await again!.release();
  });

  it("serves an endpoint's waiting deliveries (pause, its end, deletion) and the reconciler's walk from declared indexes", () => {
    const indexes = indexKeys(webhookDeliverySchema);
    const waiting = waitingFilter(new Types.ObjectId(), new Types.ObjectId());
    expect(filterFields(waiting)).toEqual({ equality: ['studioId', 'endpointId'], range: ['nextAttemptAt'] });
    expect(servingIndex(indexes, ['studioId', 'endpointId'], ['nextAttemptAt'], {})).toEqual([['studioId', 1], ['endpointId', 1], ['nextAttemptAt', 1]]);
    // The walk: a range on nextAttemptAt, sorted by it and _id, and after a cursor the same two fields.
    const first = dueQuery(new Date());
    expect(filterFields(first)).toEqual({ equality: [], range: ['nextAttemptAt'] });
    expect(servingIndex(indexes, [], [], { nextAttemptAt: 1, _id: 1 })).toEqual([['nextAttemptAt', 1], ['_id', 1]]);
    const next = dueQuery(new Date(), { nextAttemptAt: new Date(0), id: new Types.ObjectId() }) as { $or: Array<Record<string, unknown>> };
    expect(next.$or.map((branch) => Object.keys(branch))).toEqual([['nextAttemptAt'], ['nextAttemptAt', '_id']]);
  });

  it("the migration drops the index only the old reconciler query used and keeps the walk's; a re-run changes nothing", async () => {
    const deliveries = h.container.models.WebhookDelivery.collection;
    // What an older release built at start-up.
    await deliveries.createIndex({ status: 1, nextAttemptAt: 1 });
    await reconcilerIndex.up(h.container.mongo.db);
    await reconcilerIndex.up(h.container.mongo.db);
    const names = (await deliveries.indexes()).map((i) => i.name);
    expect(names).not.toContain('status_1_nextAttemptAt_1');
    expect(names).toContain('nextAttemptAt_1__id_1');
  });
});
