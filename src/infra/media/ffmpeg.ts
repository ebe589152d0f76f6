// ffmpeg and ffprobe for posters, H.264 proxies, render previews and thumbnails sharp cannot make.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { DomainError } from '../../shared/errors';
import { ProgramMissingError, runProcess, type RunResult } from './process';

export class MediaError extends DomainError {
  /** Permanent errors (unreadable input) are not worth retrying; timeouts are. */
  constructor(code: string, message: string, options: { permanent: boolean; cause?: unknown }) {
    super(code, message, { status: 500, ...options });
  }
}

export const isPermanentMediaError = (err: unknown) => err instanceof MediaError && err.permanent;

/**
 * The one demuxer ffmpeg may use for each stored (sniffed) MIME type. ffmpeg must never probe an upload:
 * probing opens a text file named .hdr or .mp4 as an HLS playlist, whose segments can be any local file
 * (another studio's proxy.mp4). Names are those of `ffmpeg -demuxers` in ffmpeg 5.1, which has neither an
 * hdr_pipe demuxer nor a Radiance decoder, so image/vnd.radiance stays unmapped.
 */
const DEMUXERS: Record<string, string> = {
  'video/mp4': 'mov',
  'video/quicktime': 'mov',
  'video/x-m4v': 'mov',
  'video/3gpp': 'mov',
  'video/3gpp2': 'mov',
  'video/x-matroska': 'matroska',
  'video/webm': 'matroska',
  'video/x-msvideo': 'avi',
  'video/vnd.avi': 'avi',
  'video/mpeg': 'mpeg',
  'video/mp1s': 'mpeg',
  'video/mp2p': 'mpeg',
  'video/mp2t': 'mpegts',
  'video/x-flv': 'flv',
  'video/ogg': 'ogg',
  'video/x-ms-asf': 'asf',
  'image/x-exr': 'exr_pipe',
  'image/png': 'png_pipe',
  'image/apng': 'apng',
  'image/jpeg': 'jpeg_pipe',
  'image/tiff': 'tiff_pipe',
  'image/webp': 'webp_pipe',
  'image/gif': 'gif',
  'image/bmp': 'bmp_pipe',
  'image/x-icon': 'ico',
  'image/vnd.adobe.photoshop': 'psd_pipe',
  'image/jp2': 'j2k_pipe',
  'image/j2c': 'j2k_pipe',
  'image/jls': 'jpegls_pipe',
};

/** The demuxer for a stored MIME type; a type without one is refused for good, never probed. */
export function demuxerFor(mimeType: string): string {
  const demuxer = DEMUXERS[mimeType.split(';')[0]!.trim().toLowerCase()];
  if (!demuxer) throw new MediaError('MEDIA_FORMAT_UNSUPPORTED', `No preview can be made from ${mimeType}: ffmpeg is not allowed to read that format`, { permanent: true });
  return demuxer;
}

/**
 * Input options that pin ffmpeg and ffprobe to one demuxer reading one local file (verified on ffmpeg 5.1):
 * `-f` skips probing; `-format_whitelist` makes any nested demuxer a container asks for (hls, concat) fail
 * with "Format not on whitelist"; `-protocol_whitelist` refuses http, tcp, data and crypto (hls allows
 * `file,crypto,data` by default); the `file:` prefix keeps a path from being read as a protocol
 * (`concat:a|b`, `subfile,,`). mov's `enable_drefs` must stay off (its default): on, a QuickTime data
 * reference would open any absolute path the file names.
 */
function inputArgs(demuxer: string, file: string): string[] {
  return ['-protocol_whitelist', 'file,pipe', '-format_whitelist', demuxer, '-f', demuxer, '-i', `file:${file}`];
}

export interface ProbeResult {
  durationSeconds: number;
  width: number;
  height: number;
  codec: string;
  pixFmt: string;
  frames: number;
  formatName: string;
  hasAudio: boolean;
}

export class Ffmpeg {
  readonly ffmpeg: string;
  readonly ffprobe: string;

  constructor(options: { ffmpegPath: string; ffprobePath?: string; timeoutMs?: number }, private readonly timeoutMs = options.timeoutMs ?? 10 * 60_000) {
    this.ffmpeg = options.ffmpegPath;
    this.ffprobe = options.ffprobePath ?? (options.ffmpegPath.includes('/') ? path.join(path.dirname(options.ffmpegPath), 'ffprobe') : 'ffprobe');
  }

