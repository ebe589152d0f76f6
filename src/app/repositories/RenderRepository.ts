// Render jobs and their chunks, always scoped by studio.
import { Types, type FilterQuery } from 'mongoose';
import type { Models } from './models';
import type { RenderJobDoc, RenderStatus } from './models/RenderJob';
import type { RenderChunkDoc } from './models/RenderChunk';
import { keyset, toPage, type Page } from './pagination';
import type { StudioId } from './AssetRepository';

export type NewRenderJob = Omit<RenderJobDoc, '_id' | 'studioId' | 'createdAt' | 'updatedAt'>;

export class RenderRepository {
  constructor(private readonly models: Models) {}

  async create(studioId: StudioId, job: NewRenderJob, chunks: Array<{ index: number; start: number; end: number }>): Promise<RenderJobDoc> {
    const doc = (await this.models.RenderJob.create({ ...job, studioId })).toObject();
    await this.models.RenderChunk.insertMany(
      chunks.map((c) => ({ ...c, studioId, renderJobId: doc._id, status: 'QUEUED', progress: 0, attempts: 0, frames: [], error: null })),
    );
    return doc;
  }

  findById(studioId: StudioId, id: Types.ObjectId | string): Promise<RenderJobDoc | null> {
    return this.models.RenderJob.findOne({ _id: id, studioId }).lean<RenderJobDoc>().exec();
  }

  findByIdempotencyKey(studioId: StudioId, key: string): Promise<RenderJobDoc | null> {
    return this.models.RenderJob.findOne({ studioId, idempotencyKey: key }).lean<RenderJobDoc>().exec();
  }

  chunks(studioId: StudioId, renderJobId: Types.ObjectId | string): Promise<RenderChunkDoc[]> {
    return this.models.RenderChunk.find({ studioId, renderJobId }).sort({ index: 1 }).lean<RenderChunkDoc[]>().exec();
  }

  chunk(studioId: StudioId, renderJobId: Types.ObjectId | string, index: number): Promise<RenderChunkDoc | null> {
    return this.models.RenderChunk.findOne({ studioId, renderJobId, index }).lean<RenderChunkDoc>().exec();
  }

  async list(studioId: StudioId, q: { limit: number; cursor?: string; status?: RenderStatus; assetId?: string }): Promise<Page<RenderJobDoc>> {
    const { filter: after, sort } = keyset<RenderJobDoc>('createdAt', 'desc', q.cursor);
    const filter: FilterQuery<RenderJobDoc> = { studioId, ...(q.status ? { status: q.status } : {}), ...(q.assetId ? { assetId: new Types.ObjectId(q.assetId) } : {}) };
    const rows = await this.models.RenderJob.find(Object.keys(after).length ? { $and: [filter, after] } : filter).sort(sort).limit(q.limit + 1).lean<RenderJobDoc[]>().exec();
    return toPage(rows, { limit: q.limit, order: 'desc' }, 'createdAt', (r) => r.createdAt, (r) => r);
  }

  findMany(studioId: StudioId, filter: { status: RenderStatus; assetId?: string }, limit: number): Promise<RenderJobDoc[]> {
    return this.models.RenderJob.find({ studioId, status: filter.status, ...(filter.assetId ? { assetId: new Types.ObjectId(filter.assetId) } : {}) })
      .sort({ createdAt: 1 })
      .limit(limit)
      .lean<RenderJobDoc[]>()
      .exec();
  }

  /** Callers hold the job's lease; this is a plain write. */
  updateJob(studioId: StudioId, id: Types.ObjectId, set: Partial<RenderJobDoc>, inc?: Partial<Record<'run', number>>): Promise<RenderJobDoc | null> {
    return this.models.RenderJob.findOneAndUpdate({ _id: id, studioId }, { $set: set, ...(inc ? { $inc: inc } : {}) }, { new: true }).lean<RenderJobDoc>().exec();
  }

  async updateChunk(studioId: StudioId, renderJobId: Types.ObjectId | string, index: number, set: Partial<RenderChunkDoc>, inc?: Partial<Record<'attempts', number>>): Promise<void> {
    await this.models.RenderChunk.updateOne({ studioId, renderJobId, index }, { $set: set, ...(inc ? { $inc: inc } : {}) }).exec();
  }

  async resetChunks(studioId: StudioId, renderJobId: Types.ObjectId, statuses: RenderStatus[], to: RenderStatus): Promise<void> {
    const reset: Partial<RenderChunkDoc> = { status: to, ...(to === 'QUEUED' ? { progress: 0, attempts: 0, error: null, startedAt: null, finishedAt: null } : { finishedAt: new Date() }) };
    await this.models.RenderChunk.updateMany({ studioId, renderJobId, status: { $in: statuses } }, { $set: reset }).exec();
  }

  /** Jobs the queue may have lost (Redis flushed): still QUEUED a while after being queued. Cross-studio, for the reconciler. */
  findStaleQueued(olderThan: Date, limit: number): Promise<RenderJobDoc[]> {
    return this.models.RenderJob.find({ status: 'QUEUED', queuedAt: { $lt: olderThan } }).sort({ queuedAt: 1 }).limit(limit).lean<RenderJobDoc[]>().exec();
  }
}
