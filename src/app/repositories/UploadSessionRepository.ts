// Direct upload sessions. Every read names the studio and the asset; the sweep alone reads across studios.
import { Types } from 'mongoose';
import type { Models } from './models';
import type { UploadSessionDoc, UploadSessionStatus } from './models/UploadSession';
import type { StudioId } from './AssetRepository';

export class UploadSessionRepository {
  constructor(private readonly models: Models) {}

  /** `_id` may be chosen ahead (the session's reservation is taken under it before the insert). */
  async insert(studioId: StudioId, doc: Omit<UploadSessionDoc, '_id' | 'studioId' | 'createdAt' | 'updatedAt'> & { _id?: Types.ObjectId }): Promise<UploadSessionDoc> {
    const created = await this.models.UploadSession.create({ ...doc, studioId });
    return created.toObject();
  }

  find(studioId: StudioId, assetId: string, id: string): Promise<UploadSessionDoc | null> {
    if (!Types.ObjectId.isValid(id)) return Promise.resolve(null);
    return this.models.UploadSession.findOne({ studioId, assetId, _id: id }).lean<UploadSessionDoc>().exec();
  }

  /** A session by id alone, for the reservation sweep (which knows the studio but not the asset). */
  findInStudio(studioId: StudioId | Types.ObjectId, id: string): Promise<UploadSessionDoc | null> {
    if (!Types.ObjectId.isValid(id)) return Promise.resolve(null);
    return this.models.UploadSession.findOne({ studioId, _id: id }).lean<UploadSessionDoc>().exec();
  }

  /** Called under the session's lease only (the status it moves from was read under the same lease). */
  async end(studioId: StudioId | Types.ObjectId, id: Types.ObjectId, status: Exclude<UploadSessionStatus, 'OPEN'>, fields: { endReason?: string; version?: number }): Promise<void> {
    await this.models.UploadSession.updateOne({ studioId, _id: id }, { $set: { status, endReason: fields.endReason ?? null, version: fields.version ?? null } }).exec();
  }

  /** Open sessions past their expiry, oldest first, across studios: the sweep's work list. */
  expired(now: Date, limit: number): Promise<UploadSessionDoc[]> {
    return this.models.UploadSession.find({ status: 'OPEN', expiresAt: { $lt: now } }).sort({ expiresAt: 1 }).limit(limit).lean<UploadSessionDoc[]>().exec();
  }
}
