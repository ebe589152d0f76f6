// bench:sandbox — what the bubblewrap sandbox (src/infra/sandbox) adds to each run of a media tool. Each
// measurement runs BENCH_RUNS times (default 10), alternating with its baseline in the same run, the same
// tool and file run as a plain child (MEDIA_SANDBOX=off):
//   bare     /usr/bin/true: the sandbox's fixed cost (namespaces, mounts, bwrap's own start);
//   probe    ffprobe of a 2 s 320x240 H.264 clip (what every video upload gets first);
//   poster   ffmpeg's poster frame of the same clip (a probe, then one decode);
//   render   a one-frame Blender render of a 64x64 scene at 4 samples, scene check included in both.
// One JSON line: {"bench":"sandbox", ...} with p50 milliseconds of each side, the difference and the ratio.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ffmpeg } from '../src/infra/media/ffmpeg';
import { runProcess } from '../src/infra/media/process';
import { BlenderEngine } from '../src/infra/render/BlenderEngine';
import { Sandbox } from '../src/infra/sandbox/Sandbox';
import { makeBlenderScene } from '../tests/support/blenderScene';

const runs = Number(process.env.BENCH_RUNS ?? 10);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** Alternates plain and sandboxed runs (after one warm-up of each), so machine noise falls on both sides. */
async function compare(plain: () => Promise<unknown>, sandboxed: () => Promise<unknown>) {
  await plain();
  await sandboxed();
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    a.push(await timed(plain));
    b.push(await timed(sandboxed));
  }
  const [p, s] = [median(a), median(b)];
  return { plainMs: round(p), sandboxedMs: round(s), extraMs: round(s - p), ratio: round(s / p, 3) };
}

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-sandbox-'));
  try {
    const off = new Sandbox({ mode: 'off' });
    const on = new Sandbox();
    await on.verify();
    const clip = path.join(dir, 'clip.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=24', '-t', '2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', clip]);
    const scene = await makeBlenderScene(path.join(dir, 'scene.blend'), { frames: 1, size: 64, samples: 4 });
    const out = path.join(dir, 'out');
    mkdirSync(out);
    const ffmpeg = (sandbox: Sandbox) => new Ffmpeg({ ffmpegPath: 'ffmpeg', sandbox });
    const blender = (sandbox: Sandbox) => new BlenderEngine('blender', {}, sandbox);
    const render = (sandbox: Sandbox) => () => blender(sandbox).render({ scenePath: scene, frameStart: 1, frameEnd: 1, outputDir: out, timeoutMs: 120_000 });
    const result = {
      bench: 'sandbox',
      runs,
      cpus: os.cpus().length,
      bare: await compare(
        () => runProcess('/usr/bin/true', [], { timeoutMs: 10_000 }),
        () => on.withJob({}, (job) => job.run('/usr/bin/true', [], { timeoutMs: 10_000 })),
      ),
      probe: await compare(
        () => ffmpeg(off).probe(clip, { mimeType: 'video/mp4' }),
        () => ffmpeg(on).probe(clip, { mimeType: 'video/mp4' }),
      ),
      poster: await compare(
        () => ffmpeg(off).posterFrame(clip, path.join(dir, 'poster-plain.png'), { width: 128, mimeType: 'video/mp4' }),
        () => ffmpeg(on).posterFrame(clip, path.join(dir, 'poster-sandboxed.png'), { width: 128, mimeType: 'video/mp4' }),
      ),
      render: await compare(render(off), render(on)),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:sandbox failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
