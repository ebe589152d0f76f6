// Runs an external program safely: an args array (never a shell), a minimal environment, its own process
// group so a timeout or an abort kills everything it started, line-split output, and a bounded stderr tail.
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DomainError } from '../../shared/errors';

export interface RunOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  cwd?: string;
  /** What this program needs on top of the minimal environment; may replace HOME and TMPDIR. */
  env?: Record<string, string>;
  onStdoutLine?: (line: string) => void;
  onStderrLine?: (line: string) => void;
  /** Keep all of stdout (up to 4 MiB) in the result, for programs that answer in JSON. */
  collectStdout?: boolean;
  /**
   * How long the process group has between SIGTERM and SIGKILL on a timeout or an abort (default 2 s):
   * enough for ffmpeg to close its output, and short because a busy ffmpeg (duplicating frames) never
   * looks at the SIGTERM.
   */
  killGraceMs?: number;
  /** Give the child a fourth descriptor (fd 3) whose output is kept in the result (bubblewrap's --json-status-fd). */
  statusFd?: boolean;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  /** The last lines of stdout and stderr, for error messages (bounded memory). */
  tail: string[];
  stdout: string;
  /** What the child wrote to fd 3 (with statusFd; at most 64 KiB). */
  status: string;
}

export class ProgramMissingError extends DomainError {
  constructor(bin: string) {
    super('PROGRAM_MISSING', `${bin} is not installed or not on PATH`, { status: 500 });
  }
}

const TAIL_LINES = 50;

/**
 * The whole environment of a child. The programs we run parse hostile files (uploads, scenes), so none of
 * our secrets (MONGO_URI, S3 keys, JWT secrets) may be readable by them: nothing is inherited but PATH.
 */
export function childEnvironment(o: { cwd?: string; env?: Record<string, string> } = {}): Record<string, string> {
  return {
    PATH: searchPath(),
    // Never the service user's home: dotfiles there (and whatever a tool writes back) stay out of reach.
    HOME: o.cwd ?? os.tmpdir(),
    TMPDIR: os.tmpdir(),
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    ...o.env,
  };
}

/**
 * The one read of process.env outside config/env.ts, kept here so no caller can forget it: PATH is how
 * spawn finds `ffmpeg` and `blender` (FFMPEG_PATH and BLENDER_PATH may be bare names) and how they find
 * their helpers, and it holds no secret.
 */
function searchPath(): string {
  // eslint-disable-next-line no-restricted-properties
  return process.env.PATH || '/usr/local/bin:/usr/bin:/bin';
}

/**
 * The absolute path of a program as spawn would find it (a bare name searched on PATH), or undefined when
 * there is no executable file by that name.
 */
export function programPath(bin: string): string | undefined {
  const executable = (file: string) => {
    try {
      accessSync(file, constants.X_OK);
      return statSync(file).isFile();
    } catch {
      return false;
    }
  };
  if (bin.includes('/')) return executable(bin) ? path.resolve(bin) : undefined;
  for (const dir of searchPath().split(':')) {
    if (!dir) continue;
    const file = path.resolve(dir, bin);
    if (executable(file)) return file;
  }
  return undefined;
}

export function runProcess(bin: string, args: string[], o: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    if (o.signal?.aborted) {
      resolve({ code: null, signal: null, timedOut: false, aborted: true, tail: [], stdout: '', status: '' });
      return;
    }
    const child = spawn(bin, args, { cwd: o.cwd, env: childEnvironment(o), detached: true, stdio: ['ignore', 'pipe', 'pipe', o.statusFd ? 'pipe' : 'ignore'] });
    // Piped above, so present (a fourth descriptor makes TypeScript forget which ones are).
    const stdoutPipe = child.stdout!;
    const stderrPipe = child.stderr!;
    const tail: string[] = [];
    let timedOut = false;
    let aborted = false;
    let settled = false;
    const grace = o.killGraceMs ?? 2000;
    const signalGroup = (sig: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, sig);
      } catch {
        // already gone
      }
    };
    let graceTimer: NodeJS.Timeout | undefined;
    let lastResort: NodeJS.Timeout | undefined;
    const stop = () => {
      if (graceTimer) return;
      signalGroup('SIGTERM');
      graceTimer = setTimeout(() => {
        signalGroup('SIGKILL');
        // 'close' waits for stdout and stderr to end too; a process outside the group that inherited them
        // (or one stuck in the kernel) must not keep the caller waiting for ever.
        lastResort = setTimeout(() => {
          stdoutPipe.destroy();
          stderrPipe.destroy();
          (child.stdio[3] as NodeJS.ReadableStream & { destroy?: () => void } | null | undefined)?.destroy?.();
          finish(child.exitCode, child.signalCode ?? 'SIGKILL');
        }, grace);
      }, grace);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, o.timeoutMs);
    const onAbort = () => {
      aborted = true;
      stop();
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const cleanUp = () => {
      clearTimeout(timer);
      clearTimeout(graceTimer);
      clearTimeout(lastResort);
      o.signal?.removeEventListener('abort', onAbort);
    };
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      cleanUp();
      // The leader may have exited on SIGTERM while something it started in its group did not.
      if (graceTimer) signalGroup('SIGKILL');
      resolve({ code, signal, timedOut, aborted, tail, stdout, status });
    };

    const lines = (stream: NodeJS.ReadableStream, each?: (line: string) => void) => {
      let buf = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i).replace(/\r$/, '');
          buf = buf.slice(i + 1);
          tail.push(line);
          if (tail.length > TAIL_LINES) tail.shift();
          each?.(line);
        }
        if (buf.length > 64 * 1024) buf = buf.slice(-64 * 1024);
      });
    };
    let stdout = '';
    if (o.collectStdout) {
      stdoutPipe.on('data', (chunk: Buffer | string) => {
        if (stdout.length < 4 * 1024 * 1024) stdout += chunk.toString();
      });
    }
    let status = '';
    const statusPipe = child.stdio[3] as NodeJS.ReadableStream | null | undefined;
    statusPipe?.on('data', (chunk: Buffer | string) => {
      if (status.length < 64 * 1024) status += chunk.toString();
    });
    lines(stdoutPipe, o.onStdoutLine);
    lines(stderrPipe, o.onStderrLine);

    child.on('error', (err: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      cleanUp();
      reject(err.code === 'ENOENT' ? new ProgramMissingError(bin) : err);
    });
    child.on('close', (code, signal) => finish(code, signal));
  });
}
