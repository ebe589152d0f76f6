// An immutable version of an asset's file. Nothing updates one; only the purge of an archived asset deletes them.
import { Schema, type Types } from 'mongoose';

export interface AssetVersionDoc {
  _id: Types.ObjectId;
  studioId: Types.ObjectId;
  assetId: Types.ObjectId;
  version: number;
  file: { key: string; size: number; sha256: string; mimeType: string; originalName: string; verified: boolean };
  changeNote: string;
  createdBy: Types.ObjectId;
  createdAt: Date;
}

export const assetVersionSchema = new Schema<AssetVersionDoc>(
  {
    studioId: { type: Schema.Types.ObjectId, required: true },
    assetId: { type: Schema.Types.ObjectId, required: true },
    version: { type: Number, required: true, min: 1 },
    file: {
      key: { type: String, required: true },
      size: { type: Number, required: true },
      sha256: { type: String, required: true },
      mimeType: { type: String, required: true },
      originalName: { type: String, required: true },
      verified: { type: Boolean, required: true },
    },
    changeNote: { type: String, default: '' },
    createdBy: { type: Schema.Types.ObjectId, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
// The number is the identity of a version: the unique index is what makes allocation race-free.
assetVersionSchema.index({ assetId: 1, version: 1 }, { unique: true });
// A page of an asset's versions: newest first, _id as the keyset tie-breaker (see Comment.ts).
assetVersionSchema.index({ studioId: 1, assetId: 1, version: -1, _id: -1 });
// The storage collector's reference check: does any version of the studio point at this object?
assetVersionSchema.index({ studioId: 1, 'file.key': 1 });
