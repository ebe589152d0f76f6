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
    disabledAt: { type: Date, default: null },
    disabledReason: { type: String, default: null },
    createdBy: { type: Schema.Types.ObjectId, required: true },
  },
  { timestamps: true, versionKey: false, collection: 'webhook_endpoints' },
);
webhookEndpointSchema.index({ studioId: 1, _id: 1 });
webhookEndpointSchema.index({ studioId: 1, active: 1 });

export type DeliveryStatus = 'PENDING' | 'RETRYING' | 'SUCCEEDED' | 'FAILED';

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
    status: { type: String, enum: ['PENDING', 'RETRYING', 'SUCCEEDED', 'FAILED'], required: true },
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
// The reconciler's query: unsettled deliveries that are due.
webhookDeliverySchema.index({ status: 1, nextAttemptAt: 1 });
