// The public shape of an asset, and its ETag.
import type { AssetDoc, AssetStatus, AssetType } from '../repositories/models/Asset';

export interface AssetDto {
  id: string;
  studioId: string;
  name: string;
  type: AssetType;
  description: string;
  tags: string[];
  status: AssetStatus;
  currentVersion: number | null;
  latestVersion: number;
  createdBy: string;
  updatedBy: string;
  archivedAt: string | null;
  projectId: string | null;
  /** Set when the asset carries a shot's versions. */
  shotId: string | null;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

export function toAssetDto(a: AssetDoc): AssetDto {
  return {
    id: String(a._id),
    studioId: String(a.studioId),
    name: a.name,
    type: a.type,
    description: a.description,
    // Shot assets stored before their insert replaced an upsert lack both (FerretDB dropped [] and null
    // from its $setOnInsert; repositories/insertOnce.ts): the document promises them on every asset.
    tags: a.tags ?? [],
    status: a.status,
    currentVersion: a.currentVersion ?? null,
    latestVersion: a.latestVersion,
    createdBy: String(a.createdBy),
    updatedBy: String(a.updatedBy),
    archivedAt: a.archivedAt ? a.archivedAt.toISOString() : null,
    projectId: a.projectId ? String(a.projectId) : null,
    shotId: a.shotId ? String(a.shotId) : null,
    revision: a.revision,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

/** Strong ETag of an asset's metadata: changes exactly when the revision does. */
export const assetEtag = (a: { id: string; revision: number }) => `"${a.id}.${a.revision}"`;
