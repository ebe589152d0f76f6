// A render of frames of one asset version. MongoDB holds the truth; Redis only carries the work.
import { Schema, type Types } from 'mongoose';

export const RENDER_STATUSES = ['QUEUED', 'PROCESSING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
export type RenderStatus = (typeof RENDER_STATUSES)[number];
export const RENDER_ENGINES = ['blender', 'simulated'] as const;
export type RenderEngineName = (typeof RENDER_ENGINES)[number];

export interface RenderJobDoc {
  _id: Types.ObjectId;
  studioId: Types.ObjectId;
  assetId: Types.ObjectId;
  version: number;
  engine: RenderEngineName;
  frames: { start: number; end: number };
  chunkSize: number;
  chunkCount: number;
  /**
   * The render's queue lane, decided by the server (see RenderService.create): its chunk i runs at BullMQ
   * priority `priority + i`; lower runs first.
   */
  priority: number;
  status: RenderStatus;
  maxAttempts: number;
  chunkTimeoutMs: number;
  /** Incremented by each retry; queue job ids carry it so a retry never collides with old entries. */
  run: number;
  error: { code: string; message: string } | null;
  outputs: { frames: Array<{ frame: number; key: string }>; previewKey: string | null };
  /**
   * The random segment of its frames' and preview's keys (newOutputToken). Absent on renders made before it
   * existed: their outputs keep the old keys, which the record names; a retry gives them one.
   */
  outputToken?: string;
  requestedBy: Types.ObjectId;
  idempotencyKey: string;
  queuedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const renderJobSchema = new Schema<RenderJobDoc>(
  {
    studioId: { type: Schema.Types.ObjectId, required: true },
    assetId: { type: Schema.Types.ObjectId, required: true },
    version: { type: Number, required: true },
    engine: { type: String, enum: RENDER_ENGINES, required: true },
    frames: { start: { type: Number, required: true }, end: { type: Number, required: true } },
    chunkSize: { type: Number, required: true },
    chunkCount: { type: Number, required: true },
    priority: { type: Number, required: true },
    status: { type: String, enum: RENDER_STATUSES, required: true },
    maxAttempts: { type: Number, required: true },
    chunkTimeoutMs: { type: Number, required: true },
    run: { type: Number, required: true, default: 1 },
    error: { type: { code: String, message: String }, default: null, _id: false },
    outputs: {
      frames: { type: [{ frame: Number, key: String, _id: false }], default: [] },
      previewKey: { type: String, default: null },
    },
    outputToken: { type: String },
    requestedBy: { type: Schema.Types.ObjectId, required: true },
    idempotencyKey: { type: String, required: true },
    queuedAt: { type: Date, required: true },
    startedAt: { type: Date, default: null },
    finishedAt: { type: Date, default: null },
  },
  { timestamps: true, versionKey: false },
);
// Requests without an Idempotency-Key get a unique generated one, so this index never sees duplicates of "none".
renderJobSchema.index({ studioId: 1, idempotencyKey: 1 }, { unique: true });
renderJobSchema.index({ studioId: 1, createdAt: -1, _id: -1 });
renderJobSchema.index({ studioId: 1, status: 1, createdAt: -1, _id: -1 });
renderJobSchema.index({ studioId: 1, assetId: 1, createdAt: -1, _id: -1 });
renderJobSchema.index({ status: 1, queuedAt: 1 });
renderJobSchema.index({ studioId: 1, status: 1, priority: -1 });
