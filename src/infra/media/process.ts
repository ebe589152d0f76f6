// Runs an external program safely: an args array (never a shell), a minimal environment, its own process
// group so a timeout or an abort kills everything it started, line-split output, and a bounded stderr tail.
import { spawn } from 'node:child_process';
import os from 'node:os';
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
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  /** The last lines of stdout and stderr, for error messages (bounded memory). */
  tail: string[];
  stdout: string;
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
    // The one read of process.env outside config/env.ts, kept here so no caller can forget it: PATH is how
    // spawn finds `ffmpeg` and `blender` (FFMPEG_PATH and BLENDER_PATH may be bare names) and how they find
    // their helpers, and it holds no secret.
    // eslint-disable-next-line no-restricted-properties
    PATH: process.env.PATH || '/usr/local/bin:/usr/bin:/bin',
    // Never the service user's home: dotfiles there (and whatever a tool writes back) stay out of reach.
    HOME: o.cwd ?? os.tmpdir(),
    TMPDIR: os.tmpdir(),
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    ...o.env,
  };
}

export function runProcess(bin: string, args: string[], o: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    if (o.signal?.aborted) {
      resolve({ code: null, signal: null, timedOut: false, aborted: true, tail: [], stdout: '' });
      return;
    }
    const child = spawn(bin, args, { cwd: o.cwd, env: childEnvironment(o), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
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
          child.stdout.destroy();
          child.stderr.destroy();
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
      resolve({ code, signal, timedOut, aborted, tail, stdout });
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
      child.stdout.on('data', (chunk: Buffer | string) => {
        if (stdout.length < 4 * 1024 * 1024) stdout += chunk.toString();
      });
    }
    lines(child.stdout, o.onStdoutLine);
    lines(child.stderr, o.onStderrLine);

    child.on('error', (err: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      cleanUp();
      reject(err.code === 'ENOENT' ? new ProgramMissingError(bin) : err);
    });
    child.on('close', (code, signal) => finish(code, signal));
  });
}
