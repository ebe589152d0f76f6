// The public shapes of storage usage: a studio's totals with its quota, and usage by asset.
import type { AssetDoc, AssetType } from '../repositories/models/Asset';
import type { StorageUsageDoc } from '../repositories/models/StorageUsage';

export interface StorageUsageDto {
  studioId: string;
  /** What the studio's versions add up to (each version's full size), whatever storage saves by sharing bytes. */
  logical: { bytes: number; versions: number };
  /** What is stored: each object once (content-addressed per studio), including objects not yet collected. */
  physical: { bytes: number; objects: number };
  /** What the studio's uploads in progress (direct sessions, tus uploads) hold until they are committed or end. */
  reserved: { bytes: number; uploads: number };
  /** The quota in force on logical bytes: null bytes means none; source says whose setting it is. */
  quota: { bytes: number | null; source: 'deployment' | 'studio' };
  /** Bytes a new upload can still have (null: no quota): the quota less usage and reservations, never below 0. */
  remainingBytes: number | null;
}

export interface AssetUsageDto {
  assetId: string;
  name: string;
  type: AssetType;
  /** Set on a shot's backing asset. */
  shotId: string | null;
  archivedAt: string | null;
  bytes: number;
  versions: number;
}

/** doc is null for a studio that has stored nothing yet (and has no quota of its own). */
export function toStorageUsageDto(
  studioId: string,
  doc: StorageUsageDoc | null,
  room: { reserved: StorageUsageDto['reserved']; quota: StorageUsageDto['quota']; remaining: number | null },
  physical: StorageUsageDto['physical'],
): StorageUsageDto {
  return {
    studioId,
    logical: { bytes: doc?.bytes ?? 0, versions: doc?.versions ?? 0 },
    physical,
    reserved: { bytes: room.reserved.bytes, uploads: room.reserved.uploads },
    quota: { bytes: room.quota.bytes, source: room.quota.source },
    remainingBytes: room.remaining,
  };
}

export function toAssetUsageDto(a: AssetDoc): AssetUsageDto {
  return {
    assetId: String(a._id),
    name: a.name,
    type: a.type,
    shotId: a.shotId ? String(a.shotId) : null,
    archivedAt: a.archivedAt ? a.archivedAt.toISOString() : null,
    bytes: a.storage?.bytes ?? 0,
    versions: a.storage?.versions ?? 0,
  };
}
