// Baseline for bench:queue: a BullMQ worker that does no work at all.
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';

const connection = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
const worker = new Worker('bare', async () => undefined, { connection, prefix: process.env.BARE_PREFIX, concurrency: Number(process.env.CONCURRENCY ?? 4) });
process.on('SIGTERM', () => void worker.close().then(() => process.exit(0)));
