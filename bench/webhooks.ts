// bench:webhooks — BENCH_EVENTS events (default 1,000; the figure is 10,000) logged through the
// EventLogService and fanned out to BENCH_ENDPOINTS endpoints (default 10) on loopback, delivered by
// BENCH_WORKERS webhook worker processes (default 2, WEBHOOK_CONCURRENCY each). Measures deliveries/s and
// the delay from an event's time to its receipt (p50, p99), and counts by event id per endpoint that
// nothing was lost and what was duplicated (at-least-once allows it; it should be 0 here). The baseline,
// in the same run: the same number of signed POSTs sent straight from this process to the same receivers
// with the same total concurrency (no log, no queue, no database).
// Then fairness between studios (issue 27, finding 7): studio A has BENCH_SLOW_ENDPOINTS (8) endpoints that
// answer 200 after BENCH_SLOW_MS (2 s, under the 10 s timeout) and logs BENCH_SLOW_EVENTS (4) events; studio B
// logs one event for its one fast endpoint. B's delay from event to receipt behind A's backlog is compared
// with B's delay alone (the baseline, same run, same BENCH_FAIR_WORKERS worker processes at the default
// WEBHOOK_CONCURRENCY). One JSON line.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Types } from 'mongoose';
import { loadConfig } from '../src/config/env';
import { createLogger } from '../src/infra/logging/logger';
import { connectMongo } from '../src/infra/database/mongo';
import { createRedis, redisReady } from '../src/infra/cache/redis';
import { buildContainer } from '../src/container';
import { syncIndexes } from '../src/app/repositories/models';
import { UrlGuard } from '../src/infra/webhooks/UrlGuard';
import { WebhookSender } from '../src/infra/webhooks/WebhookSender';
import { round, startServices } from './lib/harness';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1000);
const ENDPOINTS = Number(process.env.BENCH_ENDPOINTS ?? 10);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const SLOW_ENDPOINTS = Number(process.env.BENCH_SLOW_ENDPOINTS ?? 8);
const SLOW_EVENTS = Number(process.env.BENCH_SLOW_EVENTS ?? 4);
const SLOW_MS = Number(process.env.BENCH_SLOW_MS ?? 2000);
const FAIR_WORKERS = Number(process.env.BENCH_FAIR_WORKERS ?? 1);
// The throughput run measures the delivery machinery against bare POSTs at the same concurrency, so by
// default neither the studio's share nor the endpoints' concurrency is below the workers' total.
const STUDIO_CONCURRENCY = Number(process.env.BENCH_STUDIO_CONCURRENCY ?? WORKERS * CONCURRENCY);
const ENDPOINT_CONCURRENCY = Number(process.env.BENCH_ENDPOINT_CONCURRENCY ?? Math.min(16, Math.ceil((WORKERS * CONCURRENCY) / ENDPOINTS)));

interface Receiver {
  url: string;
  /** Receipts per event id, and each event's delay from its time to its first receipt. */
  seen: Map<string, number>;
  delays: number[];
  close(): Promise<void>;
}

/** Every receipt of the run, in arrival order across receivers (who, and when). */
const arrivals: Array<{ receiver: Receiver; at: number }> = [];

/** A loopback endpoint; `answerAfterMs` makes it slow but successful. */
async function receiver(answerAfterMs = 0): Promise<Receiver> {
  const seen = new Map<string, number>();
  const delays: number[] = [];
  const self = {} as Receiver;
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      const e = JSON.parse(body) as { id: string; time: string };
      const n = (seen.get(e.id) ?? 0) + 1;
      seen.set(e.id, n);
      if (n === 1) delays.push(Date.now() - Date.parse(e.time));
      arrivals.push({ receiver: self, at: Date.now() });
      setTimeout(() => res.end('ok'), answerAfterMs);
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return Object.assign(self, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, seen, delays, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) });
}

async function until(what: string, done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : 0;
};

type Actor = { id: string; studioId: string; role: 'PRODUCER' };

function spawnWorker(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../src/workers/webhook.worker.ts')], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
}

