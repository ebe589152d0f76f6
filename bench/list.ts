// bench:list — seeds BENCH_ASSETS assets (default 1,000,000) across BENCH_STUDIOS studios (default 20) with
// bulk inserts, then load-tests GET /assets with autocannon: the first page, the page reached after
// BENCH_HOPS cursor hops (default 1000), each filter, a name-prefix search and the name order. The same
// route served from memory by a bare Node http handler (bench/baselines/bare-list-server.ts) is measured in
// the same run. Prints one JSON line: req/s and p50/p95/p99 per scenario, the ratios the issue sets targets
// on, and which database served them (MongoDB, or FerretDB on PostgreSQL or SQLite).
// BENCH_SECONDS per scenario (default 10), BENCH_CONNECTIONS (default 10), BENCH_LIMIT page size (default 50).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { Types } from 'mongoose';
import { createLogger } from '../src/infra/logging/logger';
import { connectMongo } from '../src/infra/database/mongo';
import { createModels } from '../src/app/repositories/models';
import { ASSET_STATUSES, ASSET_TYPES } from '../src/app/repositories/models/Asset';
import { databaseLabel, json, mailDirOf, round, startApi, startProcess, startServices } from './lib/harness';
import { registerThroughInbox } from '../scripts/dev-register';

const ASSETS = Number(process.env.BENCH_ASSETS ?? 1_000_000);
const STUDIOS = Number(process.env.BENCH_STUDIOS ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const HOPS = Number(process.env.BENCH_HOPS ?? 1000);
const LIMIT = Number(process.env.BENCH_LIMIT ?? 50);
const dbg = (m: string) => process.env.BENCH_DEBUG && process.stderr.write(`[bench:list] ${m}\n`);

interface Load {
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  non2xx: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

/** autocannon for SECONDS; latencies are collected per response so p95 is exact (autocannon reports p97.5). */
async function load(url: string, token?: string): Promise<Load> {
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url, connections: CONNECTIONS, duration: SECONDS, timeout: 120, headers: token ? { authorization: `Bearer ${token}` } : {} }, (err, res) =>
      err ? reject(err) : resolve(res),
    );
    instance.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  });
  const sorted = Float64Array.from(latencies).sort();
  return {
    requestsPerSecond: round(result.requests.average),
    p50: round(percentile(sorted, 50), 2),
    p95: round(percentile(sorted, 95), 2),
    p99: round(percentile(sorted, 99), 2),
    non2xx: result.non2xx + result.errors + result.timeouts,
  };
}

