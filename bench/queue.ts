// bench:queue — N simulated-engine renders (1 frame each: a chunk job and its finalize parent, so 2N
// BullMQ jobs) enqueued through RenderService and processed by 2 render worker processes, against the same
// number of BullMQ jobs through a bare producer/worker pair doing no work, in the same run. Prints one JSON
// line with queue jobs/s on both sides (and renders/s) and whether MongoDB and the queue agree at the end.
// BENCH_JOBS = renders (default 2000), BENCH_CONCURRENCY per worker (default 4).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config/env';
import { createLogger } from '../src/infra/logging/logger';
import { connectMongo } from '../src/infra/database/mongo';
import { createRedis, redisReady } from '../src/infra/cache/redis';
import { buildContainer } from '../src/container';
import { syncIndexes } from '../src/app/repositories/models';
import { round, startServices } from './lib/harness';

const N = Number(process.env.BENCH_JOBS ?? 2000);
const JOBS_PER_RENDER = 2;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);

function spawnWorker(entry: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', entry], { env: { ...process.env, ...env }, stdio: ['ignore', process.env.BENCH_DEBUG ? 'inherit' : 'ignore', 'inherit'] });
}
const stop = (children: ChildProcess[]) =>
  Promise.all(children.map((c) => new Promise<void>((r) => (c.exitCode !== null ? r() : (c.once('exit', () => r()), c.kill('SIGTERM'))))));

