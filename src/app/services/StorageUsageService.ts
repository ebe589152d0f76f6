// Per-studio storage usage (logical bytes: the sizes of the versions a studio keeps) and its optional quota.
// The quota's guarantee is the commit's conditional $inc (reserve): concurrent uploads can never take a studio
// past it. The early refusals (room) only spare clients from sending bytes that could not be kept.
import { Types } from 'mongoose';
import { DomainError, NotFoundError } from '../../shared/errors';
import type { StorageUsageRepository, AssetUsagePage } from '../repositories/StorageUsageRepository';
import type { StudioDoc } from '../repositories/models/Studio';
import type { Page } from '../repositories/pagination';
import type { AccessService } from './AccessService';
import type { Logger } from '../../infra/logging/logger';
import type { Actor } from './types';
import { toAssetUsageDto, toStorageUsageDto, type AssetUsageDto, type StorageUsageDto } from '../dto';

/** The studio's quota in force: its own override, else the deployment's default (null: no quota). */
export interface EffectiveQuota {
  bytes: number | null;
  source: 'deployment' | 'studio';
}

/** What an upload is checked against: usage, quota and the bytes left (null: no quota). */
export interface Room {
  used: number;
  quota: EffectiveQuota;
  remaining: number | null;
}

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

/**
 * 507 Insufficient Storage (RFC 4918 §11.5): the studio's quota, not the file, is the problem, so it is not
 * the 413 of the per-file limit; the message says where things stand and what to do.
 */
export function quotaExceeded(room: Room, needed?: number): DomainError {
  const what = needed === undefined ? `The upload ran past the ${fmt(room.remaining ?? 0)} left of your studio's storage quota` : `This upload needs ${fmt(needed)} but your studio has ${fmt(room.remaining ?? 0)} left of its storage quota`;
  return new DomainError(
    'STORAGE_QUOTA_EXCEEDED',
    `${what}: ${fmt(room.used)} of ${fmt(room.quota.bytes ?? 0)} used. Nothing was stored. Free space by removing assets you no longer need (GET /storage/usage/assets lists the largest), or ask your operator to raise the quota.`,
    { status: 507 },
  );
}

export class StorageUsageService {
  constructor(
    private readonly deps: {
      usage: StorageUsageRepository;
      access: AccessService;
      logger: Logger;
      /** STORAGE_QUOTA_BYTES: every studio's quota unless the operator set its own; 0 means none. */
      defaultQuotaBytes: number;
    },
  ) {}

  quotaOf(studio: Pick<StudioDoc, 'storageQuota'>): EffectiveQuota {
    if (studio.storageQuota?.override) return { bytes: studio.storageQuota.bytes, source: 'studio' };
    return { bytes: this.deps.defaultQuotaBytes > 0 ? this.deps.defaultQuotaBytes : null, source: 'deployment' };
  }

  private roomOf(studio: StudioDoc): Room {
    const used = studio.usage?.bytes ?? 0;
    const quota = this.quotaOf(studio);
    return { used, quota, remaining: quota.bytes === null ? null : Math.max(0, quota.bytes - used) };
  }

  async room(studioId: string): Promise<Room> {
    const studio = await this.deps.usage.studio(studioId);
    if (!studio) throw STUDIO_NOT_FOUND();
    return this.roomOf(studio);
  }

  /**
   * Counts one version of `bytes` against the studio, only if it fits the quota: one conditional $inc on the
   * studio document, so two uploads racing for the last bytes cannot both pass. Throws 507 when it does not fit.
   */
  async reserve(studioId: string, bytes: number): Promise<void> {
    // A miss with room to spare means the operator changed the quota between the read and the write: read again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const studio = await this.deps.usage.studio(studioId);
      if (!studio) throw STUDIO_NOT_FOUND();
      const room = this.roomOf(studio);
      if (room.remaining !== null && bytes > room.remaining) throw quotaExceeded(room, bytes);
      const quota = { override: Boolean(studio.storageQuota?.override), bytes: studio.storageQuota?.bytes ?? null };
      if (await this.deps.usage.reserve(studioId, bytes, room.quota.bytes, quota)) return;
    }
    throw quotaExceeded(await this.room(studioId), bytes);
  }

  /** Gives back what reserve counted (the commit failed after it) or what a purge removed. */
  release(studioId: string, bytes: number, versions: number): Promise<void> {
    return this.deps.usage.release(studioId, bytes, versions);
  }

  /** Refuses an upload of a known size that cannot fit, before its bytes are sent. */
  async requireRoom(studioId: string, bytes: number): Promise<void> {
    const room = await this.room(studioId);
    if (room.remaining !== null && bytes > room.remaining) throw quotaExceeded(room, bytes);
  }

  async usage(actor: Actor): Promise<StorageUsageDto> {
    this.deps.access.require(actor, 'storage:read');
    const studio = await this.deps.usage.studio(actor.studioId);
    if (!studio) throw STUDIO_NOT_FOUND();
    return toStorageUsageDto(studio, this.roomOf(studio));
  }

  async byAsset(actor: Actor, page: AssetUsagePage): Promise<Page<AssetUsageDto>> {
    this.deps.access.require(actor, 'storage:read');
    const res = await this.deps.usage.assets(actor.studioId, page);
    return { ...res, data: res.data.map(toAssetUsageDto) };
  }

  /**
   * The operator's per-studio quota: a number of bytes, null for none, or `default` to follow
   * STORAGE_QUOTA_BYTES again. A lower quota than the usage refuses new versions; nothing is removed.
   */
  async setQuota(studioId: string, quota: number | null | 'default'): Promise<StorageUsageDto> {
    if (!Types.ObjectId.isValid(studioId)) throw STUDIO_NOT_FOUND();
    const studio = await this.deps.usage.setQuota(studioId, quota === 'default' ? { override: false, bytes: null } : { override: true, bytes: quota });
    if (!studio) throw STUDIO_NOT_FOUND();
    // No person acts here (the operator token has no member), so the change goes to the log, not the audit trail.
    this.deps.logger.info('storage quota set by the operator', { studioId, quota });
    return toStorageUsageDto(studio, this.roomOf(studio));
  }
}
