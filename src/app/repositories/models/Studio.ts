// A studio is the tenant: every other record carries its studioId.
import { Schema, type Types } from 'mongoose';

export interface StudioDoc {
  _id: Types.ObjectId;
  name: string;
  slug: string;
  settings: { autoRender: boolean };
  /**
   * Logical storage in use: the sizes of the studio's versions, kept by single-document $inc at each commit
   * (conditional on the quota) and purge. What the studio uploaded and keeps, whatever dedup saves on disk.
   */
  usage: { bytes: number; versions: number };
  /** The operator's override of STORAGE_QUOTA_BYTES: when `override`, `bytes` is the quota (null: none). */
  storageQuota: { override: boolean; bytes: number | null };
  createdAt: Date;
  updatedAt: Date;
}

export const studioSchema = new Schema<StudioDoc>(
  {
    name: { type: String, required: true, trim: true, maxlength: 120 },
    slug: { type: String, required: true, unique: true, maxlength: 80 },
    settings: { autoRender: { type: Boolean, default: false } },
    usage: { bytes: { type: Number, default: 0 }, versions: { type: Number, default: 0 } },
    storageQuota: { override: { type: Boolean, default: false }, bytes: { type: Number, default: null } },
  },
  { timestamps: true, versionKey: false },
);
