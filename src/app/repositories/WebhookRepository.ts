// Webhook endpoints of one studio and their deliveries.
import { Types } from 'mongoose';
import type { Models } from './models';
import type { EventType } from './models/StudioEvent';
import type { DeliveryStatus, WebhookDeliveryDoc, WebhookEndpointDoc } from './models/Webhook';
import { findOwned } from './owned';
import { keyset, toPage, type Page } from './pagination';

export type EndpointPatch = Partial<Pick<WebhookEndpointDoc, 'url' | 'events' | 'description' | 'active'>>;

/** Every date a delivery waiting to be sent can have: settled deliveries have none (nextAttemptAt null). */
const WAITING = { $gte: new Date(0) };

/** An endpoint's deliveries waiting to be sent, due now or later: its backlog. */
export function waitingFilter(studioId: Types.ObjectId | string, endpointId: Types.ObjectId | string) {
  return { studioId: new Types.ObjectId(String(studioId)), endpointId: new Types.ObjectId(String(endpointId)), nextAttemptAt: WAITING };
}

/** Where the reconciler's walk over the waiting deliveries stopped: the last one it looked at. */
export interface DueCursor {
  nextAttemptAt: Date;
  id: Types.ObjectId;
}

/** Waiting deliveries due before `before`, after the cursor in (nextAttemptAt, _id) order. */
export function dueQuery(before: Date, after?: DueCursor) {
  const due = { nextAttemptAt: { ...WAITING, $lt: before } };
  if (!after) return due;
  return { ...due, $or: [{ nextAttemptAt: { $gt: after.nextAttemptAt } }, { nextAttemptAt: after.nextAttemptAt, _id: { $gt: after.id } }] };
}

export class WebhookRepository {
  constructor(private readonly models: Models) {}

  async createEndpoint(input: { studioId: Types.ObjectId; url: string; events: EventType[]; description: string; secret: string; createdBy: Types.ObjectId }): Promise<WebhookEndpointDoc> {
    const doc = await this.models.WebhookEndpoint.create({ ...input, active: true, failingSince: null, pausedUntil: null, lastDroppedAt: null, disabledAt: null, disabledReason: null });
    return doc.toObject();
  }

  countEndpoints(studioId: Types.ObjectId | string): Promise<number> {
    return this.models.WebhookEndpoint.countDocuments({ studioId }).exec();
  }

  findEndpoint(studioId: Types.ObjectId | string, id: Types.ObjectId | string): Promise<WebhookEndpointDoc | null> {
    return findOwned(this.models.WebhookEndpoint, studioId, id);
  }

  /** A studio's endpoints (bounded: a studio keeps few). */
  endpoints(studioId: Types.ObjectId | string): Promise<WebhookEndpointDoc[]> {
    return this.models.WebhookEndpoint.find({ studioId }).limit(1000).lean<WebhookEndpointDoc[]>().exec();
  }

  activeEndpoints(studioId: Types.ObjectId | string): Promise<WebhookEndpointDoc[]> {
    return this.models.WebhookEndpoint.find({ studioId, active: true }).limit(1000).lean<WebhookEndpointDoc[]>().exec();
  }

  updateEndpoint(studioId: Types.ObjectId | string, id: Types.ObjectId, patch: EndpointPatch & Partial<Pick<WebhookEndpointDoc, 'failingSince' | 'pausedUntil' | 'disabledAt' | 'disabledReason'>>): Promise<WebhookEndpointDoc | null> {
    return this.models.WebhookEndpoint.findOneAndUpdate({ _id: id, studioId }, { $set: patch }, { returnDocument: 'after' }).lean<WebhookEndpointDoc>().exec();
  }

  /** Marks an endpoint failing from `at`, unless it already is (the first failure is what counts). */
  async markFailing(id: Types.ObjectId, at: Date): Promise<void> {
    await this.models.WebhookEndpoint.updateOne({ _id: id, failingSince: null }, { $set: { failingSince: at } }).exec();
  }

  /**
   * The endpoint answered: no longer failing or paused. After a pause every waiting delivery is due now, also
   * those in their own back-off: they failed because the endpoint was down. (Without a pause a delivery keeps
   * its back-off, so one the receiver always rejects is not retried after each success of the others.)
   */
  async markHealthy(endpoint: Pick<WebhookEndpointDoc, '_id' | 'studioId' | 'failingSince' | 'pausedUntil'>, now: Date): Promise<void> {
    if (!endpoint.failingSince && !endpoint.pausedUntil) return;
    await this.models.WebhookEndpoint.updateOne({ _id: endpoint._id }, { $set: { failingSince: null, pausedUntil: null } }).exec();
    if (endpoint.pausedUntil) await this.models.WebhookDelivery.updateMany({ ...waitingFilter(endpoint.studioId, endpoint._id), nextAttemptAt: { $gt: now } }, { $set: { nextAttemptAt: now } }).exec();
  }

