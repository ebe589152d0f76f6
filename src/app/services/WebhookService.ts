// A studio's webhooks: PRODUCERs register endpoints (URL, event types, secret) and read their delivery log;
// every logged event of a subscribed type becomes one delivery per endpoint, sent by the webhook worker
// through the `webhooks` queue (never in a request), retried with back-off, and an endpoint that fails for
// WEBHOOK_DISABLE_AFTER_HOURS is disabled. URLs pass the UrlGuard at registration and again at connect time.
import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { ConflictError, NotFoundError } from '../../shared/errors';
import type { WebhookRepository, EndpointPatch } from '../repositories/WebhookRepository';
import type { EventType, StudioEventDoc } from '../repositories/models/StudioEvent';
import type { WebhookEndpointDoc } from '../repositories/models/Webhook';
import { toDeliveryDto, toEndpointDto, type WebhookDeliveryDto, type WebhookEndpointDto } from '../dto';
import type { Page } from '../repositories/pagination';
import type { AccessService } from './AccessService';
import type { AuditService } from './AuditService';
import type { Actor } from './types';

/** The registration-time URL check (the infra UrlGuard): throws 400 WEBHOOK_URL_FORBIDDEN. */
export interface UrlCheck {
  check(url: string): Promise<unknown>;
}

/** Puts a delivery on the queue (its attempt number makes the job id, so a repeat is a no-op). */
export interface DeliveryQueue {
  enqueue(delivery: { id: string; studioId: string; attempt: number }, delayMs?: number): Promise<void>;
  enqueueMany(deliveries: Array<{ id: string; studioId: string; attempt: number }>): Promise<void>;
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
  constructor(
    private readonly deps: {
      webhooks: WebhookRepository;
      access: AccessService;
      audit: AuditService;
      urls: UrlCheck;
      queue: DeliveryQueue;
    },
  ) {}

  async create(actor: Actor, input: { url: string; events: EventType[]; description?: string; secret?: string }): Promise<WebhookEndpointDto & { secret: string }> {
    this.deps.access.require(actor, 'webhook:manage');
    await this.deps.urls.check(input.url);
    const secret = input.secret ?? `whsec_${randomBytes(32).toString('base64url')}`;
    const endpoint = await this.deps.webhooks.createEndpoint({
      studioId: new Types.ObjectId(actor.studioId),
      url: input.url,
      events: [...new Set(input.events)],
      description: input.description ?? '',
      secret,
      createdBy: new Types.ObjectId(actor.id),
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

  /** Changes URL, events, description or active; turning an endpoint back on clears its failure record. */
  async update(actor: Actor, id: string, patch: EndpointPatch): Promise<WebhookEndpointDto> {
    const current = await this.owned(actor, id);
    if (patch.url !== undefined) await this.deps.urls.check(patch.url);
    const revive = patch.active === true && !current.active ? { failingSince: null, disabledAt: null, disabledReason: null } : {};
    const updated = await this.deps.webhooks.updateEndpoint(actor.studioId, current._id, { ...patch, ...(patch.events ? { events: [...new Set(patch.events)] } : {}), ...revive });
    if (!updated) throw NOT_FOUND();
    await this.deps.audit.record(actor, 'webhook.updated', 'webhook', current._id, { changes: Object.keys(patch) });
    return toEndpointDto(updated);
  }

  async remove(actor: Actor, id: string): Promise<void> {
    const current = await this.owned(actor, id);
    await this.deps.webhooks.deleteEndpoint(actor.studioId, current._id);
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
    const [fresh] = await this.deps.webhooks.createDeliveries([{ studioId: old.studioId, endpointId: endpoint._id, eventId: old.eventId, eventSeq: old.eventSeq, eventType: old.eventType }]);
    await this.deps.queue.enqueue({ id: String(fresh!._id), studioId: actor.studioId, attempt: 1 });
    await this.deps.audit.record(actor, 'webhook.redelivered', 'webhook', endpoint._id, { deliveryId, eventSeq: old.eventSeq });
    return toDeliveryDto(fresh!);
  }

  /** A `webhook.test` delivery to this endpoint only (it is not an event of the log). */
  async sendTest(actor: Actor, id: string): Promise<WebhookDeliveryDto> {
    const endpoint = await this.owned(actor, id);
    if (!endpoint.active) throw new ConflictError('WEBHOOK_DISABLED', 'The webhook is disabled; turn it on (PATCH active: true) first');
    const [delivery] = await this.deps.webhooks.createDeliveries([{ studioId: endpoint.studioId, endpointId: endpoint._id, eventId: new Types.ObjectId(), eventSeq: 0, eventType: 'webhook.test' }]);
    await this.deps.queue.enqueue({ id: String(delivery!._id), studioId: actor.studioId, attempt: 1 });
    return toDeliveryDto(delivery!);
  }

  /** One delivery per active endpoint subscribed to the event's type. */
  async fanOut(event: StudioEventDoc): Promise<void> {
    const endpoints = (await this.deps.webhooks.activeEndpoints(event.studioId)).filter((e) => e.events.includes(event.type));
    const deliveries = await this.deps.webhooks.createDeliveries(
      endpoints.map((e) => ({ studioId: event.studioId, endpointId: e._id, eventId: event._id, eventSeq: event.seq, eventType: event.type })),
    );
    // A failed enqueue leaves the delivery PENDING in MongoDB; the worker's reconciler queues it.
    await this.deps.queue.enqueueMany(deliveries.map((d) => ({ id: String(d._id), studioId: String(event.studioId), attempt: 1 }))).catch(() => undefined);
  }

  private async owned(actor: Actor, id: string): Promise<WebhookEndpointDoc> {
    this.deps.access.require(actor, 'webhook:manage');
    const endpoint = await this.deps.webhooks.findEndpoint(actor.studioId, id);
    if (!endpoint) throw NOT_FOUND();
    return endpoint;
  }
}
