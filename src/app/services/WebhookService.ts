// A studio's webhooks: PRODUCERs register endpoints (URL, event types, secret) and read their delivery log;
// every logged event of a subscribed type becomes one delivery per endpoint, sent by the webhook worker
// (never in a request), retried with back-off, and an endpoint that fails for WEBHOOK_DISABLE_AFTER_MS is
// disabled. URLs pass the UrlGuard at registration and again at connect time.
//
// Fair use of the workers: deliveries wait in their endpoint's lane, and the queue carries turns of
// endpoints, not deliveries: at most WEBHOOK_ENDPOINT_CONCURRENCY turns per endpoint, each sending the head of
// its lane and going to the back of the queue if more are due. So a backlog never sits in the queue ahead of
// another studio's delivery; the worker caps each studio's deliveries in flight (WEBHOOK_STUDIO_CONCURRENCY).
import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { AuthorizationError, ConflictError, NotFoundError } from '../../shared/errors';
import type { WebhookRepository, EndpointPatch } from '../repositories/WebhookRepository';
import type { EventType, StudioEventDoc } from '../repositories/models/StudioEvent';
import type { WebhookDeliveryDoc, WebhookEndpointDoc } from '../repositories/models/Webhook';
import { toDeliveryDto, toEndpointDto, type WebhookDeliveryDto, type WebhookEndpointDto } from '../dto';
import type { Page } from '../repositories/pagination';
import type { AccessService } from './AccessService';
import type { AuditService } from './AuditService';
import { EVENT_VISIBILITY, VISIBILITY, eventVisibleTo } from './EventVisibility';
import type { Actor } from './types';
import type { LeaseLock } from '../../infra/database/LeaseLock';
import { KeyedSerial } from '../../shared/KeyedSerial';

/** The registration-time URL check (the infra UrlGuard): throws 400 WEBHOOK_URL_FORBIDDEN. */
export interface UrlCheck {
  check(url: string): Promise<unknown>;
}

/** One of an endpoint's turns on the webhook queue. */
export interface EndpointTurn {
  studioId: string;
  endpointId: string;
  slot: number;
}

/** A delivery's place in its endpoint's lane. */
export interface LaneEntry {
  endpointId: string;
  deliveryId: string;
  dueAt: Date;
}

/**
 * The webhook queue. Each endpoint has a lane: the ids of its waiting deliveries in the order they go (by the
 * time each may go, ties in the order they were made); MongoDB keeps each delivery's truth, and a lane lost
 * with Redis is rebuilt from it. The workers take endpoints' turns: at most one queued per endpoint slot.
 */
export interface DeliveryQueue {
  /** Turns 0 … slots-1 of each endpoint; a turn already waiting is not added twice. */
  turns(endpoints: Array<{ studioId: string; endpointId: string; slots: number }>): Promise<void>;
  turn(turn: EndpointTurn): Promise<void>;
  /** The endpoint's turns after delayMs (a retry's back-off, the end of a pause). */
  wake(endpoint: { studioId: string; endpointId: string }, delayMs: number): Promise<void>;
  /**
   * Deliveries join their endpoints' lanes, due at their times but not before their endpoint's pause ends;
   * keepPlace leaves one already in its lane where it is, and a probe (a test event or redelivery a PRODUCER
   * asked for) is due at its time even during a pause. Answers the entries a pause held back, with when they
   * are due instead (see enterLanes).
   */
  enter(entries: LaneEntry[], options?: { keepPlace?: boolean; probe?: boolean }): Promise<LaneEntry[]>;
  /** How many deliveries wait in each endpoint's lane. */
  waiting(endpointIds: string[]): Promise<number[]>;
  /**
   * Claims the first delivery that may go at `now` and that no other turn has claimed, unless `limit` of the
   * endpoint's deliveries are claimed already (its concurrency; a claim lapses if its worker died), and says
   * how many more unclaimed ones are due.
   */
  take(endpointId: string, now: Date, limit: number): Promise<{ deliveryId: string | null; more: number }>;
  /** A claimed delivery's new place, and its claim ends: due again at `dueAt` (a retry), or out of the lane. */
  settle(entry: { endpointId: string; deliveryId: string }, dueAt: Date | null): Promise<void>;
  /** Ends a claim without moving the delivery (its attempt broke off before it was recorded). */
  release(entry: { endpointId: string; deliveryId: string }): Promise<void>;
  /** Nothing in the lane is due before `until`, nor anything that joins it until then. */
  pause(endpointId: string, until: Date): Promise<void>;
  /** The pause is over: everything in the lane is due at `now` at the latest. */
  resume(endpointId: string, now: Date): Promise<void>;
  clear(endpointId: string): Promise<void>;
}

