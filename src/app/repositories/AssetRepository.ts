// Asset data access. Every method takes the studioId it is scoped to, so a tenant-less query cannot be written.
import { Types, type QueryFilter, type SortOrder } from 'mongoose';
import type { Models } from './models';
import type { AssetDoc, AssetStatus, AssetType } from './models/Asset';
import { keyset, toPage, type Page } from './pagination';
import { findOwned, ownedIds } from './owned';
import { IN_BATCH, inBatches } from './batches';
import { insertUnlessExists } from './insertOnce';
import { nameWords, nameWordsQuery, queryWords, wordsFilter } from './nameWords';

export type StudioId = Types.ObjectId | string;
export type AssetSort = 'createdAt' | 'updatedAt' | 'name';

export interface AssetListQuery {
  limit: number;
  cursor?: string;
  sort: AssetSort;
  order: 'asc' | 'desc';
  type?: AssetType;
  status?: AssetStatus;
  tag?: string;
  createdBy?: string;
  q?: string;
  projectId?: string;
  archived: boolean;
}

export interface NewAsset {
  name: string;
  type: AssetType;
  description: string;
  tags: string[];
  createdBy: Types.ObjectId;
  projectId: Types.ObjectId;
}

const SORT_FIELD: Record<AssetSort, 'createdAt' | 'updatedAt' | 'nameLower'> = { createdAt: 'createdAt', updatedAt: 'updatedAt', name: 'nameLower' };

/**
 * The filter and sort of one page of a listing; `q` keeps the assets whose name has words starting with
 * each of q's words (the matches of one word's index range, sorted). Pure, so tests can check every shape against the declared
 * indexes (tests/assets.indexes.test.ts) and against MongoDB's query planner (npm run test:plans).
 */
export function assetListQuery(studioId: StudioId, query: AssetListQuery): { filter: QueryFilter<AssetDoc>; sort: Record<string, SortOrder>; field: 'createdAt' | 'updatedAt' | 'nameLower' } {
  const field = SORT_FIELD[query.sort];
  const { filter: after, sort } = keyset<AssetDoc>(field, query.order, query.cursor);
  const words = query.q ? wordsFilter<AssetDoc>(queryWords(query.q)) : { driver: {}, rest: [] };
  const filter: QueryFilter<AssetDoc> = {
    studioId,
    archivedAt: query.archived ? { $ne: null } : null,
    // Shots' backing assets carry versions for the shot; the asset list shows plain assets only.
    shotId: null,
    ...(query.projectId ? { projectId: new Types.ObjectId(query.projectId) } : {}),
    ...(query.type ? { type: query.type } : {}),
    ...(query.status ? { status: query.status } : {}),
    ...(query.tag ? { tags: query.tag } : {}),
    ...(query.createdBy ? { createdBy: new Types.ObjectId(query.createdBy) } : {}),
    ...words.driver,
  };
  // The keyset condition is an $or, and each further word is a condition on the same field as the first:
  // combine them with $and, the first branch holding the index's equality fields and range.
  const and = [...words.rest, ...(Object.keys(after).length ? [after] : [])];
  return { filter: and.length ? { $and: [filter, ...and] } : filter, sort, field };
}

/** GET /search's asset filter: the tenant, plain live assets, then one word's range (pure, for the index tests). */
export function assetSearchQuery(studioId: StudioId, words: string[]): QueryFilter<AssetDoc> {
  return nameWordsQuery<AssetDoc>({ studioId, archivedAt: null, shotId: null }, words);
}

export class AssetRepository {
  constructor(private readonly models: Models) {}

  ownedIds(studioId: Types.ObjectId | string, ids: string[]): Promise<Set<string>> {
    return ownedIds(this.models.Asset, studioId, ids);
  }

  async create(studioId: StudioId, input: NewAsset): Promise<AssetDoc> {
    const doc = await this.models.Asset.create({
      ...input,
      studioId,
      nameLower: input.name.toLowerCase(),
      nameWords: nameWords(input.name),
      updatedBy: input.createdBy,
      shotId: null,
    });
    return doc.toObject();
  }

