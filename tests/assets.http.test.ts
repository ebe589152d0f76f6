import { startHarness, type Harness } from './support/harness';
import { givenMember, givenStudio, type Session } from './support/factories';

describe('assets over HTTP: CRUD, ETags, validation, archive, filters, cache and history', () => {
  let h: Harness;
  let producer: Session;
  let artist: Session;
  let director: Session;
  beforeAll(async () => {
    h = await startHarness();
    producer = await givenStudio(h);
    artist = await givenMember(h, producer, 'ARTIST');
    director = await givenMember(h, producer, 'DIRECTOR');
  });
  afterAll(() => h.close());

  const create = (who: Session, body: object) => h.http.post('/assets').set(who.auth).send(body);

  it('creates with 201, Location and ETag, and reads it back', async () => {
    const res = await create(artist, { name: 'Hero Rig', type: 'RIG', tags: ['Hero', 'hero', ' rig '], description: 'main character rig' });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/assets/${res.body.id}`);
    expect(res.headers.etag).toBe(`"${res.body.id}.1"`);
    expect(res.body).toMatchObject({
      name: 'Hero Rig', type: 'RIG', tags: ['hero', 'rig'], status: 'IN_PROGRESS', currentVersion: null, latestVersion: 0,
      createdBy: artist.user.id, studioId: producer.user.studioId, archivedAt: null,
    });
    const got = await h.http.get(res.headers.location!).set(artist.auth);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
    expect(got.headers.etag).toBe(res.headers.etag);
    const notModified = await h.http.get(res.headers.location!).set(artist.auth).set('If-None-Match', res.headers.etag!);
    expect(notModified.status).toBe(304);
  });

  it('answers a duplicate name, in any letter case, with 409', async () => {
    await create(artist, { name: 'Castle Set', type: 'SET' }).expect(201);
    const dup = await create(director, { name: 'castle SET', type: 'SET' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('ASSET_NAME_TAKEN');
    const other = await create(artist, { name: 'Other Name', type: 'SET' });
    const rename = await h.http.patch(`/assets/${other.body.id}`).set(artist.auth).send({ name: 'CASTLE set' });
    expect(rename.status).toBe(409);
  });

  it('refuses NoSQL operators and wrong types in body and query string with 400, changing nothing', async () => {
    const before = await h.container.models.Asset.countDocuments();
    for (const body of [{ name: { $gt: '' }, type: 'PROP' }, { name: 'x', type: { $ne: null } }, { name: 'x', type: 'PROP', tags: 'not-an-array' }, { name: 'x', type: 'PROP', owner: 'me' }, { name: '', type: 'PROP' }, { name: 'x', type: 'SPACESHIP' }]) {
      const res = await create(artist, body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.length).toBeGreaterThan(0);
    }
    expect(await h.container.models.Asset.countDocuments()).toBe(before);
    for (const qs of ['name[$gt]=', 'type[$ne]=PROP', 'limit=0', 'limit=101', 'sort=password', 'createdBy=abc', 'status=DONE', 'type=PROP&type=SHOT']) {
      const res = await h.http.get(`/assets?${qs}`).set(artist.auth);
      expect(res.status).toBe(400);
    }
  });

  it('applies If-Match: the current ETag wins, a stale one gets 412 and changes nothing', async () => {
    const a = await create(artist, { name: 'Tavern', type: 'ENVIRONMENT' });
    const v1 = a.headers.etag!;
    const ok = await h.http.patch(`/assets/${a.body.id}`).set(artist.auth).set('If-Match', v1).send({ description: 'first edit' });
    expect(ok.status).toBe(200);
    expect(ok.headers.etag).not.toBe(v1);
    const stale = await h.http.patch(`/assets/${a.body.id}`).set(director.auth).set('If-Match', v1).send({ description: 'overwrites?' });
    expect(stale.status).toBe(412);
    expect(stale.body.error.code).toBe('ASSET_CHANGED');
    const stored = await h.container.models.Asset.findById(a.body.id).lean();
    expect(stored?.description).toBe('first edit');
    expect(stored?.revision).toBe(2);
  });

  it('lets only one of two simultaneous editors with the same If-Match win', async () => {
    const a = await create(artist, { name: 'Race Prop', type: 'PROP' });
    const [r1, r2] = await Promise.all([
      h.http.patch(`/assets/${a.body.id}`).set(artist.auth).set('If-Match', a.headers.etag!).send({ description: 'artist' }),
      h.http.patch(`/assets/${a.body.id}`).set(director.auth).set('If-Match', a.headers.etag!).send({ description: 'director' }),
    ]);
    expect([r1.status, r2.status].sort()).toEqual([200, 412]);
  });

  it('serves a cached read that reflects an update made a moment before', async () => {
    const a = await create(artist, { name: 'Cached Lamp', type: 'PROP' });
    const hitsBefore = await counter('asset_cache_hits_total');
    await h.http.get(`/assets/${a.body.id}`).set(artist.auth).expect(200);
    await h.http.get(`/assets/${a.body.id}`).set(artist.auth).expect(200);
    expect(await counter('asset_cache_hits_total')).toBeGreaterThan(hitsBefore);
    await h.http.patch(`/assets/${a.body.id}`).set(director.auth).send({ status: 'PENDING_REVIEW', name: 'Cached Lamp v2' }).expect(200);
    const after = await h.http.get(`/assets/${a.body.id}`).set(artist.auth);
    expect(after.body).toMatchObject({ status: 'PENDING_REVIEW', name: 'Cached Lamp v2', revision: 2 });
  });

  it('lets only DIRECTOR or PRODUCER archive; archived assets leave default listings and show with archived=true', async () => {
    const a = await create(artist, { name: 'Old Barrel', type: 'PROP', tags: ['legacy'] });
    const denied = await h.http.delete(`/assets/${a.body.id}`).set(artist.auth);
    expect(denied.status).toBe(403);
    expect((await h.container.models.Asset.findById(a.body.id).lean())?.archivedAt).toBeNull();
    const archived = await h.http.delete(`/assets/${a.body.id}`).set(director.auth);
    expect(archived.status).toBe(200);
    expect(archived.body.archivedAt).not.toBeNull();
    const active = await h.http.get('/assets').set(artist.auth).query({ tag: 'legacy' });
    expect(active.body.data).toHaveLength(0);
    const old = await h.http.get('/assets').set(artist.auth).query({ tag: 'legacy', archived: 'true' });
    expect(old.body.data.map((x: { id: string }) => x.id)).toEqual([a.body.id]);
    const edit = await h.http.patch(`/assets/${a.body.id}`).set(director.auth).send({ description: 'x' });
    expect(edit.status).toBe(409);
    expect(edit.body.error.code).toBe('ASSET_ARCHIVED');
  });

  it('filters by type, status, tag, creator and case-insensitive name prefix', async () => {
    const studio = await givenStudio(h);
    const member = await givenMember(h, studio, 'ARTIST');
    await create(studio, { name: 'Dragon', type: 'CHARACTER', tags: ['creature'] }).expect(201);
    await create(member, { name: 'dragon egg', type: 'PROP', tags: ['creature'] }).expect(201);
    const shot = await create(member, { name: 'Sh010', type: 'SHOT' });
    await h.http.patch(`/assets/${shot.body.id}`).set(member.auth).send({ status: 'APPROVED' }).expect(200);
    const names = async (query: Record<string, string>) =>
      (await h.http.get('/assets').set(studio.auth).query({ sort: 'name', order: 'asc', ...query })).body.data.map((x: { name: string }) => x.name);
    expect(await names({ type: 'PROP' })).toEqual(['dragon egg']);
    expect(await names({ status: 'APPROVED' })).toEqual(['Sh010']);
    expect(await names({ tag: 'CREATURE' })).toEqual(['Dragon', 'dragon egg']);
    expect(await names({ createdBy: member.user.id })).toEqual(['dragon egg', 'Sh010']);
    expect(await names({ q: 'DRAG' })).toEqual(['Dragon', 'dragon egg']);
    expect(await names({ q: 'dragon e' })).toEqual(['dragon egg']);
    expect(await names({ q: '.*' })).toEqual([]);
  });

  it('records every change in a paged history, newest first', async () => {
    const a = await create(artist, { name: 'Storied Asset', type: 'OTHER' });
    await h.http.patch(`/assets/${a.body.id}`).set(artist.auth).send({ description: 'one' }).expect(200);
    await h.http.patch(`/assets/${a.body.id}`).set(director.auth).send({ status: 'PENDING_REVIEW' }).expect(200);
    await h.http.delete(`/assets/${a.body.id}`).set(director.auth).expect(200);
    const page1 = await h.http.get(`/assets/${a.body.id}/history`).set(artist.auth).query({ limit: 2 });
    expect(page1.status).toBe(200);
    expect(page1.body.data.map((e: { action: string }) => e.action)).toEqual(['asset.archived', 'asset.updated']);
    expect(page1.body.data[1]).toMatchObject({ actorId: director.user.id, details: { changes: ['status'] } });
    const page2 = await h.http.get(`/assets/${a.body.id}/history`).set(artist.auth).query({ limit: 2, cursor: page1.body.page.nextCursor });
    expect(page2.body.data.map((e: { action: string }) => e.action)).toEqual(['asset.updated', 'asset.created']);
    expect(page2.body.page).toEqual({ limit: 2, nextCursor: null, hasMore: false });
  });

  it('publishes the OpenAPI document with the asset routes, and a Swagger UI', async () => {
    const doc = await h.http.get('/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/assets', '/assets/{id}', '/assets/{id}/history', '/auth/login', '/users/{id}']));
    const ui = await h.http.get('/docs').redirects(1);
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
  });

  async function counter(name: string): Promise<number> {
    const text = (await h.http.get('/metrics')).text;
    const m = new RegExp(`^${name} (\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  }
});
