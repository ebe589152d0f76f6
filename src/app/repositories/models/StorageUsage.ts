// A studio's storage usage and quota override: one document per studio (_id is the studio's id), apart from
// the studio document so that no other write to the studio (its settings) can overwrite the counters: FerretDB
// v1 applies an update by rewriting the whole document, and a concurrent $inc or conditional update is not
// atomic there (see Lease.ts). Every write happens under the studio's `storage:` lease.
import { Schema, type Types } from 'mongoose';

export interface StorageUsageDoc {
  _id: Types.ObjectId;
  /** Logical bytes in use: the sizes of the studio's versions, each counted whole. */
  bytes: number;
  versions: number;
  /** The operator's override of STORAGE_QUOTA_BYTES: when `override`, `bytes` is the quota (null: none). */
  quota: { override: boolean; bytes: number | null };
  updatedAt: Date;
}

export const storageUsageSchema = new Schema<StorageUsageDoc>(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    bytes: { type: Number, default: 0 },
    versions: { type: Number, default: 0 },
    quota: { override: { type: Boolean, default: false }, bytes: { type: Number, default: null } },
  },
  { timestamps: { createdAt: false, updatedAt: true }, versionKey: false },
);
