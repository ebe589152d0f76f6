// Renders with the Blender CLI in the media sandbox (infra/sandbox): the scene is the one file it sees,
// read-only, beside the directories it writes; background mode, Python auto-run disabled (-Y, scene files
// are untrusted), factory settings, a check that refuses scenes naming files outside themselves, a
// timeout, a time and size limit per frame, and a process-group kill on cancel.
import { randomBytes } from 'node:crypto';
import { lstatSync } from 'node:fs';
import path from 'node:path';
import { RenderError } from '../../shared/errors';
import { ProgramMissingError, runProcess } from '../media/process';
import { Sandbox, takeOutput, type SandboxJob } from '../sandbox/Sandbox';
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
  /** Blender's address space in MiB (0 or unset: no limit). */
  memoryMb?: number;
}

/** Blender's exit code when the scene check refuses the scene (sys.exit in SCENE_CHECK). */
const EXTERNAL_REFERENCE_EXIT = 86;
/** Blender's exit code when one of our own scripts raised (--python-exit-code). */
const SCRIPT_FAILED_EXIT = 87;

/**
 * Run after the scene loads, before anything renders: every file the scene would read from outside its own
 * job directory (images, movie textures, linked libraries, sounds, fonts, volumes, Alembic/USD caches, and
 * whatever else Blender's own path walker finds: point caches, fluid and ocean caches, sequencer strips,
 * IES and OSL files). The sandbox already hides such files, so a missing texture would render magenta
 * whether the file exists on the worker or not; refusing the scene instead gives the same answer either
 * way, and tells the artist what to pack. Packed files are read from the .blend itself and stay allowed.
 */
function sceneCheck(root: string, marker: string): string {
  return [
    'import bpy, json, os, sys',
    `ROOT = ${JSON.stringify(root)}`,
    `MARKER = ${JSON.stringify(marker)}`,
    'def resolved(raw, library=None):',
    '    return os.path.normpath(os.path.join(ROOT, bpy.path.abspath(raw, library=library)))',
    'def outside(full):',
    '    return not (full == ROOT or full.startswith(ROOT + os.sep))',
    'found, seen = [], set()',
    "KINDS = (('image', 'images'), ('movie clip', 'movieclips'), ('linked library', 'libraries'), ('sound', 'sounds'), ('font', 'fonts'), ('volume', 'volumes'), ('cache file', 'cache_files'))",
    'for kind, attr in KINDS:',
    '    for idb in getattr(bpy.data, attr):',
    "        raw = getattr(idb, 'filepath', '')",
    "        if not raw or raw.startswith('<'):",
    '            continue',
    "        if getattr(idb, 'packed_file', None) is not None or len(getattr(idb, 'packed_files', ())) > 0:",
    '            continue',
    "        if kind == 'image' and idb.source not in ('FILE', 'SEQUENCE', 'MOVIE', 'TILED'):",
    '            continue',
    '        full = resolved(raw, idb.library)',
    '        seen.add(full)',
    '        if outside(full):',
    "            found.append({'kind': kind, 'name': idb.name, 'path': raw})",
    'for raw in bpy.utils.blend_paths(absolute=True, packed=False, local=False):',
    '    full = resolved(raw)',
    '    if full not in seen and outside(full):',
    '        seen.add(full)',
    "        found.append({'kind': 'file', 'name': '', 'path': raw})",
    'if found:',
    '    print(MARKER + json.dumps(found[:20]), flush=True)',
    `    sys.exit(${EXTERNAL_REFERENCE_EXIT})`,
  ].join('\n');
}

interface ExternalReference {
  kind: string;
  name: string;
  path: string;
}

/** A scene's own text (names, paths) in a message: printable, and short. */
const printable = (text: string) => {
  const clean = Array.from(text, (ch) => (ch < ' ' || ch === '\x7f' ? '?' : ch)).join('');
  return clean.length > 300 ? `${clean.slice(0, 300)}…` : clean;
};