  /** The circuit breaker opens: nothing is attempted before `until`, so every waiting delivery is due then. */
  async pause(endpoint: Pick<WebhookEndpointDoc, '_id' | 'studioId'>, until: Date): Promise<void> {
    await this.models.WebhookEndpoint.updateOne({ _id: endpoint._id }, { $set: { pausedUntil: until } }).exec();
    await this.models.WebhookDelivery.updateMany({ ...waitingFilter(endpoint.studioId, endpoint._id), nextAttemptAt: { $gte: new Date(0), $lt: until } }, { $set: { nextAttemptAt: until } }).exec();
  }

  /** Waiting deliveries due before `until` (a pause held them back as they joined their lane) are due then. */
  async postpone(ids: string[], until: Date): Promise<void> {
    if (!ids.length) return;
    await this.models.WebhookDelivery.updateMany({ _id: { $in: ids.map((id) => new Types.ObjectId(id)) }, nextAttemptAt: { ...WAITING, $lt: until } }, { $set: { nextAttemptAt: until } }).exec();
  }

  async markDropped(id: Types.ObjectId, at: Date): Promise<void> {
    await this.models.WebhookEndpoint.updateOne({ _id: id }, { $set: { lastDroppedAt: at } }).exec();
  }

  async deleteEndpoint(studioId: Types.ObjectId | string, id: Types.ObjectId): Promise<void> {
    await this.models.WebhookEndpoint.deleteOne({ _id: id, studioId }).exec();
  }

  /** PENDING and due now unless a row says otherwise (a DROPPED row has no attempt time and says why). */
  async createDeliveries(
    rows: Array<Pick<WebhookDeliveryDoc, 'studioId' | 'endpointId' | 'eventId' | 'eventSeq' | 'eventType'> & Partial<Pick<WebhookDeliveryDoc, 'status' | 'lastError' | 'nextAttemptAt'>>>,
  ): Promise<WebhookDeliveryDoc[]> {
    if (!rows.length) return [];
    const now = new Date();
    const docs = await this.models.WebhookDelivery.insertMany(rows.map((r) => ({ status: 'PENDING', lastError: null, nextAttemptAt: now, ...r, attempts: 0, lastStatusCode: null, lastDurationMs: null, deliveredAt: null })));
    return docs.map((d) => d.toObject() as WebhookDeliveryDoc);
  }

  /** Settles every waiting delivery of the endpoint as FAILED (it was deleted or disabled). */
  async failWaiting(studioId: Types.ObjectId | string, endpointId: Types.ObjectId | string, reason: string): Promise<void> {
    await this.models.WebhookDelivery.updateMany(waitingFilter(studioId, endpointId), { $set: { status: 'FAILED', lastError: reason, nextAttemptAt: null } }).exec();
  }

  /** Pre-tenant: the worker holds only the delivery id from its job. */
  findDelivery(id: string): Promise<WebhookDeliveryDoc | null> {
    if (!Types.ObjectId.isValid(id)) return Promise.resolve(null);
    return this.models.WebhookDelivery.findById(id).lean<WebhookDeliveryDoc>().exec();
  }

  findOwnedDelivery(studioId: Types.ObjectId | string, id: string): Promise<WebhookDeliveryDoc | null> {
    return findOwned(this.models.WebhookDelivery, studioId, id);
  }

  async recordAttempt(id: Types.ObjectId, set: { status: DeliveryStatus; attempts: number; lastStatusCode: number | null; lastError: string | null; lastDurationMs: number; nextAttemptAt: Date | null; deliveredAt: Date | null }): Promise<void> {
    await this.models.WebhookDelivery.updateOne({ _id: id }, { $set: set }).exec();
  }

  /** Newest first. */
  async deliveries(studioId: Types.ObjectId | string, endpointId: Types.ObjectId, req: { limit: number; cursor?: string }): Promise<Page<WebhookDeliveryDoc>> {
    const { filter, sort } = keyset<WebhookDeliveryDoc>('_id', 'desc', req.cursor);
    const rows = await this.models.WebhookDelivery.find({ ...filter, studioId, endpointId }).sort(sort).limit(req.limit + 1).lean<WebhookDeliveryDoc[]>().exec();
    return toPage(rows, { limit: req.limit, order: 'desc' }, '_id', (r) => String(r._id), (r) => r);
  }

  /**
   * Waiting deliveries due before `before`, in order of due time, after the one `after` names: the reconciler
   * walks them a batch at a time, so every one is looked at however many wait (all studios' backlogs).
   */
  due(before: Date, limit: number, after?: DueCursor): Promise<WebhookDeliveryDoc[]> {
    return this.models.WebhookDelivery.find(dueQuery(before, after)).sort({ nextAttemptAt: 1, _id: 1 }).limit(limit).lean<WebhookDeliveryDoc[]>().exec();
  }
}
