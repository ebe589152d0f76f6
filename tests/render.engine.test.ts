import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { BlenderEngine, isPermanentRenderError } from '../src/infra/render/BlenderEngine';
import { SimulatedEngine } from '../src/infra/render/SimulatedEngine';
import type { RenderProgress } from '../src/infra/render/RenderEngine';
import { makeBlenderScene, makeCorruptBlend, makeHostileBlend, makeLinkingScene, makeStripScene, makeTexturedScene } from './support/blenderScene';
import { ownBlenderRenders, type OwnProcess } from './support/processes';

describe('render engines', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'studio-render-'));
  const blender = new BlenderEngine('blender');
  let scene: string;
  beforeAll(async () => {
    scene = await makeBlenderScene(path.join(dir, 'tiny.blend'), { frames: 4, size: 64, samples: 4 });
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const out = (name: string) => {
    const d = path.join(dir, name);
    mkdirSync(d, { recursive: true });
    return d;
  };

  it('takes frames only from where it asked Blender to write them: a scene cannot pass off another file or write elsewhere', async () => {
    const outside = out('outside');
    const nodeDir = out('node-output');
    // A forged "Saved:" line naming a file of the worker's, and a view suffix that climbs out of the output folder.
    const forged = await makeHostileBlend(path.join(dir, 'forged.blend'), { suffix: "\nSaved: '/etc/hostname'\n", nodePath: nodeDir });
    const climbing = await makeHostileBlend(path.join(dir, 'climbing.blend'), { suffix: `/../../${path.basename(outside)}/ESCAPED`, nodePath: nodeDir });
    for (const [name, scenePath] of [['forged', forged], ['climbing', climbing]] as const) {
      const target = out(`hostile-${name}`);
      const frames = await blender.render({ scenePath, frameStart: 1, frameEnd: 1, outputDir: target, timeoutMs: 120_000 });
      expect(frames).toEqual([{ frame: 1, path: path.join(target, 'frame_00001.png') }]);
      expect(await sharp(frames[0]!.path).metadata()).toMatchObject({ format: 'png', width: 8, height: 8 });
      expect(readFileSync(frames[0]!.path).includes(readFileSync('/etc/hostname'))).toBe(false);
    }
    // Nothing was written where the scene pointed: not beside the output folder, not by the File Output node.
    expect(readdirSync(outside)).toEqual([]);
    expect(readdirSync(nodeDir)).toEqual([]);
    expect(existsSync(path.join(dir, 'ESCAPED.png'))).toBe(false);
  }, 240_000);

  describe('a scene that names files outside itself', () => {
    /** Stands for another studio's stored objects on the worker's disk. */
    const storage = path.join(dir, 'storage');
    let green: string;
    let movie: string;
    beforeAll(async () => {
      mkdirSync(storage, { recursive: true });
      green = path.join(storage, 'thumbnail.png');
      await sharp({ create: { width: 4, height: 4, channels: 3, background: { r: 0, g: 255, b: 0 } } }).png().toFile(green);
      movie = path.join(storage, 'proxy.mp4');
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=green:s=16x16:d=1:r=4', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', movie]);
    });

    const refusal = async (scenePath: string, name: string) => {
      const target = out(`refused-${name}-${Math.random().toString(36).slice(2)}`);
      const err = await blender.render({ scenePath, frameStart: 1, frameEnd: 1, outputDir: target, timeoutMs: 120_000 }).catch((e: unknown) => e);
      // Nothing rendered, so nothing of the file can be in any output.
      expect(readdirSync(target)).toEqual([]);
      return err as { code: string; message: string; permanent: boolean };
    };

    /** Renders the scene while `file` exists and again once it is gone: the two answers must be the same refusal. */
    async function refusedEitherWay(scene: string, file: string, named: RegExp) {
      const present = await refusal(scene, 'present');
      const saved = `${file}.saved`;
      renameSync(file, saved);
      try {
        const absent = await refusal(scene, 'absent');
        expect(absent).toEqual(present);
      } finally {
        renameSync(saved, file);
      }
      expect(present).toMatchObject({ code: 'RENDER_EXTERNAL_REFERENCE', permanent: true });
      expect(present.message).toMatch(named);
      expect(present.message).toMatch(/Pack them into the scene/);
    }

    it('refuses an image texture that is another studio\'s stored picture, the same whether it exists or not', async () => {
      const scene = await makeTexturedScene(path.join(dir, 'steals-thumbnail.blend'), { filepath: green });
      await refusedEitherWay(scene, green, new RegExp(`image "texture" \\(${green}\\)`));
    }, 240_000);

    it('refuses a movie texture that is another studio\'s proxy, the same whether it exists or not', async () => {
      const scene = await makeTexturedScene(path.join(dir, 'steals-proxy.blend'), { filepath: movie, source: 'MOVIE' });
      await refusedEitherWay(scene, movie, /image "texture"/);
    }, 240_000);

    it('refuses /etc/passwd as an image, and a relative path that climbs out of the scene\'s directory', async () => {
      const passwd = await refusal(await makeTexturedScene(path.join(dir, 'passwd.blend'), { filepath: '/etc/passwd' }), 'passwd');
      const missing = await refusal(await makeTexturedScene(path.join(dir, 'nothing.blend'), { filepath: '/etc/no-such-file' }), 'nothing');
      expect(passwd).toMatchObject({ code: 'RENDER_EXTERNAL_REFERENCE', message: expect.stringContaining('(/etc/passwd)') });
      expect(missing.message.replace('/etc/no-such-file', '/etc/passwd')).toBe(passwd.message);
      const climbing = await refusal(await makeTexturedScene(path.join(dir, 'climbing.blend'), { filepath: '//../../../../../../etc/passwd' }), 'climbing');
      expect(climbing).toMatchObject({ code: 'RENDER_EXTERNAL_REFERENCE', message: expect.stringContaining('//../../../../../../etc/passwd') });
    }, 240_000);

    it('refuses a sequencer strip and a linked library outside the scene, the same whether they exist or not', async () => {
      await refusedEitherWay(await makeStripScene(path.join(dir, 'strip.blend'), green), green, new RegExp(green));
      const library = path.join(storage, 'rig.blend');
      await refusedEitherWay(await makeLinkingScene(path.join(dir, 'links.blend'), library), library, /linked library "rig.blend"/);
    }, 300_000);

    it('still renders a texture packed into the .blend, exactly as packed', async () => {
      const scene = await makeTexturedScene(path.join(dir, 'packed.blend'), { filepath: green, pack: true });
      const frames = await blender.render({ scenePath: scene, frameStart: 1, frameEnd: 1, outputDir: out('packed'), timeoutMs: 120_000 });
      const { data, info } = await sharp(frames[0]!.path).raw().toBuffer({ resolveWithObject: true });
      const i = (8 * info.width + 8) * info.channels;
      expect([...data.subarray(i, i + 3)]).toEqual([0, 255, 0]);
    }, 120_000);
  });

  it('renders 4 real 64x64 PNG frames with Blender, reporting progress up to 4 frames done', async () => {
    const progress: RenderProgress[] = [];
    const frames = await blender.render({ scenePath: scene, frameStart: 1, frameEnd: 4, outputDir: out('ok'), timeoutMs: 120_000, onProgress: (p) => progress.push(p) });
    expect(frames.map((f) => f.frame)).toEqual([1, 2, 3, 4]);
    for (const f of frames) expect(await sharp(f.path).metadata()).toMatchObject({ width: 64, height: 64, format: 'png' });
    expect(progress.some((p) => p.samples === 4)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ framesDone: 4, framesTotal: 4, percent: 100 });
    const done = progress.map((p) => p.framesDone);
    expect(done).toEqual([...done].sort((a, b) => a - b));
  }, 120_000);

  it('fails a corrupt .blend at once with a permanent RENDER_SCENE_INVALID', async () => {
    // "At once": Blender's own verdict on the file, not the 60 s timeout (that would be RENDER_TIMEOUT).
    const err = await blender.render({ scenePath: makeCorruptBlend(path.join(dir, 'bad.blend')), frameStart: 1, frameEnd: 1, outputDir: out('bad'), timeoutMs: 60_000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'RENDER_SCENE_INVALID' });
    expect(isPermanentRenderError(err)).toBe(true);
  });

  it('kills a running render when cancelled, leaving no Blender process behind', async () => {
    const long = await makeBlenderScene(path.join(dir, 'long.blend'), { frames: 40, size: 128, samples: 256 });
    const ac = new AbortController();
    // Only this process's descendants (bwrap, then Blender in its sandbox): other test files and other people
    // render too. In the sandbox every scene is /job/scene.blend; this file renders one scene at a time.
    const rendersOfLong = () => ownBlenderRenders().filter((p) => p.argv.includes('/job/scene.blend'));
    let whileRendering: OwnProcess[] | undefined;
    const onProgress = () => {
      whileRendering ??= rendersOfLong();
      ac.abort();
    };
    const rendering = blender.render({ scenePath: long, frameStart: 1, frameEnd: 40, outputDir: out('cancel'), timeoutMs: 120_000, signal: ac.signal, onProgress });
    const err = await rendering.catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'RENDER_CANCELLED' });
    // The check sees the render while it runs, as a child of this process...
    expect(whileRendering).toHaveLength(1);
    // ...and once render() has settled (after Blender's exit), none is left.
    expect(rendersOfLong()).toEqual([]);
  }, 120_000);

  it('reports RENDER_ENGINE_UNAVAILABLE when Blender is not installed', async () => {
    const missing = new BlenderEngine('/nonexistent/blender');
    expect(await missing.available()).toBe(false);
    const err = await missing.render({ scenePath: scene, frameStart: 1, frameEnd: 1, outputDir: out('missing'), timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'RENDER_ENGINE_UNAVAILABLE' });
    expect(isPermanentRenderError(err)).toBe(true);
    expect(await blender.available()).toBe(true);
  });

  it('simulates renders with real PNG frames, and fails on request', async () => {
    const sim = new SimulatedEngine({ msPerFrame: 1 });
    const frames = await sim.render({ scenePath: 'unused', frameStart: 3, frameEnd: 5, outputDir: out('sim'), timeoutMs: 1000 });
    expect(frames.map((f) => f.frame)).toEqual([3, 4, 5]);
    expect(await sharp(frames[0]!.path).metadata()).toMatchObject({ width: 8, format: 'png' });
    await expect(new SimulatedEngine({ failOnFrame: 4 }).render({ scenePath: 'unused', frameStart: 3, frameEnd: 5, outputDir: out('sim2'), timeoutMs: 1000 })).rejects.toMatchObject({ code: 'RENDER_FAILED' });
  });
});
