// Starts MongoDB-wire and Redis servers on loopback when no URL is configured (dev default and tests).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync, accessSync, constants } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export class EmbeddedServiceError extends Error {
  override name = 'EmbeddedServiceError';
}

export interface RunningService {
  kind: 'redis' | 'mongod' | 'ferretdb' | 'mongodb-memory-server';
  url: string;
  pid?: number;
  stop(): Promise<void>;
}

/** Where scripts/setup.sh puts the FerretDB binary it builds (outside the clone, so it survives re-clones). */
export function toolsBinDir(): string {
  return path.join(os.homedir(), '.cache', 'studio-api', 'bin');
}

export function findExecutable(name: string, extraDirs: string[] = []): string | undefined {
  // PATH is read here as the OS's search path for programs, exactly as spawn() itself would use it.
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), ...extraDirs].filter(Boolean);
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export function canConnect(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

async function waitForPort(port: number, child: ChildProcess | undefined, what: string, logFile: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) {
      throw new EmbeddedServiceError(`${what} exited with code ${child.exitCode} during start-up; see ${logFile}`);
    }
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new EmbeddedServiceError(`${what} did not accept connections on port ${port} within ${timeoutMs} ms; see ${logFile}`);
}

function stopper(child: ChildProcess | undefined, pid: number | undefined): () => Promise<void> {
  return async () => {
    if (child) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    } else if (pid) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  };
}

interface StartOptions {
  dataDir: string;
  /** Detached services outlive this process (the dev default); attached ones die with it (tests). */
  detached: boolean;
  persistent: boolean;
  port?: number;
}

function launch(bin: string, args: string[], logFile: string, detached: boolean): ChildProcess {
  const out = openSync(logFile, 'a');
  const child = spawn(bin, args, { detached, stdio: ['ignore', out, out] });
  if (detached) child.unref();
  return child;
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
  const child = launch(bin, args, logFile, opts.detached);
  await waitForPort(port, child, 'redis-server', logFile);
  return { kind: 'redis', url: `redis://127.0.0.1:${port}`, pid: child.pid, stop: stopper(opts.detached ? undefined : child, child.pid) };
}

export async function startMongo(opts: StartOptions): Promise<RunningService> {
  const port = opts.port ?? (await freePort());
  const mongod = findExecutable('mongod');
  const ferret = findExecutable('ferretdb', [toolsBinDir(), path.resolve('.tools/bin')]);
  if (mongod) {
    const dir = path.resolve(opts.dataDir, 'mongod');
    mkdirSync(dir, { recursive: true });
    const logFile = path.join(dir, 'mongod.log');
    const child = launch(mongod, ['--dbpath', dir, '--port', String(port), '--bind_ip', '127.0.0.1'], logFile, opts.detached);
    await waitForPort(port, child, 'mongod', logFile);
    return { kind: 'mongod', url: `mongodb://127.0.0.1:${port}`, pid: child.pid, stop: stopper(opts.detached ? undefined : child, child.pid) };
  }
  if (ferret) {
    const dir = path.resolve(opts.dataDir, 'ferretdb');
    mkdirSync(dir, { recursive: true });
    const logFile = path.join(dir, 'ferretdb.log');
    const args = [
      '--handler=sqlite',
      // WAL with synchronous=NORMAL: a commit no longer waits for an fsync, and a crash of anything but
      // the machine loses nothing. This server holds dev, test and benchmark data only (production is MongoDB).
      `--sqlite-url=file:${dir}/?_pragma=synchronous(NORMAL)`,
      `--state-dir=${dir}`,
      `--listen-addr=127.0.0.1:${port}`,
      '--debug-addr=-',
      '--telemetry=disable',
      '--log-level=WARN',
    ];
    const child = launch(ferret, args, logFile, opts.detached);
    await waitForPort(port, child, 'ferretdb', logFile);
    return { kind: 'ferretdb', url: `mongodb://127.0.0.1:${port}`, pid: child.pid, stop: stopper(opts.detached ? undefined : child, child.pid) };
  }
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
        '(`npm run setup` builds FerretDB v1.24.2 into ' + toolsBinDir() + '), or `npm i -D mongodb-memory-server` where the internet is reachable.',
    );
  }
}

interface StateFile {
  mongo?: { url: string; pid?: number; kind: string };
  redis?: { url: string; pid?: number; kind: string };
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

async function reusable(entry: { url: string; pid?: number } | undefined): Promise<boolean> {
  if (!entry || !pidAlive(entry.pid)) return false;
  const port = Number(new URL(entry.url).port);
  return canConnect(port);
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
  if (need.mongo && !(await reusable(state.mongo))) {
    const svc = await startMongo({ dataDir, detached: true, persistent: true });
    state.mongo = { url: svc.url, pid: svc.pid, kind: svc.kind };
    started.push(`${svc.kind} at ${svc.url}`);
  }
  if (need.redis && !(await reusable(state.redis))) {
    const svc = await startRedis({ dataDir, detached: true, persistent: true });
    state.redis = { url: svc.url, pid: svc.pid, kind: svc.kind };
    started.push(`redis-server at ${svc.url}`);
  }
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
  return { mongoUrl: state.mongo && `${state.mongo.url}/studio`, redisUrl: state.redis?.url, started };
}

/** Stops the background services and waits for them to exit (SIGKILL after 10 s), so their data is flushed. */
export async function stopDevServices(dataDir: string): Promise<string[]> {
  const stateFile = path.join(dataDir, 'services.json');
  if (!existsSync(stateFile)) return [];
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as StateFile;
  const stopped: string[] = [];
  const pids: number[] = [];
  for (const entry of [state.mongo, state.redis]) {
    if (entry && pidAlive(entry.pid)) {
      process.kill(entry.pid!, 'SIGTERM');
      pids.push(entry.pid!);
      stopped.push(`${entry.kind} (pid ${entry.pid})`);
    }
  }
  const deadline = Date.now() + 10_000;
  while (pids.some(pidAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const pid of pids.filter(pidAlive)) process.kill(pid, 'SIGKILL');
  writeFileSync(stateFile, '{}');
  return stopped;
}