async function main() {
  const dbg = (m: string) => process.env.BENCH_DEBUG && process.stderr.write(`[bench] ${m}\n`);
  const services = await startServices();
  dbg('services up');
  const env = {
    NODE_ENV: 'development',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error',
    MONGO_URI: services.mongoUri,
    REDIS_URL: services.redisUrl,
    REDIS_KEY_PREFIX: 'bench:',
    STORAGE_LOCAL_ROOT: path.join(services.dir, 'storage'),
    TUS_STAGING_DIR: path.join(services.dir, 'tus'),
    RENDER_CONCURRENCY: String(CONCURRENCY),
    SIMULATED_RENDER_MS_PER_FRAME: '0',
  };
  const config = loadConfig(env);
  const logger = createLogger({ level: 'error', service: 'bench' });
  const mongo = await connectMongo({ uri: config.MONGO_URI!, logger });
  const redis = createRedis(config.REDIS_URL!, logger, 'bench');
  await redisReady(redis, 5000);
  const c = buildContainer({ config, logger, mongo, redis });
  await syncIndexes(c.models);
  dbg('indexes');
  const children: ChildProcess[] = [];
  try {
    // One studio, one asset with one version to render.
    // Straight through the repositories: registering needs a mailed link, which is not what this measures.
    const studio = await c.repos.studios.create({ name: 'Bench Farm', slug: `bench-farm-${Date.now()}` });
    const account = await c.repos.accounts.create({ email: `farm-${Date.now()}@bench.test`, name: 'Bench', passwordHash: 'not used', emailVerifiedAt: new Date() });
    const member = await c.repos.users.create(studio._id, { accountId: account._id, email: account.email, name: 'Bench', role: 'PRODUCER' });
    dbg('registered');
    const actor = { id: String(member._id), studioId: String(studio._id), role: member.role };
    const asset = await c.services.assets.create(actor, { name: 'Bench shot', type: 'SHOT' });
    await c.services.versions.upload(actor, asset.id, { stream: Readable.from([Buffer.from('; FBX 7.4.0 project file\n')]), originalName: 'scene.fbx' });

    dbg('version uploaded');
    for (let i = 0; i < 2; i++) children.push(spawnWorker(path.resolve(__dirname, '../src/workers/render.worker.ts'), env));
    const t0 = Date.now();
    for (let i = 0; i < N; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, N - i) }, () => c.services.renders.create(actor, asset.id, { engine: 'simulated', frames: { start: 1, end: 1 } })));
    }
    const enqueueSeconds = (Date.now() - t0) / 1000;
    dbg(`enqueued in ${enqueueSeconds}s`);
    // Polls Redis, not MongoDB: a count over every render is a full scan on FerretDB and would compete
    // with the workers being measured. MongoDB is checked once the queue is empty.
    const pendingInQueue = async () => {
      const k = (await c.queue.counts()).render;
      return (k.waiting ?? 0) + (k.active ?? 0) + (k.delayed ?? 0) + (k.prioritized ?? 0) + (k['waiting-children'] ?? 0);
    };
    for (;;) {
      const done = (await pendingInQueue()) === 0 ? await c.models.RenderJob.countDocuments({ status: { $in: ['COMPLETED', 'FAILED'] } }) : 0;
      if (done >= N) break;
      if (Date.now() - t0 > 60 * 60_000) throw new Error(`only ${done}/${N} finished within an hour`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const apiSeconds = (Date.now() - t0) / 1000;
    const counts = (await c.queue.counts()).render;
    const agree = {
      mongoCompleted: await c.models.RenderJob.countDocuments({ status: 'COMPLETED' }),
      mongoNotCompleted: await c.models.RenderJob.countDocuments({ status: { $ne: 'COMPLETED' } }),
      chunksNotCompleted: await c.models.RenderChunk.countDocuments({ status: { $ne: 'COMPLETED' } }),
      queuePendingOrFailed: (counts.waiting ?? 0) + (counts.active ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0) + (counts['waiting-children'] ?? 0) + (counts.failed ?? 0),
    };
    await stop(children.splice(0));

    // Baseline: the same number of BullMQ jobs through a bare pair, 2 worker processes doing nothing.
    const bareJobs = N * JOBS_PER_RENDER;
    const bareEnv = { REDIS_URL: services.redisUrl, BARE_PREFIX: 'barebench', CONCURRENCY: String(CONCURRENCY) };
    for (let i = 0; i < 2; i++) children.push(spawnWorker(path.resolve(__dirname, 'baselines/bare-bullmq-worker.ts'), bareEnv));
    const conn = new Redis(services.redisUrl, { maxRetriesPerRequest: null });
    const bare = new Queue('bare', { connection: conn, prefix: 'barebench' });
    const b0 = Date.now();
    for (let i = 0; i < bareJobs; i += 500) await bare.addBulk(Array.from({ length: Math.min(500, bareJobs - i) }, (_, j) => ({ name: 'noop', data: { i: i + j } })));
    while ((await bare.getJobCountByTypes('completed')) < bareJobs) await new Promise((r) => setTimeout(r, 100));
    const bareSeconds = (Date.now() - b0) / 1000;
    await bare.close();
    conn.disconnect();

    const apiRate = (N * JOBS_PER_RENDER) / apiSeconds;
    const bareRate = bareJobs / bareSeconds;
    process.stdout.write(
      `${JSON.stringify({
        bench: 'queue',
        renders: N,
        queueJobs: N * JOBS_PER_RENDER,
        workers: 2,
        concurrencyPerWorker: CONCURRENCY,
        api: { jobsPerSecond: round(apiRate), rendersPerSecond: round(N / apiSeconds), seconds: round(apiSeconds, 1), enqueueSeconds: round(enqueueSeconds, 1) },
        bareBullmq: { jobsPerSecond: round(bareRate), seconds: round(bareSeconds, 1) },
        overhead: round(bareRate / apiRate, 1),
        agree: { ...agree, ok: agree.mongoCompleted === N && agree.mongoNotCompleted === 0 && agree.chunksNotCompleted === 0 && agree.queuePendingOrFailed === 0 },
        targets: { overheadAtMost: 2 },
        met: bareRate / apiRate <= 2,
      })}\n`,
    );
  } finally {
    await stop(children);
    await c.dispose();
    await mongo.close();
    redis.disconnect();
    await services.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:queue failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
