// Fault test: Redis restarted under traffic. Redis runs without persistence, so the restart loses every
// queue entry, rate-limit counter and cache key (the worst case). MongoDB is the truth for work.
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import supertest from 'supertest';
import { freePort, startRedis, type RunningService } from '../src/infra/embedded/embedded';
import { SimulatedEngine } from '../src/infra/render/SimulatedEngine';
import { reconcileRenders } from '../src/app/processors/render.reconciler';
import { startHarness, type Harness } from './support/harness';
import { givenStudio, type Session } from './support/factories';
import { renderWorkerFor, waitFor } from './support/workers';

type Phase = 'before' | 'outage' | 'after';
interface Answer {
  what: string;
  phase: Phase;
  status: number;
  ms: number;
  body: { error?: { code?: unknown; message?: unknown; correlationId?: unknown } };
  requestId: string | undefined;
  failure?: string;
}

/** The normal answer of each kind of background request. */
const NORMAL: Record<string, number> = { 'GET /assets': 200, 'GET /assets/:id': 200, 'POST /assets': 201, 'GET /health': 200 };
/** Any request slower than this counts as a hang. */
const HANG_MS = 5000;

describe('faults: Redis restarted under traffic (no persistence: the restart loses everything)', () => {
  let h: Harness;
  /** A second API instance of its own with a tiny global rate limit, to show the limiter failing open. */
  let lim: Harness;
  let api: ReturnType<typeof supertest>;
  let redis: RunningService;
  let redisUp = false;
  let port: number;
  let worker: { close(): Promise<void> } | undefined;
  /** Ends the background traffic (also when the test fails half-way). */
  let stop = false;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'studio-redis-restart-'));
  const startOurRedis = async () => {
    redis = await startRedis({ dataDir: dir, detached: false, persistent: false, port });
    redisUp = true;
  };
  const stopOurRedis = async () => {
    redisUp = false;
    await redis.stop();
  };

  beforeAll(async () => {
    port = await freePort();
    await startOurRedis();
    h = await startHarness({ REDIS_URL: redis.url, RATE_LIMIT_MAX: '100000' });
    lim = await startHarness({ REDIS_URL: redis.url, RATE_LIMIT_MAX: '5' });
    // A real server with Socket.IO attached, as in production: its Redis adapter publishes every broadcast.
    api = supertest((await h.listenRealtime()).url);
    worker = await renderWorkerFor(h, {
      // Slow enough that a render is mid-flight when Redis goes.
      engines: { simulated: new SimulatedEngine({ msPerFrame: 300 }) },
      reconcileEveryMs: 500,
      lockDurationMs: 3000,
      stalledIntervalMs: 1000,
    });
  });
  afterAll(async () => {
    stop = true;
    // A failed run may leave Redis down; closing clients and workers needs it back.
    if (!redisUp) await startOurRedis();
    // Bounded, so a failed run reports its failure instead of a hook timeout.
    const within = (p: Promise<unknown> | undefined) => Promise.race([p, new Promise((r) => setTimeout(r, 10_000).unref())]);
    await within(worker?.close());
    await within(h?.close());
    await within(lim?.close());
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps answering (normal or 503 in the error contract), flips /ready and back, loses no render, and fails open on rate limits', async () => {
    const s: Session = await givenStudio(h);
    const known = (await api.post('/assets').set(s.auth).send({ name: 'Known', type: 'PROP' }).expect(201)).body as { id: string };
    const shot = (await api.post('/assets').set(s.auth).send({ name: 'Shot 010', type: 'SHOT' }).expect(201)).body as { id: string };
    await api.post(`/assets/${shot.id}/versions`).set(s.auth).attach('file', Buffer.from('; FBX 7.4.0 project file\n'), 'scene.fbx').expect(201);

    // The limiter is live before the outage: the 6th request in the window is refused.
    const limBefore = [];
    for (let i = 0; i < 6; i++) limBefore.push((await lim.http.get('/no/such/route')).status);
    expect(limBefore).toEqual([404, 404, 404, 404, 404, 429]);

    // Background traffic from the same studio for the whole fault.
    let phase: Phase = 'before';
    const answers: Answer[] = [];
    let created = 0;
    const loop = async (offset: number) => {
      for (let i = offset; !stop; i++) {
        const what = Object.keys(NORMAL)[i % 4]!;
        const req =
          what === 'GET /assets'
            ? api.get('/assets').set(s.auth)
            : what === 'GET /assets/:id'
              ? api.get(`/assets/${known.id}`).set(s.auth)
              : what === 'POST /assets'
                ? api.post('/assets').set(s.auth).send({ name: `Traffic ${++created}`, type: 'PROP' })
                : api.get('/health');
        const at = phase;
        const t0 = Date.now();
        try {
          // Far above HANG_MS, so a hang is measured rather than cut short; the assertion is below.
          const res = await req.timeout(20_000);
          answers.push({ what, phase: at, status: res.status, ms: Date.now() - t0, body: res.body, requestId: res.headers['x-request-id'] });
        } catch (err) {
          answers.push({ what, phase: at, status: 0, ms: Date.now() - t0, body: {}, requestId: undefined, failure: (err as Error).message });
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const traffic = Promise.all([loop(0), loop(2)]);

    const render = () => api.post(`/assets/${shot.id}/render`).set(s.auth).send({ engine: 'simulated', frames: { start: 1, end: 3 }, chunkSize: 1 }).timeout(2 * HANG_MS);
    const before: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await render();
      expect(res.status).toBe(202);
      expect(res.body.status).toBe('QUEUED');
      before.push(res.body.id);
    }
    // Wait until the first render is mid-flight: one chunk done, the render PROCESSING.
    await waitFor('the first render to be mid-flight', async () => {
      const chunk = await h.container.models.RenderChunk.findOne({ renderJobId: before[0], index: 0 }).lean();
      return chunk?.status === 'COMPLETED';
    }, 15_000, 50);
    await waitFor('some traffic before the outage', async () => answers.length >= 8, 10_000, 50);

    // --- Redis goes away.
    await stopOurRedis();
    phase = 'outage';
    expect((await h.container.models.RenderJob.findById(before[0]).lean())?.status).toBe('PROCESSING');
    await waitFor('/ready to name redis as down', async () => {
      const r = await api.get('/ready');
      return r.status === 503 && r.body.checks.redis === 'down' && r.body.checks.mongo === 'up';
    }, 5000, 100);
    expect((await api.get('/health')).status).toBe(200);

    // Designed behaviour (RenderService.enqueue): MongoDB records the render and the API answers 202
    // QUEUED at once; the failed enqueue is logged and the reconciler queues it once Redis is back.
    const during: string[] = [];
    for (let i = 0; i < 2; i++) {
      const t0 = Date.now();
      const res = await render();
      expect({ status: res.status, renderStatus: res.body.status }).toEqual({ status: 202, renderStatus: 'QUEUED' });
      expect(Date.now() - t0).toBeLessThan(HANG_MS);
      during.push(res.body.id);
    }
    expect(h.logs.some((l) => l.message === 'render enqueue failed; the reconciler will retry' && l.renderJobId === during[0])).toBe(true);

    // Rate limits fail open: well past the limit of 5, nothing is refused or fails because Redis is away.
    const limDuring: Array<{ status: number; ms: number }> = [];
    for (let i = 0; i < 8; i++) {
      const t0 = Date.now();
      limDuring.push({ status: (await lim.http.get('/no/such/route')).status, ms: Date.now() - t0 });
    }
    expect(limDuring.map((r) => r.status)).toEqual(Array(8).fill(404));
    expect(Math.max(...limDuring.map((r) => r.ms))).toBeLessThan(HANG_MS);
    // ...because the limiter's store failed and it let the requests through (express-rate-limit's passOnStoreError).
    expect(lim.logs.some((l) => /allowing request without rate-limiting/.test(String(l.message)))).toBe(true);

    await waitFor('traffic to meet the outage', async () => answers.filter((a) => a.phase === 'outage').length >= 12, 15_000, 50);

    // --- Redis comes back on the same port, empty.
    await startOurRedis();
    await waitFor('/ready to recover without an API restart', async () => (await api.get('/ready')).status === 200, 10_000, 100);
    expect((await api.get('/ready')).body).toEqual({ status: 'ready', checks: { mongo: 'up', redis: 'up' } });
    phase = 'after';

    // Limits work again (the restart emptied the counters): the 6th request in the window is refused.
    await waitFor('the limiter to count again', async () => {
      const res = await lim.http.get('/no/such/route');
      expect([404, 429]).toContain(res.status);
      if (res.status !== 429) return false;
      expect(res.body.error).toMatchObject({ code: 'RATE_LIMITED', correlationId: res.headers['x-request-id'] });
      return true;
    }, 10_000, 0);

    // Every render created before and during the outage must complete: MongoDB kept them, the reconciler
    // re-queues what Redis lost (asserted below, after the traffic). The worker reconciles only renders queued over a minute ago (its grace
    // period), so the test runs the same reconcile without the grace period, as the worker's loop would later.
    const ids = [...before, ...during];
    const statuses = async () => Promise.all(ids.map(async (id) => (await api.get(`/render-jobs/${id}`).set(s.auth)).body as { status: string; outputs: { frames: Array<{ frame: number }> } }));
    await waitFor('every render to complete', async () => {
      // A tick that finds the queue connection still reconnecting fails; the next one retries (as the worker's loop does).
      await reconcileRenders({ renders: h.container.repos.renders, service: h.container.services.renders, queue: h.container.queue.queue('render'), logger: h.container.logger, graceMs: 0 }).catch(() => undefined);
      return (await statuses()).every((j) => j.status === 'COMPLETED');
    }, 25_000, 500).catch(() => undefined);
    const done = await statuses();

    await waitFor('traffic after recovery', async () => answers.filter((a) => a.phase === 'after').length >= 8, 10_000, 50);
    stop = true;
    await traffic;

    // Every background answer was the normal one or a 503 in the error contract, and none hung.
    const odd = answers.filter((a) => {
      if (a.status === NORMAL[a.what]) return false;
      if (a.status !== 503) return true;
      const e = a.body.error;
      return !(e && typeof e.code === 'string' && typeof e.message === 'string' && e.correlationId === a.requestId && typeof a.requestId === 'string');
    });
    expect(odd).toEqual([]);
    const slow = answers.filter((a) => a.ms >= HANG_MS);
    expect(slow).toEqual([]);
    // The traffic really crossed the fault: every kind of request ran in each phase.
    for (const p of ['before', 'outage', 'after'] as const) {
      expect(new Set(answers.filter((a) => a.phase === p).map((a) => a.what))).toEqual(new Set(Object.keys(NORMAL)));
    }

    // No render was lost: each completed with all of its frames.
    expect(done.map((j, i) => `${ids[i]} ${j.status}`)).toEqual(ids.map((id) => `${id} COMPLETED`));
    for (const j of done) expect(j.outputs.frames.map((f) => f.frame)).toEqual([1, 2, 3]);
  }, 60_000);
});
