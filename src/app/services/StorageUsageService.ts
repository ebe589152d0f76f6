// Per-studio storage usage (logical bytes: the sizes of the versions a studio keeps), the bytes its uploads in
// progress reserve, and its optional quota. The quota's guarantees are two decisions taken under the studio's
// `storage:` lease, on every instance: reserveUpload, when a direct session or a tus upload is created, admits its
// announced size only if usage plus every other reservation leaves room; addVersion, the commit of every upload
// path, counts the version if it fits and turns the upload's reservation (if any) into usage. So neither open
// uploads nor uploads racing for the last bytes can take a studio past its quota, and staged bytes (which never
// exceed their reservation) cannot fill the disk. The early refusals (requireRoom) only spare clients from sending
// bytes that cannot be kept.
import { Types } from 'mongoose';
import { DomainError, NotFoundError, RateLimitError } from '../../shared/errors';
import type { StorageUsageRepository, AssetUsagePage } from '../repositories/StorageUsageRepository';
import type { StorageUsageDoc } from '../repositories/models/StorageUsage';
import type { UploadKind, UploadReservationDoc } from '../repositories/models/UploadReservation';
import type { Page } from '../repositories/pagination';
import type { LeaseLock } from '../../infra/database/LeaseLock';
import type { Logger } from '../../infra/logging/logger';
import type { AccessService } from './AccessService';
import type { Actor } from './types';
import { toAssetUsageDto, toStorageUsageDto, type AssetUsageDto, type StorageUsageDto } from '../dto';

/** The studio's quota in force: its own override, else the deployment's default (null: no quota). */
export interface EffectiveQuota {
  bytes: number | null;
  source: 'deployment' | 'studio';
}

/** What an upload is checked against: usage, reservations, quota and the bytes left (null: no quota). */
export interface Room {
  used: number;
  reserved: { bytes: number; uploads: number };
  quota: EffectiveQuota;
  remaining: number | null;
}

/** An upload in progress asking for its reservation. */
export interface UploadHold {
  kind: UploadKind;
  /** The session's or the tus upload's id. */
  uploadId: string;
  bytes: number;
  /** When the upload expires (the sweep ends it then and releases). */
  expiresAt: Date;
  /** Its length is not declared (tus Upload-Defer-Length): the per-file maximum is what it reserves. */
  deferred?: boolean;
}

/** What the reservation sweep learns from the upload a reservation belongs to (see sweepReservations). */
export type UploadState = { live: true; until: Date } | { live: false };

/** The one id of an upload's reservation, whoever reserves, commits or releases it. */
export const reservationId = (kind: UploadKind, uploadId: string) => `${kind}:${uploadId}`;

/** How soon after a reservation the sweep checks that its upload exists (an instance may die in between). */
export const RESERVATION_CHECK_MS = 10 * 60_000;

const STUDIO_NOT_FOUND = () => new NotFoundError('STUDIO_NOT_FOUND', 'Studio not found');

const fmt = (n: number) => {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} bytes` : `${v.toFixed(1)} ${units[i]} (${n} bytes)`;
};

const uploadsInProgress = (n: number) => `${n} upload${n === 1 ? '' : 's'} in progress`;

/**
 * 507 Insufficient Storage (RFC 4918 §11.5): the studio's quota, not the file, is what stands in the way, so
 * it is not the per-file limit's 413; the message says where things stand and what to do.
 */
export function quotaExceeded(room: Room, needed?: number, note?: string): DomainError {
  const what =
    needed === undefined
      ? `The upload ran past the ${fmt(room.remaining ?? 0)} left of your studio's storage quota`
      : `This upload needs ${fmt(needed)} but your studio has ${fmt(room.remaining ?? 0)} left of its storage quota`;
  const held = room.reserved.uploads ? ` and ${fmt(room.reserved.bytes)} reserved by ${uploadsInProgress(room.reserved.uploads)}` : '';
  const free = room.reserved.uploads ? 'Finish or cancel uploads in progress, free space' : 'Free space';
  return new DomainError(
    'STORAGE_QUOTA_EXCEEDED',
    `${what}: ${fmt(room.used)} of ${fmt(room.quota.bytes ?? 0)} used${held}. ${note ? `${note} ` : ''}Nothing was stored. ${free} by removing assets you no longer need (the Storage page of the web app, open to directors and producers, lists the largest first), or ask your operator to raise the quota.`,
    { status: 507 },
  );
}

/** 429: the studio has as many uploads in progress, or bytes reserved by them, as one studio may. */
function tooManyOpenUploads(what: string): DomainError {
  return new RateLimitError('TOO_MANY_OPEN_UPLOADS', `${what} Finish or cancel some of them, then try again; an abandoned upload is cancelled once it expires.`, {
    retryAfterSeconds: 60,
  });
}

