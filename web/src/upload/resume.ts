// Uploads a reload (or a crash) interrupted, from tus-js-client's URL storage: what the page offers to
// resume. Choosing the same file again resumes it (its fingerprint finds the stored upload URL).
export interface StoredUpload {
  size: number | null;
  metadata: Record<string, string>;
  creationTime: string;
  urlStorageKey: string;
  uploadUrl: string | null;
}

export interface ResumeOffer {
  urlStorageKey: string;
  uploadUrl: string;
  fileName: string;
  size: number;
  assetId: string;
  createdAt: string;
}

/** The asset's interrupted uploads, newest first, one per file (name and size), skipping those running now. */
export function offersFor(stored: StoredUpload[], assetId: string, running: Array<{ name: string; size: number }> = []): ResumeOffer[] {
  const out: ResumeOffer[] = [];
  const sorted = [...stored].sort((a, b) => b.creationTime.localeCompare(a.creationTime));
  for (const s of sorted) {
    if (s.metadata.assetId !== assetId || !s.uploadUrl || s.size === null) continue;
    const fileName = s.metadata.filename ?? '';
    if (running.some((r) => r.name === fileName && r.size === s.size)) continue;
    if (out.some((o) => o.fileName === fileName && o.size === s.size)) continue;
    out.push({ urlStorageKey: s.urlStorageKey, uploadUrl: s.uploadUrl, fileName, size: s.size, assetId, createdAt: s.creationTime });
  }
  return out;
}

/** The offer a chosen file resumes, if any (same name and size). */
export const offerFor = (offers: ResumeOffer[], file: { name: string; size: number }) => offers.find((o) => o.fileName === file.name && o.size === file.size);