async function main() {
  const services = await startServices();
  const api = await startApi(services);
  const logger = createLogger({ level: 'error', service: 'bench' });
  const conn = await connectMongo({ uri: services.mongoUri, logger });
  const children = [api];
  try {
    const models = createModels(conn);

    // Studios and their producers through the API, so tokens are real.
    const studios: Array<{ token: string; studioId: string; userId: string }> = [];
    for (let s = 0; s < STUDIOS; s++) {
      const reg = await registerThroughInbox(api.url, mailDirOf(api.url), {
        studioName: `List Bench ${s} ${Date.now()}`,
        name: `Producer ${s}`,
        email: `list-${s}-${Date.now()}@bench.test`,
        password: 'benchmark password 1',
      });
      studios.push({ token: reg.accessToken, studioId: reg.user.studioId, userId: reg.user.id });
    }

    // Bulk insert, studio by studio, with the fields and spread a studio's catalogue would have.
    const t0 = Date.now();
    const perStudio = Math.ceil(ASSETS / STUDIOS);
    const start = Date.now() - perStudio * 60_000;
    const BATCH = 5000;
    for (const [s, st] of studios.entries()) {
      const studioId = new Types.ObjectId(st.studioId);
      const author = new Types.ObjectId(st.userId);
      const other = new Types.ObjectId();
      for (let i = 0; i < perStudio; i += BATCH) {
        const docs = Array.from({ length: Math.min(BATCH, perStudio - i) }, (_, j) => {
          const n = i + j;
          const at = new Date(start + n * 60_000);
          return {
            studioId,
            name: `Asset_${s}_${n}`,
            nameLower: `asset_${s}_${n}`,
            type: ASSET_TYPES[n % ASSET_TYPES.length],
            description: '',
            tags: n % 10 === 0 ? ['hero'] : [],
            status: ASSET_STATUSES[n % ASSET_STATUSES.length],
            currentVersion: null,
            latestVersion: 0,
            createdBy: n % 4 === 0 ? author : other,
            updatedBy: author,
            archivedAt: null,
            projectId: null,
            shotId: null,
            revision: 1,
            createdAt: at,
            updatedAt: at,
          };
        });
        await models.Asset.collection.insertMany(docs, { ordered: false });
      }
      dbg(`studio ${s} seeded (${Math.round((Date.now() - t0) / 1000)} s)`);
    }
    const seedSeconds = (Date.now() - t0) / 1000;
    const database = await databaseLabel(conn.db!, models.Asset.collection.collectionName);
    const st = studios[0]!;
    const listUrl = (q: string) => `${api.url}/assets?limit=${LIMIT}${q}`;

    // The page after HOPS cursor hops (or as deep as the studio goes).
    const h0 = Date.now();
    let cursor: string | null = null;
    let hops = 0;
    for (; hops < HOPS; hops++) {
      const page: { page: { nextCursor: string | null } } = await json(listUrl(cursor ? `&cursor=${cursor}` : ''), 'GET', undefined, st.token);
      if (!page.page.nextCursor) break;
      cursor = page.page.nextCursor;
    }
    const hopSeconds = (Date.now() - h0) / 1000;
    dbg(`${hops} hops in ${hopSeconds} s`);

    const scenarios = {
      first: '',
      deep: cursor ? `&cursor=${cursor}` : '',
      type: '&type=SHOT',
      status: '&status=APPROVED',
      tag: '&tag=hero',
      createdBy: `&createdBy=${st.userId}`,
      q: `&q=${encodeURIComponent('Asset_0_12')}`,
      sortName: '&sort=name&order=asc',
    } as const;
    const results = {} as Record<keyof typeof scenarios, Load>;
    for (const [name, q] of Object.entries(scenarios) as Array<[keyof typeof scenarios, string]>) {
      const r = await load(listUrl(q), st.token);
      results[name] = r;
      dbg(`${name}: ${JSON.stringify(r)}`);
    }

    // Bare handler with the API's own first-page body.
    const firstBody = await fetch(listUrl(''), { headers: { authorization: `Bearer ${st.token}` } }).then((r) => r.text());
    const bodyFile = path.join(services.dir, 'first-page.json');
    writeFileSync(bodyFile, firstBody);
    const bare = await startProcess(path.resolve(__dirname, 'baselines/bare-list-server.ts'), { BODY_FILE: bodyFile });
    children.push(bare);
    const bareLoad = await load(`${bare.url}/assets?limit=${LIMIT}`);

    const deepRatio = results.deep.p95 / results.first.p95;
    const throughputShare = results.first.requestsPerSecond / bareLoad.requestsPerSecond;
    const worstP95 = Math.max(...Object.values(results).map((r) => r.p95));
    process.stdout.write(
      `${JSON.stringify({
        bench: 'list',
        database,
        assets: perStudio * STUDIOS,
        studios: STUDIOS,
        seedSeconds: round(seedSeconds, 1),
        deepPage: { hops, hopSeconds: round(hopSeconds, 1) },
        secondsPerScenario: SECONDS,
        connections: CONNECTIONS,
        pageSize: LIMIT,
        api: results,
        bare: bareLoad,
        ratios: { deepToFirstP95: round(deepRatio, 2), apiShareOfBareThroughput: round(throughputShare, 3) },
        targets: { p95BelowMs: 50, deepToFirstAtMost: 1.5, apiShareAtLeast: 0.4 },
        met: { p95: worstP95 < 50, deep: deepRatio <= 1.5, throughput: throughputShare >= 0.4 },
      })}\n`,
    );
  } finally {
    for (const c of children) await c.stop();
    await conn.close();
    await services.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:list failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
