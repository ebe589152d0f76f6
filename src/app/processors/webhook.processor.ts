// One turn of one webhook endpoint (the `webhooks` queue, in the webhook worker): within a slot of its
// studio's WEBHOOK_STUDIO_CONCURRENCY, one attempt of the endpoint's next due delivery, then the endpoint's
// next turn at the back of the queue if more are due. A success settles the delivery; a failure schedules its
// next attempt with exponential back-off and jitter until WEBHOOK_RETRY_WINDOW_MS has passed since it was
// made. Two failures in a row pause the endpoint (a circuit breaker: nothing is sent to it before the pause
// ends, then one probe), for longer the longer it has been failing; an endpoint that has failed without a
// success for WEBHOOK_DISABLE_AFTER_MS is disabled and its studio told. At least once: a worker killed after
// sending and before recording sends again (receivers de-duplicate on the event id).
import type { DueCursor, WebhookRepository } from '../repositories/WebhookRepository';
import type { EventLogRepository } from '../repositories/EventLogRepository';
import type { DeliveryStatus, WebhookDeliveryDoc, WebhookEndpointDoc } from '../repositories/models/Webhook';
import { enterLanes, type DeliveryQueue, type EndpointTurn } from '../services/WebhookService';
import type { JobMap } from '../../infra/queue/jobs';
import { toEventDto, type EventDto } from '../dto';

export interface SendOutcome {
  ok: boolean;
  status: number | null;
  durationMs: number;
  error: string | null;
}

/** Something held until released: a slot of a studio's concurrency. */
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
      await deps.queue.clear(turn.endpointId);
      return { status: 'idle' };
    }
    // A failing endpoint gets one delivery in flight, whatever its concurrency.
    if (turn.slot > 0 && endpoint.failingSince) return { status: 'idle' };
    const now = deps.now?.() ?? new Date();
    const taken = await deps.queue.take(turn.endpointId, now, endpoint.failingSince ? 1 : deps.policy.endpointConcurrency);
    const id = taken.deliveryId;
    // Nothing due, or as many in flight as the endpoint may have.
    if (!id) return { status: 'idle' };
    const entry = { endpointId: turn.endpointId, deliveryId: id };
    let result: Attempted | null;
    try {
      const delivery = await deps.webhooks.findDelivery(id);
      // A crash between recording an attempt in MongoDB and moving its lane entry leaves the entry where it was:
      // a settled delivery leaves the lane, one recorded as waiting longer (a retry's back-off) moves to its time.
      if (!delivery || String(delivery.endpointId) !== turn.endpointId || !delivery.nextAttemptAt) {
        await deps.queue.settle(entry, null);
        result = null;
      } else if (delivery.nextAttemptAt > now) {
        await deps.queue.settle(entry, delivery.nextAttemptAt);
        await deps.queue.wake(turn, delivery.nextAttemptAt.getTime() - now.getTime());
        result = null;
      } else {
        result = await attempt(delivery, endpoint, entry, turn, deps);
      }
    } catch (err) {
      await deps.queue.release(entry).catch(() => undefined);
      throw err;
    }
    // More is due (or a pause just ended): the endpoint's next turn goes behind every other endpoint's.
    if (result?.next === 'now' || (result?.next !== 'wait' && taken.more > 0)) await deps.queue.turn(turn);
    return result ? { status: result.status, deliveryId: id } : { status: 'idle' };
  } finally {
    await slot.release();
  }
}

interface Attempted {
  status: Exclude<DeliveryStatus, 'PENDING' | 'DROPPED'>;
  /** now: a turn at once; more-if-due: a turn if more deliveries were due; wait: the endpoint's wake comes, or nothing does. */
  next: 'now' | 'more-if-due' | 'wait';
}

