// One chunk of a render's frames. Each chunk is written by the one worker rendering it, so concurrent
// chunks never contend for a document (FerretDB v1 does not serialise concurrent updates of one).
// Its _id is `<renderJobId>:<index>`, so a worker reaches it by _id alone (see repositories/owned.ts).
import { Schema, type Types } from 'mongoose';
import { RENDER_STATUSES, type RenderStatus } from './RenderJob';

export interface RenderChunkDoc {
  _id: string;
  studioId: Types.ObjectId;
  renderJobId: Types.ObjectId;
  index: number;
  start: number;
  end: number;
  status: RenderStatus;
  progress: number;
  attempts: number;
  frames: Array<{ frame: number; key: string }>;
  error: { code: string; message: string } | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export const renderChunkSchema = new Schema<RenderChunkDoc>(
  {
    _id: { type: String, required: true },
    studioId: { type: Schema.Types.ObjectId, required: true },
    renderJobId: { type: Schema.Types.ObjectId, required: true },
    index: { type: Number, required: true },
    start: { type: Number, required: true },
    end: { type: Number, required: true },
    status: { type: String, enum: RENDER_STATUSES, required: true },
    progress: { type: Number, default: 0 },
    attempts: { type: Number, default: 0 },
    frames: { type: [{ frame: Number, key: String, _id: false }], default: [] },
    error: { type: { code: String, message: String }, default: null, _id: false },
    startedAt: { type: Date, default: null },
    finishedAt: { type: Date, default: null },
  },
  { versionKey: false },
);
renderChunkSchema.index({ renderJobId: 1, index: 1 }, { unique: true });
renderChunkSchema.index({ studioId: 1, renderJobId: 1 });

export const renderChunkId = (renderJobId: Types.ObjectId | string, index: number) => `${String(renderJobId)}:${index}`;
