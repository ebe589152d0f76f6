// A member's choice of an email digest of their unread notifications, and when the next one is due.
import { Schema, type Types } from 'mongoose';

export const DIGEST_FREQUENCIES = ['OFF', 'HOURLY', 'DAILY'] as const;
export type DigestFrequency = (typeof DIGEST_FREQUENCIES)[number];
export const DIGEST_PERIOD_MS: Record<Exclude<DigestFrequency, 'OFF'>, number> = { HOURLY: 3_600_000, DAILY: 86_400_000 };

export interface DigestSettingDoc {
  _id: Types.ObjectId;
  studioId: Types.ObjectId;
  userId: Types.ObjectId;
  frequency: DigestFrequency;
  /** When the next digest is due; null when off (the sweep's range never matches null). */
  nextAt: Date | null;
  /** The end of the period the last digest covered: the next one tells only what came after. */
  coveredUntil: Date | null;
  updatedAt: Date;
}

export const digestSettingSchema = new Schema<DigestSettingDoc>(
  {
    studioId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    frequency: { type: String, enum: DIGEST_FREQUENCIES, required: true },
    nextAt: { type: Date, default: null },
    coveredUntil: { type: Date, default: null },
  },
  { timestamps: { createdAt: false, updatedAt: true }, versionKey: false, collection: 'digest_settings' },
);
// One setting per membership (an upsert finds it); the sender's sweep reads the due ones, oldest first.
digestSettingSchema.index({ studioId: 1, userId: 1 }, { unique: true });
digestSettingSchema.index({ nextAt: 1, _id: 1 });
