// bench:grid — the project shot grid at BENCH_SHOTS shots (default 5,000) × BENCH_TYPES shot task types
// (default 8): seeds them with bulk inserts (the shapes the API writes), then walks the whole grid by cursor
// BENCH_ROUNDS times (default 3) at BENCH_LIMIT shots per page (default 100), timing every page. The
// baseline, in the same run on the same server: the same walk over GET /assets with as many plain assets in
// the same studio. Then the reads one grid page makes, each timed alone over the bench's own connection
// (BENCH_REPS times, default 20): the page of shots, their tasks, their backing assets, and a page of the
// asset list as the baseline, with the documents each returns (what the embedded FerretDB decodes one by
// one). Prints one JSON line: p50/p95/max per page for both, the ratio, the reads' p50s, and the database.
import { Types } from 'mongoose';
import { createLogger } from '../src/infra/logging/logger';
import { connectMongo } from '../src/infra/database/mongo';
import { createModels } from '../src/app/repositories/models';
import { AssetRepository } from '../src/app/repositories/AssetRepository';
import { ShotRepository } from '../src/app/repositories/ShotRepository';
import { TaskRepository } from '../src/app/repositories/TaskRepository';
import { databaseLabel, json, mailDirOf, round, startApi, startServices } from './lib/harness';
import { registerThroughInbox } from '../scripts/dev-register';

