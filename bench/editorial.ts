// bench:editorial — the dry run of a re-timed cut at the import's 10,000-shot cap (issue 27, finding 4):
// seeds BENCH_SHOTS shots (default 10,000) with BENCH_TASKS tasks each (default 4), a latest version and
// a render per shot, with bulk inserts in the shapes the API writes; then POSTs the project's cut as a CSV
// with every shot slipped by 3 frames (all re-timed: the report lists each shot's tasks, versions and
// renders) BENCH_ROUNDS times (default 3) while another process probes /health. The baseline, in the same
// run: the same dry run of the cut as stored (every shot unchanged, nothing to look up), and the API idle.
// Stalls are measured three ways: the API's own longest event-loop delay (prom-client), the slowest /health
// answer seen by another process, and (from a CPU profile of the API, BENCH_PROFILE=0 to skip) the CPU time
// of the API's longest synchronous task, which a loaded machine does not inflate. Prints one JSON line.
import { Types } from 'mongoose';
import { createLogger } from '../src/infra/logging/logger';
import { connectMongo } from '../src/infra/database/mongo';
import { createModels } from '../src/app/repositories/models';
import { databaseLabel, json, mailDirOf, round, startApi, startServices } from './lib/harness';
import { whileProbing } from './lib/health';
import { heaviest, longestTasks, profileArgs, type Task } from './lib/cpuprofile';
import { registerThroughInbox } from '../scripts/dev-register';

