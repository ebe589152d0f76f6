// Direct uploads to S3: the API opens a multipart upload and hands out presigned part URLs, the client sends
// the parts itself (in parallel, resuming by asking which landed), and completion is verified here without the
// API reading the object: every part present with its planned size, the total size, each part's sha256 (signed
// into its URL, so S3 refuses other bytes; compared again where the server reports part checksums), the head
// sniffed through a ranged read. The whole-file sha256 the client claimed is recorded and re-hashed by the
// pipeline worker before the version becomes READY (a mismatch fails it as STORED_OBJECT_CORRUPT).
// Then the version is made by VersionService.commitStored, the same commit as every other path. A session holds a
// reservation of its size against the studio's quota from its start (StorageUsageService.reserveUpload): the commit
// turns it into usage, and every other end (abort, refusal, expiry) gives it back.
import { randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import { ConflictError, DomainError, NotFoundError, PayloadTooLargeError, ValidationError } from '../../shared/errors';
import type { DirectTransfers, LandedPart, StorageProvider } from '../../infra/storage/StorageProvider';
import { objectKey } from '../../infra/storage/StorageProvider';
import type { LeaseLock } from '../../infra/database/LeaseLock';
import type { Logger } from '../../infra/logging/logger';
import type { UploadSessionRepository } from '../repositories/UploadSessionRepository';
import type { UploadSessionDoc } from '../repositories/models/UploadSession';
import type { AssetService } from './AssetService';
import { storedHead, type VersionService } from './VersionService';
import type { BlobService } from './BlobService';
import type { StorageUsageService, UploadState } from './StorageUsageService';
import { reservationId } from './StorageUsageService';
import type { UploadReservationDoc } from '../repositories/models/UploadReservation';
import { judgeContent } from './ContentPolicy';
import type { Actor } from './types';
import type { AssetDto, VersionDto } from '../dto';

const MiB = 1024 * 1024;
/** S3's limits: parts of 5 MiB to 5 GiB (the last may be smaller), at most 10,000 of them. */
export const MIN_PART_BYTES = 5 * MiB;
export const MAX_PART_BYTES = 5 * 1024 * MiB;
export const MAX_PARTS = 10_000;

export interface StartDirectUpload {
  fileName: string;
  size: number;
  /** Hex sha256 of the whole file. */
  sha256: string;
  partSize: number;
  /** Hex sha256 of each part, in order. */
  partSha256: string[];
  changeNote?: string;
}

export interface UploadPartDto {
  partNumber: number;
  size: number;
  /** Whether the part has landed on the server (from S3's own list of the upload's parts). */
  landed: boolean;
  /** A presigned PUT for a part still to send: send the header x-amz-checksum-sha256 with the given value. */
  url?: string;
  checksumSha256: string;
}

export interface UploadSessionDto {
  id: string;
  assetId: string;
  status: UploadSessionDoc['status'];
  fileName: string;
  size: number;
  partSize: number;
  sha256: string;
  version: number | null;
  endReason: string | null;
  expiresAt: string;
  /** When the part URLs of this answer stop working (ask again for fresh ones). */
  urlsExpireAt: string | null;
  parts: UploadPartDto[];
}

const SESSION_NOT_FOUND = () => new NotFoundError('UPLOAD_SESSION_NOT_FOUND', 'Upload session not found');
const hexToBase64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

/** Size of part n (1-based) of a file cut in partSize pieces. */
const partBytes = (s: { size: number; partSize: number }, n: number) => Math.min(s.partSize, s.size - (n - 1) * s.partSize);

export class UploadSessionService {
  constructor(
    private readonly deps: {
      assets: AssetService;
      versions: VersionService;
      sessions: UploadSessionRepository;
      storage: StorageProvider;
      locks: LeaseLock;
      /** Whether a stored object belongs to a version (a commit registers its object before the version insert). */
      blobs: Pick<BlobService, 'isRegistered'>;
      usage: Pick<StorageUsageService, 'reserveUpload' | 'releaseUpload'>;
      logger: Logger;
      maxUploadBytes: number;
      sessionTtlMs: number;
      urlTtlSeconds: number;
    },
  ) {}

  private direct(): DirectTransfers {
    const direct = this.deps.storage.direct;
    if (!direct) {
      throw new DomainError('DIRECT_UPLOADS_UNAVAILABLE', 'Direct uploads need the S3 storage driver; stream the file to POST /assets/{id}/versions or use tus at /uploads', { status: 409 });
    }
    return direct;
  }

  async start(actor: Actor, assetId: string, input: StartDirectUpload): Promise<UploadSessionDto> {
    const asset = await this.deps.assets.require(actor, 'version:create', assetId);
    if (asset.archivedAt) throw new ConflictError('ASSET_ARCHIVED', 'Archived assets take no new versions');
    const direct = this.direct();
    if (input.size > this.deps.maxUploadBytes) throw new PayloadTooLargeError('FILE_TOO_LARGE', `The file exceeds the ${this.deps.maxUploadBytes}-byte limit`);
    const parts = Math.ceil(input.size / input.partSize);
    if (parts > MAX_PARTS) throw new ValidationError('TOO_MANY_PARTS', `At most ${MAX_PARTS} parts: use parts of at least ${Math.ceil(input.size / MAX_PARTS)} bytes`);
    if (parts > 1 && input.partSize < MIN_PART_BYTES) throw new ValidationError('PART_TOO_SMALL', `Parts other than the last must be at least ${MIN_PART_BYTES} bytes`);
    if (input.partSha256.length !== parts) throw new ValidationError('PART_CHECKSUMS_MISMATCH', `${parts} parts of ${input.partSize} bytes make this file: send ${parts} part checksums, not ${input.partSha256.length}`);

    // The size is reserved before S3 hears of the upload: a refusal (507, 429) leaves nothing to clean up, and an
    // instance dying before the insert leaves only a reservation without a session, which the sweep releases.
    const id = new Types.ObjectId();
    const expiresAt = new Date(Date.now() + this.deps.sessionTtlMs);
    await this.deps.usage.reserveUpload(actor.studioId, { kind: 'direct', uploadId: String(id), bytes: input.size, expiresAt });
    const key = objectKey('studios', actor.studioId, 'assets', assetId, 'versions', randomUUID());
    let uploadId: string | undefined;
    try {
      // The declared type is a placeholder: the object's real type is decided by sniffing at completion.
      uploadId = await direct.createMultipart(key, 'application/octet-stream');
      const session = await this.deps.sessions.insert(actor.studioId, {
        _id: id,
        assetId: new Types.ObjectId(assetId),
        createdBy: new Types.ObjectId(actor.id),
        key,
        uploadId,
        fileName: input.fileName,
        changeNote: (input.changeNote ?? '').slice(0, 2000),
        size: input.size,
        partSize: input.partSize,
        sha256: input.sha256.toLowerCase(),
        partSha256: input.partSha256.map((h) => hexToBase64(h)),
        status: 'OPEN',
        endReason: null,
        version: null,
        expiresAt,
      });
      return this.toDto(session, []);
    } catch (err) {
      if (uploadId) await direct.abortMultipart(key, uploadId).catch(() => undefined);
      await this.release(actor.studioId, String(id));
      throw err;
    }
  }

  /** The session with the parts that landed and fresh URLs for the others: how a client resumes. */
  async get(actor: Actor, assetId: string, id: string): Promise<UploadSessionDto> {
    const session = await this.find(actor, assetId, id);
    const landed = session.status === 'OPEN' ? await this.direct().listParts(session.key, session.uploadId) : [];
    return this.toDto(session, landed);
  }

  async complete(actor: Actor, assetId: string, id: string): Promise<{ version: VersionDto; asset: AssetDto }> {
    await this.find(actor, assetId, id);
    const direct = this.direct();
    return this.deps.locks.withLock(
      `upload-session:${id}`,
      async () => {
        const session = await this.find(actor, assetId, id);
        this.requireOpen(session);
        const landed = await direct.listParts(session.key, session.uploadId);
        const plan = this.plan(session);
        const byNumber = new Map(landed.map((p) => [p.partNumber, p]));
        const missing = plan.filter((p) => !byNumber.has(p.partNumber)).map((p) => p.partNumber);
        if (missing.length) {
          throw new ConflictError('UPLOAD_PARTS_MISSING', `${missing.length} of ${plan.length} parts have not landed`, {
            details: missing.slice(0, 50).map((n) => ({ path: `parts.${n}`, message: 'not uploaded' })),
          });
        }
        // Parts beyond the plan, a wrong size or a checksum the server recorded differently: the upload is not
        // the file that was announced, and resending the planned parts fixes it (a part number can be re-sent).
        const wrong = landed.filter((p) => {
          const planned = plan[p.partNumber - 1];
          return !planned || p.size !== planned.size || (p.sha256 !== undefined && p.sha256 !== planned.checksumSha256);
        });
        if (wrong.length) {
          throw new ConflictError('UPLOAD_PARTS_INVALID', 'Some parts differ from the announced size or checksum; upload them again', {
            details: wrong.slice(0, 50).map((p) => ({ path: `parts.${p.partNumber}`, message: `${p.size} bytes${p.sha256 ? `, sha256 ${p.sha256}` : ''}` })),
          });
        }
        await direct.completeMultipart(session.key, session.uploadId, plan.map((p) => ({ partNumber: p.partNumber, etag: byNumber.get(p.partNumber)!.etag, sha256: p.checksumSha256 })));
        // From here the object exists: every refusal removes it and ends the session (a client starts anew).
        try {
          const stat = await this.deps.storage.stat(session.key);
          if (!stat || stat.size !== session.size) throw new ConflictError('UPLOAD_SIZE_MISMATCH', `The assembled object has ${stat?.size ?? 0} bytes, not the announced ${session.size}`);
          const head = await storedHead(this.deps.storage, session.key, session.size);
          const verdict = await judgeContent(session.fileName, head);
          const result = await this.deps.versions.commitStored(
            actor,
            assetId,
            {
              key: session.key,
              size: session.size,
              // The client's claim, re-hashed by the pipeline before the version becomes READY.
              sha256: session.sha256,
              mimeType: verdict.mimeType,
              originalName: session.fileName,
              verified: verdict.verified,
              changeNote: session.changeNote,
            },
            { contentAddressed: false, reservation: reservationId('direct', id) },
          );
          await this.deps.sessions.end(actor.studioId, session._id, 'COMPLETED', { version: result.version.version });
          return result;
        } catch (err) {
          await this.deps.storage.delete(session.key).catch((e: unknown) => this.deps.logger.error('could not remove a refused direct upload', { key: session.key, err: e }));
          await this.deps.sessions.end(actor.studioId, session._id, 'ABORTED', { endReason: (err as DomainError).code ?? 'FAILED' });
          await this.release(actor.studioId, id);
          throw err;
        }
      },
      { ttlMs: 10 * 60_000, waitMs: 5_000 },
    );
  }

  async abort(actor: Actor, assetId: string, id: string): Promise<void> {
    await this.find(actor, assetId, id);
    const direct = this.direct();
    await this.deps.locks.withLock(`upload-session:${id}`, async () => {
      const session = await this.find(actor, assetId, id);
      // Aborting again also releases: the first abort may have ended the session and died before its release.
      if (session.status !== 'ABORTED') {
        this.requireOpen(session);
        await direct.abortMultipart(session.key, session.uploadId);
        await this.deps.sessions.end(actor.studioId, session._id, 'ABORTED', { endReason: 'ABORTED_BY_CLIENT' });
      }
      await this.release(actor.studioId, id);
    });
  }

  /** Aborts open sessions past their expiry (the S3 upload and its parts go with them). Returns how many. */
  async sweep(now = new Date(), batch = 100): Promise<number> {
    if (!this.deps.storage.direct) return 0;
    let ended = 0;
    for (const stale of await this.deps.sessions.expired(now, batch)) {
      try {
        if (await this.expire(stale.studioId, String(stale._id), now)) ended++;
      } catch (err) {
        // A session being completed right now holds the lease: the next sweep looks again.
        this.deps.logger.warn('upload session sweep skipped a session', { id: String(stale._id), err: (err as Error).message });
      }
    }
    return ended;
  }

  /**
   * For the reservation sweep: whether the session a reservation belongs to still needs it. A session that never
   * got inserted or has ended needs it no more; one past its expiry is aborted here first.
   */
  async reservationState(r: Pick<UploadReservationDoc, '_id' | 'studioId'>, now = new Date()): Promise<UploadState> {
    const id = r._id.slice(reservationId('direct', '').length);
    const session = await this.deps.sessions.findInStudio(r.studioId, id);
    if (session?.status !== 'OPEN') return { live: false };
    if (session.expiresAt <= now) {
      if (!this.deps.storage.direct) return { live: true, until: session.expiresAt };
      await this.expire(session.studioId, id, now);
      return { live: false };
    }
    return { live: true, until: session.expiresAt };
  }

  /** Aborts one session past its expiry, under its lease (busy: throws, for a later sweep); whether it ended it. */
  private async expire(studioId: Types.ObjectId, id: string, now: Date): Promise<boolean> {
    const direct = this.direct();
    return this.deps.locks.withLock(
      `upload-session:${id}`,
      async () => {
        const current = await this.deps.sessions.findInStudio(studioId, id);
        if (current?.status !== 'OPEN' || current.expiresAt > now) return false;
        await direct.abortMultipart(current.key, current.uploadId);
        // An instance that died inside complete() after S3 assembled the object but before the commit claimed
        // it leaves an object no version can ever point at: remove it. Once claimed, the object is a blob,
        // and the collector removes it if the version insert never happened.
        if ((await this.deps.storage.exists(current.key)) && !(await this.deps.blobs.isRegistered(String(current.studioId), current.key))) {
          await this.deps.storage.delete(current.key);
        }
        await this.deps.sessions.end(current.studioId, current._id, 'ABORTED', { endReason: 'EXPIRED' });
        await this.release(String(current.studioId), id);
        return true;
      },
      { waitMs: 0 },
    );
  }

  /** Gives the session's reservation back; a failure leaves it to the reservation sweep (the session has ended). */
  private async release(studioId: string, id: string): Promise<void> {
    await this.deps.usage.releaseUpload(studioId, 'direct', id).catch((err: unknown) => this.deps.logger.warn('could not release an upload session\'s reservation', { id, err: (err as Error).message }));
  }

  private async find(actor: Actor, assetId: string, id: string): Promise<UploadSessionDoc> {
    await this.deps.assets.require(actor, 'version:create', assetId);
    const session = await this.deps.sessions.find(actor.studioId, assetId, id);
    if (!session) throw SESSION_NOT_FOUND();
    return session;
  }

  private requireOpen(session: UploadSessionDoc): void {
    if (session.status !== 'OPEN') throw new ConflictError('UPLOAD_SESSION_CLOSED', `The upload session is ${session.status.toLowerCase()}`);
    if (session.expiresAt.getTime() < Date.now()) throw new DomainError('UPLOAD_SESSION_EXPIRED', 'The upload session has expired', { status: 410 });
  }

  private plan(s: UploadSessionDoc): Array<{ partNumber: number; size: number; checksumSha256: string }> {
    return s.partSha256.map((checksumSha256, i) => ({ partNumber: i + 1, size: partBytes(s, i + 1), checksumSha256 }));
  }

  private async toDto(s: UploadSessionDoc, landed: LandedPart[]): Promise<UploadSessionDto> {
    const open = s.status === 'OPEN';
    const have = new Set(landed.map((p) => p.partNumber));
    const ttl = this.deps.urlTtlSeconds;
    const parts = await Promise.all(
      this.plan(s).map(async (p) => ({
        ...p,
        landed: have.has(p.partNumber),
        ...(open && !have.has(p.partNumber) ? { url: await this.direct().presignPart(s.key, s.uploadId, p.partNumber, p.checksumSha256, ttl) } : {}),
      })),
    );
    return {
      id: String(s._id),
      assetId: String(s.assetId),
      status: s.status,
      fileName: s.fileName,
      size: s.size,
      partSize: s.partSize,
      sha256: s.sha256,
      version: s.version,
      endReason: s.endReason,
      expiresAt: s.expiresAt.toISOString(),
      urlsExpireAt: open ? new Date(Date.now() + ttl * 1000).toISOString() : null,
      parts,
    };
  }
}
