// Image thumbnails: sharp for what it reads, ffmpeg for the rest (EXR and other VFX formats).
import sharp, { type Metadata } from 'sharp';
import { assertWithinBudget, demuxerFor, type Ffmpeg } from './ffmpeg';

/**
 * The libvips loaders sharp may use in this process: PNG, JPEG, WebP, GIF, TIFF and HEIF/AVIF, none of which
 * can name another file. libvips picks a loader from the bytes, not from what we expect, and some of the
 * others follow references or parse far more than an image (SVG's `<image href>` and CSS through librsvg,
 * PDF, Radiance, FITS, Matlab, CSV, libvips' own format), so every loader is blocked and only these come back.
 * sharp runs in the pipeline worker's own process, outside the sandbox: with no loader that opens a second
 * file, what it can read is the one input it is given; a memory-safety bug in one of these decoders is the
 * risk left (see docs/security.md).
 */
const SHARP_LOADERS = ['Png', 'Jpeg', 'Webp', 'Nsgif', 'Tiff', 'Heif'].flatMap((f) => ['File', 'Buffer', 'Source'].map((from) => `VipsForeignLoad${f}${from}`));
sharp.block({ operation: ['VipsForeignLoad'] });
sharp.unblock({ operation: SHARP_LOADERS });

export interface Thumbnail {
  width: number;
  height: number;
  format: string;
}

/** The sharp (libvips) loader each stored MIME type may use; other loaders never see the file. */
const SHARP_FORMATS: Record<string, string> = {
  'image/png': 'png',
  'image/apng': 'png',
  'image/jpeg': 'jpeg',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/tiff': 'tiff',
  'image/avif': 'heif',
  'image/heif': 'heif',
  'image/heic': 'heif',
};

/** Whether any reader (sharp or a pinned ffmpeg demuxer) may make a preview of this type at all. */
export function previewReaderFor(mimeType: string): 'sharp' | 'ffmpeg' | undefined {
  if (SHARP_FORMATS[mimeType.toLowerCase()]) return 'sharp';
  try {
    demuxerFor(mimeType);
    return 'ffmpeg';
  } catch {
    return undefined;
  }
}

/**
 * A thumbnail of an image read as its stored (sniffed) MIME type says, never as its name or bytes suggest.
 * The image must fit the budget of `o.ffmpeg` (MEDIA_MAX_*), checked from its header before any decoding.
 */
export async function makeImageThumbnail(input: string, output: string, o: { size: number; mimeType: string; ffmpeg: Ffmpeg; signal?: AbortSignal }): Promise<Thumbnail> {
  const budget = o.ffmpeg.budget;
  const expected = SHARP_FORMATS[o.mimeType.toLowerCase()];
  let meta: Metadata | undefined;
  if (expected) {
    try {
      const m = await sharp(input).metadata();
      if (m.format === expected) meta = m;
    } catch {
      meta = undefined;
    }
  }
  if (meta) {
    // sharp reads the first page only, so an animation's frame count costs nothing here.
    assertWithinBudget({ durationSeconds: 0, streamCount: 1, videoStreams: [{ width: meta.width ?? 0, height: meta.height ?? 0, frames: 1 }] }, budget);
    // Still on, should a header understate what the decoder then finds.
    const info = await sharp(input, { limitInputPixels: budget.maxPixels }).rotate().resize({ width: o.size, height: o.size, fit: 'inside', withoutEnlargement: true }).png().toFile(output);
    return { width: info.width, height: info.height, format: 'png' };
  }
  const probe = await o.ffmpeg.admit(input, { mimeType: o.mimeType, signal: o.signal });
  await o.ffmpeg.thumbnail(input, output, { size: o.size, mimeType: o.mimeType, probe, signal: o.signal });
  const thumb = await sharp(output).metadata();
  return { width: thumb.width ?? 0, height: thumb.height ?? 0, format: thumb.format ?? 'png' };
}
