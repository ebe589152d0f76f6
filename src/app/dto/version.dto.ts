// The public shape of an immutable asset version, shared by the versions API, events and the pipeline.
import type { AssetVersionDoc } from '../repositories/models/AssetVersion';

export interface VersionFileDto {
  size: number;
  sha256: string;
  mimeType: string;
  originalName: string;
  /** false when the content could not be sniffed and was accepted on its allow-listed extension. */
  verified: boolean;
}

export interface VersionDto {
  id: string;
  assetId: string;
  studioId: string;
  version: number;
  file: VersionFileDto;
  changeNote: string;
  createdBy: string;
  createdAt: string;
}

export function toVersionDto(v: AssetVersionDoc): VersionDto {
  return {
    id: String(v._id),
    assetId: String(v.assetId),
    studioId: String(v.studioId),
    version: v.version,
    file: { size: v.file.size, sha256: v.file.sha256, mimeType: v.file.mimeType, originalName: v.file.originalName, verified: v.file.verified },
    changeNote: v.changeNote,
    createdBy: String(v.createdBy),
    createdAt: v.createdAt.toISOString(),
  };
}
