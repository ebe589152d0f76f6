// Comments and review decisions, scoped by studio.
import { Types } from 'mongoose';
import type { Models } from './models';
import type { CommentDoc } from './models/Comment';
import type { ReviewDecisionDoc } from './models/ReviewDecision';
import { keyset, toPage, type Page } from './pagination';
import { listPage, listShape, type ListShape } from './listing';
import type { StudioId } from './AssetRepository';

/** An asset's decisions newest first, all versions or one (each shape has its index in ReviewDecision.ts). */
export function decisionListQuery(studioId: StudioId, assetId: Types.ObjectId | string, q: { cursor?: string; version?: number }): ListShape<ReviewDecisionDoc> {
  return listShape<ReviewDecisionDoc>({ studioId, assetId: new Types.ObjectId(String(assetId)), ...(q.version !== undefined ? { version: q.version } : {}) }, '_id', 'desc', q.cursor);
}

export class ReviewRepository {
  constructor(private readonly models: Models) {}

  async highestSeq(studioId: StudioId, assetId: Types.ObjectId | string): Promise<number> {
    const top = await this.models.Comment.findOne({ studioId, assetId }).sort({ seq: -1 }).select({ seq: 1 }).lean<{ seq: number }>().exec();
    return top?.seq ?? 0;
  }

  async insertComment(studioId: StudioId, c: Omit<CommentDoc, '_id' | 'studioId' | 'createdAt'>): Promise<CommentDoc> {
    return (await this.models.Comment.create({ ...c, studioId })).toObject();
  }

  async listComments(studioId: StudioId, assetId: Types.ObjectId | string, q: { limit: number; cursor?: string; after?: number }): Promise<Page<CommentDoc>> {
    const { filter, sort } = keyset<CommentDoc>('seq', 'asc', q.cursor);
    const rows = await this.models.Comment.find({ ...filter, studioId, assetId, ...(q.after !== undefined && !q.cursor ? { seq: { $gt: q.after } } : {}) })
      .sort(sort)
      .limit(q.limit + 1)
      .lean<CommentDoc[]>()
      .exec();
    return toPage(rows, { limit: q.limit, order: 'asc' }, 'seq', (r) => r.seq, (r) => r);
  }

  async insertDecision(studioId: StudioId, d: Omit<ReviewDecisionDoc, '_id' | 'studioId' | 'createdAt'>): Promise<ReviewDecisionDoc> {
    return (await this.models.ReviewDecision.create({ ...d, studioId })).toObject();
  }

  listDecisions(studioId: StudioId, assetId: Types.ObjectId | string, q: { limit: number; cursor?: string; version?: number }): Promise<Page<ReviewDecisionDoc>> {
    return listPage(this.models.ReviewDecision, decisionListQuery(studioId, assetId, q), { limit: q.limit, order: 'desc' });
  }
}
