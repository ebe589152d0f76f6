// Names are found by the starts of their words ("key" and "her" find "Hero key art"), in GET /search and in the
// asset list's q, from each studio's own index range only; renaming re-words a name; a query is capped in
// characters and words and cannot smuggle an operator or a regex; the migration gives stored names their words
// with the API's own tokeniser.
import { Types } from 'mongoose';
import { startHarness, type Harness } from './support/harness';
import { givenMember, givenStudio, type Session } from './support/factories';
import { AssetRepository } from '../src/app/repositories/AssetRepository';
import { MIGRATIONS_DIR } from '../src/infra/database/migrations';
import { nameWords, queryWords, NAME_WORDS_MAX } from '../src/app/repositories/nameWords';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const migration = require(`${MIGRATIONS_DIR}/20261209000000-name-words.js`) as { up(db: unknown): Promise<void>; backfill(collection: unknown, size: number): Promise<void>; nameWords(name: string): string[] };

describe('word search on names', () => {
  let h: Harness;
  let producer: Session;
  let artist: Session;
  let other: Session;

  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '100000' });
    producer = await givenStudio(h);
    artist = await givenMember(h, producer, 'ARTIST');
    other = await givenStudio(h);
  });
  afterAll(async () => h.close());

  const names = (rows: Array<{ name: string }>) => rows.map((r) => r.name);
  const search = async (s: Session, q: string, types?: string) => (await h.http.get('/search').query({ q, ...(types ? { types } : {}) }).set(s.auth).expect(200)).body;

  it('"key" and "her" find "Hero key art" in GET /search and in the asset list; another studio\'s asset of the same name never', async () => {
    const mine = (await h.http.post('/assets').set(artist.auth).send({ name: 'Hero key art', type: 'TEXTURE' }).expect(201)).body;
    await h.http.post('/assets').set(artist.auth).send({ name: 'Monkey wrench', type: 'PROP' }).expect(201);
    await h.http.post('/assets').set(other.auth).send({ name: 'Hero key art', type: 'TEXTURE' }).expect(201);

    for (const q of ['key', 'her', 'KEY', 'art hero', 'hero  key', 'Héro']) {
      const found = await search(artist, q, 'assets');
      expect([q, found.assets.map((a: { id: string }) => a.id)]).toEqual([q, [mine.id]]);
    }
    // The start of a word, not any substring: "ey" is inside "key" and "monkey" but starts neither.
    expect((await search(artist, 'ey')).assets).toEqual([]);
    expect(names((await h.http.get('/assets').query({ q: 'key' }).set(artist.auth).expect(200)).body.data)).toEqual(['Hero key art']);
    expect(names((await h.http.get('/assets').query({ q: 'key', sort: 'name', order: 'asc' }).set(artist.auth).expect(200)).body.data)).toEqual(['Hero key art']);
    expect(names((await search(other, 'key')).assets)).toEqual(['Hero key art']);
    expect((await search(other, 'key')).assets[0].id).not.toBe(mine.id);
  });

  it('finds projects and tasks by their words too, and follows a rename', async () => {
    const project = (await h.http.post('/projects').set(producer.auth).send({ name: 'The Night Garden', code: 'TNG' }).expect(201)).body;
    const asset = (await h.http.post('/assets').set(producer.auth).send({ name: 'Garden gnome', type: 'PROP', projectId: project.id }).expect(201)).body;
    const types = (await h.http.get('/task-types').set(producer.auth).expect(200)).body.data as Array<{ id: string; name: string; for: string | null }>;
    const modeling = types.find((t) => t.name === 'Modeling')!;
    await h.http.post('/tasks').set(producer.auth).send({ entityType: 'ASSET', entityId: asset.id, taskTypeId: modeling.id, name: 'Sculpt the gnome' }).expect(201);

    const found = await search(artist, 'gard');
    expect(found.projects.map((p: { code: string }) => p.code)).toEqual(['TNG']);
    expect(names(found.assets)).toEqual(['Garden gnome']);
    expect(names((await search(artist, 'gnome', 'tasks')).tasks)).toEqual(['Sculpt the gnome']);

    const etag = (await h.http.get(`/assets/${asset.id}`).set(producer.auth).expect(200)).headers.etag as string;
    await h.http.patch(`/assets/${asset.id}`).set(producer.auth).set('If-Match', etag).send({ name: 'Garden troll' }).expect(200);
    expect(names((await search(artist, 'gnome', 'assets')).assets)).toEqual([]);
    expect(names((await search(artist, 'troll', 'assets')).assets)).toEqual(['Garden troll']);
  });

  it.each([
    ['more than six words', { q: 'a b c d e f g' }, 'at most 6 words'],
    ['over 100 characters', { q: 'k'.repeat(101) }, ''],
    ['an operator in place of the text', { 'q[$regex]': '.*' }, ''],
    ['the text twice', { q: ['key', 'art'] }, ''],
  ] as Array<[string, Record<string, unknown>, string]>)('refuses a search with %s, saying so for q', async (_name, query, words) => {
    const res = await h.http.get('/search').query(query).set(artist.auth).expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    const detail = (res.body.error.details as Array<{ path: string; message: string }>).find((d) => d.path === 'q');
    expect(detail?.message).toContain(words);
  });

  it('punctuation alone is no word: it finds nothing, in the asset list and in GET /search', async () => {
    expect((await h.http.get('/assets').query({ q: '***' }).set(artist.auth).expect(200)).body.data).toEqual([]);
    expect(await search(artist, '(.*)+[', 'projects,assets,tasks')).toEqual({ projects: [], assets: [], shots: [], tasks: [] });
  });

  it('splits names on anything but letters and digits, folds case and accents, keeps each word once, at most 32', () => {
    expect(nameWords('SQ010_SH0010 – Hero.Key-art v2 hero')).toEqual(['sq010', 'sh0010', 'hero', 'key', 'art', 'v2']);
    expect(nameWords('Crème brûlée ÉCLAIR')).toEqual(['creme', 'brulee', 'eclair']);
    expect(nameWords(Array.from({ length: 60 }, (_, i) => `w${i}`).join(' '))).toHaveLength(NAME_WORDS_MAX);
    expect(queryWords('a key hero')).toEqual(['hero', 'key', 'a']);
  });

  it('the migration gives stored names their words with the API\'s tokeniser, in batches, and a re-run changes nothing', async () => {
    const sample = ['Hero key art', 'SQ010_SH0010', 'Crème brûlée', '東京 タワー', 'a'.repeat(60), Array.from({ length: 40 }, (_, i) => `w${i}`).join(' '), ''];
    for (const n of sample) expect(migration.nameWords(n)).toEqual(nameWords(n));

    const db = h.container.mongo.db!;
    const studioId = new Types.ObjectId();
    const user = new Types.ObjectId();
    // As an older release stored them: no nameWords.
    await db.collection('assets').insertMany(
      Array.from({ length: 23 }, (_, i) => ({ studioId, name: `Legacy key ${i}`, nameLower: `legacy key ${i}`, type: 'PROP', description: '', tags: [], status: 'IN_PROGRESS', currentVersion: null, latestVersion: 0, createdBy: user, updatedBy: user, archivedAt: null, shotId: null, projectId: null, revision: 1 })),
    );
    await db.collection('projects').insertOne({ studioId, name: 'Old Show', nameLower: 'old show', code: 'OLD', codeLower: 'old' });
    await db.collection('tasks').insertOne({ studioId, name: 'Old task', nameLower: 'old task', status: 'TODO' });

    // In batches of 5 here (500 in the migration), as after a crash half-way: one asset already has words.
    await db.collection('assets').updateOne({ studioId, name: 'Legacy key 3' }, { $set: { nameWords: ['legacy', 'key', '3'] } });
    await migration.backfill(db.collection('assets'), 5);
    await migration.up(db);
    expect(await db.collection('assets').countDocuments({ studioId, nameWords: { $exists: false } })).toBe(0);
    expect((await db.collection('assets').findOne({ studioId, name: 'Legacy key 7' }))!.nameWords).toEqual(['legacy', 'key', '7']);
    expect((await db.collection('projects').findOne({ studioId }))!.nameWords).toEqual(['old', 'show']);
    expect((await db.collection('tasks').findOne({ studioId }))!.nameWords).toEqual(['old', 'task']);
    const found = await new AssetRepository(h.container.models).search(studioId, queryWords('key 2'), 50);
    expect(found.map((a) => a.name).sort()).toEqual(['Legacy key 2', 'Legacy key 20', 'Legacy key 21', 'Legacy key 22']);

    const before = await db.collection('assets').find({ studioId }).sort({ _id: 1 }).toArray();
    await migration.up(db);
    expect(await db.collection('assets').find({ studioId }).sort({ _id: 1 }).toArray()).toEqual(before);
  });
});
