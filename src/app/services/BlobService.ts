// Content-addressed storage per studio: one object per content, versions point at its key, and a mark-and-sweep
// collector removes objects no version references. The protocol that keeps the collector from deleting an object
// a new version is about to use, with single-document writes only:
//  - a commit CLAIMS a live blob (claimedAt := now) right before inserting its version, or registers its own
//    object as a new blob;
//  - the collector takes a blob only when it is unreferenced and its claim is older than the grace period, by a
//    compare-and-set on {state: 'live', claimedAt: <the value it read>} → 'deleting'. A claim between the read and
//    the compare-and-set changes claimedAt, so the compare-and-set fails; a claim after it finds no live blob.
//  - nothing ever claims a 'deleting' blob: whoever meets one (the next collector run, or an upload of the same
//    bytes) finishes it: re-check references, delete the object, delete the document. An upload then registers
//    its own object, so a version never points at an object being deleted.
// The grace period covers the gap between a claim and its version insert (one insert, under the asset's lease).
// A claim and a compare-and-set of the same blob never run at once: each takes the blob's lease (`blob:`) for
// its one write. MongoDB applies a filtered single-document update atomically, but FerretDB v1 reads, matches
// and writes back in separate steps, so two racing conditional updates could both succeed there; the lease
// (a unique insert, atomic on both) makes the protocol hold on every MongoDB-wire server.
import type { Types } from 'mongoose';
import { NotFoundError, ServiceUnavailableError } from '../../shared/errors';
import { isDuplicateKey } from '../../infra/database/errors';
import type { LeaseLock } from '../../infra/database/LeaseLock';
import type { Logger } from '../../infra/logging/logger';
import type { StorageProvider } from '../../infra/storage/StorageProvider';
import type { BlobRepository } from '../repositories/BlobRepository';
import type { VersionRepository } from '../repositories/VersionRepository';
import { blobAddress, privateAddress, type BlobDoc } from '../repositories/models/Blob';
import type { AssetService } from './AssetService';
import type { Actor } from './types';

/** An object just written by an upload, with the sha256 the server computed (or, for direct uploads, the client's claim). */
export interface StoredObject {
  key: string;
  size: number;
  sha256: string;
  mimeType: string;
}

export interface Claim {
  blob: BlobDoc;
  /** True when the blob's key is not the stored object's: the same bytes were already held. */
  reused: boolean;
}

/** Pauses for tests of the race: called with the blob between the collector's steps. */
export interface CollectorHooks {
  /** After the reference check found none, before the compare-and-set. */
  afterCheck?(blob: BlobDoc): Promise<void>;
  /** After the compare-and-set to 'deleting', before the object is deleted. */
  afterMark?(blob: BlobDoc): Promise<void>;
}

export interface CollectResult {
  /** Objects deleted (with their blob documents). */
  removed: number;
  bytes: number;
}

const CLAIM_ATTEMPTS = 20;
export const BLOB_NOT_FOUND = () => new NotFoundError('BLOB_NOT_FOUND', 'No object with this sha256 in your studio');

export class BlobService {
  constructor(
    private readonly deps: {
      blobs: BlobRepository;
      versions: VersionRepository;
      assets: AssetService;
      storage: StorageProvider;
      locks: LeaseLock;
      logger: Logger;
      /** How long after its last claim an unreferenced blob is left alone. */
      graceMs: number;
    },
  ) {}

  /** "Do you have this hash?": the studio's live, server-hashed object with these bytes, for anyone who may create versions. */
  async has(actor: Actor, sha256: string): Promise<{ sha256: string; size: number }> {
    this.deps.assets.requirePermission(actor, 'version:create');
    const blob = await this.deps.blobs.findLive(actor.studioId, blobAddress(sha256.toLowerCase()));
    if (!blob) throw BLOB_NOT_FOUND();
    return { sha256: blob.sha256, size: blob.size };
  }

