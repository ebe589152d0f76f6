// MongoDB's own query planner on every GET /assets shape: the winning plan reads an index (IXSCAN), never
// the collection, and needs no in-memory SORT except where documented (a word search sorts only its
// matches). Run with `npm run test:plans` against MongoDB (MONGO_URI, e.g. the
// compose file's mongo:7). FerretDB v1 plans every query as a full SQLite scan, so on FerretDB
// this file fails at once and says so; tests/assets.indexes.test.ts checks the same shapes statically.
import { Types } from 'mongoose';
import { loadConfig } from '../../src/config/env';
import { createLogger } from '../../src/infra/logging/logger';
import { connectMongo } from '../../src/infra/database/mongo';
import { createModels, syncIndexes, type Models } from '../../src/app/repositories/models';
import { assetListQuery, assetSearchQuery, type AssetListQuery } from '../../src/app/repositories/AssetRepository';
import { nameWords, queryWords } from '../../src/app/repositories/nameWords';
import { ASSET_STATUSES, ASSET_TYPES } from '../../src/app/repositories/models/Asset';
import { encodeCursor } from '../../src/app/repositories/pagination';
import { assetUsageQuery } from '../../src/app/repositories/StorageUsageRepository';
import { withDatabase } from '../support/harness';

interface PlanStage {
  stage?: string;
  inputStage?: PlanStage;
  inputStages?: PlanStage[];
  queryPlan?: PlanStage;
}

function stagesOf(plan: PlanStage | undefined): string[] {
  if (!plan) return [];
  return [plan.stage ?? '', ...stagesOf(plan.inputStage), ...(plan.inputStages ?? []).flatMap(stagesOf), ...stagesOf(plan.queryPlan)].filter(Boolean);
}

