// Storage usage: each studio's counters and quota override (StorageUsage, written under the studio's
// `storage:` lease by StorageUsageService), the reservations of its uploads in progress (UploadReservation,
// inserted under the same lease) and each asset's counters (on the asset, $inc'd under its lease).
import { Types, type QueryFilter, type SortOrder } from 'mongoose';
import type { Models } from './models';
import type { AssetDoc } from './models/Asset';
import type { StorageUsageDoc } from './models/StorageUsage';
import type { UploadReservationDoc } from './models/UploadReservation';
import { isDuplicateKey } from '../../infra/database/errors';
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

  async studioExists(studioId: StudioId): Promise<boolean> {
    return Boolean(await this.models.Studio.exists({ _id: studioId }).exec());
  }

  /** The studio's counters; null for a studio that has never stored anything nor had a quota set. */
  find(studioId: StudioId): Promise<StorageUsageDoc | null> {
    return this.models.StorageUsage.findById(studioId).lean<StorageUsageDoc>().exec();
  }

  /** The studio's counters, created at zero when missing. Callers hold the studio's storage lease. */
  async findOrCreate(studioId: StudioId): Promise<StorageUsageDoc> {
    const found = await this.find(studioId);
    if (found) return found;
    try {
      return (await this.models.StorageUsage.create({ _id: new Types.ObjectId(String(studioId)), bytes: 0, versions: 0, quota: { override: false, bytes: null } })).toObject();
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      return (await this.find(studioId))!;
    }
  }

  /**
   * Adds to the counters; with `maxBytes`, only while bytes stay within it (null when that failed). Callers
   * hold the studio's storage lease (the condition alone is not atomic on FerretDB v1; on MongoDB it is a
   * second guard should a lease ever expire under its holder).
   */
  add(studioId: StudioId, bytes: number, versions: number, maxBytes?: number): Promise<StorageUsageDoc | null> {
    const filter: QueryFilter<StorageUsageDoc> = { _id: studioId, ...(maxBytes === undefined ? {} : { bytes: { $lte: maxBytes - bytes } }) };
    return this.models.StorageUsage.findOneAndUpdate(filter, { $inc: { bytes, versions } }, { returnDocument: 'after' }).lean<StorageUsageDoc>().exec();
  }

  setQuota(studioId: StudioId, quota: StorageUsageDoc['quota']): Promise<StorageUsageDoc | null> {
    return this.models.StorageUsage.findOneAndUpdate({ _id: studioId }, { $set: { quota } }, { returnDocument: 'after' }).lean<StorageUsageDoc>().exec();
  }

  /** The studio's reservations (as many as it may have open uploads: the cap bounds this read). */
  reservations(studioId: StudioId): Promise<Array<Pick<UploadReservationDoc, '_id' | 'bytes'>>> {
    return this.models.UploadReservation.find({ studioId }, { bytes: 1 }).lean<Array<Pick<UploadReservationDoc, '_id' | 'bytes'>>>().exec();
  }

  /** False when this upload already holds a reservation (a retried creation). Callers hold the studio's storage lease. */
  async insertReservation(doc: Omit<UploadReservationDoc, 'createdAt'>): Promise<boolean> {
    try {
      await this.models.UploadReservation.create(doc);
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  /** A single delete: releasing twice gives back nothing more (the sum no longer has it). */
  async deleteReservation(studioId: StudioId, id: string): Promise<void> {
    await this.models.UploadReservation.deleteOne({ _id: id, studioId }).exec();
  }

  /** Reservations due a look by the sweep, soonest first, across studios: the sweep's work list. */
  dueReservations(now: Date, limit: number): Promise<UploadReservationDoc[]> {
    return this.models.UploadReservation.find({ checkAt: { $lte: now } }).sort({ checkAt: 1 }).limit(limit).lean<UploadReservationDoc[]>().exec();
  }

  async postponeReservation(studioId: StudioId, id: string, checkAt: Date): Promise<void> {
    await this.models.UploadReservation.updateOne({ _id: id, studioId }, { $set: { checkAt } }).exec();
  }

  async assets(studioId: StudioId, page: AssetUsagePage): Promise<Page<AssetDoc>> {
    const { filter, sort } = assetUsageQuery(studioId, page);
    const rows = await this.models.Asset.find(filter).sort(sort).limit(page.limit + 1).lean<AssetDoc[]>().exec();
    return toPage(rows, { limit: page.limit, order: 'desc' }, ASSET_USAGE_FIELD, (r) => r.storage?.bytes ?? 0, (r) => r);
  }
}
