// Storage usage counters: the studio's totals (with its quota) and each asset's, as single-document $inc writes.
import type { QueryFilter, SortOrder, Types } from 'mongoose';
import type { Models } from './models';
import type { AssetDoc } from './models/Asset';
import type { StudioDoc } from './models/Studio';
import { keyset, toPage, type Page } from './pagination';

type StudioId = Types.ObjectId | string;

export interface AssetUsagePage {
  limit: number;
  cursor?: string;
}

/** The sort field of the by-asset listing (largest first, _id breaking ties). */
export const ASSET_USAGE_FIELD = 'storage.bytes';

/** Filter and sort of one page of assets by size: pure, so tests check the shape against the declared indexes. */
export function assetUsageQuery(studioId: StudioId, page: AssetUsagePage): { filter: QueryFilter<AssetDoc>; sort: Record<string, SortOrder> } {
  const { filter: after, sort } = keyset<AssetDoc>(ASSET_USAGE_FIELD, 'desc', page.cursor);
  const filter: QueryFilter<AssetDoc> = { studioId };
  return { filter: Object.keys(after).length ? { $and: [filter, after] } : filter, sort };
}

export class StorageUsageRepository {
  constructor(private readonly models: Models) {}

  studio(studioId: StudioId): Promise<StudioDoc | null> {
    return this.models.Studio.findById(studioId).lean<StudioDoc>().exec();
  }

  /**
   * Adds one version of `bytes` to the studio's usage if the result stays within `limit` (null: no limit).
   * The quota the caller computed the limit from is part of the filter, so a quota the operator changed in
   * the meantime makes this miss rather than apply the old one. Null when the condition failed.
   */
  reserve(studioId: StudioId, bytes: number, limit: number | null, quota: StudioDoc['storageQuota']): Promise<StudioDoc | null> {
    const filter: QueryFilter<StudioDoc> = {
      _id: studioId,
      // Studios from before quotas have no storageQuota at all: no override, like `override: false`.
      ...(quota.override ? { 'storageQuota.override': true, 'storageQuota.bytes': quota.bytes } : { 'storageQuota.override': { $ne: true } }),
      ...(limit === null ? {} : { 'usage.bytes': { $lte: limit - bytes } }),
    };
    return this.models.Studio.findOneAndUpdate(filter, { $inc: { 'usage.bytes': bytes, 'usage.versions': 1 } }, { returnDocument: 'after' }).lean<StudioDoc>().exec();
  }

  /** Takes versions off the studio's usage (a failed commit's reservation, a purge). */
  async release(studioId: StudioId, bytes: number, versions: number): Promise<void> {
    await this.models.Studio.updateOne({ _id: studioId }, { $inc: { 'usage.bytes': -bytes, 'usage.versions': -versions } }).exec();
  }

  setQuota(studioId: StudioId, quota: StudioDoc['storageQuota']): Promise<StudioDoc | null> {
    return this.models.Studio.findOneAndUpdate({ _id: studioId }, { $set: { storageQuota: quota } }, { returnDocument: 'after' }).lean<StudioDoc>().exec();
  }

  async assets(studioId: StudioId, page: AssetUsagePage): Promise<Page<AssetDoc>> {
    const { filter, sort } = assetUsageQuery(studioId, page);
    const rows = await this.models.Asset.find(filter).sort(sort).limit(page.limit + 1).lean<AssetDoc[]>().exec();
    return toPage(rows, { limit: page.limit, order: 'desc' }, ASSET_USAGE_FIELD, (r) => r.storage?.bytes ?? 0, (r) => r);
  }
}
