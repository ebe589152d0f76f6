// An episode of a series project (optional: films go straight to sequences).
import { Schema, type Types } from 'mongoose';

export interface EpisodeDoc {
  _id: Types.ObjectId;
  studioId: Types.ObjectId;
  projectId: Types.ObjectId;
  code: string;
  codeLower: string;
  name: string;
  order: number;
  createdAt: Date;
  updatedAt: Date;
}

export const episodeSchema = new Schema<EpisodeDoc>(
  {
    studioId: { type: Schema.Types.ObjectId, required: true },
    projectId: { type: Schema.Types.ObjectId, required: true },
    code: { type: String, required: true, maxlength: 40 },
    codeLower: { type: String, required: true, maxlength: 40 },
    name: { type: String, default: '', maxlength: 200 },
    order: { type: Number, required: true },
  },
  { timestamps: true, versionKey: false, collection: 'episodes' },
);
episodeSchema.index({ studioId: 1, projectId: 1, codeLower: 1 }, { unique: true });
episodeSchema.index({ studioId: 1, projectId: 1, order: 1, _id: 1 });
