// ffmpeg and ffprobe for posters, H.264 proxies, render previews and thumbnails sharp cannot make. Every
// run is sandboxed (infra/sandbox): the tool sees its one input, read-only, and writes its one output.
import path from 'node:path';
import type { Config } from '../../config/env';
import { DomainError } from '../../shared/errors';
import { Sandbox, takeOutput, type SandboxJob } from '../sandbox/Sandbox';
import { ProgramMissingError, type RunResult } from './process';

export class MediaError extends DomainError {
  /**
   * Permanent errors (unreadable input, over budget, timed out) are not worth retrying: the same bytes take
   * the same time again. Only a cancel is not permanent.
   */
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
 * (`concat:a|b`, `subfile,,`). mov's data references stay closed, said out loud rather than left to
 * defaults: with `enable_drefs` a QuickTime alias record opens the path it names (relative ones climbing
 * `../` from the input, absolute ones with `use_absolute_path`). The sandbox stands behind all of this: a
 * path that gets through still finds nothing but the job directory.
 */
function inputArgs(demuxer: string, file: string): string[] {
  const demuxerOptions = demuxer === 'mov' ? ['-enable_drefs', '0', '-use_absolute_path', '0'] : [];
  return ['-protocol_whitelist', 'file,pipe', '-format_whitelist', demuxer, '-f', demuxer, ...demuxerOptions, '-i', `file:${file}`];
}

export interface ProbeResult {
  /** The longest of the container's and the streams' durations: a duplication bomb may set only one of them. */
  durationSeconds: number;
  /** Of the first video stream, the one proxies are made of. */
  width: number;
  height: number;
  codec: string;
  pixFmt: string;
  /** Frames of the first video stream: packets read (one per frame), or the container's count when larger. */
  frames: number;
  formatName: string;
  hasAudio: boolean;
  /** Every stream of the file, of any type. */
  streamCount: number;
  /** Every video stream: ffmpeg picks the largest for posters and thumbnails, not the first. */
  videoStreams: Array<{ width: number; height: number; frames: number }>;
  /**
   * The first video stream's frame rate as the exact rational the container stores (24000/1001, not
   * 23.976): r_frame_rate, or avg_frame_rate when that is unset; null when neither is a positive rational.
   */
  rate: FrameRate | null;
}

export interface FrameRate {
  num: number;
  den: number;
}

/** ffprobe's "24000/1001" as a reduced rational; null for "0/0" and anything else that is not a rate. */
export function parseFrameRate(text: string | undefined): FrameRate | null {
  const m = /^(\d+)\/(\d+)$/.exec(text ?? '');
  if (!m) return null;
  const num = Number(m[1]);
  const den = Number(m[2]);
  if (!Number.isSafeInteger(num) || !Number.isSafeInteger(den) || num <= 0 || den <= 0) return null;
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const g = gcd(num, den);
  return { num: num / g, den: den / g };
}

/**
 * What ffprobe must find before ffmpeg or sharp transcodes a file (issue 14). A tiny upload can claim hours
 * of video or gigapixel frames; the transcode's cost follows the claim, not the upload's size.
 */
export interface MediaBudget {
  maxDurationSeconds: number;
  maxFrames: number;
  maxWidth: number;
  maxHeight: number;
  maxPixels: number;
  maxStreams: number;
}

/** The defaults of config/env.ts, for an Ffmpeg built without a config (tests, scripts). */
export const DEFAULT_MEDIA_BUDGET: MediaBudget = {
  maxDurationSeconds: 4 * 3600,
  maxFrames: 4 * 3600 * 60,
  maxWidth: 16_384,
  maxHeight: 16_384,
  maxPixels: 16_384 * 16_384,
  maxStreams: 16,
};

/** Throws a permanent MEDIA_OVER_BUDGET naming the first limit the file exceeds and by how much. */
export function assertWithinBudget(media: Pick<ProbeResult, 'durationSeconds' | 'streamCount' | 'videoStreams'>, budget: MediaBudget): void {
  const over = (what: string, value: number, limit: number, unit = '') => {
    if (value > limit) {
      throw new MediaError('MEDIA_OVER_BUDGET', `No preview is made of this file: its ${what} is ${value}${unit}, over the limit of ${limit}${unit}`, { permanent: true });
    }
  };
  over('duration', Math.ceil(media.durationSeconds), budget.maxDurationSeconds, ' s');
  over('number of streams', media.streamCount, budget.maxStreams);
  for (const v of media.videoStreams) {
    over('frame count', v.frames, budget.maxFrames);
    over('width', v.width, budget.maxWidth, ' px');
    over('height', v.height, budget.maxHeight, ' px');
    over('frame size', v.width * v.height, budget.maxPixels, ' pixels');
  }
}

const finite = (v: unknown) => {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : 0;
};

export interface FfmpegOptions {
  ffmpegPath: string;
  ffprobePath?: string;
  /** Per run of ffmpeg or ffprobe; exceeding it is a permanent MEDIA_TIMEOUT. */
  timeoutMs?: number;
  budget?: Partial<MediaBudget>;
  /** Between SIGTERM and SIGKILL when a run times out or is cancelled. */
  killGraceMs?: number;
  /** Where ffmpeg and ffprobe run: bubblewrap unless told otherwise. */
  sandbox?: Sandbox;
  /** Address space of one run in MiB (0: no limit). */
  memoryMb?: number;
}

/** One run: the files it reads (plain names in its job directory) and the one it writes, if any. */
interface RunSpec {
  what: string;
  inputs: Record<string, string>;
  output?: string;
  signal?: AbortSignal;
  collectStdout?: boolean;
}

export class Ffmpeg {
  readonly ffmpeg: string;
  readonly ffprobe: string;
  readonly budget: MediaBudget;
  readonly sandbox: Sandbox;
  private readonly timeoutMs: number;
  private readonly killGraceMs?: number;
  private readonly memoryMb: number;

