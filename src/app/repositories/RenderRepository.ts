// Render jobs and their chunks, always scoped by studio.
import { Types, type QueryFilter } from 'mongoose';
import type { Models } from './models';
import type { RenderJobDoc, RenderStatus } from './models/RenderJob';
import { renderChunkId, type RenderChunkDoc } from './models/RenderChunk';
import { findOwned, ownedIds } from './owned';
import { keyset, toPage, type Page } from './pagination';
import type { StudioId } from './AssetRepository';
import { IN_BATCH, inBatches } from './batches';

export type NewRenderJob = Omit<RenderJobDoc, '_id' | 'studioId' | 'createdAt' | 'updatedAt'>;

export class RenderRepository {
  constructor(private readonly models: Models) {}

  ownedIds(studioId: Types.ObjectId | string, ids: string[]): Promise<Set<string>> {
    return ownedIds(this.models.RenderJob, studioId, ids);
  }

  /**
   * Jobs and their chunks as stored (two inserts for the lot), so the caller can queue and answer without
   * reading them back. If an insert fails, what was written of the lot is removed before the error is thrown.
   */
  async createMany(studioId: StudioId, jobs: Array<{ job: NewRenderJob; chunks: Array<{ index: number; start: number; end: number }> }>): Promise<Array<{ job: RenderJobDoc; chunks: RenderChunkDoc[] }>> {
    const sid = new Types.ObjectId(String(studioId));
    const ids = jobs.map(() => new Types.ObjectId());
    try {
      const docs = await this.models.RenderJob.insertMany(jobs.map(({ job }, i) => ({ ...job, _id: ids[i], studioId: sid })));
      const rows = await this.models.RenderChunk.insertMany(
        jobs.flatMap(({ chunks }, i) =>
          chunks.map((c) => ({ ...c, _id: renderChunkId(ids[i]!, c.index), studioId: sid, renderJobId: ids[i], status: 'QUEUED', progress: 0, attempts: 0, frames: [], error: null, startedAt: null, finishedAt: null })),
        ),
      );
      const byJob = new Map<string, RenderChunkDoc[]>();
      for (const r of rows) {
        const c = r.toObject<RenderChunkDoc>();
        byJob.set(String(c.renderJobId), [...(byJob.get(String(c.renderJobId)) ?? []), c]);
      }
      return docs.map((d) => {
        const job = d.toObject<RenderJobDoc>();
        return { job, chunks: byJob.get(String(job._id)) ?? [] };
      });
    } catch (err) {
      await this.models.RenderChunk.deleteMany({ studioId: sid, renderJobId: { $in: ids } }).exec();
      await this.models.RenderJob.deleteMany({ _id: { $in: ids }, studioId: sid }).exec();
      throw err;
    }
  }

  findById(studioId: StudioId, id: Types.ObjectId | string): Promise<RenderJobDoc | null> {
    return findOwned(this.models.RenderJob, studioId, id);
  }

  /**
   * The studio's backlog in one read: frames and chunks of its renders still queued or rendering (frames
   * stop counting once past `frameCap`, the caller only asks whether there is room) and where its next
   * queue lane starts (after its highest unfinished lane).
   */
  async backlog(studioId: StudioId, frameCap: number): Promise<{ frames: number; chunks: number; nextLane: number }> {
    let frames = 0;
    let chunks = 0;
    let nextLane = 1;
    const cursor = this.models.RenderJob.find({ studioId, status: { $in: ['QUEUED', 'PROCESSING'] } }, { frames: 1, priority: 1, chunkCount: 1 })
      .lean<Array<Pick<RenderJobDoc, 'frames' | 'priority' | 'chunkCount'>>>()
      .cursor();
    for await (const job of cursor) {
      if (frames <= frameCap) frames += job.frames.end - job.frames.start + 1;
      chunks += job.chunkCount;
      nextLane = Math.max(nextLane, job.priority + job.chunkCount);
    }
    await cursor.close();
    return { frames, chunks, nextLane };
  }

