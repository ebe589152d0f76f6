// The public shape of an immutable asset version, shared by the versions API, events and the pipeline.
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
