// Render admission in batches: a studio's renders that arrive together are admitted under one admission
// lease (one backlog read, one insert of jobs and one of chunks), and still exactly as if admitted one at a
// time: consecutive lanes in arrival order, the quota checked render by render, one job per idempotency key.
import { Types } from 'mongoose';
import { startHarness, type Harness } from './support/harness';
import { givenStudio, type Session } from './support/factories';
import { LeaseLock } from '../src/infra/database/LeaseLock';
import { RateLimitError } from '../src/shared/errors';
import type { Actor } from '../src/app/services/types';

describe('render admission: one studio\'s concurrent renders are admitted in batches', () => {
  let h: Harness;
  // 40 frames of quota: the quota test fills it past the brim in one burst.
  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '100000', RENDER_STUDIO_MAX_OUTSTANDING_FRAMES: '40' });
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await h.close();
  });

  const actorOf = (s: Session): Actor => ({ id: s.user.id, studioId: s.user.studioId, role: s.user.role as Actor['role'] });
  async function renderable(s: Session) {
    const asset = (await h.http.post('/assets').set(s.auth).send({ name: `Shot ${new Types.ObjectId().toHexString().slice(-6)}`, type: 'SHOT' }).expect(201)).body as { id: string };
    await h.http.post(`/assets/${asset.id}/versions`).set(s.auth).attach('file', Buffer.from('; FBX 7.4.0 project file\n'), 'shot.fbx').expect(201);
    return asset.id;
  }
  /** How many times the studio's admission lease was taken while fn ran. */
  async function leasesTaken<T>(studioId: string, fn: () => Promise<T>): Promise<{ result: T; leases: number }> {
    const spy = jest.spyOn(LeaseLock.prototype, 'withLock');
    try {
      const result = await fn();
      return { result, leases: spy.mock.calls.filter(([key]) => key === `render-admission:${studioId}`).length };
    } finally {
      spy.mockRestore();
    }
  }

  it('admits 30 renders sent at once under a few leases, in consecutive lanes', async () => {
    const s = await givenStudio(h);
    const assetId = await renderable(s);
    const { result, leases } = await leasesTaken(s.user.studioId, () =>
      Promise.all(Array.from({ length: 30 }, () => h.container.services.renders.create(actorOf(s), assetId, { engine: 'simulated', frames: { start: 1, end: 1 } }))),
    );
    // The first request takes the lease alone; the 29 that arrive meanwhile share the next one (on a loaded
    // machine a few more batches may form, never one lease each).
    expect(leases).toBeLessThanOrEqual(5);
    expect(result.every((r) => r.created && r.job.status === 'QUEUED')).toBe(true);
    // One chunk each, so each render's lane is the next number, in the order they reached admission: 1..30
    // with no number twice, as one-at-a-time admission gives.
    expect(result.map((r) => r.job.priority).sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const stored = await h.container.models.RenderJob.find({ studioId: new Types.ObjectId(s.user.studioId) }).lean();
    expect(stored).toHaveLength(30);
    expect(await h.container.models.RenderChunk.countDocuments({ studioId: new Types.ObjectId(s.user.studioId) })).toBe(30);
  });

  it('checks the quota render by render within a batch: exactly the renders that fit are stored', async () => {
    const s = await givenStudio(h);
    const assetId = await renderable(s);
    // 3 frames each against 40 frames of quota: 13 fit (39 frames), the other 7 are refused with 429.
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () =>
        h.container.services.renders.create(actorOf(s), assetId, { engine: 'simulated', frames: { start: 1, end: 3 } }).then(
          (r) => r.job.id,
          (err: unknown) => err,
        ),
      ),
    );
    const refused = outcomes.filter((o) => o instanceof RateLimitError) as RateLimitError[];
    expect(refused).toHaveLength(7);
    expect(refused.every((e) => e.code === 'RENDER_QUOTA_EXCEEDED')).toBe(true);
    expect(outcomes.filter((o) => typeof o === 'string')).toHaveLength(13);
    expect(await h.container.models.RenderJob.countDocuments({ studioId: new Types.ObjectId(s.user.studioId) })).toBe(13);
  });

  it('answers every request of a batch that carries the same idempotency key with one job', async () => {
    const s = await givenStudio(h);
    const assetId = await renderable(s);
    const results = await Promise.all(Array.from({ length: 8 }, () => h.container.services.renders.create(actorOf(s), assetId, { engine: 'simulated' }, 'same-key-1')));
    expect(new Set(results.map((r) => r.job.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await h.container.models.RenderJob.countDocuments({ studioId: new Types.ObjectId(s.user.studioId) })).toBe(1);
  });
});
