// One attempt of one webhook delivery (the `webhooks` queue, in the webhook worker). A success settles it;
// a failure schedules the next attempt with exponential back-off and jitter until WEBHOOK_RETRY_WINDOW_MS
// has passed since the delivery was made; an endpoint that has failed without a success for
// WEBHOOK_DISABLE_AFTER_MS is disabled and its studio told. At least once: a worker killed after sending
// and before recording sends again (receivers de-duplicate on the event id).
import type { WebhookRepository } from '../repositories/WebhookRepository';
import type { EventLogRepository } from '../repositories/EventLogRepository';
import type { WebhookDeliveryDoc, WebhookEndpointDoc } from '../repositories/models/Webhook';
import type { DeliveryQueue } from '../services/WebhookService';
import { toEventDto, type EventDto } from '../dto';

export interface SendOutcome {
  ok: boolean;
  status: number | null;
  durationMs: number;
  error: string | null;
}

export interface WebhookDeliveryDeps {
  webhooks: WebhookRepository;
  events: EventLogRepository;
  send(url: string, input: { secret: string; body: string; headers: Record<string, string> }): Promise<SendOutcome>;
  queue: DeliveryQueue;
  policy: { baseDelayMs: number; maxDelayMs: number; retryWindowMs: number; disableAfterMs: number };
  /** After an endpoint was disabled: log the event, tell the studio. */
  disabled(endpoint: WebhookEndpointDoc, reason: string): Promise<void>;
  now?: () => Date;
  random?: () => number;
}

/** The n-th retry's delay: base · 2^(n-1), capped, times a jitter in [0.75, 1.25). */
export function backoffMs(attempt: number, policy: { baseDelayMs: number; maxDelayMs: number }, random = Math.random): number {
  const raw = Math.min(policy.baseDelayMs * 2 ** Math.min(attempt - 1, 30), policy.maxDelayMs);
  return Math.round(raw * (0.75 + random() * 0.5));
}

export async function deliverWebhook(data: { deliveryId: string; studioId: string }, deps: WebhookDeliveryDeps): Promise<{ status: WebhookDeliveryDoc['status'] | 'skipped' }> {
  const now = deps.now?.() ?? new Date();
  const delivery = await deps.webhooks.findDelivery(data.deliveryId);
  if (!delivery || String(delivery.studioId) !== data.studioId || delivery.status === 'SUCCEEDED' || delivery.status === 'FAILED') return { status: 'skipped' };
  const endpoint = await deps.webhooks.findEndpoint(delivery.studioId, delivery.endpointId);
  const attempts = delivery.attempts + 1;
  const settle = (status: 'SUCCEEDED' | 'FAILED', outcome: Partial<SendOutcome>) =>
    deps.webhooks.recordAttempt(delivery._id, {
      status,
      attempts,
      lastStatusCode: outcome.status ?? null,
      lastError: outcome.error ?? null,
      lastDurationMs: outcome.durationMs ?? 0,
      nextAttemptAt: null,
      deliveredAt: status === 'SUCCEEDED' ? now : null,
    });
  if (!endpoint || !endpoint.active) {
    await settle('FAILED', { error: endpoint ? 'the webhook is disabled' : 'the webhook was deleted' });
    return { status: 'FAILED' };
  }
  const body = await bodyOf(delivery, deps, now);
  if (!body) {
    await settle('FAILED', { error: 'the event is no longer kept (EVENT_RETENTION_DAYS)' });
    return { status: 'FAILED' };
  }
  const json = JSON.stringify(body);
  const outcome = await deps.send(endpoint.url, {
    secret: endpoint.secret,
    body: json,
    headers: { 'X-Studio-Event': body.type, 'X-Studio-Event-Id': body.id, 'X-Studio-Delivery': String(delivery._id), 'X-Studio-Attempt': String(attempts) },
  });
  if (outcome.ok) {
    await settle('SUCCEEDED', outcome);
    if (endpoint.failingSince) await deps.webhooks.markHealthy(endpoint._id);
    return { status: 'SUCCEEDED' };
  }
  if (!endpoint.failingSince) await deps.webhooks.markFailing(endpoint._id, now);
  const failingFor = now.getTime() - (endpoint.failingSince ?? now).getTime();
  if (failingFor >= deps.policy.disableAfterMs) {
    const reason = `every delivery failed for ${Math.round(failingFor / 60_000)} min; last: ${outcome.error ?? 'unknown error'}`;
    await deps.webhooks.updateEndpoint(endpoint.studioId, endpoint._id, { active: false, disabledAt: now, disabledReason: reason });
    await settle('FAILED', outcome);
    await deps.disabled(endpoint, reason);
    return { status: 'FAILED' };
  }
  const delay = backoffMs(attempts, deps.policy, deps.random);
  if (now.getTime() + delay - delivery.createdAt.getTime() > deps.policy.retryWindowMs) {
    await settle('FAILED', outcome);
    return { status: 'FAILED' };
  }
  const nextAttemptAt = new Date(now.getTime() + delay);
  await deps.webhooks.recordAttempt(delivery._id, { status: 'RETRYING', attempts, lastStatusCode: outcome.status, lastError: outcome.error, lastDurationMs: outcome.durationMs, nextAttemptAt, deliveredAt: null });
  await deps.queue.enqueue({ id: String(delivery._id), studioId: data.studioId, attempt: attempts + 1 }, delay);
  return { status: 'RETRYING' };
}

async function bodyOf(delivery: WebhookDeliveryDoc, deps: WebhookDeliveryDeps, now: Date): Promise<EventDto | null> {
  if (delivery.eventType === 'webhook.test') {
    return { id: String(delivery.eventId), seq: 0, type: 'webhook.test', time: now.toISOString(), studioId: String(delivery.studioId), actorId: null, data: { message: 'A test event from Studio API: your endpoint is reachable and verifies signatures.' } };
  }
  const event = await deps.events.findById(delivery.studioId, delivery.eventId);
  return event ? toEventDto(event) : null;
}

/** Re-queues deliveries that are due but have no queue entry (Redis lost it, or the enqueue failed). */
export async function reconcileWebhooks(deps: { webhooks: WebhookRepository; queue: DeliveryQueue; now?: () => Date; graceMs?: number }): Promise<number> {
  const now = (deps.now?.() ?? new Date()).getTime();
  const due = await deps.webhooks.due(new Date(now - (deps.graceMs ?? 60_000)), 1000);
  for (const d of due) await deps.queue.enqueue({ id: String(d._id), studioId: String(d.studioId), attempt: d.attempts + 1 });
  return due.length;
}