async function main() {
  const services = await startServices();
  const env = {
    NODE_ENV: 'development',
    LOG_LEVEL: 'error',
    MONGO_URI: services.mongoUri,
    REDIS_URL: services.redisUrl,
    REDIS_KEY_PREFIX: 'benchwh:',
    STORAGE_LOCAL_ROOT: path.join(services.dir, 'storage'),
    TUS_STAGING_DIR: path.join(services.dir, 'tus'),
    WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
    WEBHOOK_CONCURRENCY: String(CONCURRENCY),
    WEBHOOK_STUDIO_CONCURRENCY: String(STUDIO_CONCURRENCY),
    WEBHOOK_ENDPOINT_CONCURRENCY: String(ENDPOINT_CONCURRENCY),
  };
  const config = loadConfig(env);
  const logger = createLogger({ level: 'error', service: 'bench' });
  const mongo = await connectMongo({ uri: config.MONGO_URI!, logger });
  const redis = createRedis(config.REDIS_URL!, logger, 'bench');
  await redisReady(redis, 5000);
  const c = buildContainer({ config, logger, mongo, redis });
  await syncIndexes(c.models);
  const receivers = await Promise.all(Array.from({ length: ENDPOINTS }, () => receiver()));
  const children: ChildProcess[] = [];
  const producerOf = async (name: string): Promise<Actor> => {
    const tag = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    const studio = await c.repos.studios.create({ name, slug: `bench-hooks-${tag}` });
    const account = await c.repos.accounts.create({ email: `hooks-${tag}@bench.test`, name: 'Bench', passwordHash: 'not used', emailVerifiedAt: new Date() });
    const member = await c.repos.users.create(studio._id, { accountId: account._id, email: account.email, name: 'Bench', role: 'PRODUCER' });
    return { id: String(member._id), studioId: String(studio._id), role: 'PRODUCER' };
  };
  const slow = await Promise.all(Array.from({ length: SLOW_ENDPOINTS }, () => receiver(SLOW_MS)));
  const fast = await receiver();
  try {
    const actor = await producerOf('Bench Hooks');
    for (const r of receivers) await c.services.webhooks.create(actor, { url: r.url, events: ['asset.created'] });
    for (let i = 0; i < WORKERS; i++) children.push(spawnWorker(env));
    // Every worker connected before the first event, so the figures are of delivering, not of starting up.
    for (const deadline = Date.now() + 120_000; (await c.queue.queue('webhooks').getWorkersCount()) < WORKERS; await new Promise((r) => setTimeout(r, 100))) {
      if (Date.now() > deadline) throw new Error('the webhook workers did not start within 2 minutes');
    }

    const t0 = Date.now();
    // Events arrive as from many requests at once (16 in flight): the log numbers them one by one, their
    // fan-outs overlap.
    let made = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let i = made++; i < EVENTS; i = made++) await c.services.eventLog.record(actor.studioId, 'asset.created', { asset: { id: `bench-${i}`, name: `Bench ${i}` } }, actor.id);
      }),
    );
    const logSeconds = (Date.now() - t0) / 1000;
    const expected = EVENTS * ENDPOINTS;
    const received = () => receivers.reduce((n, r) => n + r.seen.size, 0);
    while (received() < expected) {
      if (Date.now() - t0 > 60 * 60_000) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const seconds = (Date.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 1000));
    const lost = expected - received();
    const duplicated = receivers.reduce((n, r) => n + [...r.seen.values()].reduce((d, k) => d + (k - 1), 0), 0);
    const delays = receivers.flatMap((r) => r.delays);
    for (const ch of children.splice(0)) ch.kill('SIGTERM');
    // Where the delay goes: from the event's time to its delivery's row (the fan-out), and from there to the
    // recorded success (the queue and the attempt).
    const studioId = new Types.ObjectId(actor.studioId);
    const eventAt = new Map((await c.models.StudioEvent.find({ studioId }, { at: 1 }).lean()).map((e) => [String(e._id), e.at.getTime()]));
    const rows = await c.models.WebhookDelivery.find({ studioId }, { eventId: 1, createdAt: 1, deliveredAt: 1 }).lean();
    const fanOutMs = rows.map((d) => d.createdAt.getTime() - (eventAt.get(String(d.eventId)) ?? d.createdAt.getTime()));
    const queuedMs = rows.filter((d) => d.deliveredAt).map((d) => d.deliveredAt!.getTime() - d.createdAt.getTime());

    // Baseline: the same signed POSTs straight to the same receivers, WORKERS × CONCURRENCY at a time.
    for (const r of receivers) r.seen.clear();
    const sender = new WebhookSender(new UrlGuard({ allowHttp: true, allowedCidrs: ['127.0.0.1/32'] }), { timeoutMs: 10_000, maxResponseBytes: 4096, userAgent: 'bench' });
    const b0 = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: WORKERS * CONCURRENCY }, async () => {
        for (let k = next++; k < expected; k = next++) {
          const body = JSON.stringify({ id: `base-${Math.floor(k / ENDPOINTS)}`, seq: k, type: 'asset.created', time: new Date().toISOString(), studioId: actor.studioId, actorId: null, data: {} });
          await sender.send(receivers[k % ENDPOINTS]!.url, { secret: 'whsec_bench', body, headers: {} });
        }
      }),
    );
    const bareSeconds = (Date.now() - b0) / 1000;
    const rate = expected / seconds;
    const bareRate = expected / bareSeconds;

    // Fairness: fresh workers at the default concurrency, studio A's slow backlog, studio B's one event.
    const fairEnv: Record<string, string> = { ...env };
    // The defaults of an installation: 8 per worker, a studio's share of 4, one per endpoint.
    for (const k of ['WEBHOOK_CONCURRENCY', 'WEBHOOK_STUDIO_CONCURRENCY', 'WEBHOOK_ENDPOINT_CONCURRENCY']) delete fairEnv[k];
    for (let i = 0; i < FAIR_WORKERS; i++) children.push(spawnWorker(fairEnv));
    const a = await producerOf('Bench Slow Studio');
    const b = await producerOf('Bench Other Studio');
    for (const r of slow) await c.services.webhooks.create(a, { url: r.url, events: ['asset.created'] });
    await c.services.webhooks.create(b, { url: fast.url, events: ['asset.created'] });
    /** B logs one event; its delay from the event's time to its receipt. */
    const bDelivery = async (i: number) => {
      const before = fast.delays.length;
      await c.services.eventLog.record(b.studioId, 'asset.created', { asset: { id: `b-${i}`, name: `B ${i}` } }, b.id);
      await until("B's delivery", () => fast.delays.length > before, 10 * 60_000);
      return fast.delays[before]!;
    };
    // Baseline: B alone (the first also waits for the workers to start), median of three.
    await bDelivery(0);
    const alone = [await bDelivery(1), await bDelivery(2), await bDelivery(3)].sort((x, y) => x - y)[1]!;
    for (let i = 0; i < SLOW_EVENTS; i++) await c.services.eventLog.record(a.studioId, 'asset.created', { asset: { id: `a-${i}`, name: `A ${i}` } }, a.id);
    const mark = arrivals.length;
    const behind = await bDelivery(4);
    const slowBeforeB = arrivals.slice(mark, arrivals.findIndex((x, k) => k >= mark && x.receiver === fast)).length;
    const aExpected = SLOW_ENDPOINTS * SLOW_EVENTS;
    const aReceived = () => slow.reduce((n, r) => n + r.seen.size, 0);
    const a0 = Date.now();
    await until("A's backlog", () => aReceived() >= aExpected, 10 * 60_000);
    const aDrainSeconds = (Date.now() - a0) / 1000;
    for (const ch of children.splice(0)) ch.kill('SIGTERM');
    process.stdout.write(
      `${JSON.stringify({
        bench: 'webhooks',
        events: EVENTS,
        endpoints: ENDPOINTS,
        deliveries: expected,
        workers: WORKERS,
        concurrencyPerWorker: CONCURRENCY,
        studioConcurrency: STUDIO_CONCURRENCY,
        endpointConcurrency: ENDPOINT_CONCURRENCY,
        api: {
          deliveriesPerSecond: round(rate),
          seconds: round(seconds, 1),
          eventsLoggedPerSecond: round(EVENTS / logSeconds),
          delayMs: { p50: pct(delays, 50), p99: pct(delays, 99) },
          eventToDeliveryRowMs: { p50: pct(fanOutMs, 50), p99: pct(fanOutMs, 99) },
          deliveryRowToSuccessMs: { p50: pct(queuedMs, 50), p99: pct(queuedMs, 99) },
        },
        bareSignedPosts: { deliveriesPerSecond: round(bareRate), seconds: round(bareSeconds, 1) },
        overhead: round(bareRate / rate, 1),
        lost,
        duplicated,
        fairness: {
          workers: FAIR_WORKERS,
          slowEndpoints: SLOW_ENDPOINTS,
          eventsPerSlowEndpoint: SLOW_EVENTS,
          slowAnswerMs: SLOW_MS,
          bAloneMs: alone,
          bBehindSlowBacklogMs: behind,
          ratio: round(behind / Math.max(alone, 1), 1),
          slowDeliveriesStartedBeforeB: slowBeforeB,
          slowBacklogDrainedAfterSeconds: round(aDrainSeconds, 1),
        },
        ok: lost === 0,
      })}\n`,
    );
  } finally {
    for (const ch of children) ch.kill('SIGTERM');
    for (const r of [...receivers, ...slow, fast]) await r.close();
    await c.dispose();
    await mongo.close();
    redis.disconnect();
    await services.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:webhooks failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
