import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { startHarness, type Harness } from './support/harness';
import { givenStudio, type Session } from './support/factories';
import { renderWorkerFor, waitFor } from './support/workers';

describe('render farm: a worker killed mid-chunk', () => {
  let h: Harness;
  let s: Session;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '100000' });
    s = await givenStudio(h);
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await h.close();
  });

  it('is recovered by stalled-job detection and the render completes exactly once, without duplicate frames', async () => {
    const env = {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      MONGO_URI: h.config.MONGO_URI!,
      REDIS_URL: h.config.REDIS_URL!,
      REDIS_KEY_PREFIX: h.config.REDIS_KEY_PREFIX,
      STORAGE_LOCAL_ROOT: h.config.STORAGE_LOCAL_ROOT,
      TUS_STAGING_DIR: h.config.TUS_STAGING_DIR,
      SIMULATED_RENDER_MS_PER_FRAME: '250',
      WORKER_LOCK_DURATION_MS: '3000',
      WORKER_STALLED_INTERVAL_MS: '1000',
    };
    child = spawn(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../src/workers/render.worker.ts')], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));

    const asset = (await h.http.post('/assets').set(s.auth).send({ name: 'Killed Mid Render', type: 'SHOT' })).body;
    await h.http.post(`/assets/${asset.id}/versions`).set(s.auth).attach('file', Buffer.from('; FBX 7.4.0 project file\n'), 'scene.fbx').expect(201);
    const res = await h.http.post(`/assets/${asset.id}/render`).set(s.auth).send({ engine: 'simulated', frames: { start: 1, end: 20 }, chunkSize: 20 });
    expect(res.status).toBe(202);

    // Wait until the child worker is half-way through the chunk, then kill it without warning.
    await waitFor('the worker process to be rendering', async () => {
      if (child!.exitCode !== null) throw new Error(`worker exited early: ${stderr}`);
      const chunk = await h.container.models.RenderChunk.findOne({ renderJobId: res.body.id }).lean();
      return chunk?.status === 'PROCESSING' && chunk.progress >= 20;
    }, 60_000, 100);
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));

    const rescuer = await renderWorkerFor(h, { lockDurationMs: 3000, stalledIntervalMs: 1000, reconcileEveryMs: 3_600_000 });
    try {
      const done = await waitFor('the render to complete after recovery', async () => {
        const j = (await h.http.get(`/render-jobs/${res.body.id}`).set(s.auth)).body;
        if (j.status === 'FAILED') throw new Error(`render failed: ${JSON.stringify(j.error)}`);
        return j.status === 'COMPLETED' && j;
      }, 60_000);
      expect(done.chunks[0].attempts).toBe(2);
      const frames = done.outputs.frames.map((f: { frame: number }) => f.frame);
      expect(frames).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      const keys = await h.container.storage.list(`studios/${s.user.studioId}/renders/${res.body.id}/`);
      expect(keys.filter((k) => k.includes('/frames/'))).toHaveLength(20);
      // Completed once: a single COMPLETED record whose outputs list each frame once.
      expect(await h.container.models.RenderJob.countDocuments({ _id: res.body.id, status: 'COMPLETED' })).toBe(1);
      expect(done.outputs.preview).toBe(false);
    } finally {
      await rescuer.close();
    }
  }, 120_000);
});
