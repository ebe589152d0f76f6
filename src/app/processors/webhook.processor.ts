// One turn of one webhook endpoint (the `webhooks` queue, in the webhook worker): within a slot of its
// studio's WEBHOOK_STUDIO_CONCURRENCY, one attempt of the endpoint's next due delivery, then the endpoint's
// next turn at the back of the queue if more are due. A success settles the delivery; a failure schedules its
// next attempt with exponential back-off and jitter until WEBHOOK_RETRY_WINDOW_MS has passed since it was
// made. Two failures in a row pause the endpoint (a circuit breaker: nothing is sent to it before the pause
// ends, then one probe), for longer the longer it has been failing; an endpoint that has failed without a
// success for WEBHOOK_DISABLE_AFTER_MS is disabled and its studio told. At least once: a worker killed after
// sending and before recording sends again (receivers de-duplicate on the event id).
import type { WebhookRepository } from '../repositories/WebhookRepository';
import type { EventLogRepository } from '../repositories/EventLogRepository';
import type { DeliveryStatus, WebhookDeliveryDoc, WebhookEndpointDoc } from '../repositories/models/Webhook';
import type { DeliveryQueue, EndpointTurn } from '../services/WebhookService';
import type { JobMap } from '../../infra/queue/jobs';
import { toEventDto, type EventDto } from '../dto';

export interface SendOutcome {
  ok: boolean;
  status: number | null;
  durationMs: number;
  error: string | null;
}

/** Something held until released: a slot of a studio's concurrency, or the claim on one delivery. */
export interface Held {
  release(): Promise<void>;
}

export interface WebhookDeliveryDeps {
  webhooks: WebhookRepository;
  events: EventLogRepository;
  send(url: string, input: { secret: string; body: string; headers: Record<string, string> }): Promise<SendOutcome>;
  queue: DeliveryQueue;
  /** A slot of the studio's WEBHOOK_STUDIO_CONCURRENCY, shared by every webhook worker; null if all are held. */
  studioSlot(studioId: string): Promise<Held | null>;
  /** The right to attempt one delivery (two turns never send the same one at once); null if another has it. */
  claim(deliveryId: string): Promise<Held | null>;
  policy: { baseDelayMs: number; maxDelayMs: number; retryWindowMs: number; disableAfterMs: number; endpointConcurrency: number };
  /** After an endpoint was disabled: log the event, tell the studio. */
  disabled(endpoint: WebhookEndpointDoc, reason: string): Promise<void>;
  now?: () => Date;
  random?: () => number;
}

/** busy: every slot of the studio is held, so the turn waits (the worker puts it back, delayed). */
export type TurnResult = { status: 'busy' | 'idle' } | { status: Exclude<DeliveryStatus, 'PENDING' | 'DROPPED'>; deliveryId: string };

/** The n-th retry's delay: base · 2^(n-1), capped, times a jitter in [0.75, 1.25). */
export function backoffMs(attempt: number, policy: { baseDelayMs: number; maxDelayMs: number }, random = Math.random): number {
  const raw = Math.min(policy.baseDelayMs * 2 ** Math.min(attempt - 1, 30), policy.maxDelayMs);
  return Math.round(raw * (0.75 + random() * 0.5));
}

export async function takeTurn(data: JobMap['webhook.deliver'], deps: WebhookDeliveryDeps): Promise<TurnResult> {
  const turn = 'deliveryId' in data ? await turnOfDelivery(data, deps) : data;
  if (!turn) return { status: 'idle' };
  // The slot first: a turn that has to wait costs Redis only, however often it comes back.
  const slot = await deps.studioSlot(turn.studioId);
  if (!slot) return { status: 'busy' };
  try {
    const endpoint = await deps.webhooks.findEndpoint(turn.studioId, turn.endpointId);
    if (!endpoint || !endpoint.active) {
      await deps.webhooks.failWaiting(turn.studioId, turn.endpointId, endpoint ? 'the webhook is disabled' : 'the webhook was deleted');
      return { status: 'idle' };
    }
    // A failing endpoint gets one delivery in flight, whatever its concurrency.
    if (turn.slot > 0 && endpoint.failingSince) return { status: 'idle' };
    const due = await deps.webhooks.dueDeliveries(endpoint.studioId, endpoint._id, deps.now?.() ?? new Date(), deps.policy.endpointConcurrency + 1);
    for (const [i, delivery] of due.entries()) {
      const claim = await deps.claim(String(delivery._id));
      if (!claim) continue;
      let result: Attempted;
      try {
        result = await attempt(delivery, endpoint, turn, deps);
      } finally {
        await claim.release();
      }
      // More is due (or a pause just ended): the endpoint's next turn goes behind every other endpoint's.
      if (result.next === 'now' || (result.next === 'more-if-due' && due.length > i + 1)) await deps.queue.turn(turn);
      return { status: result.status, deliveryId: String(delivery._id) };
    }
    return { status: 'idle' };
  } finally {
    await slot.release();
  }
}

interface Attempted {
  status: Exclude<DeliveryStatus, 'PENDING' | 'DROPPED'>;
  /** now: a turn at once; more-if-due: a turn if more deliveries were due; wait: the endpoint's wake comes, or nothing does. */
  next: 'now' | 'more-if-due' | 'wait';
}