/**
 * Deliveries join their lanes; those a pause held back get the pause's end as their time in MongoDB too, so
 * the delivery log says when they go and a lane rebuilt from MongoDB (Redis lost) still waits for the pause.
 */
export async function enterLanes(deps: { webhooks: WebhookRepository; queue: DeliveryQueue }, entries: LaneEntry[], options?: { keepPlace?: boolean }): Promise<LaneEntry[]> {
  const held = await deps.queue.enter(entries, options);
  const byTime = new Map<number, LaneEntry[]>();
  for (const e of held) byTime.set(e.dueAt.getTime(), [...(byTime.get(e.dueAt.getTime()) ?? []), e]);
  for (const [at, list] of byTime) await deps.webhooks.postpone(list.map((e) => e.deliveryId), new Date(at));
  return held;
}

export interface WebhookLimits {
  maxEndpointsPerStudio: number;
  maxPendingPerEndpoint: number;
  endpointConcurrency: number;
}

/**
 * A webhook hands its receiver every subscribed event's data, so it may be pointed only at events the actor
 * may read through the API (the one visibility rule of GET /events, SSE and sockets): an `admin`-only token
 * manages webhooks, but subscribing one to asset.created would let it read assets through its receiver.
 */
function requireReadable(actor: Actor, events: EventType[]): void {
  const hidden = [...new Set(events)].filter((type) => !eventVisibleTo(actor, type));
  if (!hidden.length) return;
  const scopes = [...new Set(hidden.map((type) => VISIBILITY[EVENT_VISIBILITY[type]].scope))];
  const need = actor.tokenId
    ? `this API token lacks the scope${scopes.length > 1 ? 's' : ''} ${scopes.join(' and ')} that reading ${hidden.length > 1 ? 'them' : 'it'} needs`
    : 'your role may not read them';
  const message = `A webhook receives the data of the events it subscribes to, so it may subscribe only to events you may read: ${hidden.join(', ')} cannot be chosen, because ${need}. Leave ${hidden.length > 1 ? 'them' : 'it'} out, or ${actor.tokenId ? 'use a token that has the scope or sign in as a person' : 'ask a PRODUCER'}`;
  throw new AuthorizationError('INSUFFICIENT_SCOPE', message, { details: [{ path: 'events', message: `${hidden.join(', ')}: ${need}` }] });
}

const NOT_FOUND = () => new NotFoundError('WEBHOOK_NOT_FOUND', 'Webhook not found');

/** What the studio hears when an endpoint is disabled (the log, sockets, SSE, other webhooks). */
export type WebhookDisabledEvent = {
  webhookId: string;
  code: 'DELIVERIES_FAILING';
  reason: string;
};

/**
 * The endpoint's id and why, never its URL: for chat receivers the URL is the credential, and the event
 * reaches more than GET /webhooks does. A reason that quotes the URL (an error message may) has it cut out.
 */
export function webhookDisabledEvent(endpoint: Pick<WebhookEndpointDoc, '_id' | 'url'>, reason: string): WebhookDisabledEvent {
  return { webhookId: String(endpoint._id), code: 'DELIVERIES_FAILING', reason: reason.split(endpoint.url).join('<the webhook URL>') };
}

