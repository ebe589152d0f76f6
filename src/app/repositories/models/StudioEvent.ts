// The studio's durable event log: every domain event, numbered per studio (seq: 1, 2, 3… with no reuse),
// read by GET /events, the SSE stream and webhook deliveries, so all of them agree. `bucket` is
// floor(seq / EVENT_BUCKET): reading "after seq N" is a few equality reads of buckets, which every
// MongoDB-wire server serves from an index (FerretDB v1 would sort and range-filter a whole studio's log
// in Go); on MongoDB the {studioId, seq} index serves it as well.
import { Schema, type Types } from 'mongoose';

export const EVENT_BUCKET = 100;

export const EVENT_TYPES = [
  'asset.created',
  'asset.updated',
  'version.created',
  'comment.created',
  'review.decided',
  'pipeline.updated',
  'render.progress',
  'render.completed',
  'render.failed',
  'webhook.disabled',
  'project.created',
  'project.updated',
  'shot.created',
  'shot.updated',
  'task.created',
  'task.updated',
  'casting.updated',
  'editorial.imported',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface StudioEventDoc {
  _id: Types.ObjectId;
  studioId: Types.ObjectId;
  seq: number;
  bucket: number;
  type: EventType;
  actorId: Types.ObjectId | null;
  data: Record<string, unknown>;
  at: Date;
}

export const studioEventSchema = new Schema<StudioEventDoc>(
  {
    studioId: { type: Schema.Types.ObjectId, required: true },
    seq: { type: Number, required: true },
    bucket: { type: Number, required: true },
    type: { type: String, enum: EVENT_TYPES, required: true },
    actorId: { type: Schema.Types.ObjectId, default: null },
    data: { type: Schema.Types.Mixed, default: {} },
    at: { type: Date, required: true },
  },
  { versionKey: false, minimize: false, collection: 'studio_events' },
);
studioEventSchema.index({ studioId: 1, seq: 1 }, { unique: true });
studioEventSchema.index({ studioId: 1, bucket: 1 });
// Retention: pruned by age (EVENT_RETENTION_DAYS) in code, so it works without TTL indexes.
studioEventSchema.index({ at: 1 });
