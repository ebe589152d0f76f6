// The one access check: the role table first, then an id-set check that treats foreign and missing ids alike.
import { Types } from 'mongoose';
import { startHarness, type Harness } from './support/harness';
import { givenMember, givenStudio, type Session } from './support/factories';
import type { Actor } from '../src/app/services/types';

describe('AccessService', () => {
  let h: Harness;
  let a: Session;
  let b: Session;
  const actor = (s: Session): Actor => ({ id: s.user.id, studioId: s.user.studioId, role: s.user.role as Actor['role'] });

  beforeAll(async () => {
    h = await startHarness();
    a = await givenStudio(h, 'Access A');
    b = await givenStudio(h, 'Access B');
  });
  afterAll(() => h.close());

  it('returns exactly the ids of the actor\'s studio: foreign, missing and malformed ids are left out', async () => {
    const mine = await Promise.all(['One', 'Two'].map(async (name) => (await h.http.post('/assets').set(a.auth).send({ name, type: 'PROP' }).expect(201)).body.id as string));
    const theirs = (await h.http.post('/assets').set(b.auth).send({ name: 'Theirs', type: 'PROP' }).expect(201)).body.id as string;
    const missing = new Types.ObjectId().toHexString();
    const owned = await h.container.access.check(actor(a), 'asset:read', 'asset', [...mine, theirs, missing, 'not-an-id', 'aaaaaaaaaaaa']);
    expect([...owned].sort()).toEqual([...mine].sort());
    expect(await h.container.access.check(actor(b), 'asset:read', 'asset', mine)).toEqual(new Set());
  });

  it('answers 404 for a foreign id exactly as for a missing one, and 403 for a role before looking anything up', async () => {
    const theirs = (await h.http.post('/assets').set(b.auth).send({ name: 'Foreign', type: 'PROP' }).expect(201)).body.id as string;
    const missing = new Types.ObjectId().toHexString();
    for (const id of [theirs, missing]) await expect(h.container.access.requireIds(actor(a), 'asset:read', 'asset', [id])).rejects.toMatchObject({ status: 404, code: 'ASSET_NOT_FOUND' });
    const artist = await givenMember(h, a, 'ARTIST');
    await expect(h.container.access.requireIds(actor(artist), 'asset:archive', 'asset', [missing])).rejects.toMatchObject({ status: 403, code: 'FORBIDDEN' });
    await expect(h.container.access.requireIds(actor(b), 'user:update', 'user', [a.user.id])).rejects.toMatchObject({ status: 404, code: 'USER_NOT_FOUND' });
    await expect(h.container.access.requireIds(actor(a), 'user:update', 'user', [a.user.id])).resolves.toBeUndefined();
  });
});
