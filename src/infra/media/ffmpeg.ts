// ffmpeg and ffprobe for posters, H.264 proxies, render previews and thumbnails sharp cannot make.
import path from 'node:path';
import { DomainError } from '../../shared/errors';
import { ProgramMissingError, runProcess, type RunResult } from './process';

export class MediaError extends DomainError {
  /** Permanent errors (unreadable input) are not worth retrying; timeouts are. */
  readonly permanent: boolean;
  constructor(code: string, message: string, permanent: boolean, cause?: unknown) {
    super(code, message, { status: 500, cause });
    this.permanent = permanent;
  }
}

export const isPermanentMediaError = (err: unknown) => err instanceof MediaError && err.permanent;

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

  private async run(bin: string, args: string[], what: string, signal?: AbortSignal, collectStdout = false): Promise<RunResult> {
    let res: RunResult;
    try {
      res = await runProcess(bin, args, { timeoutMs: this.timeoutMs, signal, collectStdout });
    } catch (err) {
      if (err instanceof ProgramMissingError) throw new MediaError('MEDIA_TOOL_UNAVAILABLE', `${bin} is not available: install ffmpeg or set FFMPEG_PATH`, true, err);
      throw err;
    }
    if (res.timedOut) throw new MediaError('MEDIA_TIMEOUT', `${what} timed out`, false);
    if (res.aborted) throw new MediaError('MEDIA_CANCELLED', `${what} was cancelled`, false);
    if (res.code !== 0) throw new MediaError('MEDIA_PROCESSING_FAILED', `${what} failed: ${res.tail.slice(-3).join(' | ').slice(0, 500)}`, true);
    return res;
  }

  async probe(file: string): Promise<ProbeResult> {
    const res = await this.run(this.ffprobe, ['-v', 'error', '-count_frames', '-print_format', 'json', '-show_streams', '-show_format', file], 'ffprobe', undefined, true);
    const info = JSON.parse(res.stdout) as {
      streams?: Array<{ codec_type?: string; codec_name?: string; width?: number; height?: number; pix_fmt?: string; nb_frames?: string; nb_read_frames?: string; duration?: string }>;
      format?: { duration?: string; format_name?: string };
    };
    const video = info.streams?.find((s) => s.codec_type === 'video');
    if (!video) throw new MediaError('MEDIA_PROCESSING_FAILED', 'No video stream', true);
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
  async posterFrame(input: string, output: string, o: { width: number; signal?: AbortSignal }): Promise<void> {
    let at = 0;
    try {
      at = Math.min((await this.probe(input)).durationSeconds * 0.1, 5);
    } catch (err) {
      if (isPermanentMediaError(err)) throw err;
    }
    await this.run(this.ffmpeg, ['-nostdin', '-v', 'error', '-y', '-ss', at.toFixed(3), '-i', input, '-frames:v', '1', '-vf', `scale=${o.width}:-2`, output], 'poster frame', o.signal);
  }

  /** An H.264 proxy that every browser plays: yuv420p, faststart, even dimensions, AAC audio when present. */
  async proxy(input: string, output: string, o: { height: number; signal?: AbortSignal }): Promise<void> {
    await this.run(
      this.ffmpeg,
      ['-nostdin', '-v', 'error', '-y', '-i', input, '-map', '0:v:0', '-map', '0:a:0?', '-vf', `scale=-2:${o.height}`, '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k', '-movflags', '+faststart', output],
      'proxy encode',
      o.signal,
    );
  }

  /** A preview movie of rendered frames (a printf pattern such as frame_%05d.png, starting at startNumber). */
  async framesToMovie(pattern: string, output: string, o: { fps: number; startNumber: number; signal?: AbortSignal }): Promise<void> {
    await this.run(
      this.ffmpeg,
      ['-nostdin', '-v', 'error', '-y', '-framerate', String(o.fps), '-start_number', String(o.startNumber), '-i', pattern, '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2', '-movflags', '+faststart', output],
      'preview encode',
      o.signal,
    );
  }

  /** A thumbnail for images sharp cannot read (OpenEXR and friends), fitting inside size×size. */
  async thumbnail(input: string, output: string, o: { size: number; signal?: AbortSignal }): Promise<void> {
    await this.run(
      this.ffmpeg,
      ['-nostdin', '-v', 'error', '-y', '-i', input, '-frames:v', '1', '-vf', `scale=w=${o.size}:h=${o.size}:force_original_aspect_ratio=decrease,format=rgb24`, output],
      'thumbnail',
      o.signal,
    );
  }
}
