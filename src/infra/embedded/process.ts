// Process plumbing shared by the embedded servers: finding programs, free ports, starting and stopping.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, openSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export class EmbeddedServiceError extends Error {
  override name = 'EmbeddedServiceError';
}

export interface RunningService {
  kind: 'redis' | 'mongod' | 'ferretdb' | 'postgres' | 'mongodb-memory-server' | 's3';
  url: string;
  pid?: number;
  stop(): Promise<void>;
  /**
   * FerretDB's storage server. stop() stops it after FerretDB, whichever service it is at the time, so a
   * test that restarts PostgreSQL under a running FerretDB puts the new one here.
   */
  backend?: RunningService;
}

export interface StartOptions {
  dataDir: string;
  /** Detached services outlive this process (the dev default); attached ones die with it (tests). */
  detached: boolean;
  persistent: boolean;
  port?: number;
}

export function findExecutable(name: string, extraDirs: string[] = []): string | undefined {
  // PATH is read here as the OS's search path for programs, exactly as spawn() itself would use it, not
  // as configuration (eslint.config.mjs exempts only embedded.ts, where this function used to live).
  // eslint-disable-next-line no-restricted-properties
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

/** Polls `ready` until it answers true, failing early (with the log to read) if the child exits. */
export async function waitUntil(
  ready: () => Promise<boolean>,
  child: ChildProcess | undefined,
  what: string,
  logFile: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) {
      throw new EmbeddedServiceError(`${what} exited with code ${child.exitCode} during start-up; see ${logFile}`);
    }
    if (await ready()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new EmbeddedServiceError(`${what} was not ready within ${timeoutMs} ms; see ${logFile}`);
}

export function waitForPort(port: number, child: ChildProcess | undefined, what: string, logFile: string): Promise<void> {
  return waitUntil(() => canConnect(port), child, `${what} on port ${port}`, logFile);
}

/**
 * Stops a child (waiting for its exit, SIGKILL after 5 s) or, for a detached one, signals its pid.
 * PostgreSQL wants SIGINT: its SIGTERM waits for every client (FerretDB's pool) to disconnect.
 */
export function stopper(child: ChildProcess | undefined, pid: number | undefined, signal: NodeJS.Signals = 'SIGTERM'): () => Promise<void> {
  return async () => {
    if (child) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    } else if (pid) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  };
}

export interface LaunchOptions {
  detached: boolean;
  /** Run as this user (root starting PostgreSQL, which refuses to run as root). */
  user?: { uid: number; gid: number };
  cwd?: string;
}

export function launch(bin: string, args: string[], logFile: string, opts: LaunchOptions): ChildProcess {
  const out = openSync(logFile, 'a');
  const child = spawn(bin, args, { detached: opts.detached, stdio: ['ignore', out, out], cwd: opts.cwd, ...opts.user });
  if (opts.detached) child.unref();
  return child;
}
