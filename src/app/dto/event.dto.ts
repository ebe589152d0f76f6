// The public shape of a studio event (GET /events, the SSE stream, webhook bodies).
import type { StudioEventDoc } from '../repositories/models/StudioEvent';

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

export function toEventDto(e: StudioEventDoc): EventDto {
  return { id: String(e._id), seq: e.seq, type: e.type, time: e.at.toISOString(), studioId: String(e.studioId), actorId: e.actorId ? String(e.actorId) : null, data: e.data };
}