const SHOTS = Number(process.env.BENCH_SHOTS ?? 5000);
const TYPES = Number(process.env.BENCH_TYPES ?? 8);
const LIMIT = Number(process.env.BENCH_LIMIT ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const REPS = Number(process.env.BENCH_REPS ?? 20);
const dbg = (m: string) => process.env.BENCH_DEBUG && process.stderr.write(`[bench:grid] ${m}\n`);

function stats(ms: number[]) {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
  return { pages: sorted.length, p50: round(at(50), 1), p95: round(at(95), 1), max: round(sorted.at(-1) ?? Number.NaN, 1) };
}

/** Walks a listing to its end by cursor, timing each page; returns the latencies and the rows seen. */
async function walk(url: (cursor: string | null) => string, token: string): Promise<{ ms: number[]; rows: number }> {
  const ms: number[] = [];
  let cursor: string | null = null;
  let rows = 0;
  for (;;) {
    const t = performance.now();
    const page: { data: unknown[]; page: { nextCursor: string | null } } = await json(url(cursor), 'GET', undefined, token);
    ms.push(performance.now() - t);
    rows += page.data.length;
    cursor = page.page.nextCursor;
    if (!cursor) return { ms, rows };
  }
}

/** p50 of `read` run REPS times in a row, and how many documents it returned. */
async function timed(read: () => Promise<unknown[]>): Promise<{ p50: number; documents: number }> {
  const ms: number[] = [];
  let documents = 0;
  for (let i = 0; i < REPS; i++) {
    const t = performance.now();
    documents = (await read()).length;
    ms.push(performance.now() - t);
  }
  return { p50: stats(ms).p50, documents };
}

async function main() {
  const services = await startServices();
  const api = await startApi(services);
  const conn = await connectMongo({ uri: services.mongoUri, logger: createLogger({ level: 'error', service: 'bench' }) });
  try {
    const models = createModels(conn);
    const reg = await registerThroughInbox(api.url, mailDirOf(api.url), { studioName: `Grid Bench ${Date.now()}`, name: 'Producer', email: `grid-${Date.now()}@bench.test`, password: 'benchmark password 1' });
    const token = reg.accessToken;
    const project: { id: string } = await json(`${api.url}/projects`, 'POST', { name: 'Grid bench', code: 'GB' }, token);
    const seq: { id: string } = await json(`${api.url}/projects/${project.id}/sequences`, 'POST', { code: 'SQ' }, token);
    let types: Array<{ id: string; for: string }> = (await json<{ data: Array<{ id: string; for: string }> }>(`${api.url}/task-types`, 'GET', undefined, token)).data;
    for (let i = types.filter((t) => t.for !== 'ASSET').length; i < TYPES; i++) await json(`${api.url}/task-types`, 'POST', { name: `Extra ${i}`, color: '#336699', for: 'SHOT' }, token);
    types = (await json<{ data: Array<{ id: string; for: string }> }>(`${api.url}/task-types`, 'GET', undefined, token)).data.filter((t) => t.for !== 'ASSET').slice(0, TYPES);

    const t0 = Date.now();
    const studioId = new Types.ObjectId(reg.user.studioId);
    const user = new Types.ObjectId(reg.user.id);
    const pid = new Types.ObjectId(project.id);
    const now = new Date();
    const BATCH = 1000;
    for (let i = 0; i < SHOTS; i += BATCH) {
      const shots = Array.from({ length: Math.min(BATCH, SHOTS - i) }, (_, j) => ({ _id: new Types.ObjectId(), n: i + j, assetId: new Types.ObjectId() }));
      const code = (n: number) => `SH${String(n).padStart(5, '0')}`;
      await models.Asset.collection.insertMany(shots.map((s) => ({ _id: s.assetId, studioId, name: `shot:GB:${code(s.n)}`, nameLower: `shot:gb:${code(s.n).toLowerCase()}`, type: 'SHOT', description: '', tags: [], status: 'IN_PROGRESS', currentVersion: null, latestVersion: 0, createdBy: user, updatedBy: user, archivedAt: null, projectId: pid, shotId: s._id, revision: 1, createdAt: now, updatedAt: now })));
      await models.Shot.collection.insertMany(shots.map((s) => ({ _id: s._id, studioId, projectId: pid, sequenceId: new Types.ObjectId(seq.id), episodeId: null, code: code(s.n), codeLower: code(s.n).toLowerCase(), cutOrder: s.n * 10, frameIn: 1001, frameOut: 1048, recordIn: null, recordOut: null, handles: null, fps: null, description: '', status: 'ACTIVE', assetId: s.assetId, createdBy: user, revision: 1, createdAt: now, updatedAt: now })));
      await models.Task.collection.insertMany(
        shots.flatMap((s) => types.map((t, k) => ({ studioId, projectId: pid, entityType: 'SHOT', entityId: s._id, assetId: s.assetId, taskTypeId: new Types.ObjectId(t.id), name: `${code(s.n)} ${k}`, nameLower: `${code(s.n).toLowerCase()} ${k}`, status: ['TODO', 'WIP', 'WFA', 'RETAKE', 'DONE'][(s.n + k) % 5], assignees: [user], dueDate: null, dueSort: new Date('9999-12-31'), estimateHours: null, priority: 0, submission: null, createdBy: user, revision: 1, createdAt: now, updatedAt: now }))),
      );
      // The baseline's plain assets: as many as shots, in the same studio.
      await models.Asset.collection.insertMany(shots.map((s) => ({ studioId, name: `Asset ${s.n}`, nameLower: `asset ${s.n}`, type: 'PROP', description: '', tags: [], status: 'IN_PROGRESS', currentVersion: null, latestVersion: 0, createdBy: user, updatedBy: user, archivedAt: null, projectId: pid, shotId: null, revision: 1, createdAt: new Date(now.getTime() - s.n * 1000), updatedAt: now })));
      dbg(`${i + shots.length} shots seeded`);
    }
    const seedSeconds = (Date.now() - t0) / 1000;
    const database = await databaseLabel(conn.db!, models.Shot.collection.collectionName);

    const grid: number[] = [];
    const list: number[] = [];
    let gridRows = 0;
    let listRows = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const g = await walk((c) => `${api.url}/projects/${project.id}/grid?limit=${LIMIT}${c ? `&cursor=${c}` : ''}`, token);
      grid.push(...g.ms);
      gridRows = g.rows;
      const a = await walk((c) => `${api.url}/assets?limit=${LIMIT}${c ? `&cursor=${c}` : ''}`, token);
      list.push(...a.ms);
      listRows = a.rows;
      dbg(`round ${r + 1}: grid p95 ${stats(g.ms).p95} ms, assets p95 ${stats(a.ms).p95} ms`);
    }
    // The grid page's reads, one at a time, for the first page of the cut order.
    const shotRepo = new ShotRepository(models);
    const firstPage = (await shotRepo.gridPage(studioId, pid, { sort: 'cutOrder', order: 'asc' }, { limit: LIMIT })).data;
    const breakdown = {
      shots: await timed(async () => (await shotRepo.gridPage(studioId, pid, { sort: 'cutOrder', order: 'asc' }, { limit: LIMIT })).data),
      tasksOfShots: await timed(() => new TaskRepository(models).ofEntities(studioId, firstPage.map((s) => s._id))),
      backingAssets: await timed(() => new AssetRepository(models).findMany(studioId, firstPage.flatMap((s) => (s.assetId ? [s.assetId] : [])))),
      assetListPage: await timed(async () => (await new AssetRepository(models).list(studioId, { limit: LIMIT, sort: 'createdAt', order: 'desc', archived: false })).data),
    };
    dbg(`breakdown ${JSON.stringify(breakdown)}`);
    const g = stats(grid);
    const a = stats(list);
    process.stdout.write(
      `${JSON.stringify({
        bench: 'grid',
        database,
        shots: SHOTS,
        taskTypes: types.length,
        tasks: SHOTS * types.length,
        pageSize: LIMIT,
        rounds: ROUNDS,
        seedSeconds: round(seedSeconds, 1),
        grid: { ...g, rowsPerWalk: gridRows },
        assetListBaseline: { ...a, rowsPerWalk: listRows },
        readsOfOnePage: breakdown,
        ratios: { gridToAssetListP95: round(g.p95 / a.p95, 2) },
      })}\n`,
    );
  } finally {
    await api.stop();
    await conn.close();
    await services.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:grid failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
