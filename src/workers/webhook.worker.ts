// The webhook worker process: takes endpoints' turns on the `webhooks` queue (signed POSTs through the SSRF
// guard, within each studio's share of the workers), gives turns Redis lost back to their endpoints, disables
// endpoints that keep failing (telling their studio), and prunes the event log past EVENT_RETENTION_DAYS. It
// holds no JWT key and runs no media tool.
import path from 'node:path';
import { DelayedError } from 'bullmq';
import { Redis as IORedis } from 'ioredis';
import { runWorker, type WorkerHandle } from './worker-host';
import type { BootedInfra } from '../bootstrap';
import { buildWorker } from '../container';
import { runWorkers } from '../infra/queue/runWorkers';
import { StudioEmitter } from '../infra/realtime/emitter';
import { WebhookSender } from '../infra/webhooks/WebhookSender';
import { SmtpMailer } from '../infra/mail/SmtpMailer';
import { RedisSemaphore } from '../infra/cache/RedisSemaphore';
import { createRedis } from '../infra/cache/redis';
import { WebhookQueue } from '../infra/webhooks/WebhookQueue';
import { reconcileWebhooks, takeTurn, type ReconcileWalk, type WebhookDeliveryDeps } from '../app/processors/webhook.processor';
import type { WebhookEndpointDoc } from '../app/repositories/models/Webhook';
import { webhookDisabledEvent } from '../app/services/WebhookService';

/** How long a turn whose studio has every slot in flight waits before it asks again (±50%). */
const BUSY_WAIT_MS = 500;

export interface WebhookWorkerOptions {
  reconcileEveryMs?: number;
  pruneEveryMs?: number;
}

