// A sequence of a project (optionally of an episode): an ordered run of shots.
import { Schema, type Types } from 'mongoose';

export interface SequenceDoc {
  _id: Types.ObjectId;
  studioId: Types.ObjectId;
  projectId: Types.ObjectId;
  episodeId: Types.ObjectId | null;
  code: string;
  codeLower: string;
  name: string;
  description: string;
  order: number;
  createdAt: Date;
  updatedAt: Date;
}

export const sequenceSchema = new Schema<SequenceDoc>(
  {
    studioId: { type: Schema.Types.ObjectId, required: true },
    projectId: { type: Schema.Types.ObjectId, required: true },
    episodeId: { type: Schema.Types.ObjectId, default: null },
    code: { type: String, required: true, maxlength: 40 },
    codeLower: { type: String, required: true, maxlength: 40 },
    name: { type: String, default: '', maxlength: 200 },
    description: { type: String, default: '', maxlength: 5000 },
    order: { type: Number, required: true },
  },
  { timestamps: true, versionKey: false, collection: 'sequences' },
);
// The editorial import's key; the listing of a project's sequences in order.
sequenceSchema.index({ studioId: 1, projectId: 1, codeLower: 1 }, { unique: true });
sequenceSchema.index({ studioId: 1, projectId: 1, order: 1, _id: 1 });
