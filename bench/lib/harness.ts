// Shared benchmark plumbing: loopback services, the API as a child process, RSS sampling, byte streams.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { mongo } from 'mongoose';
import { registerThroughInbox } from '../../scripts/dev-register';
import { liftedLimits } from '../../scripts/test-limits';
import { canConnect, freePort, startMongo, startRedis, type RunningService } from '../../src/infra/embedded/embedded';

export const MiB = 1024 * 1024;

export interface Services {
  mongoUri: string;
  redisUrl: string;
  dir: string;
  stop(): Promise<void>;
}

export async function startServices(): Promise<Services> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'studio-bench-'));
  const started: RunningService[] = [];
  let mongoUri = process.env.MONGO_URI;
  let redisUrl = process.env.REDIS_URL;
  if (!mongoUri) {
    const m = await startMongo({ dataDir: dir, detached: false, persistent: false });
    started.push(m);
    mongoUri = `${m.url}/bench`;
  }
  if (!redisUrl) {
    const r = await startRedis({ dataDir: dir, detached: false, persistent: false });
    started.push(r);
    redisUrl = r.url;
  }
  return {
    mongoUri,
    redisUrl,
    dir,
    async stop() {
      for (const s of started) await s.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Names the server under measurement. FerretDB does not say which storage it runs on, but its explain
 * does: PostgreSQL plans have node types, SQLite's are SCAN/SEARCH lines. Needs an existing collection.
 */
export async function databaseLabel(db: mongo.Db, collection: string): Promise<string> {
  const info = (await db.admin().command({ buildInfo: 1 })) as { version: string; ferretdbVersion?: string };
  if (!info.ferretdbVersion) return `MongoDB ${info.version}`;
  const plan = JSON.stringify((await db.command({ explain: { find: collection, filter: {} } })).queryPlanner ?? {});
  return `FerretDB ${info.ferretdbVersion} (${plan.includes('"Node Type"') ? 'PostgreSQL' : 'SQLite'})`;
}

export interface ChildServer {
  url: string;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Runs a TypeScript entry point (through tsx) as its own process and waits for its port; nodeArgs go before it (e.g. --cpu-prof). */
export async function startProcess(entry: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<ChildServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', entry], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // Two minutes: tsx compiles the whole API first, which took over 30 s on the 2-core machine at load 24.
  for (let i = 0; i < 1200 && child.exitCode === null && !(await canConnect(port)); i++) await new Promise((r) => setTimeout(r, 100));
  if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode} before listening (its stderr is above)`);
  if (!(await canConnect(port))) throw new Error(`${entry} did not listen on ${port} within 120 s`);
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Each started API's development inbox (no SMTP_URL): where registration links arrive. */
const mailDirs = new Map<string, string>();

/** The mail directory of an API started by startApi, to follow its registration links. */
export function mailDirOf(apiUrl: string): string {
  const dir = mailDirs.get(apiUrl);
  if (!dir) throw new Error(`${apiUrl} was not started by startApi: no known mail directory`);
  return dir;
}

export async function startApi(services: Services, extra: Record<string, string> = {}, nodeArgs: string[] = []): Promise<ChildServer> {
  const dataDir = mkdtempSync(path.join(services.dir, 'api-'));
  const api = await startProcess(path.resolve(__dirname, '../../src/server.ts'), {
    NODE_ENV: 'development',
    EMBEDDED_DATA_DIR: dataDir,
    MONGO_URI: services.mongoUri,
    REDIS_URL: services.redisUrl,
    LOG_LEVEL: 'warn',
    // A benchmark is one client, one member and one token sending thousands of requests from loopback
    // (bench:list also registers 20 studios): the per-IP, per-member and per-token limits would answer 429s.
    ...liftedLimits(),
    STORAGE_LOCAL_ROOT: path.join(services.dir, 'storage'),
    TUS_STAGING_DIR: path.join(services.dir, 'tus'),
    MAX_UPLOAD_BYTES: '64gib',
    ...extra,
  }, nodeArgs);
  mailDirs.set(api.url, path.join(dataDir, 'mail'));
  return api;
}

export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Samples a process's resident set every 25 ms; stop() returns the peak growth over the first sample. */
export function sampleRss(pid: number) {
  const base = rssBytes(pid);
  let peak = base;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssBytes(pid));
    } catch {
      // process gone
    }
  }, 25);
  return { stop: () => (clearInterval(timer), peak - base), base };
}

/** Deterministic bytes, produced chunk by chunk. */
export function generated(size: number, chunk = MiB): Readable {
  const block = Buffer.alloc(chunk);
  for (let i = 0; i < chunk; i++) block[i] = (i * 131 + 7) & 0xff;
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= size) return void this.push(null);
      const n = Math.min(chunk, size - sent);
      sent += n;
      this.push(n === chunk ? block : block.subarray(0, n));
    },
  });
}

export async function json<T>(url: string, method: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Registers a studio and creates one asset; returns the token and asset id. */
export async function givenAsset(api: string): Promise<{ token: string; assetId: string }> {
  const reg = await registerThroughInbox(api, mailDirOf(api), {
    studioName: `Bench ${Date.now()}`,
    name: 'Bench',
    email: `bench-${Date.now()}-${Math.random().toString(16).slice(2)}@bench.test`,
    password: 'benchmark password 1',
  });
  const asset = await json<{ id: string }>(`${api}/assets`, 'POST', { name: `bench-${Date.now()}`, type: 'SHOT' }, reg.accessToken);
  return { token: reg.accessToken, assetId: asset.id };
}

/** POSTs a streamed multipart body (chunked) and resolves with status and elapsed seconds. */
export function postStream(url: string, headers: Record<string, string>, parts: { pre: string; body: Readable; post: string }): Promise<{ status: number; seconds: number; text: string }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const req = http.request(url, { method: 'POST', headers: { ...headers, 'Transfer-Encoding': 'chunked' } });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, seconds: Number(process.hrtime.bigint() - start) / 1e9, text }));
    });
    req.on('error', reject);
    req.write(parts.pre);
    parts.body.pipe(req, { end: false });
    parts.body.on('end', () => req.end(parts.post));
  });
}

/** GETs a URL, discarding the body, and resolves with bytes received and elapsed seconds. */
export function download(url: string, headers: Record<string, string> = {}): Promise<{ status: number; bytes: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    http
      .get(url, { headers }, (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, seconds: Number(process.hrtime.bigint() - start) / 1e9 }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
