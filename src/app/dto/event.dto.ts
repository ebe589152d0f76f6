// The public shape of a studio event (GET /events, the SSE stream, webhook bodies).
import type { EventType, StudioEventDoc } from '../repositories/models/StudioEvent';

export interface EventDto {
  /** Unique across studios: the webhook body's id, and what a receiver de-duplicates on. */
  id: string;
  /** The studio's event number: the cursor of GET /events and the SSE id. */
  seq: number;
  type: string;
  time: string;
  studioId: string;
  actorId: string | null;
  data: Record<string, unknown>;
}

/**
 * What of a stored event's data may be shown, for types whose older records held more. `webhook.disabled`
 * carried the endpoint's URL until issue 27 (for chat receivers the URL is the credential): events written
 * before that are stripped here, on every read, rather than rewritten, so retention removes them in time.
 */
const SHOWN: Partial<Record<EventType, (data: Record<string, unknown>) => Record<string, unknown>>> = {
  'webhook.disabled': ({ webhookId, code, reason }) => ({ webhookId, code: code ?? 'DELIVERIES_FAILING', reason }),
};

export function toEventDto(e: StudioEventDoc): EventDto {
  const data = SHOWN[e.type]?.(e.data) ?? e.data;
  return { id: String(e._id), seq: e.seq, type: e.type, time: e.at.toISOString(), studioId: String(e.studioId), actorId: e.actorId ? String(e.actorId) : null, data };
}