async function attempt(delivery: WebhookDeliveryDoc, endpoint: WebhookEndpointDoc, turn: EndpointTurn, deps: WebhookDeliveryDeps): Promise<Attempted> {
  const attempts = delivery.attempts + 1;
  const record = (status: Attempted['status'], outcome: Partial<SendOutcome>, at: Date, nextAttemptAt: Date | null = null) =>
    deps.webhooks.recordAttempt(delivery._id, {
      status,
      attempts,
      lastStatusCode: outcome.status ?? null,
      lastError: outcome.error ?? null,
      lastDurationMs: outcome.durationMs ?? 0,
      nextAttemptAt,
      deliveredAt: status === 'SUCCEEDED' ? at : null,
    });
  const body = await bodyOf(delivery, deps, deps.now?.() ?? new Date());
  if (!body) {
    await record('FAILED', { error: 'the event is no longer kept (EVENT_RETENTION_DAYS)' }, deps.now?.() ?? new Date());
    return { status: 'FAILED', next: 'more-if-due' };
  }
  const json = JSON.stringify(body);
  const outcome = await deps.send(endpoint.url, {
    secret: endpoint.secret,
    body: json,
    headers: { 'X-Studio-Event': body.type, 'X-Studio-Event-Id': body.id, 'X-Studio-Delivery': String(delivery._id), 'X-Studio-Attempt': String(attempts) },
  });
  // Times after the send: an attempt can take WEBHOOK_TIMEOUT_MS, and the back-off counts from its end.
  const now = deps.now?.() ?? new Date();
  if (outcome.ok) {
    await record('SUCCEEDED', outcome, now);
    await deps.webhooks.markHealthy(endpoint, now);
    // A success that ends a pause makes everything the endpoint has waiting due now.
    return { status: 'SUCCEEDED', next: endpoint.pausedUntil ? 'now' : 'more-if-due' };
  }
  const wasFailing = Boolean(endpoint.failingSince);
  if (!wasFailing) await deps.webhooks.markFailing(endpoint._id, now);
  const failingFor = now.getTime() - (endpoint.failingSince ?? now).getTime();
  if (failingFor >= deps.policy.disableAfterMs) {
    const reason = `every delivery failed for ${Math.round(failingFor / 60_000)} min; last: ${outcome.error ?? 'unknown error'}`;
    await deps.webhooks.updateEndpoint(endpoint.studioId, endpoint._id, { active: false, disabledAt: now, disabledReason: reason });
    await record('FAILED', outcome, now);
    await deps.webhooks.failWaiting(endpoint.studioId, endpoint._id, 'the webhook was disabled');
    await deps.disabled(endpoint, reason);
    return { status: 'FAILED', next: 'wait' };
  }
  const delay = backoffMs(attempts, deps.policy, deps.random);
  const retries = now.getTime() + delay - delivery.createdAt.getTime() <= deps.policy.retryWindowMs;
  await record(retries ? 'RETRYING' : 'FAILED', outcome, now, retries ? new Date(now.getTime() + delay) : null);
  const status = retries ? 'RETRYING' : 'FAILED';
  if (wasFailing) {
    // Two failures in a row, so the endpoint, not one delivery, is what fails: pause it for as long as it has
    // been failing (at least this retry's delay, at most WEBHOOK_RETRY_MAX_MS), so a receiver that is down or
    // times out costs one attempt per pause instead of one per event.
    const pauseMs = Math.max(delay, Math.round(Math.min(failingFor, deps.policy.maxDelayMs) * (0.75 + (deps.random ?? Math.random)() * 0.5)));
    await deps.webhooks.pause(endpoint, new Date(now.getTime() + pauseMs));
    await deps.queue.wake(turn, pauseMs);
    return { status, next: 'wait' };
  }
  if (retries) await deps.queue.wake(turn, delay);
  return { status, next: 'more-if-due' };
}

async function bodyOf(delivery: WebhookDeliveryDoc, deps: WebhookDeliveryDeps, now: Date): Promise<EventDto | null> {
  if (delivery.eventType === 'webhook.test') {
    return { id: String(delivery.eventId), seq: 0, type: 'webhook.test', time: now.toISOString(), studioId: String(delivery.studioId), actorId: null, data: { message: 'A test event from Studio API: your endpoint is reachable and verifies signatures.' } };
  }
  const event = await deps.events.findById(delivery.studioId, delivery.eventId);
  return event ? toEventDto(event) : null;
}

/** A job queued before deliveries took turns names a delivery: it stands for a turn of that delivery's endpoint. */
async function turnOfDelivery(data: { studioId: string; deliveryId: string }, deps: WebhookDeliveryDeps): Promise<EndpointTurn | null> {
  const delivery = await deps.webhooks.findDelivery(data.deliveryId);
  return delivery && String(delivery.studioId) === data.studioId ? { studioId: data.studioId, endpointId: String(delivery.endpointId), slot: 0 } : null;
}

/** Gives a turn to every endpoint with deliveries due but no turn queued (Redis lost it, or the enqueue failed). */
export async function reconcileWebhooks(deps: { webhooks: WebhookRepository; queue: DeliveryQueue; now?: () => Date; graceMs?: number }): Promise<number> {
  const now = (deps.now?.() ?? new Date()).getTime();
  const due = await deps.webhooks.due(new Date(now - (deps.graceMs ?? 60_000)), 1000);
  const endpoints = new Map(due.map((d) => [String(d.endpointId), String(d.studioId)]));
  await deps.queue.turns([...endpoints].map(([endpointId, studioId]) => ({ studioId, endpointId, slots: 1 })));
  return due.length;
}
