// Casting (breakdown): an asset appearing in a shot, with how many of it.
import { Schema, type Types } from 'mongoose';

export interface CastingDoc {
  _id: Types.ObjectId;
  studioId: Types.ObjectId;
  projectId: Types.ObjectId;
  shotId: Types.ObjectId;
  assetId: Types.ObjectId;
  count: number;
  createdAt: Date;
}

export const castingSchema = new Schema<CastingDoc>(
  {
    studioId: { type: Schema.Types.ObjectId, required: true },
    projectId: { type: Schema.Types.ObjectId, required: true },
    shotId: { type: Schema.Types.ObjectId, required: true },
    assetId: { type: Schema.Types.ObjectId, required: true },
    count: { type: Number, required: true, min: 1 },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false, collection: 'castings' },
);
// Both directions: the assets of a shot, the shots of an asset.
castingSchema.index({ studioId: 1, shotId: 1, assetId: 1 }, { unique: true });
castingSchema.index({ studioId: 1, assetId: 1, shotId: 1 });