  constructor(options: FfmpegOptions) {
    this.ffmpeg = options.ffmpegPath;
    this.ffprobe = options.ffprobePath ?? (options.ffmpegPath.includes('/') ? path.join(path.dirname(options.ffmpegPath), 'ffprobe') : 'ffprobe');
    this.timeoutMs = options.timeoutMs ?? 10 * 60_000;
    this.killGraceMs = options.killGraceMs;
    this.budget = { ...DEFAULT_MEDIA_BUDGET, ...options.budget };
    this.sandbox = options.sandbox ?? new Sandbox();
    this.memoryMb = options.memoryMb ?? 0;
  }

  static fromConfig(
    config: Pick<Config, 'FFMPEG_PATH' | 'MEDIA_TIMEOUT_MS' | 'MEDIA_MAX_DURATION_SECONDS' | 'MEDIA_MAX_FRAMES' | 'MEDIA_MAX_WIDTH' | 'MEDIA_MAX_HEIGHT' | 'MEDIA_MAX_PIXELS' | 'MEDIA_MAX_STREAMS' | 'MEDIA_MAX_MEMORY_MB'>,
    sandbox: Sandbox,
  ): Ffmpeg {
    return new Ffmpeg({
      ffmpegPath: config.FFMPEG_PATH,
      timeoutMs: config.MEDIA_TIMEOUT_MS,
      sandbox,
      memoryMb: config.MEDIA_MAX_MEMORY_MB,
      budget: {
        maxDurationSeconds: config.MEDIA_MAX_DURATION_SECONDS,
        maxFrames: config.MEDIA_MAX_FRAMES,
        maxWidth: config.MEDIA_MAX_WIDTH,
        maxHeight: config.MEDIA_MAX_HEIGHT,
        maxPixels: config.MEDIA_MAX_PIXELS,
        maxStreams: config.MEDIA_MAX_STREAMS,
      },
    });
  }

  /**
   * Runs the tool in a job directory of its own holding o.inputs (read-only); args gets their paths as the
   * tool sees them and the output's. Only when the run succeeds is the output moved to o.output: a
   * half-written one never passes for a preview, and it goes away with the job directory.
   */
  private async run(bin: string, o: RunSpec, args: (at: (name: string) => string, output: string) => string[]): Promise<RunResult> {
    return this.sandbox.withJob({ inputs: o.inputs }, async (job: SandboxJob) => {
      // The output's extension tells ffmpeg which muxer to use; nothing else of its name reaches the tool.
      const written = `output${path.extname(o.output ?? '').replace(/[^A-Za-z0-9.]/g, '')}`;
      let res: RunResult;
      try {
        res = await job.run(bin, args((name) => job.inside(name), job.inside(written)), { timeoutMs: this.timeoutMs, killGraceMs: this.killGraceMs, signal: o.signal, collectStdout: o.collectStdout, memoryMb: this.memoryMb });
      } catch (err) {
        if (err instanceof ProgramMissingError) throw new MediaError('MEDIA_TOOL_UNAVAILABLE', `${bin} is not available: install ffmpeg or set FFMPEG_PATH`, { permanent: true, cause: err });
        throw err;
      }
      // Permanent: the same file takes as long again, and a retried duplication bomb held a pipeline slot for
      // three timeouts (issue 14).
      if (res.timedOut) throw new MediaError('MEDIA_TIMEOUT', `${o.what} took longer than ${this.timeoutMs} ms and was stopped`, { permanent: true });
      if (res.aborted) throw new MediaError('MEDIA_CANCELLED', `${o.what} was cancelled`, { permanent: false });
      if (res.code !== 0) throw new MediaError('MEDIA_PROCESSING_FAILED', `${o.what} failed: ${res.tail.slice(-3).join(' | ').slice(0, 500)}`, { permanent: true });
      if (o.output && !takeOutput(job.host(written), o.output)) throw new MediaError('MEDIA_PROCESSING_FAILED', `${o.what} wrote no output`, { permanent: true });
      return res;
    });
  }

