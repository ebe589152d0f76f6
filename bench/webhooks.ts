// bench:webhooks — BENCH_EVENTS events (default 1,000; the figure is 10,000) logged through the
// EventLogService and fanned out to BENCH_ENDPOINTS endpoints (default 10) on loopback, delivered by
// BENCH_WORKERS webhook worker processes (default 2, WEBHOOK_CONCURRENCY each). Measures deliveries/s and
// the delay from an event's time to its receipt (p50, p99), and counts by event id per endpoint that
// nothing was lost and what was duplicated (at-least-once allows it; it should be 0 here). The baseline,
// in the same run: the same number of signed POSTs sent straight from this process to the same receivers
// with the same total concurrency (no log, no queue, no database). One JSON line.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
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

interface Receiver {
  url: string;
  /** Receipts per event id, and each event's delay from its time to its first receipt. */
  seen: Map<string, number>;
  delays: number[];
  close(): Promise<void>;
}

async function receiver(): Promise<Receiver> {
  const seen = new Map<string, number>();
  const delays: number[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      const e = JSON.parse(body) as { id: string; time: string };
      const n = (seen.get(e.id) ?? 0) + 1;
      seen.set(e.id, n);
      if (n === 1) delays.push(Date.now() - Date.parse(e.time));
      res.end('ok');
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, seen, delays, close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : 0;
};

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
  };
  const config = loadConfig(env);
  const logger = createLogger({ level: 'error', service: 'bench' });
  const mongo = await connectMongo({ uri: config.MONGO_URI!, logger });
  const redis = createRedis(config.REDIS_URL!, logger, 'bench');
  await redisReady(redis, 5000);
  const c = buildContainer({ config, logger, mongo, redis });
  await syncIndexes(c.models);
  const receivers = await Promise.all(Array.from({ length: ENDPOINTS }, receiver));
  const children: ChildProcess[] = [];
  try {
    const studio = await c.repos.studios.create({ name: 'Bench Hooks', slug: `bench-hooks-${Date.now()}` });
    const account = await c.repos.accounts.create({ email: `hooks-${Date.now()}@bench.test`, name: 'Bench', passwordHash: 'not used', emailVerifiedAt: new Date() });
    const member = await c.repos.users.create(studio._id, { accountId: account._id, email: account.email, name: 'Bench', role: 'PRODUCER' });
    const actor = { id: String(member._id), studioId: String(studio._id), role: member.role };
    for (const r of receivers) await c.services.webhooks.create(actor, { url: r.url, events: ['asset.created'] });
    for (let i = 0; i < WORKERS; i++) children.push(spawnWorker(env));

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
    process.stdout.write(
      `${JSON.stringify({
        bench: 'webhooks',
        events: EVENTS,
        endpoints: ENDPOINTS,
        deliveries: expected,
        workers: WORKERS,
        concurrencyPerWorker: CONCURRENCY,
        api: { deliveriesPerSecond: round(rate), seconds: round(seconds, 1), eventsLoggedPerSecond: round(EVENTS / logSeconds), delayMs: { p50: pct(delays, 50), p99: pct(delays, 99) } },
        bareSignedPosts: { deliveriesPerSecond: round(bareRate), seconds: round(bareSeconds, 1) },
        overhead: round(bareRate / rate, 1),
        lost,
        duplicated,
        ok: lost === 0,
      })}\n`,
    );
  } finally {
    for (const ch of children) ch.kill('SIGTERM');
    for (const r of receivers) await r.close();
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
