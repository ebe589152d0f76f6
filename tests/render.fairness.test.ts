// Fair queues: the render farm and the pipeline queues are shared by every studio, so one studio's backlog
// must not hold back another studio's first render or first preview, and no client chooses its own priority.
import { Types } from 'mongoose';
import { startHarness, type Harness } from './support/harness';
import { givenStudio, type Session } from './support/factories';
import { pipelineWorkerFor, renderWorkerFor, waitFor } from './support/workers';
import { SimulatedEngine } from '../src/infra/render/SimulatedEngine';
import type { Actor } from '../src/app/services/types';

describe('render farm: fair share between studios', () => {
  let h: Harness;
  let a: Session;
  let b: Session;
  let worker: { close(): Promise<void> } | undefined;

  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '100000', RENDER_CONCURRENCY: '1' });
    a = await givenStudio(h, 'Flooding Studio');
    b = await givenStudio(h, 'Small Studio');
  });
  afterAll(async () => {
    await worker?.close();
    await h.close();
  });

  async function renderableAsset(s: Session) {
    const asset = (await h.http.post('/assets').set(s.auth).send({ name: `Shot ${Math.random().toString(36).slice(2, 8)}`, type: 'SHOT' }).expect(201)).body as { id: string };
    await h.http.post(`/assets/${asset.id}/versions`).set(s.auth).attach('file', Buffer.from('; FBX 7.4.0 project file\n'), 'shot.fbx').expect(201);
    return asset.id;
  }
  const actorOf = (s: Session): Actor => ({ id: s.user.id, studioId: s.user.studioId, role: s.user.role as Actor['role'] });

  it('refuses a client-chosen priority: the server decides', async () => {
    const assetId = await renderableAsset(a);
    const res = await h.http.post(`/assets/${assetId}/render`).set(a.auth).send({ engine: 'simulated', priority: 1 });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(await h.container.models.RenderJob.countDocuments({ assetId: new Types.ObjectId(assetId) })).toBe(0);
  });

  it('starts studio B\'s single render before studio A\'s 10th of 500 queued renders finishes', async () => {
    const assetA = await renderableAsset(a);
    const assetB = await renderableAsset(b);
    // 500 renders from A, all queued before any worker runs: the worst case for B, which comes last.
    const renders = h.container.services.renders;
    const ids: string[] = [];
    // In batches of 10: every create takes the studio's admission lease in turn, and 25 at once on a loaded
    // 2-core machine could wait past the lease's 10 s (503 LOCK_TIMEOUT), which is not what this test is about.
    for (let i = 0; i < 500; i += 10) {
      const batch = await Promise.all(Array.from({ length: 10 }, () => renders.create(actorOf(a), assetA, { engine: 'simulated' })));
      ids.push(...batch.map((r) => r.job.id));
    }
    const mine = (await h.http.post(`/assets/${assetB}/render`).set(b.auth).send({ engine: 'simulated' }).expect(202)).body as { id: string; priority: number };
    expect(mine.priority).toBe(1);

    worker = await renderWorkerFor(h, { engines: { simulated: new SimulatedEngine({ msPerFrame: 20 }) }, reconcileEveryMs: 3_600_000 });
    const done = await waitFor('B\'s render to complete', async () => {
      const j = (await h.http.get(`/render-jobs/${mine.id}`).set(b.auth)).body;
      return j.status === 'COMPLETED' && j;
    }, 60_000, 100);
    await worker.close();
    worker = undefined;
    const startedAt = new Date(done.startedAt as string);
    const aFinishedBefore = await h.container.models.RenderJob.countDocuments({
      studioId: new Types.ObjectId(a.user.studioId),
      status: 'COMPLETED',
      finishedAt: { $lte: startedAt },
    });
    expect(aFinishedBefore).toBeLessThan(10);
    // A's own order holds: the renders of A that ran are its earliest-queued ones (lowest lanes).
    const aJobs = await h.container.models.RenderJob.find({ _id: { $in: ids.map((id) => new Types.ObjectId(id)) } }).lean();
    const ran = aJobs.filter((j) => j.status !== 'QUEUED').map((j) => j.priority);
    const waiting = aJobs.filter((j) => j.status === 'QUEUED').map((j) => j.priority);
    expect(ran.length).toBeGreaterThan(0);
    expect(Math.max(...ran)).toBeLessThanOrEqual(Math.min(...waiting));
  }, 180_000);
});

describe('asset pipeline: fair share between studios', () => {
  let h: Harness;
  let a: Session;
  let b: Session;
  let worker: { close(): Promise<void> } | undefined;

  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '100000', PIPELINE_CONCURRENCY: '1' });
    a = await givenStudio(h, 'Bulk Uploader');
    b = await givenStudio(h, 'One Upload');
  });
  afterAll(async () => {
    await worker?.close();
    await h.close();
  });

  const queued = async () => {
    const c = await h.container.queue.queue('asset-pipeline').getJobCounts('waiting', 'prioritized');
    return (c.waiting ?? 0) + (c.prioritized ?? 0);
  };

  it('validates studio B\'s one upload before studio A\'s 10th of 40 queued uploads', async () => {
    const assetA = (await h.http.post('/assets').set(a.auth).send({ name: 'Bulk', type: 'PROP' }).expect(201)).body.id as string;
    for (let i = 0; i < 40; i++) await h.http.post(`/assets/${assetA}/versions`).set(a.auth).attach('file', Buffer.from(`; FBX 7.4.0 project file ${i}\n`), `bulk${i}.fbx`).expect(201);
    // The pipeline is queued just after the upload answers (version.created): wait until all of A's are in.
    await waitFor('A\'s 40 pipelines queued', async () => (await queued()) === 40, 20_000, 50);
    const assetB = (await h.http.post('/assets').set(b.auth).send({ name: 'Single', type: 'PROP' }).expect(201)).body.id as string;
    await h.http.post(`/assets/${assetB}/versions`).set(b.auth).attach('file', Buffer.from('; FBX 7.4.0 project file\n'), 'single.fbx').expect(201);
    await waitFor('B\'s pipeline queued', async () => (await queued()) === 41, 20_000, 50);

    worker = await pipelineWorkerFor(h);
    const mine = await waitFor('B\'s pipeline to finish', async () => {
      const res = await h.http.get(`/assets/${assetB}/versions/1/pipeline`).set(b.auth);
      return res.body.status === 'READY' && res.body;
    }, 60_000, 100);
    await worker.close();
    worker = undefined;
    const startedAt = new Date(mine.steps.find((s: { name: string }) => s.name === 'VALIDATING').startedAt as string);
    const aPipelines = await h.container.models.AssetPipeline.find({ studioId: new Types.ObjectId(a.user.studioId) }).lean();
    const aBefore = aPipelines.filter((p) => p.steps.some((s) => s.name === 'VALIDATING' && new Date(s.startedAt) < startedAt));
    expect(aPipelines).toHaveLength(40);
    expect(aBefore.length).toBeLessThan(10);
  }, 180_000);
});
