// Starts a version's pipeline when the version is created, and serves its state and outputs.
import { NotFoundError } from '../../shared/errors';
import type { PipelineRepository } from '../repositories/PipelineRepository';
import type { AssetPipelineDoc, ProxyMedia } from '../repositories/models/AssetPipeline';
import { MAX_PRIORITY, type QueueBus } from '../../infra/queue/QueueBus';
import type { Logger } from '../../infra/logging/logger';
import type { StorageProvider } from '../../infra/storage/StorageProvider';
import type { AssetService } from './AssetService';
import type { Actor } from './types';
import { pipelineJobId } from '../../infra/queue/jobs';
import type { PipelineDto } from '../dto';

function toMedia(m: ProxyMedia | null | undefined): PipelineDto['media'] {
  if (!m) return null;
  return { fps: m.fpsNum && m.fpsDen ? { num: m.fpsNum, den: m.fpsDen } : null, frames: m.frames, width: m.width, height: m.height, durationSeconds: m.durationSeconds };
}

export class PipelineService {
  constructor(
    private readonly deps: { pipelines: PipelineRepository; assets: AssetService; queue: QueueBus; storage: StorageProvider; logger: Logger },
  ) {}

  /**
   * Called for every new version. If Redis is away the pipeline waits in UPLOADED until re-queued.
   * Fair share between studios as for renders (see RenderService.create): a studio's pipeline queues after its own
   * unfinished ones and a studio with none starts at 1, so one studio's bulk upload cannot hold back another
   * studio's first preview. The preview job keeps the lane of its pipeline.
   */
  async start(studioId: string, assetId: string, version: number): Promise<void> {
    const lane = Math.min((await this.deps.pipelines.lastUnfinishedLane(studioId)) + 1, MAX_PRIORITY);
    // Idempotent: a second start finds the pipeline and its queue job (same job id) already there.
    await this.deps.pipelines.createIfAbsent(studioId, assetId, version, lane);
    await this.deps.queue.enqueue('pipeline.run', { studioId, assetId, version }, { jobId: pipelineJobId(assetId, version), priority: lane }).catch((err: unknown) => {
      this.deps.logger.warn('pipeline enqueue failed', { assetId, version, err: (err as Error).message });
    });
  }

  async get(actor: Actor, assetId: string, version: number): Promise<PipelineDto> {
    const asset = await this.deps.assets.require(actor, 'asset:read', assetId);
    const p = await this.deps.pipelines.find(actor.studioId, assetId, version);
    if (!p) {
      // The pipeline record is written just after the version's commit answers: a client that asks at once
      // sees the state machine's first state, not a 404 it would have to retry. Numbers are consumed only by
      // a commit, so a version up to latestVersion exists (unless purged).
      if (asset.purgedAt || version < 1 || version > asset.latestVersion) throw new NotFoundError('PIPELINE_NOT_FOUND', 'No pipeline for this version');
      return { assetId, version, status: 'UPLOADED', steps: [], error: null, outputs: { thumbnail: false, preview: false, renderJobId: null }, media: null };
    }
    return {
      assetId,
      version,
      status: p.status,
      steps: p.steps.map((s) => ({ name: s.name, status: s.status, startedAt: new Date(s.startedAt).toISOString(), finishedAt: s.finishedAt ? new Date(s.finishedAt).toISOString() : null, durationMs: s.durationMs, note: s.note })),
      error: p.error,
      outputs: { thumbnail: Boolean(p.outputs.thumbnailKey), preview: Boolean(p.outputs.proxyKey), renderJobId: p.outputs.renderJobId },
      media: toMedia(p.outputs.media),
    };
  }

  /** The stored key of an output, for a streamed download. */
  async output(actor: Actor, assetId: string, version: number, which: 'thumbnail' | 'preview'): Promise<{ key: string; size: number; lastModified: Date; contentType: string }> {
    const p = await this.find(actor, assetId, version);
    const key = which === 'thumbnail' ? p.outputs.thumbnailKey : p.outputs.proxyKey;
    const stat = key ? await this.deps.storage.stat(key) : null;
    if (!key || !stat) throw new NotFoundError(which === 'thumbnail' ? 'THUMBNAIL_NOT_READY' : 'PREVIEW_NOT_READY', `No ${which} for this version (yet)`);
    return { key, size: stat.size, lastModified: stat.lastModified, contentType: which === 'thumbnail' ? 'image/png' : 'video/mp4' };
  }

  private async find(actor: Actor, assetId: string, version: number): Promise<AssetPipelineDoc> {
    await this.deps.assets.require(actor, 'asset:read', assetId);
    const p = await this.deps.pipelines.find(actor.studioId, assetId, version);
    if (!p) throw new NotFoundError('PIPELINE_NOT_FOUND', 'No pipeline for this version');
    return p;
  }
}
