// A DIRECTOR's or PRODUCER's verdict on one version of an asset.
import { Schema, type Types } from 'mongoose';

export const DECISIONS = ['APPROVED', 'CHANGES_REQUESTED'] as const;
export type Decision = (typeof DECISIONS)[number];

export interface ReviewDecisionDoc {
  _id: Types.ObjectId;
  studioId: Types.ObjectId;
  assetId: Types.ObjectId;
  version: number;
  decision: Decision;
  note: string;
  decidedBy: Types.ObjectId;
  createdAt: Date;
}

export const reviewDecisionSchema = new Schema<ReviewDecisionDoc>(
  {
    studioId: { type: Schema.Types.ObjectId, required: true },
    assetId: { type: Schema.Types.ObjectId, required: true },
    version: { type: Number, required: true },
    decision: { type: String, enum: DECISIONS, required: true },
    note: { type: String, default: '', maxlength: 5000 },
    decidedBy: { type: Schema.Types.ObjectId, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
reviewDecisionSchema.index({ studioId: 1, assetId: 1, version: 1, createdAt: -1 });
// GET /assets/:id/reviews, newest first: every version's, or one version's (the review page, the task page).
reviewDecisionSchema.index({ studioId: 1, assetId: 1, _id: 1 });
reviewDecisionSchema.index({ studioId: 1, assetId: 1, version: 1, _id: 1 });
