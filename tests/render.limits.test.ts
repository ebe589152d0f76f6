// Render requests have bounds the server sets (422 past them) and studios have quotas (429 past them), so
// one studio's flood of the largest allowed renders can neither lock the farm nor slow another studio down.
import { Types } from 'mongoose';
import { startHarness, type Harness } from './support/harness';
import { givenStudio, PASSWORD, type Session } from './support/factories';
import { renderWorkerFor, waitFor } from './support/workers';
import { SimulatedEngine } from '../src/infra/render/SimulatedEngine';

const LIMITS = {
  RATE_LIMIT_MAX: '100000',
  RENDER_MAX_FRAMES: '200',
  RENDER_MAX_CHUNKS: '50',
  RENDER_ATTEMPTS_LIMIT: '3',
  RENDER_CHUNK_TIMEOUT_LIMIT_MS: '60000',
  RENDER_STUDIO_MAX_OUTSTANDING_FRAMES: '400',
  RENDER_STUDIO_MAX_OUTSTANDING_CHUNKS: '120',
  RENDER_STUDIO_SUBMISSIONS_PER_MINUTE: '8',
  RENDER_CONCURRENCY: '1',
};

describe('render farm: limits and quotas', () => {
  let h: Harness;
  let worker: { close(): Promise<void> } | undefined;
  beforeAll(async () => {
    h = await startHarness(LIMITS);
  });
  afterAll(async () => {
    await worker?.close();
    await h.close();
  });

  async function renderable(s: Session, name = `Shot ${new Types.ObjectId().toHexString().slice(-6)}`) {
    const asset = (await h.http.post('/assets').set(s.auth).send({ name, type: 'SHOT' }).expect(201)).body as { id: string };
    await h.http.post(`/assets/${asset.id}/versions`).set(s.auth).attach('file', Buffer.from('; FBX 7.4.0 project file\n'), 'shot.fbx').expect(201);
    return asset.id;
  }
  const jobsOf = (assetId: string) => h.container.models.RenderJob.countDocuments({ assetId: new Types.ObjectId(assetId) });

  it('refuses, with 422 and what to change, a render past the bounds, and stores nothing', async () => {
    const s = await givenStudio(h);
    const assetId = await renderable(s);
    const tooManyChunks = await h.http.post(`/assets/${assetId}/render`).set(s.auth).send({ engine: 'simulated', frames: { start: 1, end: 200 }, chunkSize: 1 });
    expect([tooManyChunks.status, tooManyChunks.body.error.code]).toEqual([422, 'RENDER_TOO_MANY_CHUNKS']);
    expect(tooManyChunks.body.error.details).toEqual([{ path: 'chunkSize', message: 'must be at least 4 for 200 frames' }]);
    const attempts = await h.http.post(`/assets/${assetId}/render`).set(s.auth).send({ engine: 'simulated', maxAttempts: 10 });
    expect([attempts.status, attempts.body.error.code]).toEqual([422, 'RENDER_ATTEMPTS_OVER_LIMIT']);
    const timeout = await h.http.post(`/assets/${assetId}/render`).set(s.auth).send({ engine: 'simulated', chunkTimeoutMs: 3_600_000 });
    expect([timeout.status, timeout.body.error.code]).toEqual([422, 'RENDER_TIMEOUT_OVER_LIMIT']);
    const frames = await h.http.post(`/assets/${assetId}/render`).set(s.auth).send({ engine: 'simulated', frames: { start: 1, end: 201 } });
    expect(frames.status).toBe(400);
    expect(await jobsOf(assetId)).toBe(0);
    // Without a chunk size, a long range gets chunks big enough to stay within the bound.
    const auto = await h.http.post(`/assets/${assetId}/render`).set(s.auth).send({ engine: 'simulated', frames: { start: 1, end: 200 } }).expect(202);
    expect([auto.body.chunkSize, auto.body.chunks.length]).toEqual([10, 20]);
    await h.http.post(`/render-jobs/${auto.body.id}/cancel`).set(s.auth).expect(200);
  });

  it('holds each studio to its outstanding frames and chunks (429 with Retry-After) without touching another studio', async () => {
    const a = await givenStudio(h);
    const b = await givenStudio(h);
    const assetA = await renderable(a);
    const assetB = await renderable(b);
    const first = await h.http.post(`/assets/${assetA}/render`).set(a.auth).send({ engine: 'simulated', frames: { start: 1, end: 200 } }).expect(202);
    await h.http.post(`/assets/${assetA}/render`).set(a.auth).send({ engine: 'simulated', frames: { start: 1, end: 200 } }).expect(202);
    const over = await h.http.post(`/assets/${assetA}/render`).set(a.auth).send({ engine: 'simulated', frames: { start: 1, end: 1 } });
    expect([over.status, over.body.error.code, over.headers['retry-after']]).toEqual([429, 'RENDER_QUOTA_EXCEEDED', '60']);
    expect(await jobsOf(assetA)).toBe(2);
    await h.http.post(`/assets/${assetB}/render`).set(b.auth).send({ engine: 'simulated', frames: { start: 1, end: 200 } }).expect(202);
    // Chunks have their own quota (120 here): B now has 20 chunks; 50 + 50 more make 120, and one more is
    // one too many, though B is far from its frames quota.
    for (let i = 0; i < 2; i++) await h.http.post(`/assets/${assetB}/render`).set(b.auth).send({ engine: 'simulated', frames: { start: 1, end: 50 }, chunkSize: 1 }).expect(202);
    const chunky = await h.http.post(`/assets/${assetB}/render`).set(b.auth).send({ engine: 'simulated', frames: { start: 1, end: 1 } });
    expect([chunky.status, chunky.body.error.code]).toEqual([429, 'RENDER_QUOTA_EXCEEDED']);
    expect(chunky.body.error.message).toMatch(/120 at once/);
    // Cancelling frees the quota at once, whatever the render's size.
    const cancelled = await h.http.post(`/render-jobs/${first.body.id}/cancel`).set(a.auth).expect(200);
    expect(cancelled.body.status).toBe('CANCELLED');
    await h.http.post(`/assets/${assetA}/render`).set(a.auth).send({ engine: 'simulated', frames: { start: 1, end: 1 } }).expect(202);
    // The cancelled render's queue entries go after the answer.
    await waitFor('cancelled chunks removed from the queue', async () => {
      const jobs = await h.container.queue.queue('render').getJobs(['prioritized', 'waiting', 'waiting-children', 'delayed']);
      return !jobs.some((j) => j?.data?.renderJobId === first.body.id);
    }, 10_000);
  });

  it('applies the quotas to retries too: cancel-and-retry cannot get round them', async () => {
    const s = await givenStudio(h);
    const assetId = await renderable(s);
    const big = { engine: 'simulated', frames: { start: 1, end: 200 } };
    const first = (await h.http.post(`/assets/${assetId}/render`).set(s.auth).send(big).expect(202)).body as { id: string };
    await h.http.post(`/assets/${assetId}/render`).set(s.auth).send(big).expect(202);
    await h.http.post(`/render-jobs/${first.id}/cancel`).set(s.auth).expect(200);
    await h.http.post(`/assets/${assetId}/render`).set(s.auth).send(big).expect(202);
    const retry = await h.http.post(`/render-jobs/${first.id}/retry`).set(s.auth);
    expect([retry.status, retry.body.error.code]).toEqual([429, 'RENDER_QUOTA_EXCEEDED']);
    const bulk = await h.http.post('/render-jobs/retry').set(s.auth).send({ status: 'CANCELLED' });
    expect([bulk.status, bulk.body.error.code]).toEqual([429, 'RENDER_QUOTA_EXCEEDED']);
    expect((await h.container.models.RenderJob.findById(first.id).lean())!.status).toBe('CANCELLED');
  });

  it('limits render requests per studio per minute (429), not per person', async () => {
    const s = await givenStudio(h);
    const other = await givenStudio(h);
    const assetId = await renderable(s);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await h.http.post(`/assets/${assetId}/render`).set(s.auth).send({ engine: 'simulated', frames: { start: 1, end: 1 } })).status);
    expect(statuses.filter((x) => x === 202)).toHaveLength(8);
    const limited = await h.http.post(`/assets/${assetId}/render`).set(s.auth).send({ engine: 'simulated' });
    expect([limited.status, limited.body.error.code]).toEqual([429, 'RENDER_RATE_LIMITED']);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const otherAsset = await renderable(other);
    await h.http.post(`/assets/${otherAsset}/render`).set(other.auth).send({ engine: 'simulated' }).expect(202);
  });

  it('under a flood of the largest allowed renders from one studio, another studio keeps working and its render runs within 10 queued jobs', async () => {
    const flooder = await givenStudio(h);
    const victim = await givenStudio(h);
    const floodAsset = await renderable(flooder);
    const victimAsset = await renderable(victim);
    const floodStatuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      floodStatuses.push((await h.http.post(`/assets/${floodAsset}/render`).set(flooder.auth).send({ engine: 'simulated', frames: { start: 1, end: 200 }, chunkSize: 4, maxAttempts: 3, chunkTimeoutMs: 60_000 })).status);
    }
    // Two fit the studio's 400 frames; the rest are refused by the quota or the per-minute limit.
    expect(floodStatuses.filter((x) => x === 202)).toHaveLength(2);
    expect(floodStatuses.filter((x) => x === 429)).toHaveLength(10);

    worker = await renderWorkerFor(h, { engines: { simulated: new SimulatedEngine({ msPerFrame: 20 }) }, reconcileEveryMs: 3_600_000 });
    const victimRender = (await h.http.post(`/assets/${victimAsset}/render`).set(victim.auth).send({ engine: 'simulated' }).expect(202)).body as { id: string };
    // Everything else the victim studio does keeps answering 2xx while the flood renders.
    const answers: number[] = [];
    for (let i = 0; i < 5; i++) {
      answers.push((await h.http.post('/auth/login').send({ email: victim.user.email, password: PASSWORD })).status);
      answers.push((await h.http.get('/assets').set(victim.auth)).status);
      answers.push((await h.http.post(`/assets/${victimAsset}/versions`).set(victim.auth).attach('file', Buffer.from(`; FBX 7.4.0 project file ${i}\n`), `v${i}.fbx`)).status);
      answers.push((await h.http.get('/render-jobs').set(victim.auth)).status);
    }
    expect(answers.filter((x) => x >= 300)).toEqual([]);
    const done = await waitFor('the victim\'s render', async () => {
      const j = (await h.http.get(`/render-jobs/${victimRender.id}`).set(victim.auth)).body;
      return j.status === 'COMPLETED' && j;
    }, 60_000, 100);
    await worker.close();
    worker = undefined;
    const floodChunksBefore = await h.container.models.RenderChunk.countDocuments({
      studioId: new Types.ObjectId(flooder.user.studioId),
      status: 'COMPLETED',
      finishedAt: { $lte: new Date(done.startedAt as string) },
    });
    expect(floodChunksBefore).toBeLessThan(10);
  }, 120_000);
});
