// Webhook endpoints of one studio and their deliveries.
import { Types } from 'mongoose';
import type { Models } from './models';
import type { EventType } from './models/StudioEvent';
import type { DeliveryStatus, WebhookDeliveryDoc, WebhookEndpointDoc } from './models/Webhook';
import { findOwned } from './owned';
import { keyset, toPage, type Page } from './pagination';

export type EndpointPatch = Partial<Pick<WebhookEndpointDoc, 'url' | 'events' | 'description' | 'active'>>;

export class WebhookRepository {
  constructor(private readonly models: Models) {}

  async createEndpoint(input: { studioId: Types.ObjectId; url: string; events: EventType[]; description: string; secret: string; createdBy: Types.ObjectId }): Promise<WebhookEndpointDoc> {
    const doc = await this.models.WebhookEndpoint.create({ ...input, active: true, failingSince: null, disabledAt: null, disabledReason: null });
    return doc.toObject();
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

  updateEndpoint(studioId: Types.ObjectId | string, id: Types.ObjectId, patch: EndpointPatch & Partial<Pick<WebhookEndpointDoc, 'failingSince' | 'disabledAt' | 'disabledReason'>>): Promise<WebhookEndpointDoc | null> {
    return this.models.WebhookEndpoint.findOneAndUpdate({ _id: id, studioId }, { $set: patch }, { returnDocument: 'after' }).lean<WebhookEndpointDoc>().exec();
  }

  /** Marks an endpoint failing from `at`, unless it already is (the first failure is what counts). */
  async markFailing(id: Types.ObjectId, at: Date): Promise<void> {
    await this.models.WebhookEndpoint.updateOne({ _id: id, failingSince: null }, { $set: { failingSince: at } }).exec();
  }

  async markHealthy(id: Types.ObjectId): Promise<void> {
    await this.models.WebhookEndpoint.updateOne({ _id: id, failingSince: { $ne: null } }, { $set: { failingSince: null } }).exec();
  }

  async deleteEndpoint(studioId: Types.ObjectId | string, id: Types.ObjectId): Promise<void> {
    await this.models.WebhookEndpoint.deleteOne({ _id: id, studioId }).exec();
  }

  async createDeliveries(rows: Array<Pick<WebhookDeliveryDoc, 'studioId' | 'endpointId' | 'eventId' | 'eventSeq' | 'eventType'>>): Promise<WebhookDeliveryDoc[]> {
    if (!rows.length) return [];
    const docs = await this.models.WebhookDelivery.insertMany(rows.map((r) => ({ ...r, status: 'PENDING', attempts: 0, lastStatusCode: null, lastError: null, lastDurationMs: null, nextAttemptAt: new Date(), deliveredAt: null })));
    return docs.map((d) => d.toObject() as WebhookDeliveryDoc);
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

  /** Deliveries due but not settled, for the reconciler that re-queues what Redis lost. */
  due(before: Date, limit: number): Promise<WebhookDeliveryDoc[]> {
    return this.models.WebhookDelivery.find({ status: { $in: ['PENDING', 'RETRYING'] }, nextAttemptAt: { $lt: before } }).limit(limit).lean<WebhookDeliveryDoc[]>().exec();
  }
}
