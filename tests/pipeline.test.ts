import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { startHarness, type Harness } from './support/harness';
import { givenMember, givenStudio, type Session } from './support/factories';
import { makeBlenderScene } from './support/blenderScene';
import { pipelineWorkerFor, renderWorkerFor, waitFor } from './support/workers';
import { listen } from './support/sockets';
import { reconcilePipelines } from '../src/app/processors/pipeline.reconciler';

describe('asset pipeline: every new version is validated and previewed by itself', () => {
  let h: Harness;
  let s: Session;
  let workers: Array<{ close(): Promise<void> }> = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'studio-pipeline-'));

  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '100000', THUMBNAIL_SIZE: '128', PROXY_HEIGHT: '120' });
    s = await givenStudio(h);
    workers = [await pipelineWorkerFor(h), await renderWorkerFor(h, { reconcileEveryMs: 3_600_000 })];
  });
  afterAll(async () => {
    for (const w of workers) await w.close();
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function upload(name: string, bytes: Buffer, fileName: string) {
    const asset = (await h.http.post('/assets').set(s.auth).send({ name, type: 'OTHER' }).expect(201)).body as { id: string };
    await h.http.post(`/assets/${asset.id}/versions`).set(s.auth).attach('file', bytes, fileName).expect(201);
    return asset.id;
  }
  const settled = (assetId: string) =>
    waitFor('pipeline to settle', async () => {
      const res = await h.http.get(`/assets/${assetId}/versions/1/pipeline`).set(s.auth);
      return (res.body.status === 'READY' || res.body.status === 'FAILED') && res.body;
    }, 60_000);
  const binary = (req: ReturnType<Harness['http']['get']>) =>
    req.buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });

  it('thumbnails a PNG to the configured size, recording each step with its timing and announcing each state', async () => {
    const { url } = await h.listenRealtime();
    const client = await listen(url, s.accessToken);
    const updates = () => (client.events['pipeline:update'] ?? []) as Array<{ assetId: string; status: string }>;
    const png = await sharp({ create: { width: 1000, height: 500, channels: 3, background: '#884422' } }).png().toBuffer();
    const assetId = await upload('Matte', png, 'matte.png');
    const p = await settled(assetId);
    expect(p.status).toBe('READY');
    expect(p.steps.map((st: { name: string; status: string }) => [st.name, st.status])).toEqual([
      ['VALIDATING', 'DONE'],
      ['PROCESSING_PREVIEW', 'DONE'],
      ['RENDER_QUEUED', 'SKIPPED'],
    ]);
    for (const st of p.steps) expect(st.durationMs).toEqual(expect.any(Number));
    const thumb = await binary(h.http.get(`/assets/${assetId}/versions/1/thumbnail`).set(s.auth));
    expect(thumb.status).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/png');
    expect(await sharp(thumb.body as Buffer).metadata()).toMatchObject({ width: 128, height: 64 });
    expect(p.media).toBeNull();
    expect((await h.http.get(`/assets/${assetId}/versions/1/preview`).set(s.auth)).status).toBe(404);
    await waitFor('pipeline events', async () => updates().some((u) => u.assetId === assetId && u.status === 'READY'), 5000, 50);
    expect(updates().filter((u) => u.assetId === assetId).map((u) => u.status)).toEqual(['VALIDATING', 'PROCESSING_PREVIEW', 'RENDER_QUEUED', 'READY']);
    client.socket.disconnect();
  });

  it('makes a poster and a playable H.264 proxy for an MP4', async () => {
    const mp4 = path.join(dir, 'clip.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30000/1001', '-frames:v', '31', '-c:v', 'libx264', '-pix_fmt', 'yuv444p', mp4]);
    const assetId = await upload('Clip', readFileSync(mp4), 'clip.mp4');
    const p = await settled(assetId);
    expect(p.status).toBe('READY');
    // What a frame-accurate player needs: the exact rational rate and every frame.
    expect(p.media).toEqual({ fps: { num: 30000, den: 1001 }, frames: 31, width: 160, height: 120, durationSeconds: expect.closeTo(31 * 1001 / 30000, 2) });
    const poster = await binary(h.http.get(`/assets/${assetId}/versions/1/thumbnail`).set(s.auth));
    expect(await sharp(poster.body as Buffer).metadata()).toMatchObject({ width: 128, format: 'png' });
    const proxy = await binary(h.http.get(`/assets/${assetId}/versions/1/preview`).set(s.auth));
    expect(proxy.status).toBe(200);
    writeFileSync(path.join(dir, 'proxy.mp4'), proxy.body as Buffer);
    const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_streams', path.join(dir, 'proxy.mp4')]).toString());
    expect(probe.streams[0]).toMatchObject({ codec_name: 'h264', pix_fmt: 'yuv420p', height: 120 });
    const ranged = await h.http.get(`/assets/${assetId}/versions/1/preview`).set(s.auth).set('Range', 'bytes=0-99');
    expect(ranged.status).toBe(206);
  });

  it('queues a render for a .blend version when the studio auto-renders', async () => {
    const artist = await givenMember(h, s, 'ARTIST');
    expect((await h.http.patch('/studio/settings').set(artist.auth).send({ autoRender: true })).status).toBe(403);
    expect((await h.http.patch('/studio/settings').set(s.auth).send({ autoRender: true })).body.settings.autoRender).toBe(true);
    const blend = readFileSync(await makeBlenderScene(path.join(dir, 'auto.blend'), { frames: 1, size: 32, samples: 2 }));
    const assetId = await upload('Auto Render', blend, 'auto.blend');
    const p = await settled(assetId);
    expect(p.status).toBe('READY');
    expect(p.steps.at(-1)).toMatchObject({ name: 'RENDER_QUEUED', status: 'DONE' });
    expect(p.outputs.renderJobId).toEqual(expect.any(String));
    const job = await waitFor('auto render', async () => {
      const j = (await h.http.get(`/render-jobs/${p.outputs.renderJobId}`).set(s.auth)).body;
      return (j.status === 'COMPLETED' || j.status === 'FAILED') && j;
    });
    expect(job.status).toBe('COMPLETED');
    await h.http.patch('/studio/settings').set(s.auth).send({ autoRender: false }).expect(200);
  }, 90_000);

  it('fails at VALIDATING, with the step and error recorded, when the stored bytes were tampered with', async () => {
    await Promise.all(workers.map((w) => w.close()));
    const assetId = await upload('Tampered', Buffer.from('; FBX 7.4.0 project file\nObjects: {}\n'), 'tampered.fbx');
    const v = await h.container.models.AssetVersion.findOne({ assetId }).lean();
    await h.container.storage.write(v!.file.key, Readable.from([Buffer.from('; FBX 7.4.0 project file\nObjects: {evil}\n')]));
    workers = [await pipelineWorkerFor(h)];
    const p = await settled(assetId);
    expect(p.status).toBe('FAILED');
    expect(p.error).toMatchObject({ step: 'VALIDATING', code: 'STORED_OBJECT_CORRUPT' });
    expect(p.steps).toEqual([expect.objectContaining({ name: 'VALIDATING', status: 'FAILED' })]);
  });

  it('restarts a pipeline whose queue entry Redis lost', async () => {
    await Promise.all(workers.map((w) => w.close()));
    const png = await sharp({ create: { width: 40, height: 20, channels: 3, background: '#0f0' } }).png().toBuffer();
    const assetId = await upload('Lost Pipeline', png, 'lost.png');
    await waitFor('the pipeline job to be queued', async () => (await h.container.queue.queue('asset-pipeline').getJobCountByTypes('prioritized', 'waiting')) > 0, 5000, 50);
    await h.container.queue.queue('asset-pipeline').obliterate({ force: true });
    expect((await h.http.get(`/assets/${assetId}/versions/1/pipeline`).set(s.auth)).body.status).toBe('UPLOADED');
    const restarted = await reconcilePipelines({ pipelines: h.container.repos.pipelines, queue: h.container.queue, logger: h.container.logger, graceMs: 0 });
    expect(restarted).toBeGreaterThanOrEqual(1);
    workers = [await pipelineWorkerFor(h)];
    expect((await settled(assetId)).status).toBe('READY');
  });

  it('reads a committed version whose pipeline is not recorded yet as UPLOADED, and a version never committed as 404', async () => {
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#123' } }).png().toBuffer();
    const assetId = await upload('Early Reader', png, 'early.png');
    await settled(assetId);
    // The moment between the commit's answer and the pipeline's first write, recreated once the worker is done.
    await h.container.models.AssetPipeline.deleteMany({ assetId });
    const early = await h.http.get(`/assets/${assetId}/versions/1/pipeline`).set(s.auth).expect(200);
    expect(early.body).toMatchObject({ assetId, version: 1, status: 'UPLOADED', steps: [], error: null, outputs: { thumbnail: false, preview: false, renderJobId: null } });
    const never = await h.http.get(`/assets/${assetId}/versions/2/pipeline`).set(s.auth).expect(404);
    expect(never.body.error.code).toBe('PIPELINE_NOT_FOUND');
  });

  it('hides another studio\'s pipeline', async () => {
    const png = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#000' } }).png().toBuffer();
    const assetId = await upload('Private Pipeline', png, 'p.png');
    const other = await givenStudio(h);
    expect((await h.http.get(`/assets/${assetId}/versions/1/pipeline`).set(other.auth)).status).toBe(404);
    expect((await h.http.get(`/assets/${assetId}/versions/1/thumbnail`).set(other.auth)).status).toBe(404);
  });
});
