import { startHarness, type Harness } from './support/harness';
import { givenStudio, type Session } from './support/factories';

describe('assets: another studio\'s asset is 404 on every verb, indistinguishable from a missing one', () => {
  let h: Harness;
  let a: Session;
  let b: Session;
  let bAsset: { id: string };
  beforeAll(async () => {
    h = await startHarness();
    a = await givenStudio(h, 'Tenant A');
    b = await givenStudio(h, 'Tenant B');
    bAsset = (await h.http.post('/assets').set(b.auth).send({ name: 'Secret Shot', type: 'SHOT', tags: ['b-only'] })).body;
  });
  afterAll(() => h.close());

  const missing = '0123456789abcdef01234567';
  const verbs = (id: string) => [
    ['GET', () => h.http.get(`/assets/${id}`).set(a.auth)],
    ['PATCH', () => h.http.patch(`/assets/${id}`).set(a.auth).send({ description: 'pwned' })],
    ['DELETE', () => h.http.delete(`/assets/${id}`).set(a.auth)],
    ['GET history', () => h.http.get(`/assets/${id}/history`).set(a.auth)],
  ] as const;

  it('answers 404 ASSET_NOT_FOUND for each verb, exactly as for a missing id, and changes nothing', async () => {
    const before = await h.container.models.Asset.findById(bAsset.id).lean();
    for (const [[verb, foreign], [, absent]] of verbs(bAsset.id).map((v, i) => [v, verbs(missing)[i]!] as const)) {
      const f = await foreign();
      const m = await absent();
      expect({ verb, status: f.status }).toEqual({ verb, status: 404 });
      expect(f.body.error.code).toBe('ASSET_NOT_FOUND');
      expect({ ...f.body.error, correlationId: 0 }).toEqual({ ...m.body.error, correlationId: 0 });
      expect(JSON.stringify(f.body)).not.toContain('Secret Shot');
    }
    expect(await h.container.models.Asset.findById(bAsset.id).lean()).toEqual(before);
  });

  it('never lists another studio\'s assets, whatever the filters', async () => {
    for (const query of [{}, { tag: 'b-only' }, { q: 'secret' }, { createdBy: b.user.id }, { archived: 'true' }]) {
      const res = await h.http.get('/assets').set(a.auth).query(query);
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual([]);
    }
  });

  it('does not serve another studio a cached copy', async () => {
    await h.http.get(`/assets/${bAsset.id}`).set(b.auth).expect(200); // warms B's cache entry
    expect((await h.http.get(`/assets/${bAsset.id}`).set(a.auth)).status).toBe(404);
  });
});