const SHOTS = Number(process.env.BENCH_SHOTS ?? 10_000);
const TASKS = Number(process.env.BENCH_TASKS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PROFILE = process.env.BENCH_PROFILE !== '0';
const dbg = (m: string) => process.env.BENCH_DEBUG && process.stderr.write(`[bench:editorial] ${m}\n`);
const code = (i: number) => `SQ${String(Math.floor(i / 100) * 10).padStart(4, '0')}_SH${String((i % 100) * 10 + 10).padStart(4, '0')}`;

async function main() {
  const services = await startServices();
  const profile = PROFILE ? profileArgs() : undefined;
  const api = await startApi(services, {}, profile?.args);
  const windows: Array<{ start: bigint; end: bigint }> = [];
  const timed = async <T>(work: () => Promise<T>) => {
    const start = process.hrtime.bigint();
    try {
      return await work();
    } finally {
      windows.push({ start, end: process.hrtime.bigint() });
    }
  };
  let output: Record<string, unknown> | undefined;
  const conn = await connectMongo({ uri: services.mongoUri, logger: createLogger({ level: 'error', service: 'bench' }) });
  try {
    const models = createModels(conn);
    const reg = await registerThroughInbox(api.url, mailDirOf(api.url), { studioName: `Editorial Bench ${Date.now()}`, name: 'Producer', email: `editorial-${Date.now()}@bench.test`, password: 'benchmark password 1' });
    const token = reg.accessToken;
    const project: { id: string } = await json(`${api.url}/projects`, 'POST', { name: 'Editorial bench', code: 'EB', fps: { num: 24, den: 1 } }, token);
    const types = (await json<{ data: Array<{ id: string; for: string }> }>(`${api.url}/task-types`, 'GET', undefined, token)).data.filter((t) => t.for !== 'ASSET').slice(0, TASKS);

    const t0 = Date.now();
    const studioId = new Types.ObjectId(reg.user.studioId);
    const user = new Types.ObjectId(reg.user.id);
    const pid = new Types.ObjectId(project.id);
    const now = new Date();
    const sequences = new Map<string, Types.ObjectId>();
    for (let i = 0; i < SHOTS; i += 100) {
      const seq = code(i).split('_')[0]!;
      const { id } = await json<{ id: string }>(`${api.url}/projects/${project.id}/sequences`, 'POST', { code: seq }, token);
      sequences.set(seq, new Types.ObjectId(id));
    }
    const BATCH = 1000;
    for (let i = 0; i < SHOTS; i += BATCH) {
      const shots = Array.from({ length: Math.min(BATCH, SHOTS - i) }, (_, j) => ({ n: i + j, _id: new Types.ObjectId(), assetId: new Types.ObjectId(), code: code(i + j) }));
      await models.Asset.collection.insertMany(shots.map((s) => ({ _id: s.assetId, studioId, name: `shot:EB:${s.code}`, nameLower: `shot:eb:${s.code.toLowerCase()}`, type: 'SHOT', description: '', tags: [], status: 'IN_PROGRESS', currentVersion: null, latestVersion: 1 + (s.n % 3), createdBy: user, updatedBy: user, archivedAt: null, projectId: pid, shotId: s._id, revision: 1, createdAt: now, updatedAt: now })));
      await models.Shot.collection.insertMany(shots.map((s) => ({ _id: s._id, studioId, projectId: pid, sequenceId: sequences.get(s.code.split('_')[0]!)!, episodeId: null, code: s.code, codeLower: s.code.toLowerCase(), cutOrder: (s.n + 1) * 10, frameIn: 1001, frameOut: 1048, recordIn: null, recordOut: null, handles: null, fps: null, description: '', status: 'ACTIVE', assetId: s.assetId, createdBy: user, revision: 1, createdAt: now, updatedAt: now })));
      await models.Task.collection.insertMany(
        shots.flatMap((s) => types.map((t, k) => ({ studioId, projectId: pid, entityType: 'SHOT', entityId: s._id, assetId: s.assetId, taskTypeId: new Types.ObjectId(t.id), name: `${s.code} ${k}`, nameLower: `${s.code.toLowerCase()} ${k}`, status: ['TODO', 'WIP', 'WFA', 'DONE'][(s.n + k) % 4], assignees: [user], dueDate: null, dueSort: new Date('9999-12-31'), estimateHours: null, priority: 0, submission: null, createdBy: user, revision: 1, createdAt: now, updatedAt: now }))),
      );
      await models.RenderJob.collection.insertMany(shots.map((s) => ({ studioId, assetId: s.assetId, version: 1, engine: 'simulated', frames: { start: 1001, end: 1048 }, chunkSize: 8, chunkCount: 6, priority: 0, status: 'COMPLETED', maxAttempts: 3, chunkTimeoutMs: 60_000, run: 1, requestedBy: user, idempotencyKey: `eb-${s.code}`, queuedAt: now, createdAt: now, updatedAt: now })));
      dbg(`${i + shots.length} shots seeded`);
    }
    const seedSeconds = (Date.now() - t0) / 1000;
    const database = await databaseLabel(conn.db!, models.Shot.collection.collectionName);

    const csv = (slip: number) => `sequence,shot,frame_in,frame_out\n${Array.from({ length: SHOTS }, (_, i) => `${code(i).split('_')[0]},${code(i)},${1001 + slip},${1048 + slip}`).join('\n')}\n`;
    const dryRun = async (body: string) => {
      const res = await fetch(`${api.url}/projects/${project.id}/editorial/import?format=csv&dryRun=true`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/csv' }, body });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`dry run: ${res.status} ${text.slice(0, 300)}`);
      const report = JSON.parse(text) as { shots: { retimed: Array<{ affects: { tasks: unknown[]; renders: number } }>; unchanged: number } };
      return { bytes: text.length, retimed: report.shots.retimed.length, unchanged: report.shots.unchanged, tasksListed: report.shots.retimed.reduce((n, r) => n + r.affects.tasks.length, 0) };
    };

    // Idle /health for as long as one round is expected to take, as the stall baseline.
    const { health: idle, eventLoopMaxMs: idleLoopMs } = await timed(() => whileProbing(api.url, () => new Promise((r) => setTimeout(r, 3000))));

    const rounds: Array<{ kind: string; seconds: number; eventLoopMaxMs: number; healthMaxMs: number; healthP99Ms: number; answered: number; retimed: number; unchanged: number; tasksListed: number; replyMiB: number }> = [];
    for (let r = 0; r < ROUNDS; r++) {
      for (const [kind, slip] of [['unchanged', 0], ['retimed', 3]] as const) {
        const body = csv(slip);
        const { result, seconds, health, eventLoopMaxMs } = await timed(() => whileProbing(api.url, () => dryRun(body)));
        rounds.push({ kind, seconds: round(seconds, 2), eventLoopMaxMs, healthMaxMs: health.maxMs, healthP99Ms: health.p99Ms, answered: health.answered, retimed: result.retimed, unchanged: result.unchanged, tasksListed: result.tasksListed, replyMiB: round(result.bytes / 1024 / 1024, 1) });
        dbg(`round ${r + 1} ${kind}: ${seconds.toFixed(2)} s, event loop max ${eventLoopMaxMs} ms, /health max ${health.maxMs} ms`);
      }
    }
    const of = (kind: string) => rounds.filter((x) => x.kind === kind);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const retimed = of('retimed');
    const unchanged = of('unchanged');
    const summary = (xs: typeof rounds) => ({ medianSeconds: median(xs.map((x) => x.seconds)), maxSeconds: Math.max(...xs.map((x) => x.seconds)), eventLoopMaxMs: Math.max(...xs.map((x) => x.eventLoopMaxMs)), healthMaxMs: Math.max(...xs.map((x) => x.healthMaxMs)), healthP99Ms: Math.max(...xs.map((x) => x.healthP99Ms)) });
    const re = summary(retimed);
    const un = summary(unchanged);
    output = {
        bench: 'editorial',
        database,
        shots: SHOTS,
        tasks: SHOTS * types.length,
        renders: SHOTS,
        rounds: ROUNDS,
        seedSeconds: round(seedSeconds, 1),
        retimedDryRun: { ...re, shotsRetimed: retimed[0]!.retimed, tasksListed: retimed[0]!.tasksListed, replyMiB: retimed[0]!.replyMiB },
        unchangedDryRunBaseline: { ...un, shotsUnchanged: unchanged[0]!.unchanged },
        idleBaseline: { eventLoopMaxMs: idleLoopMs, healthMaxMs: idle.maxMs, healthP99Ms: idle.p99Ms, answered: idle.answered },
        ratios: { retimedToUnchangedSeconds: round(re.medianSeconds / un.medianSeconds, 2), retimedStallToIdleStall: round(re.eventLoopMaxMs / idleLoopMs, 1) },
        target: { eventLoopMaxMs: 50, met: re.eventLoopMaxMs <= 50 },
        perRound: rounds,
    };
  } finally {
    await api.stop();
    await conn.close();
    await services.stop();
  }
  if (output && profile) {
    // Written by the API as it exits: windows[0] is the idle baseline, then one per round in order.
    const tasks = longestTasks(profile.dir, windows);
    const perRound = output.perRound as Array<Record<string, unknown>>;
    perRound.forEach((r, i) => (r.longestTask = tasks[i + 1]));
    const worst = (kind: string) => heaviest(perRound.filter((r) => r.kind === kind).map((r) => r.longestTask as Task | null));
    output.longestTaskCpuMs = { retimed: worst('retimed'), unchanged: worst('unchanged'), idle: tasks[0] };
    output.target = { ...(output.target as object), longestTaskCpuMs: 50, longestTaskMet: (worst('retimed')?.cpuMs ?? 0) <= 50 };
  }
  if (output) process.stdout.write(`${JSON.stringify(output)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:editorial failed: ${(err as Error).stack ?? String(err)}${(err as Error).cause ? `\ncause: ${String((err as Error).cause)}` : ''}\n`);
  process.exit(1);
});
