// Image thumbnails: sharp for what it reads, ffmpeg for the rest (EXR and other VFX formats).
import sharp from 'sharp';
import { demuxerFor, type Ffmpeg } from './ffmpeg';

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

/** A thumbnail of an image read as its stored (sniffed) MIME type says, never as its name or bytes suggest. */
export async function makeImageThumbnail(input: string, output: string, o: { size: number; mimeType: string; ffmpeg: Ffmpeg; signal?: AbortSignal }): Promise<Thumbnail> {
  const expected = SHARP_FORMATS[o.mimeType.toLowerCase()];
  let readable = false;
  if (expected) {
    try {
      readable = (await sharp(input).metadata()).format === expected;
    } catch {
      readable = false;
    }
  }
  if (readable) {
    const info = await sharp(input, { limitInputPixels: 268_402_689 }).rotate().resize({ width: o.size, height: o.size, fit: 'inside', withoutEnlargement: true }).png().toFile(output);
    return { width: info.width, height: info.height, format: 'png' };
  }
  await o.ffmpeg.thumbnail(input, output, { size: o.size, mimeType: o.mimeType, signal: o.signal });
  const meta = await sharp(output).metadata();
  return { width: meta.width ?? 0, height: meta.height ?? 0, format: meta.format ?? 'png' };
}
