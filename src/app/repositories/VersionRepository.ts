// Asset versions: insert and read only. There is deliberately no update method; the one delete is an archived
// asset's purge (AssetPurgeService), after which the storage collector removes objects no version references.
import { Types } from 'mongoose';
import type { Models } from './models';
import type { AssetVersionDoc } from './models/AssetVersion';
import { keyset, toPage, type Page } from './pagination';
import type { StudioId } from './AssetRepository';

export class VersionRepository {
  constructor(private readonly models: Models) {}

  async insert(studioId: StudioId, doc: Omit<AssetVersionDoc, '_id' | 'studioId' | 'createdAt'>): Promise<AssetVersionDoc> {
    const created = await this.models.AssetVersion.create({ ...doc, studioId });
    return created.toObject();
  }

  findOne(studioId: StudioId, assetId: Types.ObjectId | string, version: number): Promise<AssetVersionDoc | null> {
    return this.models.AssetVersion.findOne({ studioId, assetId, version }).lean<AssetVersionDoc>().exec();
  }

  async highest(studioId: StudioId, assetId: Types.ObjectId | string): Promise<number> {
    const top = await this.models.AssetVersion.findOne({ studioId, assetId }).sort({ version: -1 }).select({ version: 1 }).lean<{ version: number }>().exec();
    return top?.version ?? 0;
  }

  async list(studioId: StudioId, assetId: Types.ObjectId | string, req: { limit: number; cursor?: string }): Promise<Page<AssetVersionDoc>> {
    const { filter, sort } = keyset<AssetVersionDoc>('version', 'desc', req.cursor);
    const rows = await this.models.AssetVersion.find({ ...filter, studioId, assetId }).sort(sort).limit(req.limit + 1).lean<AssetVersionDoc[]>().exec();
    return toPage(rows, { limit: req.limit, order: 'desc' }, 'version', (r) => r.version, (r) => r);
  }

  /** Whether any version of the studio points at this stored object (the storage collector's reference check). */
  async referencesKey(studioId: StudioId, key: string): Promise<boolean> {
    return (await this.models.AssetVersion.exists({ studioId, 'file.key': key }).exec()) !== null;
  }

  /** Every version of an asset, numbers and files only: what a purge removes. */
  forAsset(studioId: StudioId, assetId: Types.ObjectId | string): Promise<Array<Pick<AssetVersionDoc, '_id' | 'version' | 'file'>>> {
    return this.models.AssetVersion.find({ studioId, assetId }).sort({ version: -1 }).select({ version: 1, file: 1 }).lean<Array<Pick<AssetVersionDoc, '_id' | 'version' | 'file'>>>().exec();
  }

  /** The purge of an archived asset; its objects are left to the storage collector. */
  async deleteForAsset(studioId: StudioId, assetId: Types.ObjectId | string): Promise<number> {
    const res = await this.models.AssetVersion.deleteMany({ studioId, assetId }).exec();
    return res.deletedCount;
  }
}
