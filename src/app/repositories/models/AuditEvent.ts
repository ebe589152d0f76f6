// Append-only record of every mutation of studio data: who did what to which entity, and when.
import { Schema, type Types } from 'mongoose';

export interface AuditEventDoc {
  _id: Types.ObjectId;
  studioId: Types.ObjectId;
  actorId: Types.ObjectId | null;
  /** The API token the actor used, when it was one (a script or bot, not a person at a browser). */
  tokenId?: Types.ObjectId | null;
  action: string;
  entity: string;
  entityId: Types.ObjectId;
  at: Date;
  details: Record<string, unknown>;
}

export const auditEventSchema = new Schema<AuditEventDoc>(
  {
    studioId: { type: Schema.Types.ObjectId, required: true },
    actorId: { type: Schema.Types.ObjectId, default: null },
    tokenId: { type: Schema.Types.ObjectId, default: null },
    action: { type: String, required: true },
    entity: { type: String, required: true },
    entityId: { type: Schema.Types.ObjectId, required: true },
    at: { type: Date, required: true, default: () => new Date() },
    details: { type: Schema.Types.Mixed, default: {} },
  },
  { versionKey: false, minimize: false },
);
auditEventSchema.index({ studioId: 1, entity: 1, entityId: 1, at: -1, _id: -1 });