  private async run(bin: string, args: string[], o: { what: string; output?: string; signal?: AbortSignal; collectStdout?: boolean }): Promise<RunResult> {
    let res: RunResult;
    try {
      res = await runProcess(bin, args, { timeoutMs: this.timeoutMs, signal: o.signal, collectStdout: o.collectStdout });
    } catch (err) {
      if (err instanceof ProgramMissingError) throw new MediaError('MEDIA_TOOL_UNAVAILABLE', `${bin} is not available: install ffmpeg or set FFMPEG_PATH`, { permanent: true, cause: err });
      throw err;
    }
    // A half-written output must not pass for a preview.
    if (res.code !== 0 && o.output) rmSync(o.output, { force: true });
    if (res.timedOut) throw new MediaError('MEDIA_TIMEOUT', `${o.what} timed out`, { permanent: false });
    if (res.aborted) throw new MediaError('MEDIA_CANCELLED', `${o.what} was cancelled`, { permanent: false });
    if (res.code !== 0) throw new MediaError('MEDIA_PROCESSING_FAILED', `${o.what} failed: ${res.tail.slice(-3).join(' | ').slice(0, 500)}`, { permanent: true });
    return res;
  }

  /** Streams of a file read as the given stored MIME type. */
  async probe(file: string, o: { mimeType: string; signal?: AbortSignal }): Promise<ProbeResult> {
    const res = await this.run(this.ffprobe, ['-v', 'error', '-count_frames', '-print_format', 'json', '-show_streams', '-show_format', ...inputArgs(demuxerFor(o.mimeType), file)], {
      what: 'ffprobe',
      signal: o.signal,
      collectStdout: true,
    });
    const info = JSON.parse(res.stdout) as {
      streams?: Array<{ codec_type?: string; codec_name?: string; width?: number; height?: number; pix_fmt?: string; nb_frames?: string; nb_read_frames?: string; duration?: string }>;
      format?: { duration?: string; format_name?: string };
    };
    const video = info.streams?.find((s) => s.codec_type === 'video');
    if (!video) throw new MediaError('MEDIA_PROCESSING_FAILED', 'No video stream', { permanent: true });
    return {
      durationSeconds: Number(info.format?.duration ?? video.duration ?? 0),
      width: video.width ?? 0,
      height: video.height ?? 0,
      codec: video.codec_name ?? '',
      pixFmt: video.pix_fmt ?? '',
      frames: Number(video.nb_read_frames ?? video.nb_frames ?? 0),
      formatName: info.format?.format_name ?? '',
      hasAudio: Boolean(info.streams?.some((s) => s.codec_type === 'audio')),
    };
  }

  /** A still from about 10% into the video (the first frame of very short ones), scaled to width. */
  async posterFrame(input: string, output: string, o: { width: number; mimeType: string; signal?: AbortSignal }): Promise<void> {
    const demuxer = demuxerFor(o.mimeType);
    let at = 0;
    try {
      at = Math.min((await this.probe(input, { mimeType: o.mimeType, signal: o.signal })).durationSeconds * 0.1, 5);
    } catch (err) {
      if (isPermanentMediaError(err)) throw err;
    }
    await this.run(this.ffmpeg, ['-nostdin', '-v', 'error', '-y', '-ss', at.toFixed(3), ...inputArgs(demuxer, input), '-frames:v', '1', '-vf', `scale=${o.width}:-2`, output], {
      what: 'poster frame',
      output,
      signal: o.signal,
    });
  }

  /** An H.264 proxy that every browser plays: yuv420p, faststart, even dimensions, AAC audio when present. */
  async proxy(input: string, output: string, o: { height: number; mimeType: string; signal?: AbortSignal }): Promise<void> {
    await this.run(
      this.ffmpeg,
      ['-nostdin', '-v', 'error', '-y', ...inputArgs(demuxerFor(o.mimeType), input), '-map', '0:v:0', '-map', '0:a:0?', '-vf', `scale=-2:${o.height}`, '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k', '-movflags', '+faststart', output],
      { what: 'proxy encode', output, signal: o.signal },
    );
  }

  /** A preview movie of our own rendered PNG frames (a printf pattern such as frame_%05d.png, starting at startNumber). */
  async framesToMovie(pattern: string, output: string, o: { fps: number; startNumber: number; signal?: AbortSignal }): Promise<void> {
    await this.run(
      this.ffmpeg,
      ['-nostdin', '-v', 'error', '-y', '-framerate', String(o.fps), '-start_number', String(o.startNumber), ...inputArgs('image2', pattern), '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2', '-movflags', '+faststart', output],
      { what: 'preview encode', output, signal: o.signal },
    );
  }

  /** A thumbnail for images sharp cannot read (OpenEXR and friends), fitting inside size×size. */
  async thumbnail(input: string, output: string, o: { size: number; mimeType: string; signal?: AbortSignal }): Promise<void> {
    await this.run(
      this.ffmpeg,
      ['-nostdin', '-v', 'error', '-y', ...inputArgs(demuxerFor(o.mimeType), input), '-frames:v', '1', '-vf', `scale=w=${o.size}:h=${o.size}:force_original_aspect_ratio=decrease,format=rgb24`, output],
      { what: 'thumbnail', output, signal: o.signal },
    );
  }
}
