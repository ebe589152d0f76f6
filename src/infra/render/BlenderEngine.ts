// Renders with the Blender CLI: background mode, Python auto-run disabled (-Y, scene files are
// untrusted), factory settings, its own working, home and temp directories with no secret in its
// environment, a timeout, a time and size limit per frame, and a process-group kill on cancel.
import { mkdirSync, mkdtempSync, rmSync, lstatSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RenderError } from '../../shared/errors';
import { ProgramMissingError, runProcess } from '../media/process';
import type { RenderEngine, RenderedFrame, RenderRequest } from './RenderEngine';

export class RenderEngineError extends RenderError {
  constructor(code: string, message: string, options: { permanent: boolean }) {
    super(code, message, options);
  }
}

export const isPermanentRenderError = (err: unknown) => err instanceof RenderEngineError && err.permanent;

const SCENE_INVALID = /(File format is not supported|Failed to read blend file|not a blend file|Cannot read file|Unable to open)/i;

export interface BlenderLimits {
  /**
   * One frame, counted from the previous frame's `Saved:` line (the first one from Blender's start, scene
   * loading included). A scene that cannot make a frame in this time will not on a retry either, so it
   * fails for good (RENDER_FRAME_TIMEOUT) instead of holding a render slot until the chunk times out.
   */
  maxFrameMs?: number;
  /** One saved frame file; a bigger one fails the render for good (RENDER_FRAME_TOO_LARGE). */
  maxFrameBytes?: number;
}

/**
 * Run before rendering (Python from our command line, not from the scene, which -Y keeps off): outputs the
 * scene itself names are switched off. Stereo/multiview adds a per-view file suffix (free text: `../`,
 * line breaks), and compositor File Output nodes write to any path; the render writes only through -o.
 */
const HARDEN_SCENE = [
  'import bpy',
  'for s in bpy.data.scenes:',
  '    s.render.use_multiview = False',
  '    tree = s.node_tree',
  '    if tree is not None:',
  "        for n in [n for n in tree.nodes if n.type == 'OUTPUT_FILE']:",
  '            tree.nodes.remove(n)',
].join('\n');

const frameFile = (dir: string, frame: number) => path.join(dir, `frame_${String(frame).padStart(5, '0')}.png`);

/** The size of a regular file at exactly this path (a link, a device or a directory does not count). */
function regularFileSize(file: string): number | undefined {
  const st = lstatSync(file, { throwIfNoEntry: false });
  return st?.isFile() ? st.size : undefined;
}

export class BlenderEngine implements RenderEngine {
  readonly name = 'blender' as const;

  constructor(
    private readonly blenderPath = 'blender',
    private readonly limits: BlenderLimits = {},
  ) {}

  async available(): Promise<boolean> {
    try {
      const res = await runProcess(this.blenderPath, ['-b', '--factory-startup', '-noaudio', '--version'], { timeoutMs: 30_000 });
      return res.code === 0;
    } catch {
      return false;
    }
  }