  /**
   * The asset that carries a shot's versions: one per shot, found again by its reserved name, so a re-run
   * of an interrupted shot creation (or editorial import) converges on the same asset.
   */
  async upsertForShot(studioId: StudioId, shot: { _id: Types.ObjectId; projectId: Types.ObjectId; name: string; createdBy: Types.ObjectId }): Promise<AssetDoc> {
    const sid = new Types.ObjectId(String(studioId));
    const nameLower = shot.name.toLowerCase();
    const now = new Date();
    const insert = { studioId: sid, name: shot.name, nameLower, nameWords: nameWords(shot.name), type: 'SHOT', description: '', tags: [], status: 'IN_PROGRESS', currentVersion: null, latestVersion: 0, createdBy: shot.createdBy, updatedBy: shot.createdBy, archivedAt: null, projectId: shot.projectId, shotId: shot._id, revision: 1, storage: { bytes: 0, versions: 0 }, createdAt: now, updatedAt: now };
    return (await insertUnlessExists(this.models.Asset, { studioId: sid, nameLower }, insert)).doc;
  }

  /** Each asset's latest version number, by _id alone as in findOwned, in `$in` batches (an editorial import's thousands of shots). */
  async latestVersions(studioId: StudioId, ids: Types.ObjectId[]): Promise<Map<string, number>> {
    const docs = await inBatches(ids, (batch) =>
      this.models.Asset.find({ _id: { $in: batch } }, { studioId: 1, latestVersion: 1 })
        .batchSize(IN_BATCH)
        .lean<Array<Pick<AssetDoc, '_id' | 'studioId' | 'latestVersion'>>>()
        .exec(),
    );
    return new Map(docs.filter((d) => String(d.studioId) === String(studioId)).map((d) => [String(d._id), d.latestVersion]));
  }

  /** Point reads of many assets (the shot grid's thumbnails), by _id alone as in findOwned. */
  async findMany(studioId: StudioId, ids: Types.ObjectId[]): Promise<AssetDoc[]> {
    if (ids.length === 0) return [];
    const docs = await this.models.Asset.find({ _id: { $in: ids } }).lean<AssetDoc[]>().exec();
    return docs.filter((d) => String(d.studioId) === String(studioId));
  }

  findById(studioId: StudioId, id: Types.ObjectId | string): Promise<AssetDoc | null> {
    return findOwned(this.models.Asset, studioId, id);
  }

  /**
   * Applies a change and bumps the revision. Callers hold the asset's lease, so the revision check holds.
   * `inc` adds to counters (a version's bytes) in the same single-document write.
   */
  update(studioId: StudioId, id: Types.ObjectId, expectedRevision: number, set: Partial<AssetDoc>, inc: Record<string, number> = {}): Promise<AssetDoc | null> {
    return this.models.Asset.findOneAndUpdate(
      { _id: id, studioId, revision: expectedRevision },
      { $set: { ...set, ...(set.name ? { nameLower: set.name.toLowerCase(), nameWords: nameWords(set.name) } : {}) }, $inc: { ...inc, revision: 1 } },
      { returnDocument: 'after' },
    )
      .lean<AssetDoc>()
      .exec();
  }

  /**
   * Plain, live assets whose name has words starting with each of `words` (queryWords, at least one): the
   * first `limit` of one index range, in the index's order (the nearest words first), with no sort to wait
   * for however many names match; the caller orders the few it shows.
   */
  async search(studioId: StudioId, words: string[], limit: number): Promise<AssetDoc[]> {
    if (words.length === 0) return [];
    return this.models.Asset.find(assetSearchQuery(studioId, words)).limit(limit).lean<AssetDoc[]>().exec();
  }

  async list(studioId: StudioId, query: AssetListQuery): Promise<Page<AssetDoc>> {
    if (query.q !== undefined && queryWords(query.q).length === 0) return toPage([], query, 'createdAt', (r: AssetDoc) => r.createdAt, (r) => r);
    const { filter, sort, field } = assetListQuery(studioId, query);
    const rows = await this.models.Asset.find(filter).sort(sort).limit(query.limit + 1).lean<AssetDoc[]>().exec();
    return toPage(rows, query, field, (r) => r[field], (r) => r);
  }
}
