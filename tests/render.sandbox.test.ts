// Issue 27, finding 2, end to end on the local storage driver: studio A renders a scene whose textures are
// studio B's stored objects, named by their absolute paths on the workers' disk. The render is refused the
// same way whether the file is there or not, nothing of B reaches A, derived objects have keys nobody can
// work out from ids, render-job replies carry no storage keys, and a worker that cannot sandbox refuses to start.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { Types } from 'mongoose';
import { startHarness, type Harness } from './support/harness';
import { givenStudio, type Session } from './support/factories';
import { makeTexturedScene } from './support/blenderScene';
import { pipelineWorkerFor, renderWorkerFor, waitFor } from './support/workers';
import { bufferOf } from './support/uploads';
import { startRenderWorker } from '../src/workers/render.worker';
import { startPipelineWorker } from '../src/workers/pipeline.worker';

const TOKEN = /^[0-9a-f]{32}$/;

describe('renders cannot read other studios\' files (local storage)', () => {
  let h: Harness;
  let a: Session;
  let b: Session;
  let workers: Array<{ close(): Promise<void> }> = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'studio-render-sandbox-'));
  /** Studio B's stored objects: a green plate's thumbnail and a green clip's proxy, as paths on the workers' disk. */
  let bThumbnail: string;
  let bProxy: string;
  let bPlate: { assetId: string };

  const onDisk = (key: string) => path.join(h.config.STORAGE_LOCAL_ROOT, ...key.split('/'));

  async function upload(who: Session, name: string, bytes: Buffer, fileName: string): Promise<string> {
    const asset = (await h.http.post('/assets').set(who.auth).send({ name, type: 'SHOT' }).expect(201)).body as { id: string };
    await h.http.post(`/assets/${asset.id}/versions`).set(who.auth).attach('file', bytes, fileName).expect(201);
    return asset.id;
  }
  const pipelineOf = (assetId: string) =>
    waitFor('the pipeline', async () => {
      const p = await h.container.models.AssetPipeline.findOne({ assetId: new Types.ObjectId(assetId) }).lean();
      if (p?.status === 'FAILED') throw new Error(`pipeline failed: ${JSON.stringify(p.error)}`);
      return p?.status === 'READY' && p;
    }, 60_000);
  async function finished(who: Session, jobId: string) {
    return waitFor('the render to finish', async () => {
      const j = (await h.http.get(`/render-jobs/${jobId}`).set(who.auth)).body as { status: string; error: { code: string; message: string } | null; outputs: unknown };
      return ['COMPLETED', 'FAILED', 'CANCELLED'].includes(j.status) && j;
    }, 90_000);
  }
  async function render(who: Session, scene: string, name: string) {
    const assetId = await upload(who, name, readFileSync(scene), `${name}.blend`);
    const queued = await h.http.post(`/assets/${assetId}/render`).set(who.auth).send({ frames: { start: 1, end: 1 }, maxAttempts: 1 }).expect(202);
    return { assetId, jobId: queued.body.id as string, job: await finished(who, queued.body.id) };
  }
  async function retried(who: Session, jobId: string) {
    await h.http.post(`/render-jobs/${jobId}/retry`).set(who.auth).expect(200);
    return finished(who, jobId);
  }
  const storedUnder = (studio: Session, jobId: string) => h.container.storage.list(`studios/${studio.user.studioId}/renders/${jobId}/`);

  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '100000' });
    [a, b] = [await givenStudio(h), await givenStudio(h)];
    workers = [await pipelineWorkerFor(h), await renderWorkerFor(h, { reconcileEveryMs: 3_600_000 })];
    const plate = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 0, g: 255, b: 0 } } }).png().toBuffer();
    bPlate = { assetId: await upload(b, 'B plate', plate, 'plate.png') };
    const clip = path.join(dir, 'clip.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=green:s=64x64:d=1:r=24', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', clip]);
    const clipAsset = await upload(b, 'B clip', readFileSync(clip), 'clip.mp4');
    bThumbnail = onDisk((await pipelineOf(bPlate.assetId)).outputs.thumbnailKey!);
    bProxy = onDisk((await pipelineOf(clipAsset)).outputs.proxyKey!);
  }, 120_000);
  afterAll(async () => {
    for (const w of workers) await w.close();
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A's render of a scene naming `file`, once while the file exists and once (a retry) after it is gone. */
  async function refusedEitherWay(scene: string, file: string) {
    const first = await render(a, scene, `steals-${path.basename(file)}`);
    // Before issue 27 this render COMPLETED, its frame showing B's picture.
    expect(first.job.status).toBe('FAILED');
    renameSync(file, `${file}.away`);
    let second;
    try {
      second = await retried(a, first.jobId);
    } finally {
      renameSync(`${file}.away`, file);
    }
    expect(first.job.error).toMatchObject({ code: 'RENDER_EXTERNAL_REFERENCE', message: expect.stringContaining(`image "texture" (${file})`) });
    // No presence signal: the answer does not depend on whether B's file exists.
    expect(second.status).toBe('FAILED');
    expect(second.error).toEqual(first.job.error);
    // And no bytes of it: nothing was rendered, so nothing was stored for A.
    expect(await storedUnder(a, first.jobId)).toEqual([]);
  }

  it('refuses A\'s scene whose image texture is B\'s stored thumbnail, the same once the file is gone, and stores nothing', async () => {
    await refusedEitherWay(await makeTexturedScene(path.join(dir, 'thumbnail.blend'), { filepath: bThumbnail }), bThumbnail);
  }, 240_000);

  it('refuses A\'s scene whose movie texture is B\'s H.264 proxy, the same once the file is gone', async () => {
    await refusedEitherWay(await makeTexturedScene(path.join(dir, 'proxy.blend'), { filepath: bProxy, source: 'MOVIE' }), bProxy);
  }, 240_000);

  it('refuses /etc/passwd as an image with the same answer as a file that does not exist', async () => {
    const passwd = await render(a, await makeTexturedScene(path.join(dir, 'passwd.blend'), { filepath: '/etc/passwd' }), 'passwd');
    const nothing = await render(a, await makeTexturedScene(path.join(dir, 'nothing.blend'), { filepath: '/etc/no-such-file' }), 'nothing');
    expect(passwd.job).toMatchObject({ status: 'FAILED', error: { code: 'RENDER_EXTERNAL_REFERENCE' } });
    expect({ ...nothing.job.error!, message: nothing.job.error!.message.replace('/etc/no-such-file', '/etc/passwd') }).toEqual(passwd.job.error);
    expect(await storedUnder(a, passwd.jobId)).toEqual([]);
  }, 240_000);

  it('renders a packed texture, stores frames and preview under keys nobody can derive from ids, and replies without keys', async () => {
    const green = path.join(dir, 'green.png');
    await sharp({ create: { width: 4, height: 4, channels: 3, background: { r: 0, g: 255, b: 0 } } }).png().toFile(green);
    const { jobId, job } = await render(a, await makeTexturedScene(path.join(dir, 'packed.blend'), { filepath: green, pack: true }), 'packed');
    expect(job.status).toBe('COMPLETED');
    const record = (await h.container.models.RenderJob.findById(jobId).lean())!;
    expect(record.outputToken).toMatch(TOKEN);
    const prefix = `studios/${a.user.studioId}/renders/${jobId}/${record.outputToken}`;
    expect(record.outputs.frames.map((f) => f.key)).toEqual([`${prefix}/frames/frame_000001.png`]);
    expect(record.outputs.previewKey).toBe(`${prefix}/preview.mp4`);
    const { data, info } = await sharp(await bufferOf(await h.container.storage.read(record.outputs.frames[0]!.key))).raw().toBuffer({ resolveWithObject: true });
    const i = (8 * info.width + 8) * info.channels;
    expect([...data.subarray(i, i + 3)]).toEqual([0, 255, 0]);
    // The reply says what was made, never where: no key, no token, in the job or in the list.
    expect(job.outputs).toEqual({ frames: [{ frame: 1 }], preview: true });
    const listed = (await h.http.get('/render-jobs').set(a.auth).expect(200)).body as { data: unknown[] };
    for (const text of [JSON.stringify(job), JSON.stringify(listed)]) {
      expect(text).not.toContain(record.outputToken!);
      expect(text).not.toContain('previewKey');
    }
    // A second render of the same version gets its own token.
    const again = (await h.http.post(`/assets/${String(record.assetId)}/render`).set(a.auth).send({ frames: { start: 1, end: 1 } }).expect(202)).body as { id: string };
    const other = (await h.container.models.RenderJob.findById(again.id).lean())!;
    expect(other.outputToken).toMatch(TOKEN);
    expect(other.outputToken).not.toBe(record.outputToken);
    await finished(a, again.id);
  }, 240_000);

  it('gives previews keys nobody can derive from ids, and still serves one stored under an old-style key', async () => {
    const p = await pipelineOf(bPlate.assetId);
    expect(p.outputToken).toMatch(TOKEN);
    expect(p.outputs.thumbnailKey).toBe(`studios/${b.user.studioId}/assets/${bPlate.assetId}/versions/1/${p.outputToken}/thumbnail.png`);
    const served = async () => {
      const res = await h.http.get(`/assets/${bPlate.assetId}/versions/1/thumbnail`).set(b.auth).buffer(true).parse((r, cb) => {
        const parts: Buffer[] = [];
        r.on('data', (c: Buffer) => parts.push(c));
        r.on('end', () => cb(null, Buffer.concat(parts)));
      });
      expect(res.status).toBe(200);
      return res.body as Buffer;
    };
    const bytes = readFileSync(onDisk(p.outputs.thumbnailKey!));
    // A record from before tokens names its own key, and reads follow the record: nothing to migrate.
    const legacy = `studios/${b.user.studioId}/assets/${bPlate.assetId}/versions/1/thumbnail.png`;
    await h.container.storage.write(legacy, (await h.container.storage.read(p.outputs.thumbnailKey!)) as NodeJS.ReadableStream);
    await h.container.models.AssetPipeline.updateOne({ _id: p._id }, { $set: { 'outputs.thumbnailKey': legacy }, $unset: { outputToken: '' } });
    await h.container.storage.delete(p.outputs.thumbnailKey!);
    expect(Buffer.compare(await served(), bytes)).toBe(0);
  });

  describe('a worker that cannot sandbox its tools', () => {
    const infra = (config: Record<string, unknown>) => ({ config: { ...h.config, ...config } as typeof h.config, logger: h.container.logger, mongo: h.container.mongo, redis: h.container.redis, close: async () => undefined });
    let brokenBwrap: string;
    beforeAll(() => {
      const bin = path.join(dir, 'no-userns');
      mkdirSync(bin);
      brokenBwrap = path.join(bin, 'bwrap');
      writeFileSync(brokenBwrap, '#!/bin/sh\necho "bwrap: No permissions to create new namespace, likely because the kernel does not allow non-privileged user namespaces." >&2\nexit 1\n');
      chmodSync(brokenBwrap, 0o755);
    });

    it('refuses to start (render and pipeline workers), naming the fix', async () => {
      for (const start of [startRenderWorker, startPipelineWorker]) {
        const err = await start(infra({ BWRAP_PATH: brokenBwrap })).catch((e: unknown) => e);
        expect(err).toMatchObject({ code: 'SANDBOX_UNAVAILABLE', message: expect.stringMatching(/No permissions to create new namespace.*apt-get install bubblewrap.*MEDIA_SANDBOX=off/s) });
      }
    });

    it('starts with MEDIA_SANDBOX=off, saying so in its log', async () => {
      const before = h.logs.length;
      for (const start of [startRenderWorker, startPipelineWorker]) await (await start(infra({ BWRAP_PATH: brokenBwrap, MEDIA_SANDBOX: 'off' }))).close();
      expect(h.logs.slice(before).filter((l) => l.level === 'warn' && String(l.message).startsWith('MEDIA_SANDBOX=off'))).toHaveLength(2);
    });
  });
});