export async function startWebhookWorker(infra: BootedInfra, options: WebhookWorkerOptions = {}): Promise<WorkerHandle> {
  const { config, logger } = infra;
  const c = buildWorker(infra);
  const emitter = new StudioEmitter(infra.redis, config.REDIS_KEY_PREFIX);
  const sender = new WebhookSender(c.urlGuard, { timeoutMs: config.WEBHOOK_TIMEOUT_MS, maxResponseBytes: config.WEBHOOK_MAX_RESPONSE_BYTES, userAgent: 'Studio-API-Webhooks/1' });
  const mailer = config.SMTP_URL ? new SmtpMailer({ url: config.SMTP_URL, from: config.MAIL_FROM, timeoutMs: config.MAIL_SEND_TIMEOUT_MS, logger }) : null;

  /** The studio learns at once (sockets, the event log, other webhooks) and its PRODUCERs by mail when SMTP is set. */
  const disabled = async (endpoint: WebhookEndpointDoc, reason: string) => {
    const studioId = String(endpoint.studioId);
    const payload = webhookDisabledEvent(endpoint, reason);
    logger.warn('webhook disabled', payload);
    // The log first: a client that hears the socket event and then reads /events finds it there.
    await c.services.eventLog.record(studioId, 'webhook.disabled', payload);
    emitter.toStudio(studioId, 'webhook:disabled', payload);
    await c.services.audit.record({ studioId, id: null }, 'webhook.disabled', 'webhook', endpoint._id, { reason });
    if (!mailer) return;
    const producers = await c.repos.users.producers(studioId);
    for (const p of producers) {
      await mailer
        .send({ to: p.email, subject: 'A Studio API webhook was disabled', text: `The webhook ${endpoint.url} was disabled: ${reason}.\nFix the receiver, then turn it on again (PATCH /webhooks/${String(endpoint._id)} {"active": true}).` })
        .catch((err: Error) => logger.warn('webhook disabled mail failed', { err: err.message }));
    }
  };

  // Lanes and studio slots on a client of their own: every turn waits on it, so it gets the time a busy
  // Redis needs (the shared client gives up after 500 ms, for requests that fail open).
  const lanesRedis = createRedis(config.REDIS_URL!, logger, 'webhook-lanes', { commandTimeout: 10_000 });
  // A claim outlives any attempt (the request's timeout and the writes around it), so only a dead worker's lapses.
  const queue = new WebhookQueue(c.queue, lanesRedis, config.REDIS_KEY_PREFIX, 2 * config.WEBHOOK_TIMEOUT_MS + 60_000);
  // In Redis, so every webhook worker process counts against the same per-studio limit.
  const slots = new RedisSemaphore(lanesRedis, `${config.REDIS_KEY_PREFIX}webhooks:`);
  const deps: WebhookDeliveryDeps = {
    webhooks: c.repos.webhooks,
    events: c.eventLogRepo,
    send: (url, input) => sender.send(url, input),
    queue,
    studioSlot: (studioId) => slots.acquire(`studio:${studioId}`, config.WEBHOOK_STUDIO_CONCURRENCY),
    policy: {
      baseDelayMs: config.WEBHOOK_RETRY_BASE_MS,
      maxDelayMs: config.WEBHOOK_RETRY_MAX_MS,
      retryWindowMs: config.WEBHOOK_RETRY_WINDOW_MS,
      disableAfterMs: config.WEBHOOK_DISABLE_AFTER_MS,
      endpointConcurrency: config.WEBHOOK_ENDPOINT_CONCURRENCY,
    },
    disabled,
  };
  const connection = new IORedis(config.REDIS_URL!, { maxRetriesPerRequest: null });
  connection.on('error', () => undefined);
  const workers = runWorkers({
    connection,
    prefix: `${config.REDIS_KEY_PREFIX}bull`,
    queues: { webhooks: { concurrency: config.WEBHOOK_CONCURRENCY } },
    logger,
    metrics: c.metrics,
    lockDurationMs: config.WORKER_LOCK_DURATION_MS,
    stalledIntervalMs: config.WORKER_STALLED_INTERVAL_MS,
    processors: {
      'webhook.deliver': async (job, token) => {
        const result = await takeTurn(job.data, deps);
        if (result.status !== 'busy') return result;
        // Off the head of the queue for a moment, so the workers take other studios' turns meanwhile. Its
        // studio has at most one waiting turn per endpoint (WEBHOOK_MAX_ENDPOINTS_PER_STUDIO), so this costs
        // a bounded number of Redis calls, never a backlog's worth.
        await job.moveToDelayed(Date.now() + Math.round(BUSY_WAIT_MS * (0.5 + Math.random())), token);
        throw new DelayedError();
      },
      'webhook.wake': (job) => queue.turns([{ ...job.data, slots: config.WEBHOOK_ENDPOINT_CONCURRENCY }]),
    },
  });
  // The reconciler's walk goes on where the last pass stopped; a pass still running when the next is due
  // (a slow database) lets it go rather than walk twice.
  const walk: ReconcileWalk = {};
  let reconciling: Promise<unknown> | null = null;
  const reconcile = () => {
    reconciling ??= reconcileWebhooks({ webhooks: c.repos.webhooks, queue, walk })
      .catch((err: unknown) => logger.warn('webhook reconcile failed', { err: (err as Error).message }))
      .finally(() => (reconciling = null));
    return reconciling;
  };
  const prune = () =>
    c.eventLogRepo
      .pruneBefore(new Date(Date.now() - config.EVENT_RETENTION_DAYS * 86_400_000))
      .then((n) => n && logger.info('event log pruned', { removed: n }))
      .catch((err: unknown) => logger.warn('event log prune failed', { err: (err as Error).message }));
  const timers = [setInterval(reconcile, options.reconcileEveryMs ?? 60_000), setInterval(prune, options.pruneEveryMs ?? 3600_000)];
  for (const t of timers) t.unref();
  void reconcile();
  void prune();
  return {
    async close() {
      for (const t of timers) clearInterval(t);
      await reconciling;
      await workers.close();
      connection.disconnect();
      lanesRedis.disconnect();
      mailer?.close();
      await c.dispose();
    },
  };
}

if (require.main === module || path.basename(process.argv[1] ?? '').startsWith('webhook.worker')) {
  runWorker('worker:webhook', (infra) => startWebhookWorker(infra)).catch((err: unknown) => {
    process.stderr.write(`webhook worker failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  });
}
