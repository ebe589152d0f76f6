// The public shape of a version's pipeline state.
import type { AssetPipelineDoc } from '../repositories/models/AssetPipeline';

export interface PipelineDto {
  assetId: string;
  version: number;
  status: AssetPipelineDoc['status'];
  steps: Array<{ name: string; status: string; startedAt: string; finishedAt: string | null; durationMs: number | null; note: string | null }>;
  error: AssetPipelineDoc['error'];
  outputs: { thumbnail: boolean; preview: boolean; renderJobId: string | null };
  /** The preview's exact frame rate (num/den) and frame count, for frame-accurate players; null until a video preview exists. */
  media: { fps: { num: number; den: number } | null; frames: number; width: number; height: number; durationSeconds: number } | null;
}
