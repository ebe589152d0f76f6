import { startHarness, type Harness } from './support/harness';

describe('LeaseLock: mutual exclusion and once-only claims on the MongoDB-wire server', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('serialises 20 concurrent read-modify-write sections so no update is lost', async () => {
    const { Studio } = h.container.models;
    const studio = await Studio.create({ name: 'Counter', slug: `counter-${Date.now()}` });
    let inside = 0;
    let maxInside = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        h.container.locks.withLock(`test:${studio._id}`, async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          const doc = await Studio.findById(studio._id).lean();
          await new Promise((r) => setTimeout(r, 2));
          await Studio.updateOne({ _id: studio._id }, { $set: { name: `${doc!.name}+` } });
          inside--;
        }),
      ),
    );
    expect(maxInside).toBe(1);
    expect((await Studio.findById(studio._id).lean())!.name).toBe(`Counter${'+'.repeat(20)}`);
    expect(await h.container.models.Lease.countDocuments({ _id: `test:${studio._id}` })).toBe(0);
  });

  it('takes over a lease whose holder died, once it has expired', async () => {
    await h.container.models.Lease.create({ _id: 'test:stale', owner: 'dead-process', expiresAt: new Date(Date.now() - 1) });
    await expect(h.container.locks.withLock('test:stale', async () => 'ran', { waitMs: 2000 })).resolves.toBe('ran');
  });

  it('gives up on a live lease after waitMs with 503 LOCK_TIMEOUT', async () => {
    await h.container.models.Lease.create({ _id: 'test:busy', owner: 'someone', expiresAt: new Date(Date.now() + 60_000) });
    await expect(h.container.locks.withLock('test:busy', async () => 'ran', { waitMs: 200 })).rejects.toMatchObject({ code: 'LOCK_TIMEOUT', status: 503 });
  });

  it('grants a claim to exactly one of many simultaneous callers', async () => {
    const wins = await Promise.all(Array.from({ length: 10 }, () => h.container.locks.claimOnce('test:claim', 60_000)));
    expect(wins.filter(Boolean)).toHaveLength(1);
  });
});
