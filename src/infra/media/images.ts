// Image thumbnails: sharp for what it reads, ffmpeg for the rest (EXR and other VFX formats).
import sharp from 'sharp';
import type { Ffmpeg } from './ffmpeg';

export interface Thumbnail {
  width: number;
  height: number;
  format: string;
}

export async function makeImageThumbnail(input: string, output: string, o: { size: number; ffmpeg: Ffmpeg; signal?: AbortSignal }): Promise<Thumbnail> {
  let readable = true;
  try {
    await sharp(input).metadata();
  } catch {
    readable = false;
  }
  if (readable) {
    const info = await sharp(input, { limitInputPixels: 268_402_689 }).rotate().resize({ width: o.size, height: o.size, fit: 'inside', withoutEnlargement: true }).png().toFile(output);
    return { width: info.width, height: info.height, format: 'png' };
  }
  await o.ffmpeg.thumbnail(input, output, { size: o.size, signal: o.signal });
  const meta = await sharp(output).metadata();
  return { width: meta.width ?? 0, height: meta.height ?? 0, format: meta.format ?? 'png' };
}
