// The public shape of a render job and its chunks.
import type { RenderJobDoc, RenderStatus, RenderEngineName } from '../repositories/models/RenderJob';
import type { RenderChunkDoc } from '../repositories/models/RenderChunk';

export interface RenderJobDto {
  id: string;
  studioId: string;
  assetId: string;
  version: number;
  engine: RenderEngineName;
  frames: { start: number; end: number };
  chunkSize: number;
  priority: number;
  status: RenderStatus;
  progress: number;
  attempts: number;
  maxAttempts: number;
  chunkTimeoutMs: number;
  chunks: Array<{ index: number; start: number; end: number; status: RenderStatus; progress: number; attempts: number; error: { code: string; message: string } | null }>;
  error: { code: string; message: string } | null;
  /**
   * What the render made, without storage keys: clients fetch the preview from /render-jobs/{id}/preview,
   * and a key is of no use to them (and on the local driver it is a path on the workers' disk).
   */
  outputs: { frames: Array<{ frame: number }>; preview: boolean };
  requestedBy: string;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export function toRenderJobDto(job: RenderJobDoc, chunks: RenderChunkDoc[]): RenderJobDto {
  const progress = chunks.length ? Math.round(chunks.reduce((sum, c) => sum + (c.status === 'COMPLETED' ? 100 : c.progress), 0) / chunks.length) : 0;
  return {
    id: String(job._id),
    studioId: String(job.studioId),
    assetId: String(job.assetId),
    version: job.version,
    engine: job.engine,
    frames: job.frames,
    chunkSize: job.chunkSize,
    priority: job.priority,
    status: job.status,
    progress: job.status === 'COMPLETED' ? 100 : Math.min(progress, 99),
    attempts: job.run,
    maxAttempts: job.maxAttempts,
    chunkTimeoutMs: job.chunkTimeoutMs,
    chunks: chunks.map((c) => ({ index: c.index, start: c.start, end: c.end, status: c.status, progress: c.progress, attempts: c.attempts, error: c.error })),
    error: job.error,
    outputs: { frames: job.outputs.frames.map((f) => ({ frame: f.frame })), preview: Boolean(job.outputs.previewKey) },
    requestedBy: String(job.requestedBy),
    queuedAt: job.queuedAt.toISOString(),
    startedAt: job.startedAt ? job.startedAt.toISOString() : null,
    finishedAt: job.finishedAt ? job.finishedAt.toISOString() : null,
  };
}