export class StorageUsageService {
  constructor(
    private readonly deps: {
      usage: StorageUsageRepository;
      access: AccessService;
      locks: LeaseLock;
      logger: Logger;
      /** The studio's stored objects, each once (BlobService.usage). */
      physical: (studioId: string) => Promise<{ objects: number; bytes: number }>;
      /** STORAGE_QUOTA_BYTES: every studio's quota unless the operator set its own; 0 means none. */
      defaultQuotaBytes: number;
      /** UPLOADS_MAX_OPEN_PER_STUDIO: direct sessions and tus uploads a studio may have in progress at once. */
      maxOpenUploads: number;
      /** UPLOADS_MAX_RESERVED_BYTES_PER_STUDIO: what they may reserve together, quota or not (the staging disk is shared). */
      maxReservedBytes: number;
    },
  ) {}

  private quotaOf(doc: Pick<StorageUsageDoc, 'quota'> | null): EffectiveQuota {
    if (doc?.quota?.override) return { bytes: doc.quota.bytes, source: 'studio' };
    return { bytes: this.deps.defaultQuotaBytes > 0 ? this.deps.defaultQuotaBytes : null, source: 'deployment' };
  }

  /** `except`: the reservation of the upload being checked, which must not stand in its own way. */
  private roomOf(doc: StorageUsageDoc | null, reservations: Array<Pick<UploadReservationDoc, '_id' | 'bytes'>>, except?: string): Room {
    const used = doc?.bytes ?? 0;
    const others = reservations.filter((r) => r._id !== except);
    const reserved = { bytes: others.reduce((sum, r) => sum + r.bytes, 0), uploads: others.length };
    const quota = this.quotaOf(doc);
    return { used, reserved, quota, remaining: quota.bytes === null ? null : Math.max(0, quota.bytes - used - reserved.bytes) };
  }

  /** One writer of a studio's counters, quota and reservations at a time, on every instance (FerretDB v1 needs it; see StorageUsage.ts). */
  private exclusive<T>(studioId: string, fn: () => Promise<T>): Promise<T> {
    return this.deps.locks.withLock(`storage:${studioId}`, fn);
  }

  async room(studioId: string, except?: string): Promise<Room> {
    const [doc, reservations] = await Promise.all([this.deps.usage.find(studioId), this.deps.usage.reservations(studioId)]);
    return this.roomOf(doc, reservations, except);
  }

  /**
   * Reserves an upload's announced size before any of its bytes are accepted: 507 STORAGE_QUOTA_EXCEEDED when the
   * quota cannot hold it beside usage and the other reservations, 429 TOO_MANY_OPEN_UPLOADS past the per-studio
   * caps. Reserving an upload twice (a retried creation) keeps the one reservation.
   */
  reserveUpload(studioId: string, hold: UploadHold): Promise<void> {
    const id = reservationId(hold.kind, hold.uploadId);
    return this.exclusive(studioId, async () => {
      const [doc, reservations] = await Promise.all([this.deps.usage.find(studioId), this.deps.usage.reservations(studioId)]);
      if (reservations.some((r) => r._id === id)) return;
      const room = this.roomOf(doc, reservations);
      const { maxOpenUploads, maxReservedBytes } = this.deps;
      if (room.reserved.uploads >= maxOpenUploads) throw tooManyOpenUploads(`Your studio has ${uploadsInProgress(room.reserved.uploads)}, the most it may have at once.`);
      if (room.remaining !== null && hold.bytes > room.remaining) {
        throw quotaExceeded(room, hold.bytes, hold.deferred ? `An upload that does not declare its length reserves the largest file allowed; declare the length when you start it.` : undefined);
      }
      if (room.reserved.bytes + hold.bytes > maxReservedBytes) {
        throw tooManyOpenUploads(`This upload needs ${fmt(hold.bytes)} but your studio's ${uploadsInProgress(room.reserved.uploads)} already reserve ${fmt(room.reserved.bytes)} of the ${fmt(maxReservedBytes)} one studio may upload at once.`);
      }
      const now = Date.now();
      await this.deps.usage.insertReservation({
        _id: id,
        studioId: new Types.ObjectId(studioId),
        kind: hold.kind,
        bytes: hold.bytes,
        expiresAt: hold.expiresAt,
        checkAt: new Date(Math.min(now + RESERVATION_CHECK_MS, hold.expiresAt.getTime())),
      });
    });
  }

  /**
   * Gives an upload's reservation back (aborted, expired, refused, or its bytes gone). No lease: a delete only ever
   * frees room, so a reservation read under the lease just before it is at worst counted once more.
   */
  async releaseUpload(studioId: string, kind: UploadKind, uploadId: string): Promise<void> {
    await this.deps.usage.deleteReservation(studioId, reservationId(kind, uploadId));
  }