export class WebhookService {
  /** Per studio, this process's deliveries joining their lanes, in the order of the studio's events. */
  private readonly fanOuts = new KeyedSerial();

  constructor(
    private readonly deps: {
      webhooks: WebhookRepository;
      access: AccessService;
      audit: AuditService;
      urls: UrlCheck;
      queue: DeliveryQueue;
      locks: LeaseLock;
      limits: WebhookLimits;
    },
  ) {}

  async create(actor: Actor, input: { url: string; events: EventType[]; description?: string; secret?: string }): Promise<WebhookEndpointDto & { secret: string }> {
    this.deps.access.require(actor, 'webhook:manage');
    requireReadable(actor, input.events);
    await this.deps.urls.check(input.url);
    const secret = input.secret ?? `whsec_${randomBytes(32).toString('base64url')}`;
    const max = this.deps.limits.maxEndpointsPerStudio;
    // The count and the insert share a lease per studio, so parallel registrations cannot pass the cap together.
    const endpoint = await this.deps.locks.withLock(`webhook-endpoints:${actor.studioId}`, async () => {
      const count = await this.deps.webhooks.countEndpoints(actor.studioId);
      if (count >= max) {
        throw new ConflictError('WEBHOOK_LIMIT_REACHED', `Your studio already has ${count} webhooks, the most it may have. Delete one it no longer uses, or add these event types to an existing one`);
      }
      return this.deps.webhooks.createEndpoint({
        studioId: new Types.ObjectId(actor.studioId),
        url: input.url,
        events: [...new Set(input.events)],
        description: input.description ?? '',
        secret,
        createdBy: new Types.ObjectId(actor.id),
      });
    });
    await this.deps.audit.record(actor, 'webhook.created', 'webhook', endpoint._id, { url: endpoint.url, events: endpoint.events });
    return { ...toEndpointDto(endpoint), secret };
  }

  async list(actor: Actor): Promise<WebhookEndpointDto[]> {
    this.deps.access.require(actor, 'webhook:manage');
    return (await this.deps.webhooks.endpoints(actor.studioId)).map(toEndpointDto);
  }

  async get(actor: Actor, id: string): Promise<WebhookEndpointDto> {
    return toEndpointDto(await this.owned(actor, id));
  }

  /**
   * Changes URL, events, description or active; turning an endpoint back on clears its failure record,
   * turning it off settles what it had waiting as FAILED.
   */
  async update(actor: Actor, id: string, patch: EndpointPatch): Promise<WebhookEndpointDto> {
    const current = await this.owned(actor, id);
    // A new URL or new events decide where the events' data goes, and a new URL sends the events already
    // subscribed there: the actor must be one who may read all of them.
    if (patch.url !== undefined || patch.events !== undefined) requireReadable(actor, patch.events ?? current.events);
    if (patch.url !== undefined) await this.deps.urls.check(patch.url);
    const revive = patch.active === true && !current.active ? { failingSince: null, pausedUntil: null, disabledAt: null, disabledReason: null } : {};
    const updated = await this.deps.webhooks.updateEndpoint(actor.studioId, current._id, { ...patch, ...(patch.events ? { events: [...new Set(patch.events)] } : {}), ...revive });
    if (!updated) throw NOT_FOUND();
    if (patch.active === false && current.active) await this.settleWaiting(current, 'the webhook was turned off');
    await this.deps.audit.record(actor, 'webhook.updated', 'webhook', current._id, { changes: Object.keys(patch) });
    return toEndpointDto(updated);
  }

  async remove(actor: Actor, id: string): Promise<void> {
    const current = await this.owned(actor, id);
    await this.deps.webhooks.deleteEndpoint(actor.studioId, current._id);
    await this.settleWaiting(current, 'the webhook was deleted');
    await this.deps.audit.record(actor, 'webhook.deleted', 'webhook', current._id, { url: current.url });
  }

