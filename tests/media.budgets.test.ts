// Media tools have budgets (issue 14): ffprobe admits a file before any transcode, the proxy cannot
// duplicate frames, a timeout is permanent and kills the tool, and a Blender frame has a time and size limit.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { runProcess } from '../src/infra/media/process';
import { Ffmpeg, MediaError, type MediaBudget } from '../src/infra/media/ffmpeg';
import { makeImageThumbnail } from '../src/infra/media/images';
import { BlenderEngine, isPermanentRenderError } from '../src/infra/render/BlenderEngine';
import { startHarness, type Harness } from './support/harness';
import { givenStudio, type Session } from './support/factories';
import { makeBlenderScene } from './support/blenderScene';
import { pipelineWorkerFor, renderWorkerFor, waitFor } from './support/workers';
import { descendants, ownBlenderRenders } from './support/processes';

const ffprobeJson = (file: string) =>
  JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-count_packets', '-print_format', 'json', '-show_streams', '-show_format', file]).toString()) as {
    streams: Array<{ codec_type: string; r_frame_rate: string; nb_read_packets: string }>;
    format: { duration: string };
  };

/**
 * The duplication bomb: 50 frames at 25 fps, then one stamped `lastAt` seconds in. Tiny on disk; encoded to
 * MP4 the naive way, ffmpeg fills the gap with copies of frame 50 at 25 fps.
 */