/** One attempt of the claimed delivery; recording it settles the claim and the delivery's place in its lane. */
async function attempt(delivery: WebhookDeliveryDoc, endpoint: WebhookEndpointDoc, entry: { endpointId: string; deliveryId: string }, turn: EndpointTurn, deps: WebhookDeliveryDeps): Promise<Attempted> {
  const attempts = delivery.attempts + 1;
  /** MongoDB first, then the lane: a crash between them leaves an entry that the next turn finds settled. */
  const record = async (status: Attempted['status'], outcome: Partial<SendOutcome>, at: Date, nextAttemptAt: Date | null = null) => {
    await deps.webhooks.recordAttempt(delivery._id, {
      status,
      attempts,
      lastStatusCode: outcome.status ?? null,
      lastError: outcome.error ?? null,
      lastDurationMs: outcome.durationMs ?? 0,
      nextAttemptAt,
      deliveredAt: status === 'SUCCEEDED' ? at : null,
    });
    await deps.queue.settle(entry, nextAttemptAt);
  };
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
    if (!endpoint.pausedUntil) return { status: 'SUCCEEDED', next: 'more-if-due' };
    // A success that ends a pause makes everything the endpoint has waiting due now.
    await deps.queue.resume(turn.endpointId, now);
    return { status: 'SUCCEEDED', next: 'now' };
  }
  const wasFailing = Boolean(endpoint.failingSince);
  if (!wasFailing) await deps.webhooks.markFailing(endpoint._id, now);
  const failingFor = now.getTime() - (endpoint.failingSince ?? now).getTime();
  if (failingFor >= deps.policy.disableAfterMs) {
    const reason = `every delivery failed for ${Math.round(failingFor / 60_000)} min; last: ${outcome.error ?? 'unknown error'}`;
    await deps.webhooks.updateEndpoint(endpoint.studioId, endpoint._id, { active: false, disabledAt: now, disabledReason: reason });
    await record('FAILED', outcome, now);
    await deps.webhooks.failWaiting(endpoint.studioId, endpoint._id, 'the webhook was disabled');
    await deps.queue.clear(turn.endpointId);
    await deps.disabled(endpoint, reason);
    return { status: 'FAILED', next: 'wait' };
  }
  const delay = backoffMs(attempts, deps.policy, deps.random);
  const retries = now.getTime() + delay - delivery.createdAt.getTime() <= deps.policy.retryWindowMs;
  const status = retries ? 'RETRYING' : 'FAILED';
  await record(status, outcome, now, retries ? new Date(now.getTime() + delay) : null);
  if (wasFailing) {
    // Two failures in a row, so the endpoint, not one delivery, is what fails: pause it for as long as it has
    // been failing (at least this retry's delay, at most WEBHOOK_RETRY_MAX_MS), so a receiver that is down or
    // times out costs one attempt per pause instead of one per event.
    const pauseMs = Math.max(delay, Math.round(Math.min(failingFor, deps.policy.maxDelayMs) * (0.75 + (deps.random ?? Math.random)() * 0.5)));
    const until = new Date(now.getTime() + pauseMs);
    await deps.webhooks.pause(endpoint, until);
    await deps.queue.pause(turn.endpointId, until);
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

/**
 * A job queued before deliveries took turns names a delivery, which is in no lane yet: it joins its
 * endpoint's lane, and the job stands for a turn of that endpoint.
 */
async function turnOfDelivery(data: { studioId: string; deliveryId: string }, deps: WebhookDeliveryDeps): Promise<EndpointTurn | null> {
  const delivery = await deps.webhooks.findDelivery(data.deliveryId);
  if (!delivery || String(delivery.studioId) !== data.studioId || !delivery.nextAttemptAt) return null;
  await enterLanes(deps, [{ endpointId: String(delivery.endpointId), deliveryId: data.deliveryId, dueAt: delivery.nextAttemptAt }], { keepPlace: true });
  return { studioId: data.studioId, endpointId: String(delivery.endpointId), slot: 0 };
}

/** Where the reconciler goes on from at its next pass (kept by the worker between passes). */
export interface ReconcileWalk {
  after?: DueCursor;
}

/**
 * Deliveries due for a while but still waiting (Redis lost their lane or their endpoint's turn, or a
 * fan-out could not reach it) join their lanes where they are not already, and their endpoints get a turn.
 * A pass looks at up to `batches` batches in order of due time and the next pass goes on from there, so with
 * every studio's backlog waiting (due, and in its lanes) the walk still reaches the deliveries Redis lost.
 */
export async function reconcileWebhooks(deps: { webhooks: WebhookRepository; queue: DeliveryQueue; now?: () => Date; graceMs?: number; walk?: ReconcileWalk; batch?: number; batches?: number }): Promise<number> {
  const before = new Date((deps.now?.() ?? new Date()).getTime() - (deps.graceMs ?? 60_000));
  const walk = deps.walk ?? {};
  const size = deps.batch ?? 1000;
  let seen = 0;
  for (let i = 0; i < (deps.batches ?? 10); i++) {
    const due = await deps.webhooks.due(before, size, walk.after);
    seen += due.length;
    await enterLanes(deps, due.map((d) => ({ endpointId: String(d.endpointId), deliveryId: String(d._id), dueAt: d.nextAttemptAt! })), { keepPlace: true });
    const endpoints = new Map(due.map((d) => [String(d.endpointId), String(d.studioId)]));
    await deps.queue.turns([...endpoints].map(([endpointId, studioId]) => ({ studioId, endpointId, slots: 1 })));
    const last = due[due.length - 1];
    // The end of the walk: the next pass starts again from the first due delivery.
    walk.after = due.length === size && last ? { nextAttemptAt: last.nextAttemptAt!, id: last._id } : undefined;
    if (!walk.after) break;
  }
  return seen;
}
