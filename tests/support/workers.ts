// Runs worker processors in the test process, on the same database and Redis prefix as a harness.
import { startRenderWorker, type RenderWorkerOptions } from '../../src/workers/render.worker';
import { startPipelineWorker } from '../../src/workers/pipeline.worker';
import { startWebhookWorker, type WebhookWorkerOptions } from '../../src/workers/webhook.worker';
import type { Harness } from './harness';

export function renderWorkerFor(h: Harness, options: RenderWorkerOptions = {}) {
  return startRenderWorker({ config: h.config, logger: h.container.logger, mongo: h.container.mongo, redis: h.container.redis, close: async () => undefined }, options);
}

export function pipelineWorkerFor(h: Harness) {
  return startPipelineWorker({ config: h.config, logger: h.container.logger, mongo: h.container.mongo, redis: h.container.redis, close: async () => undefined });
}

export function webhookWorkerFor(h: Harness, options: WebhookWorkerOptions = {}) {
  return startWebhookWorker({ config: h.config, logger: h.container.logger, mongo: h.container.mongo, redis: h.container.redis, close: async () => undefined }, options);
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
