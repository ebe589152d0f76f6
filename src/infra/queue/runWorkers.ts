// Runs BullMQ workers for some queues, dispatching each job by name to exactly one processor.
// Job failures are logged and counted here, in one place.
import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger } from '../logging/logger';
import type { Metrics } from '../metrics/metrics';
import { jobsOf, type JobMap, type JobName, type QueueName } from './jobs';

/** `token` is the worker's lock on the job, for moving it (e.g. back to delayed) from inside the processor. */
export type Processor<K extends JobName> = (job: Job<JobMap[K]>, token?: string) => Promise<unknown>;
export type Processors = { [K in JobName]?: Processor<K> };

export interface RunWorkersOptions {
  connection: ConnectionOptions;
  prefix: string;
  queues: Partial<Record<QueueName, { concurrency: number }>>;
  processors: Processors;
  logger: Logger;
  metrics: Metrics;
  /** How long a job's lock lasts without renewal; a worker killed mid-job is detected after this. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

export function runWorkers(o: RunWorkersOptions): { workers: Worker[]; close(): Promise<void> } {
  const queues = Object.keys(o.queues) as QueueName[];
  // Boot-time check: every job of a served queue has exactly one handler, so nothing is silently dropped.
  const missing = queues.flatMap(jobsOf).filter((name) => !o.processors[name]);
  if (missing.length) throw new Error(`No processor for job(s): ${missing.join(', ')}`);

  const completed = o.metrics.counter('jobs_completed_total', 'Jobs completed', ['queue', 'name']);
  const failed = o.metrics.counter('jobs_failed_total', 'Jobs failed (each failed attempt)', ['queue', 'name', 'code']);
  const duration = o.metrics.histogram('job_duration_seconds', 'Job processing time', ['queue', 'name'], [0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800]);

  const workers = queues.map((queue) => {
    const worker = new Worker(
      queue,
      async (job: Job, token?: string) => {
        const processor = o.processors[job.name as JobName] as Processor<JobName> | undefined;
        if (!processor) throw new Error(`No processor for job ${job.name}`);
        const end = duration.startTimer({ queue, name: job.name });
        try {
          return await processor(job as Job<JobMap[JobName]>, token);
        } finally {
          end();
        }
      },
      {
        connection: o.connection,
        prefix: o.prefix,
        concurrency: o.queues[queue]!.concurrency,
        lockDuration: o.lockDurationMs ?? 30_000,
        stalledInterval: o.stalledIntervalMs ?? 30_000,
        maxStalledCount: 2,
      },
    );
    worker.on('completed', (job) => completed.inc({ queue, name: job.name }));
    worker.on('failed', (job, err) => {
      const code = (err as { code?: string }).code ?? 'ERROR';
      failed.inc({ queue, name: job?.name ?? 'unknown', code });
      o.logger.warn('job failed', { queue, job: job?.name, jobId: job?.id, attempt: job?.attemptsMade, code, err: err.message });
    });
    worker.on('error', (err) => o.logger.error('worker error', { queue, err: err.message }));
    return worker;
  });
  return {
    workers,
    close: async () => {
      // close() waits for active jobs to finish; a second signal's hard stop leaves them to stalled recovery.
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
