// The public shapes of a webhook endpoint (never its secret) and of one delivery.
import type { WebhookDeliveryDoc, WebhookEndpointDoc } from '../repositories/models/Webhook';
import type { EventType } from '../repositories/models/StudioEvent';

export interface WebhookEndpointDto {
  id: string;
  url: string;
  description: string;
  events: EventType[];
  active: boolean;
  failingSince: string | null;
  pausedUntil: string | null;
  lastDroppedAt: string | null;
  disabledAt: string | null;
  disabledReason: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookDeliveryDto {
  id: string;
  endpointId: string;
  eventId: string;
  eventSeq: number;
  eventType: string;
  status: WebhookDeliveryDoc['status'];
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastDurationMs: number | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  createdAt: string;
}


export function toEndpointDto(e: WebhookEndpointDoc): WebhookEndpointDto {
  return {
    id: String(e._id),
    url: e.url,
    description: e.description,
    events: e.events,
    active: e.active,
    failingSince: e.failingSince?.toISOString() ?? null,
    pausedUntil: e.pausedUntil?.toISOString() ?? null,
    lastDroppedAt: e.lastDroppedAt?.toISOString() ?? null,
    disabledAt: e.disabledAt?.toISOString() ?? null,
    disabledReason: e.disabledReason,
    createdBy: String(e.createdBy),
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}

export function toDeliveryDto(d: WebhookDeliveryDoc): WebhookDeliveryDto {
  return {
    id: String(d._id),
    endpointId: String(d.endpointId),
    eventId: String(d.eventId),
    eventSeq: d.eventSeq,
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    lastDurationMs: d.lastDurationMs,
    nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
    createdAt: d.createdAt.toISOString(),
  };
}