function externalReferenceError(refs: ExternalReference[]): RenderEngineError {
  const shown = refs.slice(0, 5).map((r) => (r.name ? `${r.kind} "${printable(r.name)}" (${printable(r.path)})` : printable(r.path)));
  const more = refs.length > 5 ? ` and ${refs.length - 5} more` : '';
  return new RenderEngineError(
    'RENDER_EXTERNAL_REFERENCE',
    `The scene uses files outside the .blend, which a render cannot read: ${shown.join(', ')}${more}. Pack them into the scene (File > External Data > Pack Resources) or remove them, and upload it again`,
    { permanent: true },
  );
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
    private readonly sandbox = new Sandbox(),
  ) {}

  async available(): Promise<boolean> {
    try {
      // Reads no user file, so it needs no sandbox; Sandbox.verify() is what proves the sandbox at start.
      const res = await runProcess(this.blenderPath, ['-b', '--factory-startup', '-noaudio', '--version'], { timeoutMs: 30_000 });
      return res.code === 0;
    } catch {
      return false;
    }
  }

  async render(req: RenderRequest): Promise<RenderedFrame[]> {
    try {
      // The job directory holds the scene (read-only), the frames Blender writes, and the config, caches and
      // autosaves Blender keeps under HOME and TMPDIR; it is removed afterwards, so one untrusted scene
      // leaves nothing for the next.
      return await this.sandbox.withJob({ inputs: { 'scene.blend': req.scenePath }, dirs: ['out', 'home', 'tmp'] }, (job) => this.renderIn(job, req));
    } catch (err) {
      if (err instanceof ProgramMissingError) throw new RenderEngineError('RENDER_ENGINE_UNAVAILABLE', 'Blender is not installed here (apt-get install blender, or set BLENDER_PATH)', { permanent: true });
      throw err;
    }
  }

  private async renderIn(job: SandboxJob, req: RenderRequest): Promise<RenderedFrame[]> {
    const total = req.frameEnd - req.frameStart + 1;
    const saved = new Map<number, string>();
    let current = req.frameStart;
    const out = job.host('out');
    const report = (sample?: number, samples?: number) => {
      const within = sample !== undefined && samples ? sample / samples : 0;
      const percent = Math.min(100, ((saved.size + (saved.has(current) ? 0 : within)) / total) * 100);
      req.onProgress?.({ frame: current, sample, samples, framesDone: saved.size, framesTotal: total, percent });
    };
    // Only our own scripts print this (a scene runs no Python under -Y, and cannot guess the nonce to forge it in
    // a name Blender echoes).
    const marker = `STUDIO_SCENE_CHECK_${randomBytes(12).toString('hex')} `;
    let refs: ExternalReference[] | undefined;
    // Options before the scene apply to its loading: --factory-startup ignores user preferences and add-ons.
    // `-b -Y` stays first: operators (and tests/render.worker.test.ts) find running renders by it.
    // The check and HARDEN_SCENE run after the scene loads and before -o and -a: a scene naming files outside
    // itself is refused, and no path the scene names is written to.
    const args = [
      '-b', '-Y', '--factory-startup', '-noaudio', job.inside('scene.blend'),
      '--python-exit-code', String(SCRIPT_FAILED_EXIT),
      '--python-expr', sceneCheck(job.root, marker),
      '--python-expr', HARDEN_SCENE,
      '-o', path.posix.join(job.inside('out'), 'frame_#####'), '-F', 'PNG', '-x', '1', '-s', String(req.frameStart), '-e', String(req.frameEnd), '-a',
    ];
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
      result = await job.run(this.blenderPath, args, {
        timeoutMs: req.timeoutMs,
        signal: req.signal ? AbortSignal.any([req.signal, stop.signal]) : stop.signal,
        env: { HOME: job.inside('home'), TMPDIR: job.inside('tmp') },
        memoryMb: this.limits.memoryMb,
        onStdoutLine: (line) => {
          if (line.startsWith(marker)) {
            try {
              refs = JSON.parse(line.slice(marker.length)) as ExternalReference[];
            } catch {
              refs = [];
            }
            return;
          }
          const fra = /^Fra:(\d+)\b/.exec(line);
          if (fra) current = Number(fra[1]);
          const sample = /\| (?:Sample|Rendering) (\d+)\s*\/\s*(\d+)/.exec(line);
          if (sample) report(Number(sample[1]), Number(sample[2]));
          // Progress only: the path in a "Saved:" line is the scene's to shape (a view's file suffix can hold
          // a line break and a forged line), so frames are only ever looked for where -o put them.
          if (/^Saved: '/.test(line)) {
            const file = frameFile(out, current);
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
    } finally {
      clearTimeout(frameTimer);
    }
    if (refused) throw refused;
    const output = result.tail.join('\n');
    if (result.aborted) throw new RenderEngineError('RENDER_CANCELLED', 'The render was cancelled', { permanent: true });
    if (result.timedOut) throw new RenderEngineError('RENDER_TIMEOUT', `The render exceeded ${req.timeoutMs} ms`, { permanent: false });
    if (result.code === EXTERNAL_REFERENCE_EXIT && refs?.length) throw externalReferenceError(refs);
    if (SCENE_INVALID.test(output)) throw new RenderEngineError('RENDER_SCENE_INVALID', `Blender cannot read the scene: ${output.match(SCENE_INVALID)?.[0]}`, { permanent: true });
    if (result.code === SCRIPT_FAILED_EXIT) throw new RenderEngineError('RENDER_SCENE_INVALID', `The scene could not be checked before rendering: ${result.tail.slice(-2).join(' | ').slice(0, 300)}`, { permanent: true });
    if (result.code !== 0) throw new RenderEngineError('RENDER_FAILED', `Blender exited with ${result.code ?? result.signal}: ${result.tail.slice(-3).join(' | ').slice(0, 500)}`, { permanent: false });
    // Exactly the frames asked for, each a regular file (not a link) where -o put it, within the size limit,
    // moved out of the job directory before it goes.
    const frames: RenderedFrame[] = [];
    for (let frame = req.frameStart; frame <= req.frameEnd; frame++) {
      const file = frameFile(out, frame);
      const size = regularFileSize(file);
      if (size === undefined) continue;
      if (maxFrameBytes && size > maxFrameBytes) throw new RenderEngineError('RENDER_FRAME_TOO_LARGE', `Frame ${frame} is ${size} bytes, over the limit of ${maxFrameBytes} bytes per frame`, { permanent: true });
      const dest = frameFile(req.outputDir, frame);
      if (takeOutput(file, dest)) frames.push({ frame, path: dest });
    }
    if (frames.length !== total) throw new RenderEngineError('RENDER_FAILED', `Blender saved ${frames.length} of ${total} frames`, { permanent: false });
    return frames;
  }
}
