// Starts MongoDB-wire and Redis servers on loopback when no URL is configured (dev default and tests).
// The MongoDB-wire server is mongod when it is on PATH, else FerretDB v1.24.2 on the project's own
// PostgreSQL 15 cluster (both built or installed by `npm run setup`).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canConnect, EmbeddedServiceError, findExecutable, freePort, launch, stopper, waitForPort, type RunningService, type StartOptions } from './process';
import { startPostgres } from './postgres';

export { canConnect, EmbeddedServiceError, findExecutable, freePort, type RunningService, type StartOptions } from './process';
export { runPsql, startPostgres } from './postgres';

/**
 * Where scripts/setup.sh puts the FerretDB binary it builds (outside the clone, so it survives re-clones):
 * STUDIO_API_TOOLS_DIR/bin when that is set, as for setup.sh.
 */
export function toolsBinDir(): string {
  return path.join(process.env.STUDIO_API_TOOLS_DIR || path.join(os.homedir(), '.cache', 'studio-api'), 'bin');
}

export function findFerretDb(): string | undefined {
  return findExecutable('ferretdb', [toolsBinDir(), path.resolve('.tools/bin')]);
}

/**
 * The project's own build must carry the current scripts/ferretdb-*.patch (setup.sh writes their checksum
 * beside the binary): an older build runs, but scans every table, so say so instead of serving or
 * measuring the wrong build.
 */
function checkFerretDbBuild(bin: string): void {
  const scripts = path.resolve(__dirname, '../../../scripts');
  if (path.dirname(bin) !== toolsBinDir() || !existsSync(scripts)) return;
  const patches = readdirSync(scripts)
    .filter((f) => f.startsWith('ferretdb-') && f.endsWith('.patch'))
    .sort();
  const hash = createHash('sha256');
  for (const f of patches) hash.update(readFileSync(path.join(scripts, f)));
  const stamp = `${bin}.patch-sha256`;
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8').trim() !== hash.digest('hex')) {
    throw new EmbeddedServiceError(`${bin} was not built with the current scripts/ferretdb-*.patch: run \`npm run setup\` to rebuild it.`);
  }
}

