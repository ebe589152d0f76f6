// Every shape of GET /assets must be answerable from a declared index: the tenant and archive flag
// first, then the filter's field, then the sort key and _id, so MongoDB reads one index range in order
// and stops after a page (no collection scan, no in-memory sort). This checks the shapes the repository
// really builds against assetSchema.indexes(); `npm run test:plans` asks MongoDB's planner the same.
import { Types } from 'mongoose';
import { assetListQuery, assetSearchQuery, type AssetListQuery } from '../src/app/repositories/AssetRepository';
import { queryWords } from '../src/app/repositories/nameWords';
import { assetSchema } from '../src/app/repositories/models/Asset';
import { encodeCursor } from '../src/app/repositories/pagination';
import { filterFields as fieldsOf, indexKeys, servingIndex as servingOf } from './support/indexCoverage';

const studioId = new Types.ObjectId();
const indexes = indexKeys(assetSchema);

type Shape = [string, Partial<AssetListQuery>];
const base: AssetListQuery = { limit: 50, sort: 'createdAt', order: 'desc', archived: false };
const filters: Shape[] = [
  ['no filter', {}],
  ['type', { type: 'SHOT' }],
  ['status', { status: 'APPROVED' }],
  ['tag', { tag: 'hero' }],
  ['createdBy', { createdBy: new Types.ObjectId().toHexString() }],
  ['projectId', { projectId: new Types.ObjectId().toHexString() }],
];
const sorts: Shape[] = [
  ['createdAt', { sort: 'createdAt' }],
  ['updatedAt', { sort: 'updatedAt' }],
  ['name', { sort: 'name' }],
];


describe('GET /assets query shapes have an index that filters and sorts them', () => {
  const cases: Array<[string, AssetListQuery]> = [];
  for (const [fname, f] of filters) cases.push([`${fname}, newest first`, { ...base, ...f }]);
  for (const [sname, s] of sorts) for (const order of ['asc', 'desc'] as const) cases.push([`sort ${sname} ${order}`, { ...base, ...s, order }]);

  it.each(cases)('%s: first page and a page after a cursor', (_name, query) => {
    for (const cursor of [undefined, encodeCursor(query.sort === 'name' ? 'nameLower' : query.sort, query.order, query.sort === 'name' ? 'shot_0500' : new Date(), new Types.ObjectId())]) {
      const { filter, sort } = assetListQuery(studioId, { ...query, cursor });
      const { equality, range } = fieldsOf(filter as Record<string, unknown>);
      expect(range).toEqual([]);
      expect(equality).toEqual(expect.arrayContaining(['studioId', 'archivedAt', 'shotId']));
      expect(servingOf(indexes, equality, [], sort)).toBeDefined();
    }
  });

  it('a word search (q) reads one range of the name-words index; only its matches are sorted', () => {
    for (const sort of ['name', 'createdAt'] as const) {
      for (const cursor of [undefined, encodeCursor(sort === 'name' ? 'nameLower' : sort, 'asc', sort === 'name' ? 'hero' : new Date(), new Types.ObjectId())]) {
        const { filter } = assetListQuery(studioId, { ...base, sort, order: 'asc', q: 'hero key', cursor });
        const f = fieldsOf(filter as Record<string, unknown>);
        expect(f.range).toEqual(['nameWords']);
        expect(f.equality).toEqual(expect.arrayContaining(['studioId', 'archivedAt', 'shotId']));
        expect(servingOf(indexes, f.equality, ['nameWords'], { _id: 1 })).toBeDefined();
      }
    }
  });

  it('GET /search reads one range of the name-words index for its longest word, and filters by the others', () => {
    const filter = assetSearchQuery(studioId, queryWords('art Hero key')) as { $and: Array<Record<string, unknown>> };
    const f = fieldsOf(filter);
    expect(f).toEqual({ equality: ['studioId', 'archivedAt', 'shotId'], range: ['nameWords'] });
    expect(filter.$and[0]!.nameWords).toEqual({ $regex: '^hero' });
    expect(filter.$and.slice(1)).toEqual([{ nameWords: { $regex: '^art' } }, { nameWords: { $regex: '^key' } }]);
    expect(servingOf(indexes, f.equality, ['nameWords'], {})).toBeDefined();
  });

  it('finds no serving index for a shape that has none (the check can fail)', () => {
    expect(servingOf(indexes, ['studioId', 'archivedAt', 'type'], [], { updatedAt: -1, _id: -1 })).toBeUndefined();
    expect(servingOf(indexes, ['description'], [], { createdAt: -1, _id: -1 })).toBeUndefined();
  });
});