  /** How many renders each asset has had, in `$in` batches on the {studioId, assetId} index; assets without any are absent. */
  async countByAsset(studioId: StudioId, assetIds: Types.ObjectId[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    await inBatches(assetIds, async (batch) => {
      const cursor = this.models.RenderJob.find({ studioId, assetId: { $in: batch } }, { assetId: 1 }).batchSize(IN_BATCH).lean<Array<{ assetId: Types.ObjectId }>>().cursor();
      for await (const job of cursor) counts.set(String(job.assetId), (counts.get(String(job.assetId)) ?? 0) + 1);
      return [];
    });
    return counts;
  }

  findByIdempotencyKey(studioId: StudioId, key: string): Promise<RenderJobDoc | null> {
    return this.models.RenderJob.findOne({ studioId, idempotencyKey: key }).lean<RenderJobDoc>().exec();
  }

  /** The studio's jobs with any of the keys, in one read of the {studioId, idempotencyKey} index. */
  findByIdempotencyKeys(studioId: StudioId, keys: string[]): Promise<RenderJobDoc[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.models.RenderJob.find({ studioId, idempotencyKey: { $in: keys } }).limit(keys.length).lean<RenderJobDoc[]>().exec();
  }

  chunks(studioId: StudioId, renderJobId: Types.ObjectId | string): Promise<RenderChunkDoc[]> {
    return this.models.RenderChunk.find({ studioId, renderJobId }).sort({ index: 1 }).lean<RenderChunkDoc[]>().exec();
  }

  async chunk(studioId: StudioId, renderJobId: Types.ObjectId | string, index: number): Promise<RenderChunkDoc | null> {
    const doc = await this.models.RenderChunk.findById(renderChunkId(renderJobId, index)).lean<RenderChunkDoc>().exec();
    return doc && String(doc.studioId) === String(studioId) ? doc : null;
  }

  async list(studioId: StudioId, q: { limit: number; cursor?: string; status?: RenderStatus; assetId?: string }): Promise<Page<RenderJobDoc>> {
    const { filter: after, sort } = keyset<RenderJobDoc>('createdAt', 'desc', q.cursor);
    const filter: QueryFilter<RenderJobDoc> = { studioId, ...(q.status ? { status: q.status } : {}), ...(q.assetId ? { assetId: new Types.ObjectId(q.assetId) } : {}) };
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

  /**
   * Callers hold the job's lease and read `job` through findById under it, which proved its studio; the
   * write then goes by _id alone (see owned.ts).
   */
  updateJob(job: Pick<RenderJobDoc, '_id' | 'studioId'>, set: Partial<RenderJobDoc>, inc?: Partial<Record<'run', number>>): Promise<RenderJobDoc | null> {
    return this.models.RenderJob.findByIdAndUpdate(job._id, { $set: set, ...(inc ? { $inc: inc } : {}) }, { returnDocument: 'after' }).lean<RenderJobDoc>().exec();
  }

  /** `job` was read through findById, which proved its studio; the chunk's id derives from it. */
  async updateChunk(job: Pick<RenderJobDoc, '_id' | 'studioId'>, index: number, set: Partial<RenderChunkDoc>, inc?: Partial<Record<'attempts', number>>): Promise<void> {
    await this.models.RenderChunk.updateOne({ _id: renderChunkId(job._id, index) }, { $set: set, ...(inc ? { $inc: inc } : {}) }).exec();
  }

  async resetChunks(studioId: StudioId, renderJobId: Types.ObjectId, statuses: RenderStatus[], to: RenderStatus): Promise<void> {
    const reset: Partial<RenderChunkDoc> = { status: to, ...(to === 'QUEUED' ? { progress: 0, attempts: 0, error: null, startedAt: null, finishedAt: null } : { finishedAt: new Date() }) };
    await this.models.RenderChunk.updateMany({ studioId, renderJobId, status: { $in: statuses } }, { $set: reset }).exec();
  }

  /**
   * Unfinished jobs (QUEUED or PROCESSING) queued before `olderThan`, oldest first, one page after `after`:
   * the ones whose queue entry Redis may have lost. Cross-studio, for the reconciler.
   */
  findStaleUnfinished(olderThan: Date, limit: number, after?: Pick<RenderJobDoc, '_id' | 'queuedAt'>): Promise<RenderJobDoc[]> {
    const base: QueryFilter<RenderJobDoc> = { status: { $in: ['QUEUED', 'PROCESSING'] }, queuedAt: { $lt: olderThan } };
    const filter: QueryFilter<RenderJobDoc> = after ? { $and: [base, { $or: [{ queuedAt: { $gt: after.queuedAt } }, { queuedAt: after.queuedAt, _id: { $gt: after._id } }] }] } : base;
    return this.models.RenderJob.find(filter).sort({ queuedAt: 1, _id: 1 }).limit(limit).lean<RenderJobDoc[]>().exec();
  }
}
