// The asset pipeline worker process: orchestration (`asset-pipeline`) and previews (`media`).
import path from 'node:path';
import { Redis as IORedis } from 'ioredis';
import { runWorker, type WorkerHandle } from './worker-host';
import type { BootedInfra } from '../bootstrap';
import { buildWorker } from '../container';
import { Ffmpeg } from '../infra/media/ffmpeg';
import { Sandbox } from '../infra/sandbox/Sandbox';
import { runWorkers } from '../infra/queue/runWorkers';
import { StudioEmitter } from '../infra/realtime/emitter';
import { processPreview, runPipeline, type PipelineDeps } from '../app/processors/pipeline.processor';
import { reconcilePipelines } from '../app/processors/pipeline.reconciler';

export async function startPipelineWorker(infra: BootedInfra, options: { lockDurationMs?: number; stalledIntervalMs?: number; reconcileEveryMs?: number } = {}): Promise<WorkerHandle> {
  const { config, logger } = infra;
  const sandbox = Sandbox.fromConfig(config);
  // Before taking any job: without a sandbox every preview would fail (or, with it off, ffmpeg would parse
  // uploads with the worker's view of the disk).
  if (sandbox.mode === 'bwrap') await sandbox.verify();
  else logger.warn('MEDIA_SANDBOX=off: media files are read without a sandbox; only for a trusted single-studio installation');
  const c = buildWorker(infra);
  const emitter = new StudioEmitter(infra.redis, config.REDIS_KEY_PREFIX);
  const deps: PipelineDeps = {
    pipelines: c.repos.pipelines,
    versions: c.repos.versions,
    studios: c.repos.studios,
    storage: c.storage,
    ffmpeg: Ffmpeg.fromConfig(config, sandbox),
    queue: c.queue,
    renders: c.services.renders,
    blobs: c.services.blobs,
    emit: (studioId, payload) => {
      emitter.toStudio(studioId, 'pipeline:update', payload);
      void c.services.eventLog.record(studioId, 'pipeline.updated', payload);
    },
    thumbnailSize: config.THUMBNAIL_SIZE,
    proxyHeight: config.PROXY_HEIGHT,
  };
  const connection = new IORedis(config.REDIS_URL!, { maxRetriesPerRequest: null });
  connection.on('error', () => undefined);
  const attemptsLeft = (job: { attemptsMade: number; opts: { attempts?: number } }) => job.attemptsMade + 1 < (job.opts.attempts ?? 1);
  const workers = runWorkers({
    connection,
    prefix: `${config.REDIS_KEY_PREFIX}bull`,
    queues: { 'asset-pipeline': { concurrency: config.PIPELINE_CONCURRENCY }, media: { concurrency: config.PIPELINE_CONCURRENCY } },
    logger,
    metrics: c.metrics,
    lockDurationMs: options.lockDurationMs ?? config.WORKER_LOCK_DURATION_MS,
    stalledIntervalMs: options.stalledIntervalMs ?? config.WORKER_STALLED_INTERVAL_MS,
    processors: {
      'pipeline.run': (job) => runPipeline(job.data, deps, { attemptsLeft: attemptsLeft(job) }),
      'media.preview': (job) => processPreview(job.data, deps, { attemptsLeft: attemptsLeft(job) }),
    },
  });
  const reconcile = () =>
    reconcilePipelines({ pipelines: c.repos.pipelines, queue: c.queue, logger }).catch((err: unknown) => logger.warn('pipeline reconcile failed', { err: (err as Error).message }));
  void reconcile();
  const timer = setInterval(reconcile, options.reconcileEveryMs ?? 60_000);
  timer.unref();
  return {
    async close() {
      clearInterval(timer);
      await workers.close();
      connection.disconnect();
      await c.dispose();
    },
  };
}

if (require.main === module || path.basename(process.argv[1] ?? '').startsWith('pipeline.worker')) {
  runWorker('worker:pipeline', (infra) => startPipelineWorker(infra)).catch((err: unknown) => {
    process.stderr.write(`pipeline worker failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  });
}