  async render(req: RenderRequest): Promise<RenderedFrame[]> {
    const total = req.frameEnd - req.frameStart + 1;
    const saved = new Map<number, string>();
    let current = req.frameStart;
    const work = mkdtempSync(path.join(os.tmpdir(), 'blender-'));
    // Blender writes its config, caches and autosaves under HOME and TMPDIR: keep them in this render's
    // directory, removed afterwards, so one untrusted scene leaves nothing for the next.
    const env = { HOME: path.join(work, 'home'), TMPDIR: path.join(work, 'tmp') };
    mkdirSync(env.HOME);
    mkdirSync(env.TMPDIR);
    const report = (sample?: number, samples?: number) => {
      const within = sample !== undefined && samples ? sample / samples : 0;
      const percent = Math.min(100, ((saved.size + (saved.has(current) ? 0 : within)) / total) * 100);
      req.onProgress?.({ frame: current, sample, samples, framesDone: saved.size, framesTotal: total, percent });
    };
    // Options before the scene apply to its loading: --factory-startup ignores user preferences and add-ons.
    // `-b -Y` stays first: operators (and tests/render.worker.test.ts) find running renders by it.
    // HARDEN_SCENE runs after the scene loads and before -o and -a: no path the scene names is written to.
    const args = ['-b', '-Y', '--factory-startup', '-noaudio', req.scenePath, '--python-expr', HARDEN_SCENE, '-o', path.join(req.outputDir, 'frame_#####'), '-F', 'PNG', '-x', '1', '-s', String(req.frameStart), '-e', String(req.frameEnd), '-a'];
    // A broken limit stops Blender through the same process-group kill as a cancel, then reports its own error.
    const stop = new AbortController();
    let refused: RenderEngineError | undefined;
    const refuse = (err: RenderEngineError) => {
      // A user's cancel came first: that is what the render reports.
      if (req.signal?.aborted) return;
      refused ??= err;
      stop.abort();
    };
    const { maxFrameMs, maxFrameBytes } = this.limits;
    let frameTimer: NodeJS.Timeout | undefined;
    const startFrameClock = () => {
      clearTimeout(frameTimer);
      if (maxFrameMs) frameTimer = setTimeout(() => refuse(new RenderEngineError('RENDER_FRAME_TIMEOUT', `Frame ${current} took longer than the limit of ${maxFrameMs} ms per frame`, { permanent: true })), maxFrameMs);
    };
    let result;
    try {
      startFrameClock();
      result = await runProcess(this.blenderPath, args, {
        timeoutMs: req.timeoutMs,
        signal: req.signal ? AbortSignal.any([req.signal, stop.signal]) : stop.signal,
        cwd: work,
        env,
        onStdoutLine: (line) => {
          const fra = /^Fra:(\d+)\b/.exec(line);
          if (fra) current = Number(fra[1]);
          const sample = /\| (?:Sample|Rendering) (\d+)\s*\/\s*(\d+)/.exec(line);
          if (sample) report(Number(sample[1]), Number(sample[2]));
          // Progress only: the path in a "Saved:" line is the scene's to shape (a view's file suffix can hold
          // a line break and a forged line), so frames are only ever looked for where -o put them.
          if (/^Saved: '/.test(line)) {
            const file = frameFile(req.outputDir, current);
            const size = maxFrameBytes ? regularFileSize(file) ?? 0 : 0;
            if (maxFrameBytes && size > maxFrameBytes) {
              refuse(new RenderEngineError('RENDER_FRAME_TOO_LARGE', `Frame ${current} is ${size} bytes, over the limit of ${maxFrameBytes} bytes per frame`, { permanent: true }));
              return;
            }
            saved.set(current, file);
            startFrameClock();
            report();
          }
        },
      });
    } catch (err) {
      if (err instanceof ProgramMissingError) throw new RenderEngineError('RENDER_ENGINE_UNAVAILABLE', 'Blender is not installed here (apt-get install blender, or set BLENDER_PATH)', { permanent: true });
      throw err;
    } finally {
      clearTimeout(frameTimer);
      rmSync(work, { recursive: true, force: true });
    }
    if (refused) throw refused;
    const output = result.tail.join('\n');
    if (result.aborted) throw new RenderEngineError('RENDER_CANCELLED', 'The render was cancelled', { permanent: true });
    if (result.timedOut) throw new RenderEngineError('RENDER_TIMEOUT', `The render exceeded ${req.timeoutMs} ms`, { permanent: false });
    if (SCENE_INVALID.test(output)) throw new RenderEngineError('RENDER_SCENE_INVALID', `Blender cannot read the scene: ${output.match(SCENE_INVALID)?.[0]}`, { permanent: true });
    if (result.code !== 0) throw new RenderEngineError('RENDER_FAILED', `Blender exited with ${result.code ?? result.signal}: ${result.tail.slice(-3).join(' | ').slice(0, 500)}`, { permanent: false });
    // Exactly the frames asked for, each a regular file (not a link) where -o put it, within the size limit.
    const frames: RenderedFrame[] = [];
    for (let frame = req.frameStart; frame <= req.frameEnd; frame++) {
      const file = frameFile(req.outputDir, frame);
      const size = regularFileSize(file);
      if (size === undefined) continue;
      if (maxFrameBytes && size > maxFrameBytes) throw new RenderEngineError('RENDER_FRAME_TOO_LARGE', `Frame ${frame} is ${size} bytes, over the limit of ${maxFrameBytes} bytes per frame`, { permanent: true });
      frames.push({ frame, path: file });
    }
    if (frames.length !== total) throw new RenderEngineError('RENDER_FAILED', `Blender saved ${frames.length} of ${total} frames`, { permanent: false });
    return frames;
  }
}