export async function startRedis(opts: StartOptions): Promise<RunningService> {
  const bin = findExecutable('redis-server');
  if (!bin) {
    throw new EmbeddedServiceError(
      'Redis is required: set REDIS_URL=redis://host:6379, or install redis-server (`sudo apt-get install redis-server`, or `npm run setup`).',
    );
  }
  const dir = path.resolve(opts.dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const logFile = path.join(dir, 'redis.log');
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--protected-mode', 'yes'];
  args.push(...(opts.persistent ? ['--appendonly', 'yes'] : ['--save', '', '--appendonly', 'no']));
  const child = launch(bin, args, logFile, { detached: opts.detached });
  await waitForPort(port, child, 'redis-server', logFile);
  return { kind: 'redis', url: `redis://127.0.0.1:${port}`, pid: child.pid, stop: stopper(opts.detached ? undefined : child, child.pid) };
}

/**
 * FerretDB with its PostgreSQL handler, on a PostgreSQL cluster it starts under dataDir (or the running
 * one at backendUrl). stop() stops both. The FerretDB build of `npm run setup` adds the GIN indexes
 * PostgreSQL needs to serve FerretDB's equality filters, and answers index-shaped queries whole from
 * order-key indexes (scripts/ferretdb-*.patch). extraArgs go to FerretDB's command line (the pushdown tests
 * start their reference with --test-disable-pushdown).
 */
export async function startFerretDb(opts: StartOptions & { backendUrl?: string; extraArgs?: string[] }): Promise<RunningService> {
  const bin = findFerretDb();
  if (!bin) throw new EmbeddedServiceError(`FerretDB is not built: run \`npm run setup\` (it builds FerretDB v1.24.2 into ${toolsBinDir()}), or set MONGO_URI.`);
  checkFerretDbBuild(bin);
  const backend = opts.backendUrl ? undefined : await startPostgres({ ...opts, port: undefined });
  const backendUrl = opts.backendUrl ?? backend!.url;
  const dir = path.resolve(opts.dataDir, 'ferretdb');
  mkdirSync(dir, { recursive: true });
  const logFile = path.join(dir, 'ferretdb.log');
  const port = opts.port ?? (await freePort());
  const args = [
    '--handler=postgresql',
    `--postgresql-url=${backendUrl}`,
    `--state-dir=${dir}`,
    `--listen-addr=127.0.0.1:${port}`,
    '--debug-addr=-',
    '--telemetry=disable',
    '--log-level=WARN',
    ...(opts.extraArgs ?? []),
  ];
  const child = launch(bin, args, logFile, { detached: opts.detached });
  await waitForPort(port, child, 'ferretdb', logFile);
  const stopFerret = stopper(opts.detached ? undefined : child, child.pid);
  const svc: RunningService = {
    kind: 'ferretdb',
    url: `mongodb://127.0.0.1:${port}`,
    pid: child.pid,
    backend,
    async stop() {
      await stopFerret();
      await svc.backend?.stop();
    },
  };
  return svc;
}

export async function startMongo(opts: StartOptions): Promise<RunningService> {
  const port = opts.port ?? (await freePort());
  const mongod = findExecutable('mongod');
  if (mongod) {
    const dir = path.resolve(opts.dataDir, 'mongod');
    mkdirSync(dir, { recursive: true });
    const logFile = path.join(dir, 'mongod.log');
    const child = launch(mongod, ['--dbpath', dir, '--port', String(port), '--bind_ip', '127.0.0.1'], logFile, { detached: opts.detached });
    await waitForPort(port, child, 'mongod', logFile);
    return { kind: 'mongod', url: `mongodb://127.0.0.1:${port}`, pid: child.pid, stop: stopper(opts.detached ? undefined : child, child.pid) };
  }
  if (findFerretDb()) return startFerretDb({ ...opts, port });
  // Last resort where the internet is reachable: mongodb-memory-server downloads a mongod on first use.
  const moduleName = 'mongodb-memory-server';
  try {
    // The module is optional and not a declared dependency, so it has no types here.
    const mms = (await import(moduleName)) as {
      MongoMemoryServer: { create(o: unknown): Promise<{ getUri(): string; stop(): Promise<unknown> }> };
    };
    const server = await mms.MongoMemoryServer.create({ instance: { port, dbPath: opts.persistent ? path.resolve(opts.dataDir, 'mms') : undefined } });
    return { kind: 'mongodb-memory-server', url: server.getUri().replace(/\/$/, ''), stop: async () => void (await server.stop()) };
  } catch {
    throw new EmbeddedServiceError(
      'A MongoDB-wire server is required: set MONGO_URI=mongodb://host:27017/studio, or put mongod or ferretdb on PATH ' +
        '(`npm run setup` installs PostgreSQL 15 and builds FerretDB v1.24.2 into ' + toolsBinDir() + '), or `npm i -D mongodb-memory-server` where the internet is reachable.',
    );
  }
}

interface StateEntry {
  url: string;
  pid?: number;
  kind: string;
}

interface StateFile {
  mongo?: StateEntry;
  /** FerretDB's PostgreSQL, when mongo is FerretDB. */
  postgres?: StateEntry;
  redis?: StateEntry;
}

function pidAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function reusable(entry: StateEntry | undefined): Promise<boolean> {
  if (!entry || !pidAlive(entry.pid)) return false;
  const port = Number(new URL(entry.url).port);
  return canConnect(port);
}

/** PostgreSQL's SIGTERM waits for every client to leave; SIGINT is its fast shutdown. */
const stopSignal = (entry: StateEntry): NodeJS.Signals => (entry.kind === 'postgres' ? 'SIGINT' : 'SIGTERM');

/** Signals the services and waits for them to exit (SIGKILL after 10 s), so their data is flushed. */
async function stopEntries(entries: Array<StateEntry | undefined>): Promise<string[]> {
  const stopped: string[] = [];
  const pids: number[] = [];
  for (const entry of entries) {
    if (entry && pidAlive(entry.pid)) {
      process.kill(entry.pid!, stopSignal(entry));
      pids.push(entry.pid!);
      stopped.push(`${entry.kind} (pid ${entry.pid})`);
    }
  }
  const deadline = Date.now() + 10_000;
  while (pids.some(pidAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const pid of pids.filter(pidAlive)) process.kill(pid, 'SIGKILL');
  return stopped;
}

/**
 * Reuses the running MongoDB-wire server, or starts one. FerretDB is reused only with its PostgreSQL
 * (it cannot follow a PostgreSQL restarted on another port); a PostgreSQL still running is kept.
 */
async function ensureDevMongo(dataDir: string, state: StateFile, started: string[]): Promise<void> {
  const backendUp = await reusable(state.postgres);
  if ((await reusable(state.mongo)) && (state.mongo!.kind !== 'ferretdb' || backendUp)) return;
  await stopEntries([state.mongo]);
  const opts = { dataDir, detached: true, persistent: true };
  const svc = findExecutable('mongod') || !findFerretDb() ? await startMongo(opts) : await startFerretDb({ ...opts, backendUrl: backendUp ? state.postgres!.url : undefined });
  state.mongo = { url: svc.url, pid: svc.pid, kind: svc.kind };
  if (svc.backend) {
    state.postgres = { url: svc.backend.url, pid: svc.backend.pid, kind: svc.backend.kind };
    started.push(`postgres at ${svc.backend.url}`);
  }
  started.push(`${svc.kind} at ${svc.url}`);
}

/**
 * The development default: start MongoDB-wire and Redis servers in the background with their data
 * under dataDir, or reuse the ones a previous `npm run dev` (or a worker) started. They keep running
 * across auto-reloads; `npm run services:stop` stops them.
 */
export async function ensureDevServices(
  dataDir: string,
  need: { mongo: boolean; redis: boolean },
): Promise<{ mongoUrl?: string; redisUrl?: string; started: string[] }> {
  mkdirSync(dataDir, { recursive: true });
  const stateFile = path.join(dataDir, 'services.json');
  const state: StateFile = existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as StateFile) : {};
  const started: string[] = [];
  if (need.mongo) await ensureDevMongo(dataDir, state, started);
  if (need.redis && !(await reusable(state.redis))) {
    const svc = await startRedis({ dataDir, detached: true, persistent: true });
    state.redis = { url: svc.url, pid: svc.pid, kind: svc.kind };
    started.push(`redis-server at ${svc.url}`);
  }
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
  return { mongoUrl: state.mongo && `${state.mongo.url}/studio`, redisUrl: state.redis?.url, started };
}

/** Stops the background services (FerretDB before its PostgreSQL) and waits for them to exit. */
export async function stopDevServices(dataDir: string): Promise<string[]> {
  const stateFile = path.join(dataDir, 'services.json');
  if (!existsSync(stateFile)) return [];
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as StateFile;
  const stopped = [...(await stopEntries([state.mongo, state.redis])), ...(await stopEntries([state.postgres]))];
  writeFileSync(stateFile, '{}');
  return stopped;
}
