// A review note on an asset (optionally one version and one frame), numbered per asset so a client that
// reconnects can fetch exactly what it missed.
import { Schema, type Types } from 'mongoose';

export interface CommentDoc {
  _id: Types.ObjectId;
  studioId: Types.ObjectId;
  assetId: Types.ObjectId;
  seq: number;
  version: number | null;
  authorId: Types.ObjectId;
  body: string;
  frame: number | null;
  fps: number | null;
  timecode: string | null;
  createdAt: Date;
}

export const commentSchema = new Schema<CommentDoc>(
  {
    studioId: { type: Schema.Types.ObjectId, required: true },
    assetId: { type: Schema.Types.ObjectId, required: true },
    seq: { type: Number, required: true },
    version: { type: Number, default: null },
    authorId: { type: Schema.Types.ObjectId, required: true },
    body: { type: String, required: true, maxlength: 5000 },
    frame: { type: Number, default: null },
    fps: { type: Number, default: null },
    timecode: { type: String, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
commentSchema.index({ assetId: 1, seq: 1 }, { unique: true });
commentSchema.index({ studioId: 1, assetId: 1, seq: 1 });
