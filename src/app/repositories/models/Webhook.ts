// A studio's webhook endpoints and each delivery of an event to one of them.
import { Schema, type Types } from 'mongoose';
import { EVENT_TYPES, type EventType } from './StudioEvent';

export interface WebhookEndpointDoc {
  _id: Types.ObjectId;
  studioId: Types.ObjectId;
  url: string;
  description: string;
  events: EventType[];
  /** The HMAC key. Stored as given (it must be, to sign); never returned after creation. */
  secret: string;
  active: boolean;
  /** Since when every delivery has failed (null while the endpoint answers); past WEBHOOK_DISABLE_AFTER_HOURS it is disabled. */
  failingSince: Date | null;
  /**
   * Set after two attempts in a row failed (a circuit breaker): no delivery is attempted before it, and the
   * endpoint's waiting deliveries are due then. Grows with how long the endpoint has been failing.
   */
  pausedUntil: Date | null;
  /** When a delivery was last dropped because WEBHOOK_MAX_PENDING_PER_ENDPOINT were already waiting. */
  lastDroppedAt: Date | null;
  disabledAt: Date | null;
  disabledReason: string | null;
  createdBy: Types.ObjectId;
  createdAt: Date;
  updatedAt: Date;
}

export const webhookEndpointSchema = new Schema<WebhookEndpointDoc>(
  {
    studioId: { type: Schema.Types.ObjectId, required: true },
    url: { type: String, required: true, maxlength: 2048 },
    description: { type: String, default: '', maxlength: 500 },
    events: { type: [String], enum: EVENT_TYPES, required: true },
    secret: { type: String, required: true },
    active: { type: Boolean, required: true, default: true },
    failingSince: { type: Date, default: null },
    pausedUntil: { type: Date, default: null },
    lastDroppedAt: { type: Date, default: null },
    disabledAt: { type: Date, default: null },
    disabledReason: { type: String, default: null },
    createdBy: { type: Schema.Types.ObjectId, required: true },
  },
  { timestamps: true, versionKey: false, collection: 'webhook_endpoints' },
);
webhookEndpointSchema.index({ studioId: 1, _id: 1 });
webhookEndpointSchema.index({ studioId: 1, active: 1 });

/** DROPPED: never sent, because the endpoint already had WEBHOOK_MAX_PENDING_PER_ENDPOINT deliveries waiting. */
export const DELIVERY_STATUSES = ['PENDING', 'RETRYING', 'SUCCEEDED', 'FAILED', 'DROPPED'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface WebhookDeliveryDoc {
  _id: Types.ObjectId;
  studioId: Types.ObjectId;
  endpointId: Types.ObjectId;
  eventId: Types.ObjectId;
  eventSeq: number;
  eventType: EventType | 'webhook.test';
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastDurationMs: number | null;
  /** When the delivery may be attempted; null once it is settled (SUCCEEDED, FAILED, DROPPED). */
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const webhookDeliverySchema = new Schema<WebhookDeliveryDoc>(
  {
    studioId: { type: Schema.Types.ObjectId, required: true },
    endpointId: { type: Schema.Types.ObjectId, required: true },
    eventId: { type: Schema.Types.ObjectId, required: true },
    eventSeq: { type: Number, required: true },
    eventType: { type: String, required: true },
    status: { type: String, enum: DELIVERY_STATUSES, required: true },
    attempts: { type: Number, required: true, default: 0 },
    lastStatusCode: { type: Number, default: null },
    lastError: { type: String, default: null },
    lastDurationMs: { type: Number, default: null },
    nextAttemptAt: { type: Date, default: null },
    deliveredAt: { type: Date, default: null },
  },
  { timestamps: true, versionKey: false, collection: 'webhook_deliveries' },
);
webhookDeliverySchema.index({ studioId: 1, endpointId: 1, _id: -1 });
// An endpoint's waiting deliveries: what a pause puts back, its end brings forward, a deletion settles.
webhookDeliverySchema.index({ studioId: 1, endpointId: 1, nextAttemptAt: 1 });
// The reconciler's walk: waiting deliveries (settled ones have no nextAttemptAt) in order of due time.
webhookDeliverySchema.index({ nextAttemptAt: 1, _id: 1 });