  async deliveries(actor: Actor, id: string, req: { limit: number; cursor?: string }): Promise<Page<WebhookDeliveryDto>> {
    const endpoint = await this.owned(actor, id);
    const page = await this.deps.webhooks.deliveries(actor.studioId, endpoint._id, req);
    return { ...page, data: page.data.map(toDeliveryDto) };
  }

  /** Sends an event to the endpoint again, as a new delivery (the old one's record stays as it was). */
  async redeliver(actor: Actor, id: string, deliveryId: string): Promise<WebhookDeliveryDto> {
    const endpoint = await this.owned(actor, id);
    const old = await this.deps.webhooks.findOwnedDelivery(actor.studioId, deliveryId);
    if (!old || String(old.endpointId) !== String(endpoint._id)) throw new NotFoundError('DELIVERY_NOT_FOUND', 'Delivery not found');
    const fresh = await this.sendNow(endpoint, { eventId: old.eventId, eventSeq: old.eventSeq, eventType: old.eventType });
    await this.deps.audit.record(actor, 'webhook.redelivered', 'webhook', endpoint._id, { deliveryId, eventSeq: old.eventSeq });
    return toDeliveryDto(fresh);
  }

  /** A `webhook.test` delivery to this endpoint only (it is not an event of the log). */
  async sendTest(actor: Actor, id: string): Promise<WebhookDeliveryDto> {
    const endpoint = await this.owned(actor, id);
    if (!endpoint.active) throw new ConflictError('WEBHOOK_DISABLED', 'This webhook is turned off, so it cannot be sent a test. Turn it on again first (that clears its record of failures), then send the test');
    return toDeliveryDto(await this.sendNow(endpoint, { eventId: new Types.ObjectId(), eventSeq: 0, eventType: 'webhook.test' }));
  }

  /**
   * One delivery per active endpoint subscribed to the event's type. An endpoint that already has
   * WEBHOOK_MAX_PENDING_PER_ENDPOINT waiting gets a DROPPED delivery instead (the newest go, so what waits
   * stays a gap-free run of events in order; the event stays in the log for the receiver to read).
   */
  fanOut(event: StudioEventDoc): Promise<void> {
    // The deliveries of a studio's events are written side by side, but they join their lanes one event after
    // another, in the order of the events: with one delivery in flight per endpoint, a later event's delivery
    // in a lane first could be sent first.
    const made = this.makeDeliveries(event);
    // Its failure is the caller's, through the task below; this keeps it from counting as unhandled meanwhile.
    made.catch(() => undefined);
    return this.fanOuts.run(String(event.studioId), async () => {
      const { lanes, turns } = await made;
      // A failure here leaves the deliveries waiting in MongoDB; the worker's reconciler puts them in their
      // lanes and gives their endpoints turns.
      await enterLanes(this.deps, lanes)
        // An endpoint whose deliveries its pause held back gets its turn from the wake at the pause's end.
        .then((held) => this.deps.queue.turns(turns.filter((t) => !held.some((e) => e.endpointId === t.endpointId))))
        .catch(() => undefined);
    });
  }

