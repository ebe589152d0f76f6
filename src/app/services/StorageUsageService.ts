// Per-studio storage usage (logical bytes: the sizes of the versions a studio keeps) and its optional quota.
// The quota's guarantee is reserve(), run by the commit of every upload path: under the studio's `storage:`
// lease it checks the quota and counts the version, so uploads racing for the last bytes can never take a
// studio past it. The early refusals (requireRoom) only spare clients from sending bytes that cannot be kept.
import { Types } from 'mongoose';
import { DomainError, NotFoundError } from '../../shared/errors';
import type { StorageUsageRepository, AssetUsagePage } from '../repositories/StorageUsageRepository';
import type { StorageUsageDoc } from '../repositories/models/StorageUsage';
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
 * 507 Insufficient Storage (RFC 4918 §11.5): the studio's quota, not the file, is what stands in the way, so
 * it is not the per-file limit's 413; the message says where things stand and what to do.
 */
export function quotaExceeded(room: Room, needed?: number): DomainError {
  const what =
    needed === undefined
      ? `The upload ran past the ${fmt(room.remaining ?? 0)} left of your studio's storage quota`
      : `This upload needs ${fmt(needed)} but your studio has ${fmt(room.remaining ?? 0)} left of its storage quota`;
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
      locks: LeaseLock;
      logger: Logger;
      /** The studio's stored objects, each once (BlobService.usage). */
      physical: (studioId: string) => Promise<{ objects: number; bytes: number }>;
      /** STORAGE_QUOTA_BYTES: every studio's quota unless the operator set its own; 0 means none. */
      defaultQuotaBytes: number;
    },
  ) {}

  private quotaOf(doc: Pick<StorageUsageDoc, 'quota'> | null): EffectiveQuota {
    if (doc?.quota?.override) return { bytes: doc.quota.bytes, source: 'studio' };
    return { bytes: this.deps.defaultQuotaBytes > 0 ? this.deps.defaultQuotaBytes : null, source: 'deployment' };
  }

  private roomOf(doc: StorageUsageDoc | null): Room {
    const used = doc?.bytes ?? 0;
    const quota = this.quotaOf(doc);
    return { used, quota, remaining: quota.bytes === null ? null : Math.max(0, quota.bytes - used) };
  }

  /** One writer of a studio's counters and quota at a time, on every instance (FerretDB v1 needs it; see StorageUsage.ts). */
  private exclusive<T>(studioId: string, fn: () => Promise<T>): Promise<T> {
    return this.deps.locks.withLock(`storage:${studioId}`, fn);
  }

  async room(studioId: string): Promise<Room> {
    return this.roomOf(await this.deps.usage.find(studioId));
  }

  /** Counts one version of `bytes` against the studio if it fits the quota; 507 STORAGE_QUOTA_EXCEEDED if not. */
  reserve(studioId: string, bytes: number): Promise<void> {
    return this.exclusive(studioId, async () => {
      const doc = await this.deps.usage.findOrCreate(studioId);
      const room = this.roomOf(doc);
      if (room.remaining !== null && bytes > room.remaining) throw quotaExceeded(room, bytes);
      const added = await this.deps.usage.add(studioId, bytes, 1, room.quota.bytes ?? undefined);
      if (!added) throw quotaExceeded(await this.room(studioId), bytes);
    });
  }

  /** Gives back what reserve counted (the commit failed after it) or what a purge removed. */
  release(studioId: string, bytes: number, versions: number): Promise<void> {
    return this.exclusive(studioId, async () => {
      await this.deps.usage.findOrCreate(studioId);
      await this.deps.usage.add(studioId, -bytes, -versions);
    });
  }

  /** Refuses an upload of a known size that cannot fit, before its bytes are sent. */
  async requireRoom(studioId: string, bytes: number): Promise<void> {
    const room = await this.room(studioId);
    if (room.remaining !== null && bytes > room.remaining) throw quotaExceeded(room, bytes);
  }

  async usage(actor: Actor): Promise<StorageUsageDto> {
    this.deps.access.require(actor, 'storage:read');
    const [doc, physical] = await Promise.all([this.deps.usage.find(actor.studioId), this.deps.physical(actor.studioId)]);
    return toStorageUsageDto(actor.studioId, doc, this.roomOf(doc), physical);
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
    return toStorageUsageDto(studioId, doc, this.roomOf(doc), await this.deps.physical(studioId));
  }
}
