// Asset versions: insert and read only. There is deliberately no update or delete method.
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
}