function makeBomb(file: string, lastAt: number, size = '320x240'): string {
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=25`, '-frames:v', '51', '-vf', `setpts='if(lt(N,50),N/25,${lastAt})/TB'`, '-fps_mode', 'passthrough', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', file]);
  return file;
}

const videoFrames = (file: string) => Number(ffprobeJson(file).streams.find((s) => s.codec_type === 'video')!.nb_read_packets);

describe('media budgets', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'studio-budgets-'));
  const bomb = path.join(dir, 'bomb.mp4');
  const smallBomb = path.join(dir, 'small-bomb.mp4');
  const clip = path.join(dir, 'clip.mp4');

  beforeAll(() => {
    makeBomb(bomb, 36_000);
    makeBomb(smallBomb, 7200);
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=24', '-t', '1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', clip]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('the duplication bomb', () => {
    it('is one: 51 frames on disk, 10 hours at 25 fps for a naive MP4 encode, which duplicates (shown on its first 300 frames)', () => {
      const info = ffprobeJson(bomb);
      const video = info.streams.find((s) => s.codec_type === 'video')!;
      expect(readFileSync(bomb).length).toBeLessThan(100_000);
      expect(video.nb_read_packets).toBe('51');
      expect(video.r_frame_rate).toBe('25/1');
      expect(Number(info.format.duration)).toBeGreaterThanOrEqual(36_000);
      // A constant-rate MP4 of 10 h at 25 fps is 900,000 frames (85 min of encoding at 720p, measured); the
      // first 300 of them already hold 249 copies.
      const naive = path.join(dir, 'naive.mp4');
      execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', bomb, '-frames:v', '300', '-c:v', 'libx264', '-preset', 'ultrafast', naive]);
      expect(videoFrames(naive)).toBe(300);
    });

    it('under the duration limit, is proxied frame for frame in seconds (no duplicates), its poster too', async () => {
      const ffmpeg = new Ffmpeg({ ffmpegPath: 'ffmpeg', timeoutMs: 30_000 });
      const started = Date.now();
      const probe = await ffmpeg.posterFrame(smallBomb, path.join(dir, 'small-bomb.png'), { width: 64, mimeType: 'video/mp4' });
      expect(probe).toMatchObject({ frames: 51, durationSeconds: expect.closeTo(7200, 0) });
      const out = path.join(dir, 'small-bomb.proxy.mp4');
      await ffmpeg.proxy(smallBomb, out, { height: 240, mimeType: 'video/mp4', probe });
      expect(Date.now() - started).toBeLessThan(15_000);
      // 2 h at 25 fps would be 180,000 frames; passthrough keeps the 51 there are, at their own timestamps.
      expect(videoFrames(out)).toBe(51);
      expect(Number(ffprobeJson(out).format.duration)).toBeGreaterThan(7000);
    });
  });

  describe('admission by ffprobe', () => {
    const refusal = async (budget: Partial<MediaBudget>, run: (ffmpeg: Ffmpeg) => Promise<unknown>) => {
      const err = await run(new Ffmpeg({ ffmpegPath: 'ffmpeg', budget })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MediaError);
      expect(err).toMatchObject({ code: 'MEDIA_OVER_BUDGET', permanent: true });
      return (err as MediaError).message;
    };

    it.each<[string, Partial<MediaBudget>, RegExp]>([
      ['duration', { maxDurationSeconds: 3600 }, /duration is 7201 s, over the limit of 3600 s/],
      ['frame count', { maxFrames: 50 }, /frame count is 51, over the limit of 50/],
      ['width', { maxWidth: 300 }, /width is 320 px, over the limit of 300 px/],
      ['height', { maxHeight: 200 }, /height is 240 px, over the limit of 200 px/],
      ['pixels', { maxPixels: 320 * 240 - 1 }, /frame size is 76800 pixels, over the limit of 76799 pixels/],
    ])('refuses a video over its %s for good, naming the value and the limit, before making a poster', async (what, budget, message) => {
      const poster = path.join(dir, `refused-${what.replace(' ', '-')}.png`);
      expect(await refusal(budget, (f) => f.posterFrame(smallBomb, poster, { width: 64, mimeType: 'video/mp4' }))).toMatch(message);
      expect(() => readFileSync(poster)).toThrow();
    });

    it('refuses a file with more streams than allowed', async () => {
      const many = path.join(dir, 'streams.mkv');
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=5', '-f', 'lavfi', '-i', 'sine', '-t', '1', '-map', '0:v', ...Array(5).fill(['-map', '1:a']).flat(), '-c:v', 'libx264', '-c:a', 'aac', many]);
      expect(await refusal({ maxStreams: 4 }, (f) => f.admit(many, { mimeType: 'video/x-matroska' }))).toMatch(/number of streams is 6, over the limit of 4/);
    });

    it('refuses an image over the frame size, both through sharp (PNG) and through ffmpeg (OpenEXR)', async () => {
      const png = path.join(dir, 'big.png');
      await sharp({ create: { width: 600, height: 400, channels: 3, background: '#123456' } }).png().toFile(png);
      const exr = path.join(dir, 'big.exr');
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=600x400', '-frames:v', '1', '-pix_fmt', 'gbrpf32le', exr]);
      const budget = { maxPixels: 100_000 };
      expect(await refusal(budget, (f) => makeImageThumbnail(png, path.join(dir, 'big.thumb.png'), { size: 64, mimeType: 'image/png', ffmpeg: f }))).toMatch(/frame size is 240000 pixels, over the limit of 100000 pixels/);
      expect(await refusal(budget, (f) => makeImageThumbnail(exr, path.join(dir, 'big-exr.thumb.png'), { size: 64, mimeType: 'image/x-exr', ffmpeg: f }))).toMatch(/frame size is 240000 pixels/);
      // Within the budget, both still make thumbnails.
      const roomy = new Ffmpeg({ ffmpegPath: 'ffmpeg', budget: { maxPixels: 240_000 } });
      expect(await makeImageThumbnail(png, path.join(dir, 'ok.thumb.png'), { size: 64, mimeType: 'image/png', ffmpeg: roomy })).toMatchObject({ width: 64 });
      expect(await makeImageThumbnail(exr, path.join(dir, 'ok-exr.thumb.png'), { size: 64, mimeType: 'image/x-exr', ffmpeg: roomy })).toMatchObject({ width: 64 });
    });
  });

  describe('timeouts', () => {
    const ownChildren = (needle: string) => descendants().filter((p) => p.argv.some((a) => a.includes(needle)));

    it('stops a program with SIGTERM, and one that ignores SIGTERM with SIGKILL after the grace, settling either way', async () => {
      const polite = await runProcess('sleep', ['30'], { timeoutMs: 200, killGraceMs: 5000 });
      expect(polite).toMatchObject({ timedOut: true, signal: 'SIGTERM' });

      const marker = `budget-stubborn-${process.pid}`;
      const started = Date.now();
      // `trap '' TERM` makes the shell and the sleep it starts ignore SIGTERM, as a duplicating ffmpeg does.
      const stubborn = await runProcess('sh', ['-c', `trap '' TERM; sleep 30; echo ${marker}`], { timeoutMs: 200, killGraceMs: 700 });
      const took = Date.now() - started;
      expect(stubborn).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
      expect(took).toBeGreaterThanOrEqual(850);
      expect(took).toBeLessThan(5000);
      expect(descendants().filter((p) => p.argv[0] === 'sleep' || p.argv.some((a) => a.includes(marker)))).toEqual([]);
    });

    it('fails an ffmpeg run that takes longer than its timeout for good (MEDIA_TIMEOUT), leaving no ffmpeg behind', async () => {
      // Upscaling to 2160p makes a cheap 10 s input a slow encode (tens of seconds on two cores).
      const input = path.join(dir, 'slow-input.mp4');
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=24', '-t', '10', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', input]);
      const ffmpeg = new Ffmpeg({ ffmpegPath: 'ffmpeg', timeoutMs: 1500, killGraceMs: 500 });
      const probe = await ffmpeg.admit(input, { mimeType: 'video/mp4' });
      // ffmpeg runs in its sandbox (bwrap, then ffmpeg reading /job/input); bwrap's own arguments name the input.
      const ownFfmpeg = () => descendants().filter((p) => /(^|\/)ffmpeg$/.test(p.argv[0] ?? ''));
      let seen = 0;
      const watch = setInterval(() => (seen = Math.max(seen, ownFfmpeg().length)), 100);
      const started = Date.now();
      const err = await ffmpeg.proxy(input, path.join(dir, 'slow.mp4'), { height: 2160, mimeType: 'video/mp4', probe }).catch((e: unknown) => e);
      const took = Date.now() - started;
      clearInterval(watch);
      expect(err).toBeInstanceOf(MediaError);
      expect(err).toMatchObject({ code: 'MEDIA_TIMEOUT', permanent: true, message: expect.stringMatching(/proxy encode took longer than 1500 ms/) });
      expect(took).toBeLessThan(1500 + 500 + 3000);
      // The check saw the encode while it ran, as a child of this process, and sees none once it settled.
      expect(seen).toBe(1);
      expect(ownFfmpeg()).toEqual([]);
      expect(ownChildren(input)).toEqual([]);
      expect(() => readFileSync(path.join(dir, 'slow.mp4'))).toThrow();
    }, 30_000);
  });

  describe('Blender frames', () => {
    /** A stand-in Blender that "renders" 3 frames of `bytes` bytes, one every second, as Blender reports them. */
    function fakeBlender(name: string, bytes: number): string {
      const bin = path.join(dir, name);
      mkdirSync(bin);
      const script = path.join(bin, 'blender');
      writeFileSync(
        script,
        `#!/bin/sh\nwhile [ $# -gt 0 ]; do [ "$1" = -o ] && out="$2"; shift; done\nd=$(dirname "$out")\n` +
          `for f in 1 2 3; do echo "Fra:$f Mem:1M"; sleep 1; head -c ${bytes} /dev/zero > "$d/frame_0000$f.png"; echo "Saved: '$d/frame_0000$f.png'"; done\n`,
      );
      chmodSync(script, 0o755);
      return script;
    }
    const out = (name: string) => {
      const d = path.join(dir, name);
      mkdirSync(d, { recursive: true });
      return d;
    };
    beforeAll(() => writeFileSync(path.join(dir, 'x.blend'), 'BLENDER'));

    it('times each frame from the one before: 3 frames of 1 s pass a limit of 2.5 s per frame', async () => {
      const engine = new BlenderEngine(fakeBlender('fake-ok', 100), { maxFrameMs: 2500, maxFrameBytes: 1000 });
      const frames = await engine.render({ scenePath: path.join(dir, 'x.blend'), frameStart: 1, frameEnd: 3, outputDir: out('fake-ok-out'), timeoutMs: 30_000 });
      expect(frames.map((f) => f.frame)).toEqual([1, 2, 3]);
    });

    it('fails for good with RENDER_FRAME_TOO_LARGE on a frame file over the size limit, and stops Blender', async () => {
      const engine = new BlenderEngine(fakeBlender('fake-big', 5000), { maxFrameBytes: 1000 });
      const started = Date.now();
      const err = await engine.render({ scenePath: path.join(dir, 'x.blend'), frameStart: 1, frameEnd: 3, outputDir: out('fake-big-out'), timeoutMs: 30_000 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'RENDER_FRAME_TOO_LARGE', message: 'Frame 1 is 5000 bytes, over the limit of 1000 bytes per frame' });
      expect(isPermanentRenderError(err)).toBe(true);
      // Stopped after its first frame, not after all three.
      expect(Date.now() - started).toBeLessThan(2500);
    });

    describe('through the render worker', () => {
      let h: Harness;
      let s: Session;
      let worker: { close(): Promise<void> };
      beforeAll(async () => {
        h = await startHarness({ RATE_LIMIT_MAX: '100000', RENDER_MAX_FRAME_MS: '1500' });
        s = await givenStudio(h);
        worker = await renderWorkerFor(h, { reconcileEveryMs: 3_600_000 });
      });
      afterAll(async () => {
        await worker.close();
        await h.close();
      });

      it('fails a frame that takes longer than RENDER_MAX_FRAME_MS for good (RENDER_FRAME_TIMEOUT), long before the chunk timeout, killing Blender', async () => {
        const heavy = readFileSync(await makeBlenderScene(path.join(dir, 'heavy.blend'), { frames: 3, size: 256, samples: 4096 }));
        const asset = (await h.http.post('/assets').set(s.auth).send({ name: 'Heavy Shot', type: 'SHOT' }).expect(201)).body as { id: string };
        await h.http.post(`/assets/${asset.id}/versions`).set(s.auth).attach('file', heavy, 'heavy.blend').expect(201);
        const started = Date.now();
        const res = await h.http.post(`/assets/${asset.id}/render`).set(s.auth).send({ frames: { start: 1, end: 3 }, maxAttempts: 3 }).expect(202);
        const failed = await waitFor('render to fail', async () => {
          const j = (await h.http.get(`/render-jobs/${res.body.id}`).set(s.auth)).body;
          return j.status === 'FAILED' && j;
        }, 60_000);
        expect(Date.now() - started).toBeLessThan(30_000);
        expect(failed.error).toEqual({ code: 'RENDER_FRAME_TIMEOUT', message: 'Frame 1 took longer than the limit of 1500 ms per frame' });
        expect(failed.chunks[0].attempts).toBe(1);
        await waitFor('blender to stop', async () => ownBlenderRenders().length === 0, 10_000, 100);
      }, 120_000);
    });
  });

  describe('in the pipeline', () => {
    let h: Harness;
    let s: Session;
    let worker: { close(): Promise<void> };

    beforeAll(async () => {
      // One pipeline slot: the bomb would hold it for 85 min, so the clip after it shows the slot is free.
      h = await startHarness({ RATE_LIMIT_MAX: '100000', PIPELINE_CONCURRENCY: '1', MEDIA_MAX_WIDTH: '640', MEDIA_MAX_PIXELS: '200000' });
      s = await givenStudio(h);
      worker = await pipelineWorkerFor(h);
    });
    afterAll(async () => {
      await worker.close();
      await h.close();
    });

    async function upload(name: string, bytes: Buffer, fileName: string) {
      const asset = (await h.http.post('/assets').set(s.auth).send({ name, type: 'OTHER' }).expect(201)).body as { id: string };
      await h.http.post(`/assets/${asset.id}/versions`).set(s.auth).attach('file', bytes, fileName).expect(201);
      return asset.id;
    }
    const settled = (assetId: string, timeoutMs = 60_000) =>
      waitFor('pipeline to settle', async () => {
        const res = await h.http.get(`/assets/${assetId}/versions/1/pipeline`).set(s.auth);
        return (res.body.status === 'READY' || res.body.status === 'FAILED') && res.body;
      }, timeoutMs, 100);

    it('refuses the bomb for good within seconds (MEDIA_OVER_BUDGET, no retry), then previews the next upload', async () => {
      const started = Date.now();
      const bombId = await upload('Bomb', readFileSync(bomb), 'bomb.mp4');
      const clipId = await upload('Next Clip', readFileSync(clip), 'clip.mp4');
      const p = await settled(bombId, 30_000);
      const refusedAfter = Date.now() - started;
      expect(p.status).toBe('FAILED');
      expect(p.error).toEqual({ step: 'PROCESSING_PREVIEW', code: 'MEDIA_OVER_BUDGET', message: 'No preview is made of this file: its duration is 36001 s, over the limit of 14400 s' });
      expect(p.steps.map((st: { name: string; status: string }) => [st.name, st.status])).toEqual([
        ['VALIDATING', 'DONE'],
        ['PROCESSING_PREVIEW', 'FAILED'],
      ]);
      expect(refusedAfter).toBeLessThan(15_000);
      const job = await h.container.queue.queue('media').getJob(`media.${bombId}.1`);
      expect(job?.attemptsMade).toBe(1);
      expect(await job?.getState()).toBe('failed');
      expect((await settled(clipId, 30_000)).status).toBe('READY');
      expect((await h.http.get(`/assets/${clipId}/versions/1/preview`).set(s.auth)).status).toBe(200);
    });

    it('refuses over-resolution images and videos for good, saying which limit', async () => {
      const wide = await sharp({ create: { width: 800, height: 100, channels: 3, background: '#000' } }).png().toBuffer();
      const square = await sharp({ create: { width: 500, height: 500, channels: 3, background: '#fff' } }).png().toBuffer();
      const video = path.join(dir, 'wide.mp4');
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=800x96:rate=24', '-t', '1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', video]);
      const cases: Array<[Buffer, string, string]> = [
        [wide, 'wide.png', 'its width is 800 px, over the limit of 640 px'],
        [square, 'square.png', 'its frame size is 250000 pixels, over the limit of 200000 pixels'],
        [readFileSync(video), 'wide.mp4', 'its width is 800 px, over the limit of 640 px'],
      ];
      for (const [bytes, name, message] of cases) {
        const p = await settled(await upload(name, bytes, name));
        expect(p).toMatchObject({ status: 'FAILED', error: { step: 'PROCESSING_PREVIEW', code: 'MEDIA_OVER_BUDGET', message: `No preview is made of this file: ${message}` } });
      }
    });
  });
});