  /**
   * Streams of a file read as the given stored MIME type. `-count_packets` reads every packet without
   * decoding it: 0.08 s for a 60 s 1080p H.264 file, where `-count_frames` decodes the whole video (3.7 s,
   * so about 15 min for the 4 h a file may last).
   */
  async probe(file: string, o: { mimeType: string; signal?: AbortSignal }): Promise<ProbeResult> {
    const demuxer = demuxerFor(o.mimeType);
    const res = await this.run(this.ffprobe, { what: 'ffprobe', inputs: { input: file }, signal: o.signal, collectStdout: true }, (inside) => [
      '-v', 'error', '-count_packets', '-print_format', 'json', '-show_streams', '-show_format', ...inputArgs(demuxer, inside('input')),
    ]);
    type Info = {
      streams?: Array<{ codec_type?: string; codec_name?: string; width?: number; height?: number; pix_fmt?: string; nb_frames?: string; nb_read_packets?: string; duration?: string; r_frame_rate?: string; avg_frame_rate?: string }>;
      format?: { duration?: string; format_name?: string };
    };
    let info: Info;
    try {
      info = JSON.parse(res.stdout) as Info;
    } catch (err) {
      // Output past the collected 4 MiB (thousands of streams) or otherwise unreadable: the same file
      // would answer the same way on a retry.
      throw new MediaError('MEDIA_PROCESSING_FAILED', 'ffprobe\'s description of the file could not be read (too many streams?)', { permanent: true, cause: err });
    }
    const streams = info.streams ?? [];
    const videos = streams.filter((s) => s.codec_type === 'video');
    const video = videos[0];
    if (!video) throw new MediaError('MEDIA_PROCESSING_FAILED', 'No video stream', { permanent: true });
    const frames = (s: (typeof streams)[number]) => Math.max(finite(s.nb_read_packets), finite(s.nb_frames));
    return {
      durationSeconds: Math.max(finite(info.format?.duration), ...streams.map((s) => finite(s.duration))),
      width: video.width ?? 0,
      height: video.height ?? 0,
      codec: video.codec_name ?? '',
      pixFmt: video.pix_fmt ?? '',
      frames: frames(video),
      formatName: info.format?.format_name ?? '',
      hasAudio: streams.some((s) => s.codec_type === 'audio'),
      streamCount: streams.length,
      videoStreams: videos.map((s) => ({ width: s.width ?? 0, height: s.height ?? 0, frames: frames(s) })),
      rate: parseFrameRate(video.r_frame_rate) ?? parseFrameRate(video.avg_frame_rate),
    };
  }

  /** Probes a file and refuses it for good (MEDIA_OVER_BUDGET) unless it fits this instance's budget. */
  async admit(file: string, o: { mimeType: string; signal?: AbortSignal }): Promise<ProbeResult> {
    const probed = await this.probe(file, o);
    assertWithinBudget(probed, this.budget);
    return probed;
  }

  /**
   * A still from about 10% into the video (the first frame of very short ones), scaled to width. Probes the
   * file (unless given the caller's probe of it) and refuses it unless it fits the budget; returns the probe,
   * for proxy().
   */
  async posterFrame(input: string, output: string, o: { width: number; mimeType: string; probe?: ProbeResult; signal?: AbortSignal }): Promise<ProbeResult> {
    const demuxer = demuxerFor(o.mimeType);
    const probed = o.probe ?? (await this.probe(input, { mimeType: o.mimeType, signal: o.signal }));
    assertWithinBudget(probed, this.budget);
    const at = Math.min(probed.durationSeconds * 0.1, 5);
    await this.run(this.ffmpeg, { what: 'poster frame', inputs: { input }, output, signal: o.signal }, (inside, out) => [
      '-nostdin', '-v', 'error', '-y', '-ss', at.toFixed(3), ...inputArgs(demuxer, inside('input')), '-frames:v', '1', '-vf', `scale=${o.width}:-2`, out,
    ]);
    return probed;
  }

