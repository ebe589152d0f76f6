// Pipeline state per version. One version's steps run one after another, so there is one writer at a time.
import { Types } from 'mongoose';
import type { Models } from './models';
import type { AssetPipelineDoc, PipelineStatus, PipelineStep } from './models/AssetPipeline';
import type { StudioId } from './AssetRepository';
import { isDuplicateKey } from '../../infra/database/errors';
import { newOutputToken } from '../../infra/storage/StorageProvider';

const UNFINISHED: PipelineStatus[] = ['UPLOADED', 'VALIDATING', 'PROCESSING_PREVIEW', 'RENDER_QUEUED'];

export class PipelineRepository {
  constructor(private readonly models: Models) {}

  /** Creates the pipeline of a version; false if it already exists (the start is idempotent). */
  async createIfAbsent(studioId: StudioId, assetId: Types.ObjectId | string, version: number, lane = 1): Promise<boolean> {
    try {
      await this.models.AssetPipeline.create({ studioId, assetId, version, status: 'UPLOADED', steps: [], error: null, lane, outputToken: newOutputToken() });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  find(studioId: StudioId, assetId: Types.ObjectId | string, version: number): Promise<AssetPipelineDoc | null> {
    return this.models.AssetPipeline.findOne({ studioId, assetId, version }).lean<AssetPipelineDoc>().exec();
  }

  update(studioId: StudioId, id: Types.ObjectId, set: Record<string, unknown>): Promise<AssetPipelineDoc | null> {
    return this.models.AssetPipeline.findOneAndUpdate({ _id: id, studioId }, { $set: set }, { returnDocument: 'after' }).lean<AssetPipelineDoc>().exec();
  }

  /** Replaces the step of that name (a retried step starts over) and sets the status. */
  async startStep(studioId: StudioId, p: AssetPipelineDoc, name: PipelineStep['name']): Promise<AssetPipelineDoc> {
    const steps = [...p.steps.filter((s) => s.name !== name), { name, status: 'RUNNING' as const, startedAt: new Date(), finishedAt: null, durationMs: null, note: null }];
    return (await this.update(studioId, p._id, { status: name, steps, error: null }))!;
  }

  async endStep(studioId: StudioId, p: AssetPipelineDoc, name: PipelineStep['name'], status: 'DONE' | 'SKIPPED' | 'FAILED', note: string | null, extra: Record<string, unknown> = {}): Promise<AssetPipelineDoc> {
    const now = new Date();
    const steps = p.steps.map((s) => (s.name === name ? { ...s, status, finishedAt: now, durationMs: now.getTime() - new Date(s.startedAt).getTime(), note } : s));
    return (await this.update(studioId, p._id, { steps, ...extra }))!;
  }

  /** The studio's unfinished pipeline with the highest queue lane: where its next pipeline's lane starts. */
  async lastUnfinishedLane(studioId: StudioId): Promise<number> {
    const last = await this.models.AssetPipeline.findOne({ studioId, status: { $in: UNFINISHED } }, { lane: 1 }).sort({ lane: -1 }).lean<Pick<AssetPipelineDoc, 'lane'>>().exec();
    return last?.lane ?? 0;
  }

  /** Unfinished pipelines untouched since `olderThan`, across studios, for the reconciler. */
  findStale(olderThan: Date, limit: number): Promise<AssetPipelineDoc[]> {
    return this.models.AssetPipeline.find({ status: { $in: UNFINISHED }, updatedAt: { $lt: olderThan } })
      .sort({ updatedAt: 1 })
      .limit(limit)
      .lean<AssetPipelineDoc[]>()
      .exec();
  }

  /** The pipelines of an asset's versions: what a purge removes, outputs first. */
  forAsset(studioId: StudioId, assetId: Types.ObjectId | string): Promise<AssetPipelineDoc[]> {
    return this.models.AssetPipeline.find({ studioId, assetId }).sort({ version: 1 }).lean<AssetPipelineDoc[]>().exec();
  }

  async deleteForAsset(studioId: StudioId, assetId: Types.ObjectId | string): Promise<void> {
    await this.models.AssetPipeline.deleteMany({ studioId, assetId }).exec();
  }
}
