// Business rules of AssetService, exercised without HTTP against real MongoDB and Redis.
import { startHarness, type Harness } from './support/harness';
import type { Actor } from '../src/app/services/types';
import type { AssetDto } from '../src/app/dto';

describe('AssetService rules (no Express)', () => {
  let h: Harness;
  let artist: Actor;
  let director: Actor;
  let otherStudio: Actor;
  beforeAll(async () => {
    h = await startHarness();
    const { models } = h.container;
    const studio = await models.Studio.create({ name: 'Svc', slug: `svc-${Date.now()}` });
    const other = await models.Studio.create({ name: 'Other', slug: `other-${Date.now()}` });
    artist = { id: '64b000000000000000000001', studioId: String(studio._id), role: 'ARTIST' };
    director = { id: '64b000000000000000000002', studioId: String(studio._id), role: 'DIRECTOR' };
    otherStudio = { id: '64b000000000000000000003', studioId: String(other._id), role: 'PRODUCER' };
  });
  afterAll(() => h.close());

  const svc = () => h.container.services.assets;

  it('creates, then updates only the fields that changed, bumping the revision once', async () => {
    const a = await svc().create(artist, { name: 'Svc Asset', type: 'PROP' });
    const same = await svc().update(artist, a.id, { name: 'Svc Asset' });
    expect(same.revision).toBe(1);
    const changed = await svc().update(artist, a.id, { description: 'new' });
    expect(changed).toMatchObject({ revision: 2, description: 'new', updatedBy: artist.id });
  });

  it('forbids an ARTIST to archive with FORBIDDEN and allows a DIRECTOR', async () => {
    const a = await svc().create(artist, { name: 'To Archive', type: 'PROP' });
    await expect(svc().archive(artist, a.id)).rejects.toMatchObject({ code: 'FORBIDDEN', status: 403 });
    await expect(svc().archive(director, a.id)).resolves.toMatchObject({ archivedAt: expect.any(String) });
    await expect(svc().archive(director, a.id)).rejects.toMatchObject({ code: 'ASSET_ARCHIVED', status: 409 });
  });

  it('treats another studio\'s asset as not found, even for a PRODUCER', async () => {
    const a = await svc().create(artist, { name: 'Private', type: 'PROP' });
    await expect(svc().get(otherStudio, a.id)).rejects.toMatchObject({ code: 'ASSET_NOT_FOUND', status: 404 });
    await expect(svc().update(otherStudio, a.id, { name: 'x' })).rejects.toMatchObject({ code: 'ASSET_NOT_FOUND' });
    await expect(svc().archive(otherStudio, a.id)).rejects.toMatchObject({ code: 'ASSET_NOT_FOUND' });
  });

  it('announces creations and updates as domain events after they are stored', async () => {
    const seen: string[] = [];
    const off1 = h.container.events.on('asset.created', (e) => void seen.push(`created:${e.asset.name}`));
    const off2 = h.container.events.on('asset.updated', (e) => void seen.push(`updated:${e.changes.join(',')}`));
    const a = await svc().create(artist, { name: 'Evented', type: 'PROP' });
    await svc().update(director, a.id, { status: 'APPROVED', tags: ['x'] });
    await new Promise((r) => setImmediate(r));
    off1();
    off2();
    expect(seen).toEqual(['created:Evented', 'updated:status,tags']);
  });

  it('never lets a slow reader put an older revision back into the cache', async () => {
    const a = await svc().create(artist, { name: 'Cache Race', type: 'PROP' });
    const stale: AssetDto = { ...a };
    await svc().update(artist, a.id, { description: 'fresh' });
    await h.container.assetCache.store(artist.studioId, stale); // a reader that loaded revision 1 before the write
    expect((await svc().get(artist, a.id)).description).toBe('fresh');
  });
});
