// The render worker process: renders chunks and finalises renders from the `render` queue.
import http from 'node:http';
import path from 'node:path';
import { Redis as IORedis } from 'ioredis';
import { runWorker, type WorkerHandle } from './worker-host';
import type { BootedInfra } from '../bootstrap';
import { buildWorker } from '../container';
import { BlenderEngine } from '../infra/render/BlenderEngine';
import { SimulatedEngine } from '../infra/render/SimulatedEngine';
import { Ffmpeg } from '../infra/media/ffmpeg';
import { Sandbox } from '../infra/sandbox/Sandbox';
import { runWorkers } from '../infra/queue/runWorkers';
import { StudioEmitter } from '../infra/realtime/emitter';
import { finalizeRender, processRenderChunk, type RenderEventsPublisher, type RenderProcessorDeps } from '../app/processors/render.processor';
import { reconcileRenders } from '../app/processors/render.reconciler';
import type { RenderEngine } from '../infra/render/RenderEngine';

export interface RenderWorkerOptions {
  /** Engines to offer; tests may swap in a SimulatedEngine with other timings. */
  engines?: Partial<Record<'blender' | 'simulated', RenderEngine>>;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  reconcileEveryMs?: number;
}


export async function startRenderWorker(infra: BootedInfra, options: RenderWorkerOptions = {}): Promise<WorkerHandle> {
  const { config, logger } = infra;
  const sandbox = Sandbox.fromConfig(config);
  // Before taking any job: a worker that cannot sandbox Blender would fail every render it took (or, with
  // the sandbox off, render scenes that read other studios' files).
  if (sandbox.mode === 'bwrap') await sandbox.verify();
  else logger.warn('MEDIA_SANDBOX=off: scenes and media files are read without a sandbox; only for a trusted single-studio installation');
  const c = buildWorker(infra);
  const emitter = new StudioEmitter(infra.redis, config.REDIS_KEY_PREFIX);
  // The event log gets progress in steps of 10%: enough for a dashboard or a webhook, not a write per frame.
  const loggedStep = new Map<string, number>();
  const events: RenderEventsPublisher = {
    // Progress is frequent and only matters to someone watching the asset: its room, not the studio's.
    progress: (studioId, p) => {
      emitter.toAsset(p.assetId, 'render:progress', p);
      const step = Math.floor(p.progress / 10);
      if ((loggedStep.get(p.jobId) ?? -1) >= step) return;
      loggedStep.set(p.jobId, step);
      if (loggedStep.size > 10_000) loggedStep.clear();
      void c.services.eventLog.record(studioId, 'render.progress', p);
    },
    completed: (studioId, p) => {
      emitter.toStudio(studioId, 'render:completed', p);
      loggedStep.delete(p.jobId);
      void c.services.eventLog.record(studioId, 'render.completed', p);
    },
    failed: (studioId, p) => {
      emitter.toStudio(studioId, 'render:failed', p);
      loggedStep.delete(p.jobId);
      void c.services.eventLog.record(studioId, 'render.failed', p);
    },
  };
  const deps: RenderProcessorDeps = {
    renders: c.repos.renders,
    versions: c.repos.versions,
    storage: c.storage,
    locks: c.locks,
    engines: options.engines ?? {
      blender: new BlenderEngine(config.BLENDER_PATH, { maxFrameMs: config.RENDER_MAX_FRAME_MS, maxFrameBytes: config.RENDER_MAX_FRAME_BYTES, memoryMb: config.RENDER_MAX_MEMORY_MB }, sandbox),
      simulated: new SimulatedEngine({ msPerFrame: config.SIMULATED_RENDER_MS_PER_FRAME }),
    },
    ffmpeg: Ffmpeg.fromConfig(config, sandbox),
    events,
    logger,
  };

  // Cancel requests arrive over Redis pub/sub and abort the chunks of that render running here.
  const running = new Map<string, Set<AbortController>>();
  const subscriber = new IORedis(config.REDIS_URL!, { maxRetriesPerRequest: null });
  subscriber.on('error', () => undefined);
  await subscriber.subscribe(`${config.REDIS_KEY_PREFIX}render-cancel`);
  subscriber.on('message', (_channel: string, renderJobId: string) => {
    for (const ac of running.get(renderJobId) ?? []) ac.abort();
  });

  const connection = new IORedis(config.REDIS_URL!, { maxRetriesPerRequest: null });
  connection.on('error', () => undefined);
  const workers = runWorkers({
    connection,
    prefix: `${config.REDIS_KEY_PREFIX}bull`,
    queues: { render: { concurrency: config.RENDER_CONCURRENCY } },
    logger,
    metrics: c.metrics,
    lockDurationMs: options.lockDurationMs ?? config.WORKER_LOCK_DURATION_MS,
    stalledIntervalMs: options.stalledIntervalMs ?? config.WORKER_STALLED_INTERVAL_MS,
    processors: {
      'render.chunk': async (job) => {
        const ac = new AbortController();
        const set = running.get(job.data.renderJobId) ?? new Set();
        set.add(ac);
        running.set(job.data.renderJobId, set);
        try {
          return await processRenderChunk(job.data, deps, { attemptsMade: job.attemptsMade, signal: ac.signal });
        } finally {
          set.delete(ac);
          if (set.size === 0) running.delete(job.data.renderJobId);
        }
      },
      'render.finalize': (job) => finalizeRender(job.data, deps, { lastAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1) }),
    },
  });

  const reconcile = () =>
    reconcileRenders({ renders: c.repos.renders, service: c.services.renders, queue: c.queue.queue('render'), logger }).catch((err: unknown) =>
      logger.warn('render reconcile failed', { err: (err as Error).message }),
    );
  void reconcile();
  const timer = setInterval(reconcile, options.reconcileEveryMs ?? 30_000);
  timer.unref();

  let metricsServer: http.Server | undefined;
  if (config.WORKER_METRICS_PORT > 0) {
    metricsServer = http.createServer((_req, res) => {
      void c.metrics.registry.metrics().then((text) => res.writeHead(200, { 'Content-Type': c.metrics.registry.contentType }).end(text));
    });
    metricsServer.listen(config.WORKER_METRICS_PORT, config.HOST);
  }

  return {
    async close() {
      clearInterval(timer);
      // Running chunks are not aborted (that would read as a user's cancel): close() waits for them,
      // and if the hard shutdown deadline cuts them off, stalled-job detection hands them to another worker.
      await workers.close();
      metricsServer?.close();
      subscriber.disconnect();
      connection.disconnect();
      await c.dispose();
    },
  };
}

if (require.main === module || path.basename(process.argv[1] ?? '').startsWith('render.worker')) {
  runWorker('worker:render', (infra) => startRenderWorker(infra)).catch((err: unknown) => {
    process.stderr.write(`render worker failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  });
}
