import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHarness, type Harness } from './support/harness';
import { givenStudio, type Session } from './support/factories';
import { makeBlenderScene, makeCorruptBlend } from './support/blenderScene';
import { renderWorkerFor, waitFor } from './support/workers';
import { reconcileRenders } from '../src/app/processors/render.reconciler';
import { bufferOf } from './support/uploads';
import { listen as listenSocket, type Listener } from './support/sockets';
import { ownBlenderRenders } from './support/processes';

describe('render farm: the API dispatches, a worker renders for real', () => {
  let h: Harness;
  let s: Session;
  let worker: { close(): Promise<void> };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'studio-render-worker-'));
  let tiny: Buffer;
  let url: string;
  const sockets: Listener[] = [];
  const listen = async (token: string, joinAsset?: string) => {
    const l = await listenSocket(url, token);
    sockets.push(l);
    if (joinAsset) {
      const reply = (await l.socket.timeout(5000).emitWithAck('asset:join', { assetId: joinAsset })) as { data?: unknown; error?: { code: string } };
      if (!reply.data) throw new Error(`asset:join failed: ${JSON.stringify(reply.error)}`);
    }
    return l.events;
  };

  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '100000' });
    s = await givenStudio(h);
    worker = await renderWorkerFor(h, { reconcileEveryMs: 3_600_000 });
    ({ url } = await h.listenRealtime());
    tiny = readFileSync(await makeBlenderScene(path.join(dir, 'tiny.blend'), { frames: 4, size: 64, samples: 4 }));
  }, 120_000);
  afterAll(async () => {
    for (const l of sockets) l.socket.disconnect();
    await worker.close();
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function assetWith(name: string, file: Buffer, fileName: string) {
    const asset = (await h.http.post('/assets').set(s.auth).send({ name, type: 'SHOT' }).expect(201)).body as { id: string };
    await h.http.post(`/assets/${asset.id}/versions`).set(s.auth).attach('file', file, fileName).expect(201);
    return asset.id;
  }
  const job = async (id: string) => (await h.http.get(`/render-jobs/${id}`).set(s.auth)).body;

  it('answers 202 at once, renders 4 frames in 2 chunks, and completes with 4 stored frames and a playable preview', async () => {
    const assetId = await assetWith('Shot 010', tiny, 'sh010.blend');
    const mine = await listen(s.accessToken, assetId);
    const studioWide = await listen(s.accessToken);
    const other = await givenStudio(h);
    const theirs = await listen(other.accessToken);
    const theirSocket = sockets.at(-1)!.socket;
    const theirJoin = (await theirSocket.timeout(5000).emitWithAck('asset:join', { assetId })) as { error?: { code: string } };
    expect(theirJoin.error?.code).toBe('ASSET_NOT_FOUND');
    const res = await h.http.post(`/assets/${assetId}/render`).set(s.auth).send({ frames: { start: 1, end: 4 }, chunkSize: 2 });
    // "At once": 202 with the job still QUEUED, so the answer did not wait for the render.
    expect(res.status).toBe(202);
    expect(res.headers.location).toBe(`/render-jobs/${res.body.id}`);
    expect(res.body).toMatchObject({ status: 'QUEUED', engine: 'blender', frames: { start: 1, end: 4 }, chunks: [{ index: 0, start: 1, end: 2 }, { index: 1, start: 3, end: 4 }] });

    const done = await waitFor('render to complete', async () => {
      const j = await job(res.body.id);
      if (j.status === 'FAILED') throw new Error(`render failed: ${JSON.stringify(j.error)}`);
      return j.status === 'COMPLETED' && j;
    }, 90_000);
    expect(done.progress).toBe(100);
    expect(done.outputs.frames.map((f: { frame: number }) => f.frame)).toEqual([1, 2, 3, 4]);
    expect(done.chunks.map((c: { status: string; attempts: number }) => [c.status, c.attempts])).toEqual([['COMPLETED', 1], ['COMPLETED', 1]]);
    const stored = await h.container.storage.list(`studios/${s.user.studioId}/renders/${res.body.id}/`);
    expect(stored.filter((k) => k.includes('/frames/'))).toHaveLength(4);
    // The reply names what was made, never where it is stored.
    expect(done.outputs).toEqual({ frames: [1, 2, 3, 4].map((frame) => ({ frame })), preview: true });
    const record = (await h.container.models.RenderJob.findById(res.body.id).lean())!;
    expect(JSON.stringify(done)).not.toContain(record.outputs.previewKey!);
    expect(JSON.stringify(done)).not.toContain(record.outputToken!);
    const preview = path.join(dir, 'preview.mp4');
    writeFileSync(preview, await bufferOf(await h.container.storage.read(record.outputs.previewKey!)));
    const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-print_format', 'json', '-show_streams', '-show_format', preview]).toString());
    expect(probe.streams[0]).toMatchObject({ codec_name: 'h264', nb_read_frames: '4', width: 64, height: 64 });
    expect(Number(probe.format.duration)).toBeGreaterThan(0);
    // The same preview over HTTP, for the web app's player: whole, by range, and never to another studio.
    const served = await h.http.get(`/render-jobs/${res.body.id}/preview`).set(s.auth).buffer(true).parse((r, cb) => { const parts: Buffer[] = []; r.on('data', (c: Buffer) => parts.push(c)); r.on('end', () => cb(null, Buffer.concat(parts))); });
    expect(served.status).toBe(200);
    expect(served.headers['content-type']).toBe('video/mp4');
    expect(Buffer.compare(served.body as Buffer, readFileSync(preview))).toBe(0);
    const ranged = await h.http.get(`/render-jobs/${res.body.id}/preview`).set(s.auth).set('Range', 'bytes=0-9');
    expect(ranged.status).toBe(206);
    expect(ranged.headers['content-range']).toBe(`bytes 0-9/${readFileSync(preview).length}`);
    expect((await h.http.get(`/render-jobs/${res.body.id}/preview`).set(other.auth)).status).toBe(404);

    // Progress reached the client watching the asset, completion every client of the studio, through the
    // workers' Redis emitter...
    await waitFor('render events', async () => (mine['render:completed'] ?? []).length === 1 && (studioWide['render:completed'] ?? []).length === 1, 10_000, 50);
    const progress = mine['render:progress'] ?? [];
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.every((p) => p.jobId === res.body.id && p.assetId === assetId)).toBe(true);
    expect(progress.at(-1)!.progress).toBe(100);
    expect(mine['render:completed']![0]).toEqual({ jobId: res.body.id, assetId, frames: 4, preview: true });
    // ...progress (asset-room only) did not reach the studio client that did not join the asset, both events
    // arriving in order on one connection, so completion is the sentinel that progress would have come before...
    expect(studioWide['render:progress']).toBeUndefined();
    // ...and nothing of it reached another studio's client. Sentinel: an answer from the same server on that
    // client's own connection, asked for after `studioWide` had the completion. The server relays the
    // worker's events in the order they were published and writes each to all the sockets it goes to at
    // once, so anything of this render meant for `theirs` was written to its connection before this answer.
    expect(((await theirSocket.timeout(5000).emitWithAck('asset:join', { assetId })) as { error?: { code: string } }).error?.code).toBe('ASSET_NOT_FOUND');
    expect(theirs['render:progress']).toBeUndefined();
    expect(theirs['render:completed']).toBeUndefined();
  }, 120_000);

  it('fails a corrupt .blend at once with a clear error and no retries', async () => {
    const assetId = await assetWith('Broken Shot', readFileSync(makeCorruptBlend(path.join(dir, 'bad.blend'))), 'broken.blend');
    const res = await h.http.post(`/assets/${assetId}/render`).set(s.auth).send({ frames: { start: 1, end: 2 }, maxAttempts: 3 });
    const failed = await waitFor('render to fail', async () => {
      const j = await job(res.body.id);
      return j.status === 'FAILED' && j;
    }, 60_000);
    expect(failed.error.code).toBe('RENDER_SCENE_INVALID');
    expect(failed.error.message).toMatch(/cannot read the scene/i);
    expect(failed.chunks[0].attempts).toBe(1);
  }, 90_000);

  it('cancels a running render: the Blender process is killed and the job ends CANCELLED', async () => {
    const long = readFileSync(await makeBlenderScene(path.join(dir, 'long.blend'), { frames: 60, size: 128, samples: 512 }));
    const assetId = await assetWith('Long Shot', long, 'long.blend');
    const res = await h.http.post(`/assets/${assetId}/render`).set(s.auth).send({ frames: { start: 1, end: 60 }, chunkSize: 60 });
    await waitFor('render to start', async () => (await job(res.body.id)).status === 'PROCESSING', 60_000, 100);
    // The worker runs in this process, so its Blender is a child of this process; only those are looked at
    // (other test files and other people run Blender too).
    const running = await waitFor('blender to run', async () => {
      const renders = ownBlenderRenders();
      return renders.length > 0 && renders;
    }, 30_000, 100);
    expect(running).toHaveLength(1);
    const cancelled = await h.http.post(`/render-jobs/${res.body.id}/cancel`).set(s.auth);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('CANCELLED');
    await waitFor('blender to stop', async () => ownBlenderRenders().length === 0, 10_000, 100);
    const after = await job(res.body.id);
    expect(after.status).toBe('CANCELLED');
    expect(after.outputs.frames).toEqual([]);
    expect((await h.http.post(`/render-jobs/${res.body.id}/cancel`).set(s.auth)).status).toBe(409);
  }, 120_000);

  it('returns the same job for a retried request with the same Idempotency-Key', async () => {
    const assetId = await assetWith('Idempotent', tiny, 'idem.blend');
    const first = await h.http.post(`/assets/${assetId}/render`).set(s.auth).set('Idempotency-Key', 'render-req-0001').send({ engine: 'simulated' });
    const again = await h.http.post(`/assets/${assetId}/render`).set(s.auth).set('Idempotency-Key', 'render-req-0001').send({ engine: 'simulated' });
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    expect(await h.container.models.RenderJob.countDocuments({ assetId })).toBe(1);
  });

  it('retries a FAILED render, singly and in bulk', async () => {
    const assetId = await assetWith('Retry Me', readFileSync(makeCorruptBlend(path.join(dir, 'bad2.blend'))), 'again.blend');
    const res = await h.http.post(`/assets/${assetId}/render`).set(s.auth).send({});
    await waitFor('failure', async () => (await job(res.body.id)).status === 'FAILED');
    const retried = await h.http.post(`/render-jobs/${res.body.id}/retry`).set(s.auth);
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ status: 'QUEUED', attempts: 2, error: null });
    await waitFor('second failure', async () => (await job(res.body.id)).status === 'FAILED');
    const bulk = await h.http.post('/render-jobs/retry').set(s.auth).send({ assetId });
    expect(bulk.body.retried).toEqual([res.body.id]);
    expect((await h.http.post(`/render-jobs/${res.body.id}/retry`).set(s.auth)).status).toBe(409);
    await waitFor('third failure', async () => (await job(res.body.id)).status === 'FAILED');
  }, 90_000);

  it('re-enqueues a QUEUED render whose queue entry Redis lost', async () => {
    await worker.close();
    const assetId = await assetWith('Lost In Redis', tiny, 'lost.blend');
    const res = await h.http.post(`/assets/${assetId}/render`).set(s.auth).send({ engine: 'simulated', frames: { start: 1, end: 3 } });
    await h.container.queue.queue('render').obliterate({ force: true });
    expect(await h.container.queue.queue('render').getJobCountByTypes('waiting', 'waiting-children', 'prioritized')).toBe(0);
    const requeued = await reconcileRenders({ renders: h.container.repos.renders, service: h.container.services.renders, queue: h.container.queue.queue('render'), logger: h.container.logger, graceMs: 0 });
    expect(requeued).toBeGreaterThanOrEqual(1);
    worker = await renderWorkerFor(h, { reconcileEveryMs: 3_600_000 });
    const done = await waitFor('reconciled render', async () => {
      const j = await job(res.body.id);
      return j.status === 'COMPLETED' && j;
    });
    expect(done.outputs.frames).toHaveLength(3);
  }, 90_000);

  it('keeps render jobs inside their studio', async () => {
    const other = await givenStudio(h);
    const assetId = await assetWith('Private Render', tiny, 'p.blend');
    const res = await h.http.post(`/assets/${assetId}/render`).set(s.auth).send({ engine: 'simulated' });
    expect((await h.http.get(`/render-jobs/${res.body.id}`).set(other.auth)).status).toBe(404);
    expect((await h.http.get(`/render-jobs/${res.body.id}/preview`).set(other.auth)).status).toBe(404);
    // A simulated render makes no preview: its owner hears that in the error contract.
    const none = await h.http.get(`/render-jobs/${res.body.id}/preview`).set(s.auth);
    expect(none.status).toBe(404);
    expect(none.body.error.code).toBe('RENDER_PREVIEW_NOT_READY');
    expect((await h.http.post(`/render-jobs/${res.body.id}/cancel`).set(other.auth)).status).toBe(404);
    expect((await h.http.post(`/assets/${assetId}/render`).set(other.auth).send({})).status).toBe(404);
    expect((await h.http.get('/render-jobs').set(other.auth)).body.data).toEqual([]);
  });
});