  /**
   * An H.264 proxy that every browser plays: yuv420p, faststart, even dimensions, AAC audio when present.
   * Pass the probe of posterFrame() or admit() (a second ffprobe here would read the whole file again):
   * without one, only the budget's ceilings cap the output.
   *
   * The mp4 muxer wants a constant frame rate, so by default ffmpeg fills every gap between timestamps with
   * copies of the last frame: 51 frames whose last one is stamped 10 h later become 900,000 frames of 720p,
   * about 85 min at the 176 fps measured here, in a loop that ignores SIGTERM (ffmpeg 5.1).
   * `-fps_mode passthrough` (5.1 takes it and the deprecated `-vsync passthrough`) keeps each input frame
   * once, at its own timestamp; `-t` and `-frames:v` stop the encode at what the probe saw, should anything
   * still stretch it.
   */
  async proxy(input: string, output: string, o: { height: number; mimeType: string; probe?: ProbeResult; signal?: AbortSignal }): Promise<void> {
    const demuxer = demuxerFor(o.mimeType);
    if (o.probe) assertWithinBudget(o.probe, this.budget);
    const { seconds, frames } = outputCaps(o.probe, this.budget);
    await this.run(this.ffmpeg, { what: 'proxy encode', inputs: { input }, output, signal: o.signal }, (inside, out) => [
      '-nostdin', '-v', 'error', '-y', ...inputArgs(demuxer, inside('input')), '-map', '0:v:0', '-map', '0:a:0?', '-vf', `scale=-2:${o.height}`, '-fps_mode', 'passthrough', '-t', String(seconds), '-frames:v', String(frames),
      '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k', '-movflags', '+faststart', out,
    ]);
  }

  /**
   * A preview movie of our own rendered PNG frames (a printf pattern such as frame_%05d.png, starting at
   * startNumber). The pattern's directory is the tool's one input, so it should hold the frames only.
   */
  async framesToMovie(pattern: string, output: string, o: { fps: number; startNumber: number; signal?: AbortSignal }): Promise<void> {
    await this.run(this.ffmpeg, { what: 'preview encode', inputs: { frames: path.dirname(pattern) }, output, signal: o.signal }, (inside, out) => [
      '-nostdin', '-v', 'error', '-y', '-framerate', String(o.fps), '-start_number', String(o.startNumber), ...inputArgs('image2', path.posix.join(inside('frames'), path.basename(pattern))),
      '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2', '-movflags', '+faststart', out,
    ]);
  }

  /**
   * A thumbnail for images sharp cannot read (OpenEXR and friends), fitting inside size×size. Pass the probe
   * of admit() (makeImageThumbnail does); one frame is all it ever writes.
   */
  async thumbnail(input: string, output: string, o: { size: number; mimeType: string; probe?: ProbeResult; signal?: AbortSignal }): Promise<void> {
    if (o.probe) assertWithinBudget(o.probe, this.budget);
    const demuxer = demuxerFor(o.mimeType);
    await this.run(this.ffmpeg, { what: 'thumbnail', inputs: { input }, output, signal: o.signal }, (inside, out) => [
      '-nostdin', '-v', 'error', '-y', ...inputArgs(demuxer, inside('input')), '-frames:v', '1', '-vf', `scale=w=${o.size}:h=${o.size}:force_original_aspect_ratio=decrease,format=rgb24`, out,
    ]);
  }
}

/**
 * The proxy's output limits: the probed duration and frame count with a margin (rounding, a start offset,
 * a decoder that makes two frames of one packet), never above the budget; the budget alone without a probe.
 */
function outputCaps(probe: ProbeResult | undefined, budget: MediaBudget): { seconds: number; frames: number } {
  const seconds = probe?.durationSeconds ? Math.min(Math.ceil(probe.durationSeconds) + 1, budget.maxDurationSeconds) : budget.maxDurationSeconds;
  const frames = probe?.frames ? Math.min(probe.frames + Math.max(25, Math.ceil(probe.frames / 10)), budget.maxFrames) : budget.maxFrames;
  return { seconds, frames };
}
