// Shots and casting of a studio. Every method takes the studioId it is scoped to.
import { Types, type QueryFilter, type SortOrder } from 'mongoose';
import type { Models } from './models';
import type { ShotDoc } from './models/Shot';
import { NO_DUE_DATE } from './models/Task';
import type { CastingDoc } from './models/Casting';
import { encodeCursor, keyset, type Page } from './pagination';
import { findOwned } from './owned';
import { listPage, listShape, type ListShape } from './listing';
import { escapeRegex } from './ProjectRepository';
import type { StudioId } from './AssetRepository';
import { IN_BATCH } from './batches';
import { insertUnlessExists } from './insertOnce';

export type NewShot = Omit<ShotDoc, '_id' | 'studioId' | 'codeLower' | 'revision' | 'createdAt' | 'updatedAt' | 'assetId' | 'latestVersion' | 'dueSort'>;

/** The shot grid's orders and the stored field each sorts on (its index is in models/Shot.ts). */
export const GRID_SORTS = { cutOrder: 'cutOrder', code: 'codeLower', latestVersion: 'latestVersion', due: 'dueSort' } as const;
export type GridSort = keyof typeof GRID_SORTS;
/** One ordering of a project's shots, optionally only those whose code starts with `q` (then in code order). */
export interface GridView {
  sort: GridSort;
  order: 'asc' | 'desc';
  q?: string;
}
type SortValue = string | number | Date | null;
const flip = (order: 'asc' | 'desc') => (order === 'asc' ? 'desc' : 'asc');

/** The rows of a grid view, before any cursor: the project's shots, or those whose code starts with q. */
export function gridFilter(studioId: StudioId, projectId: Types.ObjectId, view: GridView): QueryFilter<ShotDoc> {
  return { studioId, projectId, ...(view.q ? { codeLower: { $regex: `^${escapeRegex(view.q.toLowerCase())}` } } : {}) };
}

/** One keyset page of a grid view (the default view is projectShotsQuery's cut order). */
export function gridShotsQuery(studioId: StudioId, projectId: Types.ObjectId, view: GridView, cursor?: string): ListShape<ShotDoc> {
  return listShape<ShotDoc>(gridFilter(studioId, projectId, view), GRID_SORTS[view.sort], view.order, cursor);
}

/** The rows of a view that come before `row` in its order: their count is the row's position. */
export function gridBeforeQuery(studioId: StudioId, projectId: Types.ObjectId, view: GridView, row: ShotDoc): QueryFilter<ShotDoc> {
  const field = GRID_SORTS[view.sort];
  const value = (row as unknown as Record<string, SortValue>)[field] ?? null;
  const { filter: before } = keyset<ShotDoc>(field, flip(view.order), encodeCursor(field, flip(view.order), value, row._id));
  return { $and: [gridFilter(studioId, projectId, view), before] } as QueryFilter<ShotDoc>;
}

/**
 * The find of rows [at, at + limit) of a view of `total` rows: skipped from the nearer end of its index, so a
 * jump near the end (shot 5,000 of 5,000) skips a few index keys instead of every one before it. `reversed`:
 * the rows come back last first.
 */
export function gridWindowQuery(studioId: StudioId, projectId: Types.ObjectId, view: GridView, at: number, limit: number, total: number): { filter: QueryFilter<ShotDoc>; sort: Record<string, SortOrder>; skip: number; limit: number; reversed: boolean } {
  const field = GRID_SORTS[view.sort];
  const filter = gridFilter(studioId, projectId, view);
  if (at <= total / 2) return { filter, sort: keyset<ShotDoc>(field, view.order).sort, skip: at, limit, reversed: false };
  const skip = Math.max(0, total - at - limit);
  return { filter, sort: keyset<ShotDoc>(field, flip(view.order)).sort, skip, limit: Math.max(0, total - at - skip), reversed: true };
}

/** Shots of a sequence in cut order. */
export function sequenceShotsQuery(studioId: StudioId, sequenceId: Types.ObjectId, cursor?: string): ListShape<ShotDoc> {
  return listShape<ShotDoc>({ studioId, sequenceId }, 'cutOrder', 'asc', cursor);
}

/** Shots of a project in cut order: the rows of the shot grid. */
export function projectShotsQuery(studioId: StudioId, projectId: Types.ObjectId, cursor?: string): ListShape<ShotDoc> {
  return listShape<ShotDoc>({ studioId, projectId }, 'cutOrder', 'asc', cursor);
}

export class ShotRepository {
  constructor(private readonly models: Models) {}