describe('MongoDB plans every GET /assets shape as an index scan', () => {
  let models: Models;
  let close: () => Promise<void>;
  const studioId = new Types.ObjectId();
  const author = new Types.ObjectId();

  beforeAll(async () => {
    const uri = process.env.MONGO_URI;
    if (!uri) throw new Error('MONGO_URI is not set');
    const config = loadConfig({ NODE_ENV: 'test', MONGO_URI: withDatabase(uri, `plans_${Date.now()}`) });
    const conn = await connectMongo({ uri: config.MONGO_URI!, logger: createLogger({ level: 'error', service: 'plans' }) });
    close = async () => {
      await conn.dropDatabase().catch(() => undefined);
      await conn.close();
    };
    const info = (await conn.db!.admin().command({ buildInfo: 1 })) as { version?: string; ferretdbVersion?: string };
    if (info.ferretdbVersion) {
      throw new Error(
        `query plans need MongoDB, and MONGO_URI points at FerretDB ${info.ferretdbVersion}, which plans every query as a full SQLite scan (docs/performance.md). ` +
          'Start MongoDB (docker compose up -d mongo) and run MONGO_URI=mongodb://127.0.0.1:27017 npm run test:plans.',
      );
    }
    models = createModels(conn);
    await syncIndexes(models);
    // Enough documents, spread over other studios too, that a collection scan could never win on cost.
    const other = new Types.ObjectId();
    const now = Date.now();
    const docs = Array.from({ length: 20_000 }, (_, i) => ({
      studioId: i % 2 ? studioId : other,
      name: `Shot_${i}`,
      nameLower: `shot_${i}`,
      nameWords: nameWords(`Shot_${i}`),
      type: ASSET_TYPES[i % ASSET_TYPES.length],
      status: ASSET_STATUSES[i % ASSET_STATUSES.length],
      tags: i % 7 ? [] : ['hero'],
      createdBy: i % 3 ? author : other,
      updatedBy: author,
      archivedAt: i % 50 ? null : new Date(now),
      createdAt: new Date(now - i * 1000),
      updatedAt: new Date(now - i * 500),
      storage: { bytes: (i * 7919) % 100_000, versions: i % 5 },
    }));
    await models.Asset.collection.insertMany(docs, { ordered: false });
  }, 120_000);
  afterAll(async () => close?.());

  const base: AssetListQuery = { limit: 50, sort: 'createdAt', order: 'desc', archived: false };
  const strict: Array<[string, Partial<AssetListQuery>]> = [
    ['first page', {}],
    ['type', { type: 'SHOT' }],
    ['status', { status: 'APPROVED' }],
    ['tag', { tag: 'hero' }],
    ['createdBy', { createdBy: author.toHexString() }],
    ['sort updatedAt asc', { sort: 'updatedAt', order: 'asc' }],
    ['sort name asc', { sort: 'name', order: 'asc' }],
    ['sort name desc', { sort: 'name', order: 'desc' }],
  ];

  async function stages(query: AssetListQuery): Promise<string[]> {
    const { filter, sort } = assetListQuery(studioId, query);
    const explained = (await models.Asset.find(filter).sort(sort).limit(query.limit + 1).explain('queryPlanner')) as unknown as { queryPlanner: { winningPlan: PlanStage } };
    return stagesOf(explained.queryPlanner.winningPlan);
  }

  it.each(strict)('%s: IXSCAN, no COLLSCAN, no in-memory SORT, on the first page and after a cursor', async (_name, q) => {
    const query = { ...base, ...q };
    const field = query.sort === 'name' ? 'nameLower' : query.sort;
    for (const cursor of [undefined, encodeCursor(field, query.order, field === 'nameLower' ? 'shot_15000' : new Date(Date.now() - 5_000_000), new Types.ObjectId())]) {
      const s = await stages({ ...query, cursor });
      expect(s).toContain('IXSCAN');
      expect(s).not.toContain('COLLSCAN');
      expect(s).not.toContain('SORT');
    }
  });

  it('storage usage by asset (GET /storage/usage/assets), largest first: IXSCAN, no COLLSCAN, no in-memory SORT, on the first page and after a cursor', async () => {
    for (const cursor of [undefined, encodeCursor('storage.bytes', 'desc', 50_000, new Types.ObjectId())]) {
      const { filter, sort } = assetUsageQuery(studioId, { limit: 50, cursor });
      const explained = (await models.Asset.find(filter).sort(sort).limit(51).explain('queryPlanner')) as unknown as { queryPlanner: { winningPlan: PlanStage } };
      const s = stagesOf(explained.queryPlanner.winningPlan);
      expect(s).toContain('IXSCAN');
      expect(s).not.toContain('COLLSCAN');
      expect(s).not.toContain('SORT');
    }
  });

  it('GET /search\'s asset words (one word\'s range, filtered by the others): IXSCAN, no COLLSCAN, no in-memory SORT', async () => {
    const explained = (await models.Asset.find(assetSearchQuery(studioId, queryWords('shot 12'))).limit(10).explain('queryPlanner')) as unknown as { queryPlanner: { winningPlan: PlanStage } };
    const s = stagesOf(explained.queryPlanner.winningPlan);
    expect(s).toContain('IXSCAN');
    expect(s).not.toContain('COLLSCAN');
    expect(s).not.toContain('SORT');
  });

  // A word search sorts only its matches (the words' index bounds them; a name order is not the words' order).
  it.each([
    ['q sorted by name', { sort: 'name', order: 'asc', q: 'shot 12' }],
    ['q newest first', { q: 'shot 12' }],
    ['archived', { archived: true }],
    ['type sorted by name', { type: 'SHOT', sort: 'name', order: 'asc' }],
  ] as Array<[string, Partial<AssetListQuery>]>)('%s: IXSCAN and never a COLLSCAN', async (_name, q) => {
    const s = await stages({ ...base, ...q });
    expect(s).toContain('IXSCAN');
    expect(s).not.toContain('COLLSCAN');
  });
});