  /**
   * The commit's claim, right before its version insert: the live blob of these bytes (the caller then deletes
   * its own copy and points the version at blob.key), or the stored object registered as a new blob. An object
   * whose sha256 the server did not compute (contentAddressed false) is registered privately: never reused.
   */
  async claim(studioId: string, stored: StoredObject, options: { contentAddressed: boolean }): Promise<Claim> {
    if (!options.contentAddressed) {
      return { blob: await this.deps.blobs.insert(studioId, { ...stored, address: privateAddress(stored.key) }, new Date()), reused: false };
    }
    const address = blobAddress(stored.sha256);
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      const live = await this.exclusive(studioId, address, () => this.deps.blobs.claim(studioId, address, new Date()));
      if (live) return { blob: live, reused: live.key !== stored.key };
      const dying = await this.deps.blobs.findByAddress(studioId, address);
      if (dying?.state === 'deleting') {
        // Being collected: finish it rather than wait for the collector (both may; each step is idempotent).
        await this.finish(dying);
        continue;
      }
      if (dying) continue; // live again between the two reads: claim it next round
      try {
        return { blob: await this.deps.blobs.insert(studioId, { ...stored, address }, new Date()), reused: false };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        // Another upload of the same bytes registered first: claim theirs.
      }
    }
    throw new ServiceUnavailableError('BLOB_BUSY', 'The stored object for this content is changing; try again shortly', { retryAfterSeconds: 1 });
  }

  /** Claims the studio's live object with this sha256 for a version made without sending bytes; null if none. */
  claimExisting(studioId: string, sha256: string): Promise<BlobDoc | null> {
    const address = blobAddress(sha256.toLowerCase());
    return this.exclusive(studioId, address, () => this.deps.blobs.claim(studioId, address, new Date()));
  }

  /** The blob's own lease around one claim or compare-and-set (see the header). */
  private exclusive<T>(studioId: string | Types.ObjectId, address: string, fn: () => Promise<T>): Promise<T> {
    return this.deps.locks.withLock(`blob:${String(studioId)}:${address}`, fn, { ttlMs: 10_000, waitMs: 10_000 });
  }

  /** The collector's and release's compare-and-set, under the blob's lease. */
  private markDeleting(blob: BlobDoc): Promise<boolean> {
    return this.exclusive(blob.studioId, blob.address, () => this.deps.blobs.markDeleting(blob.studioId, blob._id, blob.claimedAt));
  }

  /**
   * A commit that registered its object and then failed takes it back at once (no grace), unless someone claimed
   * it meanwhile: the same compare-and-set as the collector's, so a concurrent claimer keeps it.
   */
  async release(blob: BlobDoc): Promise<void> {
    if (await this.markDeleting(blob)) await this.finish(blob);
  }

  /** Whether a stored object is a blob (a claim registered it). */
  async isRegistered(studioId: string, key: string): Promise<boolean> {
    return (await this.deps.blobs.findByKey(studioId, key)) !== null;
  }

  /**
   * The pipeline re-hashed a direct upload's bytes and they match the sha256 the client claimed: its private blob
   * becomes a dedup target, unless these bytes already have one.
   */
  async promote(studioId: string, key: string, sha256: string): Promise<boolean> {
    try {
      return await this.deps.blobs.promote(studioId, key, sha256, blobAddress(sha256), privateAddress(key));
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  /** Physical storage of a studio (each object once): what storage usage and quotas count. */
  usage(studioId: string): Promise<{ objects: number; bytes: number }> {
    return this.deps.blobs.usage(studioId);
  }

  /**
   * One collector run, under a lease so one instance runs at a time (another run answers 503 LOCK_TIMEOUT):
   * finishes blobs a crashed run left in 'deleting', then removes unreferenced blobs idle past the grace period.
   */
  async collect(options: { now?: Date; batch?: number; hooks?: CollectorHooks } = {}): Promise<CollectResult> {
    const { now = new Date(), batch = 200, hooks = {} } = options;
    return this.deps.locks.withLock(
      'storage-gc',
      async () => {
        const result: CollectResult = { removed: 0, bytes: 0 };
        for (;;) {
          const stuck = await this.deps.blobs.deleting(batch);
          for (const blob of stuck) if (await this.finish(blob)) tally(result, blob);
          if (stuck.length < batch) break;
        }
        const cutoff = new Date(now.getTime() - this.deps.graceMs);
        let from: { claimedAt: Date; seen: Types.ObjectId[] } | undefined;
        for (;;) {
          const page = await this.deps.blobs.idle(cutoff, batch, from);
          for (const blob of page) {
            if (await this.deps.versions.referencesKey(blob.studioId, blob.key)) continue;
            await hooks.afterCheck?.(blob);
            if (!(await this.markDeleting(blob))) continue;
            await hooks.afterMark?.(blob);
            if (await this.finish(blob)) tally(result, blob);
          }
          if (page.length < batch) break;
          const last = page[page.length - 1]!.claimedAt;
          from = { claimedAt: last, seen: page.filter((b) => b.claimedAt.getTime() === last.getTime()).map((b) => b._id) };
        }
        if (result.removed) this.deps.logger.info('storage collector removed unreferenced objects', { ...result });
        return result;
      },
      { ttlMs: 30 * 60_000, waitMs: 0 },
    );
  }

  /** Completes the removal of a 'deleting' blob: re-check references, delete the object, then the document. */
  private async finish(blob: BlobDoc): Promise<boolean> {
    if (await this.deps.versions.referencesKey(blob.studioId, blob.key)) {
      // Only data written around the claim protocol (a restore, a hand edit) gets here: keep the object.
      this.deps.logger.warn('a blob being collected is referenced; kept', { studioId: String(blob.studioId), key: blob.key });
      await this.deps.blobs.revive(blob.studioId, blob._id, new Date());
      return false;
    }
    await this.deps.storage.delete(blob.key);
    await this.deps.blobs.remove(blob.studioId, blob._id);
    return true;
  }
}

function tally(r: CollectResult, blob: BlobDoc): void {
  r.removed++;
  r.bytes += blob.size;
}
