// The processing state of one version: which step it is in, each step's timing, and its outputs.
import { Schema, type Types } from 'mongoose';

export const PIPELINE_STATUSES = ['UPLOADED', 'VALIDATING', 'PROCESSING_PREVIEW', 'RENDER_QUEUED', 'READY', 'FAILED'] as const;
export type PipelineStatus = (typeof PIPELINE_STATUSES)[number];
export type PipelineStepName = 'VALIDATING' | 'PROCESSING_PREVIEW' | 'RENDER_QUEUED';

export interface PipelineStep {
  name: PipelineStepName;
  status: 'RUNNING' | 'DONE' | 'SKIPPED' | 'FAILED';
  startedAt: Date;
  finishedAt: Date | null;
  durationMs: number | null;
  note: string | null;
}

/**
 * What the player needs of a video's proxy, probed from the proxy itself: its exact frame rate (a rational)
 * and how many frames it holds, so the web app can count frames without rounding a float rate.
 */
export interface ProxyMedia {
  fpsNum: number | null;
  fpsDen: number | null;
  frames: number;
  width: number;
  height: number;
  durationSeconds: number;
}

export interface AssetPipelineDoc {
  _id: Types.ObjectId;
  studioId: Types.ObjectId;
  assetId: Types.ObjectId;
  version: number;
  status: PipelineStatus;
  steps: PipelineStep[];
  error: { step: string; code: string; message: string } | null;
  outputs: { thumbnailKey: string | null; posterKey: string | null; proxyKey: string | null; renderJobId: string | null; media?: ProxyMedia | null };
  /** Its queue lane (BullMQ priority), decided by PipelineService.start: lower runs first. */
  lane?: number;
  /**
   * The random segment of its outputs' keys (newOutputToken). Absent on pipelines made before it existed:
   * their outputs keep the old keys, which the record names, so nothing needs migrating.
   */
  outputToken?: string;
  createdAt: Date;
  updatedAt: Date;
}

export const assetPipelineSchema = new Schema<AssetPipelineDoc>(
  {
    studioId: { type: Schema.Types.ObjectId, required: true },
    assetId: { type: Schema.Types.ObjectId, required: true },
    version: { type: Number, required: true },
    status: { type: String, enum: PIPELINE_STATUSES, required: true },
    steps: {
      type: [{ name: String, status: String, startedAt: Date, finishedAt: Date, durationMs: Number, note: String, _id: false }],
      default: [],
    },
    error: { type: { step: String, code: String, message: String }, default: null, _id: false },
    outputs: {
      thumbnailKey: { type: String, default: null },
      posterKey: { type: String, default: null },
      proxyKey: { type: String, default: null },
      renderJobId: { type: String, default: null },
      media: {
        type: { fpsNum: Number, fpsDen: Number, frames: Number, width: Number, height: Number, durationSeconds: Number },
        default: null,
        _id: false,
      },
    },
    lane: { type: Number, default: 1 },
    outputToken: { type: String },
  },
  { timestamps: true, versionKey: false },
);
assetPipelineSchema.index({ assetId: 1, version: 1 }, { unique: true });
assetPipelineSchema.index({ studioId: 1, assetId: 1, version: 1 });
assetPipelineSchema.index({ studioId: 1, status: 1, lane: -1 });