  /**
   * Counts one version of `bytes` against the studio if it fits the quota beside the other reservations (507 if
   * not), and turns the upload's own reservation (`reservation`, when it has one) into that usage: the
   * reservation is deleted after the count, so a crash in between over-reserves (until the sweep) and never
   * lets the quota be overrun.
   */
  addVersion(studioId: string, bytes: number, reservation?: string): Promise<void> {
    return this.exclusive(studioId, async () => {
      const [doc, reservations] = await Promise.all([this.deps.usage.findOrCreate(studioId), this.deps.usage.reservations(studioId)]);
      const room = this.roomOf(doc, reservations, reservation);
      if (room.remaining !== null && bytes > room.remaining) throw quotaExceeded(room, bytes);
      const added = await this.deps.usage.add(studioId, bytes, 1, room.quota.bytes === null ? undefined : room.quota.bytes - room.reserved.bytes);
      if (!added) throw quotaExceeded(await this.room(studioId, reservation), bytes);
      if (reservation) await this.deps.usage.deleteReservation(studioId, reservation);
    });
  }

  /** Gives back what addVersion counted (the commit failed after it) or what a purge removed. */
  removeVersions(studioId: string, bytes: number, versions: number): Promise<void> {
    return this.exclusive(studioId, async () => {
      await this.deps.usage.findOrCreate(studioId);
      await this.deps.usage.add(studioId, -bytes, -versions);
    });
  }

  /** Refuses an upload of a known size that cannot fit beside usage and the reservations, before its bytes are sent. */
  async requireRoom(studioId: string, bytes: number): Promise<void> {
    const room = await this.room(studioId);
    if (room.remaining !== null && bytes > room.remaining) throw quotaExceeded(room, bytes);
  }

  /**
   * Looks at reservations due a check (see UploadReservation.checkAt), across studios, and releases those whose
   * upload is gone: ended without its release (an instance died in between), never created, or expired (`state`
   * ends an expired upload itself before answering, which may release it already). A live upload's reservation is
   * looked at again when it expires. Returns how many it found without a live upload, all released.
   */
  async sweepReservations(state: (r: UploadReservationDoc) => Promise<UploadState>, now = new Date(), batch = 100): Promise<number> {
    let released = 0;
    for (const r of await this.deps.usage.dueReservations(now, batch)) {
      try {
        const upload = await state(r);
        if (upload.live) await this.deps.usage.postponeReservation(r.studioId, r._id, new Date(Math.max(upload.until.getTime(), now.getTime() + RESERVATION_CHECK_MS)));
        else {
          await this.deps.usage.deleteReservation(r.studioId, r._id);
          released++;
        }
      } catch (err) {
        // An upload busy right now (completing, say) holds its lease: the next sweep looks again.
        this.deps.logger.warn('upload reservation sweep skipped a reservation', { id: r._id, err: (err as Error).message });
      }
    }
    return released;
  }

  async usage(actor: Actor): Promise<StorageUsageDto> {
    this.deps.access.require(actor, 'storage:read');
    const [doc, reservations, physical] = await Promise.all([this.deps.usage.find(actor.studioId), this.deps.usage.reservations(actor.studioId), this.deps.physical(actor.studioId)]);
    return toStorageUsageDto(actor.studioId, doc, this.roomOf(doc, reservations), physical);
  }

  async byAsset(actor: Actor, page: AssetUsagePage): Promise<Page<AssetUsageDto>> {
    this.deps.access.require(actor, 'storage:read');
    const res = await this.deps.usage.assets(actor.studioId, page);
    return { ...res, data: res.data.map(toAssetUsageDto) };
  }

  /**
   * The operator's per-studio quota: a number of bytes, null for none, or `default` to follow
   * STORAGE_QUOTA_BYTES again. A quota below the usage refuses new versions; nothing is removed.
   */
  async setQuota(studioId: string, quota: number | null | 'default'): Promise<StorageUsageDto> {
    if (!Types.ObjectId.isValid(studioId) || !(await this.deps.usage.studioExists(studioId))) throw STUDIO_NOT_FOUND();
    const doc = await this.exclusive(studioId, async () => {
      await this.deps.usage.findOrCreate(studioId);
      return this.deps.usage.setQuota(studioId, quota === 'default' ? { override: false, bytes: null } : { override: true, bytes: quota });
    });
    // No member acts here (the operator token has none), so the change goes to the log, not a studio's audit trail.
    this.deps.logger.info('storage quota set by the operator', { studioId, quota });
    return toStorageUsageDto(studioId, doc, this.roomOf(doc, await this.deps.usage.reservations(studioId)), await this.deps.physical(studioId));
  }
}
