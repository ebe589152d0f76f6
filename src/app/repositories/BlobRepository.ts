// Stored objects by content. Every write is one document: a claim or a state change is a compare-and-set on the
// fields it read, so the collector and concurrent uploads agree without transactions. The collector's scans
// alone read across studios.
import type { Types } from 'mongoose';
import type { Models } from './models';
import type { BlobDoc } from './models/Blob';
import type { StudioId } from './AssetRepository';

export type NewBlob = Pick<BlobDoc, 'address' | 'sha256' | 'key' | 'size' | 'mimeType'>;

export class BlobRepository {
  constructor(private readonly models: Models) {}

  /** Claims the live blob at this address: its claimedAt moves to now, which any collector's compare-and-set sees. */
  claim(studioId: StudioId, address: string, now: Date): Promise<BlobDoc | null> {
    return this.models.Blob.findOneAndUpdate({ studioId, address, state: 'live' }, { $set: { claimedAt: now } }, { returnDocument: 'after' }).lean<BlobDoc>().exec();
  }

  findByAddress(studioId: StudioId, address: string): Promise<BlobDoc | null> {
    return this.models.Blob.findOne({ studioId, address }).lean<BlobDoc>().exec();
  }

  findLive(studioId: StudioId, address: string): Promise<BlobDoc | null> {
    return this.models.Blob.findOne({ studioId, address, state: 'live' }).lean<BlobDoc>().exec();
  }

  /** Throws a duplicate-key error when another upload registered these bytes first. */
  async insert(studioId: StudioId, blob: NewBlob, now: Date): Promise<BlobDoc> {
    const created = await this.models.Blob.create({ ...blob, studioId, state: 'live', claimedAt: now });
    return created.toObject();
  }

  /** The collector's compare-and-set: only a blob nobody claimed since it was read moves to 'deleting'. */
  async markDeleting(studioId: StudioId, id: Types.ObjectId, claimedAt: Date): Promise<boolean> {
    const res = await this.models.Blob.updateOne({ studioId, _id: id, state: 'live', claimedAt }, { $set: { state: 'deleting' } }).exec();
    return res.modifiedCount === 1;
  }

  /** A blob found still referenced while 'deleting' (data written outside the claim protocol) goes back to live. */
  async revive(studioId: StudioId, id: Types.ObjectId, now: Date): Promise<void> {
    await this.models.Blob.updateOne({ studioId, _id: id, state: 'deleting' }, { $set: { state: 'live', claimedAt: now } }).exec();
  }

  async remove(studioId: StudioId, id: Types.ObjectId): Promise<void> {
    await this.models.Blob.deleteOne({ studioId, _id: id, state: 'deleting' }).exec();
  }

  /**
   * A private blob whose bytes the pipeline re-hashed becomes a dedup target, unless the same content already
   * has one (then it stays private: collected like any other, never handed out). Returns whether it moved.
   */
  async promote(studioId: StudioId, key: string, sha256: string, address: string, privateAddress: string): Promise<boolean> {
    const res = await this.models.Blob.updateOne({ studioId, key, address: privateAddress, state: 'live' }, { $set: { address, sha256 } }).exec();
    return res.modifiedCount === 1;
  }

  findByKey(studioId: StudioId, key: string): Promise<BlobDoc | null> {
    return this.models.Blob.findOne({ studioId, key }).lean<BlobDoc>().exec();
  }

  /** Across studios, oldest claim first: live blobs claimed before the cutoff (after `from`, for paging). */
  idle(cutoff: Date, limit: number, from?: { claimedAt: Date; seen: Types.ObjectId[] }): Promise<BlobDoc[]> {
    const claimedAt = from ? { $gte: from.claimedAt, $lt: cutoff } : { $lt: cutoff };
    const filter = from?.seen.length ? { state: 'live' as const, claimedAt, _id: { $nin: from.seen } } : { state: 'live' as const, claimedAt };
    return this.models.Blob.find(filter).sort({ claimedAt: 1 }).limit(limit).lean<BlobDoc[]>().exec();
  }

  /** Across studios: blobs a collector (or a failed commit's release) left half-removed. */
  deleting(limit: number): Promise<BlobDoc[]> {
    return this.models.Blob.find({ state: 'deleting' }).sort({ claimedAt: 1 }).limit(limit).lean<BlobDoc[]>().exec();
  }

  /**
   * Physical storage of a studio: every object it holds, once, whatever number of versions point at it. Summed
   * over the studio's blobs (read by the {studioId, ...} index, sizes only) rather than with $group, whose $sum of
   * a field FerretDB v1 answers with 0.
   */
  async usage(studioId: StudioId): Promise<{ objects: number; bytes: number }> {
    let objects = 0;
    let bytes = 0;
    for await (const b of this.models.Blob.find({ studioId }).select({ _id: 0, size: 1 }).lean<Array<{ size: number }>>().cursor({ batchSize: 1000 })) {
      objects++;
      bytes += b.size;
    }
    return { objects, bytes };
  }
}
