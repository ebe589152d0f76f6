// Runs an external program safely: an args array (never a shell), its own process group so a timeout
// or an abort kills everything it started, line-split output, and a bounded stderr tail for errors.
import { spawn } from 'node:child_process';
import { DomainError } from '../../shared/errors';

export interface RunOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  cwd?: string;
  onStdoutLine?: (line: string) => void;
  onStderrLine?: (line: string) => void;
  /** Keep all of stdout (up to 4 MiB) in the result, for programs that answer in JSON. */
  collectStdout?: boolean;
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

export function runProcess(bin: string, args: string[], o: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    if (o.signal?.aborted) {
      resolve({ code: null, signal: null, timedOut: false, aborted: true, tail: [], stdout: '' });
      return;
    }
    const child = spawn(bin, args, { cwd: o.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    let timedOut = false;
    let aborted = false;
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, o.timeoutMs);
    const onAbort = () => {
      aborted = true;
      killGroup();
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });

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
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      reject(err.code === 'ENOENT' ? new ProgramMissingError(bin) : err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      resolve({ code, signal, timedOut, aborted, tail, stdout });
    });
  });
}
