import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { Ffmpeg, isPermanentMediaError } from '../src/infra/media/ffmpeg';
import { makeImageThumbnail } from '../src/infra/media/images';

describe('media: real ffmpeg and sharp', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'studio-media-'));
  const ffmpeg = new Ffmpeg({ ffmpegPath: 'ffmpeg' });
  const video = path.join(dir, 'in.mp4');
  beforeAll(() => {
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=24', '-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '2', '-c:v', 'libx264', '-pix_fmt', 'yuv444p', '-c:a', 'aac', '-shortest', video]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('makes a poster frame of the requested width', async () => {
    const out = path.join(dir, 'poster.png');
    await ffmpeg.posterFrame(video, out, { width: 160, mimeType: 'video/mp4' });
    expect(await sharp(out).metadata()).toMatchObject({ width: 160, height: 120, format: 'png' });
  });

  it('makes an H.264 yuv420p proxy of the requested height and the same duration', async () => {
    const out = path.join(dir, 'proxy.mp4');
    await ffmpeg.proxy(video, out, { height: 120, mimeType: 'video/mp4' });
    const p = await ffmpeg.probe(out, { mimeType: 'video/mp4' });
    expect(p).toMatchObject({ codec: 'h264', pixFmt: 'yuv420p', height: 120, width: 160, hasAudio: true });
    expect(Math.abs(p.durationSeconds - 2)).toBeLessThan(0.2);
  });

  it.each(['24000/1001', '25/1', '30000/1001'])('keeps every frame of a %s fps clip in the proxy, at the same rational rate and timestamps', async (rate) => {
    const src = path.join(dir, `rate-${rate.replace('/', '-')}.mp4`);
    const out = path.join(dir, `rate-${rate.replace('/', '-')}-proxy.mp4`);
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `testsrc2=size=320x240:rate=${rate}`, '-frames:v', '73', '-c:v', 'libx264', '-pix_fmt', 'yuv444p', src]);
    await ffmpeg.proxy(src, out, { height: 120, mimeType: 'video/mp4' });
    const [num, den] = rate.split('/').map(Number) as [number, number];
    const p = await ffmpeg.probe(out, { mimeType: 'video/mp4' });
    expect(p).toMatchObject({ frames: 73, rate: { num, den } });
    // Frame n is shown at n·den/num in both: nothing dropped, duplicated or moved.
    const times = (file: string) =>
      (JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'frame=pts_time', '-of', 'json', file]).toString()) as { frames: Array<{ pts_time: string }> }).frames.map((f) => Number(f.pts_time));
    const proxyTimes = times(out);
    expect(proxyTimes).toEqual(times(src));
    expect(proxyTimes.map((t, n) => Math.round((t * num) / den) - n).filter((d) => d !== 0)).toEqual([]);
  });

  it('encodes rendered frames into a playable movie with one video frame per image', async () => {
    for (let i = 1; i <= 4; i++) {
      await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: i * 50, g: 0, b: 0 } } }).png().toFile(path.join(dir, `frame_${String(i).padStart(5, '0')}.png`));
    }
    const out = path.join(dir, 'preview.mp4');
    await ffmpeg.framesToMovie(path.join(dir, 'frame_%05d.png'), out, { fps: 24, startNumber: 1 });
    const p = await ffmpeg.probe(out, { mimeType: 'video/mp4' });
    expect(p).toMatchObject({ codec: 'h264', frames: 4, width: 64, height: 64 });
    expect(p.durationSeconds).toBeCloseTo(4 / 24, 1);
  });

  it('fails permanently with MEDIA_PROCESSING_FAILED on a corrupt input', async () => {
    const bad = path.join(dir, 'bad.mp4');
    writeFileSync(bad, Buffer.from('this is not a video at all'));
    const err = await ffmpeg.proxy(bad, path.join(dir, 'x.mp4'), { height: 120, mimeType: 'video/mp4' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MEDIA_PROCESSING_FAILED' });
    expect(isPermanentMediaError(err)).toBe(true);
  });

  it('says MEDIA_TOOL_UNAVAILABLE when ffmpeg is missing', async () => {
    const missing = new Ffmpeg({ ffmpegPath: '/nonexistent/ffmpeg' });
    await expect(missing.proxy(video, path.join(dir, 'y.mp4'), { height: 120, mimeType: 'video/mp4' })).rejects.toMatchObject({ code: 'MEDIA_TOOL_UNAVAILABLE' });
  });

  it('thumbnails a 1000x500 PNG to fit inside 256 with sharp', async () => {
    const src = path.join(dir, 'wide.png');
    await sharp({ create: { width: 1000, height: 500, channels: 3, background: '#336699' } }).png().toFile(src);
    expect(await makeImageThumbnail(src, path.join(dir, 'wide.thumb.png'), { size: 256, mimeType: 'image/png', ffmpeg })).toEqual({ width: 256, height: 128, format: 'png' });
  });

  it('thumbnails an OpenEXR image, which sharp cannot read, through ffmpeg', async () => {
    const exr = path.join(dir, 'plate.exr');
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=640x480', '-frames:v', '1', '-pix_fmt', 'gbrpf32le', exr]);
    await expect(sharp(exr).metadata()).rejects.toThrow();
    expect(await makeImageThumbnail(exr, path.join(dir, 'plate.thumb.png'), { size: 200, mimeType: 'image/x-exr', ffmpeg })).toEqual({ width: 200, height: 150, format: 'png' });
  });
});