  /** The event's deliveries, written; what joins which lane, and which endpoints get turns. */
  private async makeDeliveries(event: StudioEventDoc): Promise<{ lanes: LaneEntry[]; turns: Array<{ studioId: string; endpointId: string; slots: number }> }> {
    const endpoints = (await this.deps.webhooks.activeEndpoints(event.studioId)).filter((e) => e.events.includes(event.type));
    if (!endpoints.length) return { lanes: [], turns: [] };
    const { maxPendingPerEndpoint: max } = this.deps.limits;
    // Redis away: no cap for now rather than no deliveries (the reconciler puts them in their lanes later).
    const waiting = await this.deps.queue.waiting(endpoints.map((e) => String(e._id))).catch(() => endpoints.map(() => 0));
    const now = new Date();
    const plans = endpoints.map((endpoint, i) => ({ endpoint, waiting: waiting[i]!, full: waiting[i]! >= max }));
    const made = await this.deps.webhooks.createDeliveries(
      plans.map(({ endpoint, full }) => {
        const row = { studioId: event.studioId, endpointId: endpoint._id, eventId: event._id, eventSeq: event.seq, eventType: event.type };
        if (full) return { ...row, status: 'DROPPED' as const, nextAttemptAt: null, lastError: `Not sent: ${max} deliveries were already waiting for this endpoint. The event stays in the event log (number ${event.seq}) for the receiver to read.` };
        // Due from the event's time, so a lane holds its endpoint's deliveries in the order of the events. A
        // paused endpoint's are held back when they join its lane, by the pause as Redis has it then: the
        // endpoint read here may be a moment old either way (paused or resumed since).
        return { ...row, nextAttemptAt: event.at };
      }),
    );
    await Promise.all(plans.filter((p) => p.full).map((p) => this.deps.webhooks.markDropped(p.endpoint._id, now)));
    return {
      lanes: made.filter((d) => d.nextAttemptAt).map((d) => ({ endpointId: String(d.endpointId), deliveryId: String(d._id), dueAt: d.nextAttemptAt! })),
      // A failing endpoint gets one turn at a time; a healthy one as many as it has deliveries waiting, up to its concurrency.
      turns: plans
        .filter((p) => !p.full)
        .map((p) => ({ studioId: String(event.studioId), endpointId: String(p.endpoint._id), slots: p.endpoint.failingSince ? 1 : Math.min(this.deps.limits.endpointConcurrency, p.waiting + 1) })),
    };
  }

  /**
   * A delivery a PRODUCER asked for (a test event, a redelivery), due now even while the endpoint is paused
   * (the deliveries it had waiting are due at the pause's end), so it is the probe: if it succeeds the pause ends.
   */
  private async sendNow(endpoint: WebhookEndpointDoc, event: Pick<WebhookDeliveryDoc, 'eventId' | 'eventSeq' | 'eventType'>): Promise<WebhookDeliveryDoc> {
    const max = this.deps.limits.maxPendingPerEndpoint;
    const [waiting] = await this.deps.queue.waiting([String(endpoint._id)]);
    if (waiting! >= max) {
      throw new ConflictError('WEBHOOK_BACKLOG_FULL', `This webhook already has ${max} deliveries waiting, the most it may have. Wait for them to go out, or turn it off and on again to drop them`);
    }
    const [delivery] = await this.deps.webhooks.createDeliveries([{ studioId: endpoint.studioId, endpointId: endpoint._id, ...event }]);
    await this.deps.queue.enter([{ endpointId: String(endpoint._id), deliveryId: String(delivery!._id), dueAt: delivery!.nextAttemptAt! }], { probe: true });
    await this.deps.queue.turn({ studioId: String(endpoint.studioId), endpointId: String(endpoint._id), slot: 0 });
    return delivery!;
  }

  /** What the endpoint had waiting, settled as FAILED with the reason, and its lane emptied. */
  private async settleWaiting(endpoint: WebhookEndpointDoc, reason: string): Promise<void> {
    await this.deps.webhooks.failWaiting(endpoint.studioId, endpoint._id, reason);
    // With Redis away the lane stays behind: its entries are settled deliveries, which a turn skips.
    await this.deps.queue.clear(String(endpoint._id)).catch(() => undefined);
  }

  private async owned(actor: Actor, id: string): Promise<WebhookEndpointDoc> {
    this.deps.access.require(actor, 'webhook:manage');
    const endpoint = await this.deps.webhooks.findEndpoint(actor.studioId, id);
    if (!endpoint) throw NOT_FOUND();
    return endpoint;
  }
}