  findById(studioId: StudioId, id: Types.ObjectId | string): Promise<ShotDoc | null> {
    return findOwned(this.models.Shot, studioId, id);
  }

  /** Many shots by _id alone (as findOwned), for casting's reverse direction. */
  async findMany(studioId: StudioId, ids: Types.ObjectId[]): Promise<ShotDoc[]> {
    if (ids.length === 0) return [];
    const docs = await this.models.Shot.find({ _id: { $in: ids } }).lean<ShotDoc[]>().exec();
    return docs.filter((d) => String(d.studioId) === String(studioId));
  }

  /**
   * Inserts the shot unless one with its code exists in the project (the unique {project, code}), and
   * returns the stored one: a repeated create or import converges on one shot.
   */
  async upsert(studioId: StudioId, s: NewShot): Promise<{ shot: ShotDoc; created: boolean }> {
    const sid = new Types.ObjectId(String(studioId));
    const filter = { studioId: sid, projectId: s.projectId, codeLower: s.code.toLowerCase() };
    const now = new Date();
    // The model's defaults under what the caller gave, so every optional field is stored (null), as documented.
    const given = Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined));
    const defaults = { episodeId: null, recordIn: null, recordOut: null, handles: null, fps: null, description: '', status: 'ACTIVE', createdBy: null, latestVersion: 0, dueSort: NO_DUE_DATE };
    const { doc: shot, created } = await insertUnlessExists(this.models.Shot, filter, { ...defaults, ...given, ...filter, assetId: null, revision: 1, createdAt: now, updatedAt: now });
    return { shot, created };
  }

  async setAsset(studioId: StudioId, id: Types.ObjectId, assetId: Types.ObjectId): Promise<void> {
    await this.models.Shot.updateOne({ _id: id, studioId, assetId: null }, { $set: { assetId } }).exec();
  }

  update(studioId: StudioId, id: Types.ObjectId, revision: number | null, set: Partial<ShotDoc>): Promise<ShotDoc | null> {
    return this.models.Shot.findOneAndUpdate({ _id: id, studioId, ...(revision === null ? {} : { revision }) }, { $set: set, $inc: { revision: 1 } }, { returnDocument: 'after' })
      .lean<ShotDoc>()
      .exec();
  }

  /**
   * update() without a revision check for many shots at once (an editorial apply): each is still a
   * single-document update keyed by its _id and studio, sent in bulk batches instead of one round trip each.
   */
  async updateEach(studioId: StudioId, updates: Array<{ id: Types.ObjectId; set: Partial<ShotDoc> }>): Promise<void> {
    for (let i = 0; i < updates.length; i += IN_BATCH) {
      const batch = updates.slice(i, i + IN_BATCH).map((u) => ({ updateOne: { filter: { _id: u.id, studioId }, update: { $set: u.set, $inc: { revision: 1 } } } }));
      await this.models.Shot.bulkWrite(batch as Parameters<typeof this.models.Shot.bulkWrite>[0], { ordered: false });
    }
  }

  listBySequence(studioId: StudioId, sequenceId: Types.ObjectId, q: { limit: number; cursor?: string }): Promise<Page<ShotDoc>> {
    return listPage(this.models.Shot, sequenceShotsQuery(studioId, sequenceId, q.cursor), { limit: q.limit, order: 'asc' });
  }

  listByProject(studioId: StudioId, projectId: Types.ObjectId, q: { limit: number; cursor?: string }): Promise<Page<ShotDoc>> {
    return listPage(this.models.Shot, projectShotsQuery(studioId, projectId, q.cursor), { limit: q.limit, order: 'asc' });
  }

  /** A keyset page of a grid view. */
  gridPage(studioId: StudioId, projectId: Types.ObjectId, view: GridView, q: { limit: number; cursor?: string }): Promise<Page<ShotDoc>> {
    return listPage(this.models.Shot, gridShotsQuery(studioId, projectId, view, q.cursor), { limit: q.limit, order: view.order });
  }

  /** How many rows a grid view has: a count over its index. */
  gridCount(studioId: StudioId, projectId: Types.ObjectId, view: GridView): Promise<number> {
    return this.models.Shot.countDocuments(gridFilter(studioId, projectId, view)).exec();
  }

  /** The rows [at, at + limit) of a view of `total` rows, with a cursor that continues after them by keyset. */
  async gridWindow(studioId: StudioId, projectId: Types.ObjectId, view: GridView, at: number, limit: number, total: number): Promise<Page<ShotDoc>> {
    const field = GRID_SORTS[view.sort];
    const w = gridWindowQuery(studioId, projectId, view, at, limit, total);
    let rows = w.limit === 0 ? [] : await this.models.Shot.find(w.filter).sort(w.sort).skip(w.skip).limit(w.limit).lean<ShotDoc[]>().exec();
    if (w.reversed) rows = rows.reverse();
    const hasMore = at + rows.length < total;
    const last = rows[rows.length - 1];
    const value = (r: ShotDoc) => (r as unknown as Record<string, SortValue>)[field] ?? null;
    return { data: rows, page: { limit, nextCursor: hasMore && last ? encodeCursor(field, view.order, value(last), last._id) : null, hasMore } };
  }

  /** A shot of the project by its code (the unique {project, code} index). */
  findByCode(studioId: StudioId, projectId: Types.ObjectId, code: string): Promise<ShotDoc | null> {
    return this.models.Shot.findOne({ studioId, projectId, codeLower: code.toLowerCase() }).lean<ShotDoc>().exec();
  }

  /** The position of a row in a view (how many come before it): a count over the view's index up to the row. */
  gridPosition(studioId: StudioId, projectId: Types.ObjectId, view: GridView, row: ShotDoc): Promise<number> {
    return this.models.Shot.countDocuments(gridBeforeQuery(studioId, projectId, view, row)).exec();
  }

  /** Raises the shot's latest-version sort key: $max is one atomic, order-free write, so racing versions agree. */
  async raiseLatestVersion(studioId: StudioId, id: Types.ObjectId, version: number): Promise<void> {
    await this.models.Shot.updateOne({ _id: id, studioId }, { $max: { latestVersion: version } }).exec();
  }

  /** Sets the shot's next-due sort key (GridSortKeys computes it under the shot's lease). */
  async setDueSort(studioId: StudioId, id: Types.ObjectId, dueSort: Date): Promise<void> {
    await this.models.Shot.updateOne({ _id: id, studioId }, { $set: { dueSort } }).exec();
  }

  /** Every shot of a project in cut order (bounded: the editorial import compares the whole cut). */
  allOfProject(studioId: StudioId, projectId: Types.ObjectId, max = 50_000): Promise<ShotDoc[]> {
    return this.models.Shot.find({ studioId, projectId }).sort({ cutOrder: 1, _id: 1 }).limit(max).batchSize(IN_BATCH).lean<ShotDoc[]>().exec();
  }

  async highestCutOrder(studioId: StudioId, projectId: Types.ObjectId): Promise<number> {
    const top = await this.models.Shot.findOne({ studioId, projectId }).sort({ cutOrder: -1, _id: -1 }).select({ cutOrder: 1 }).lean<{ cutOrder: number }>().exec();
    return top?.cutOrder ?? 0;
  }

  search(studioId: StudioId, prefix: string, limit: number): Promise<ShotDoc[]> {
    return this.models.Shot.find({ studioId, codeLower: { $regex: `^${escapeRegex(prefix.toLowerCase())}` } }).sort({ codeLower: 1, _id: 1 }).limit(limit).lean<ShotDoc[]>().exec();
  }

  // Casting.
  castingOfShot(studioId: StudioId, shotId: Types.ObjectId, max = 1000): Promise<CastingDoc[]> {
    return this.models.Casting.find({ studioId, shotId }).sort({ assetId: 1 }).limit(max).lean<CastingDoc[]>().exec();
  }

  castingOfAsset(studioId: StudioId, assetId: Types.ObjectId, max = 5000): Promise<CastingDoc[]> {
    return this.models.Casting.find({ studioId, assetId }).sort({ shotId: 1 }).limit(max).lean<CastingDoc[]>().exec();
  }

  /**
   * Replaces a shot's casting: upserts each (shot, asset) row, then deletes the rows no longer named.
   * Single-document writes only; a repeat of the same request converges on the same rows.
   */
  async replaceCasting(studioId: StudioId, projectId: Types.ObjectId, shotId: Types.ObjectId, items: Array<{ assetId: Types.ObjectId; count: number }>): Promise<void> {
    const sid = new Types.ObjectId(String(studioId));
    for (const item of items) {
      await this.models.Casting.collection.updateOne(
        { studioId: sid, shotId, assetId: item.assetId },
        { $set: { count: item.count, projectId }, $setOnInsert: { studioId: sid, shotId, assetId: item.assetId, createdAt: new Date() } },
        { upsert: true },
      );
    }
    await this.models.Casting.deleteMany({ studioId: sid, shotId, assetId: { $nin: items.map((i) => i.assetId) } }).exec();
  }
}
