// One worker thread that runs jobs one at a time, each within a budget of the thread's own CPU time and a cap
// on its heap, for work on user input that may cost more than the API's event loop can give (JSON.parse of a
// 32 MiB timeline is one synchronous call). A job past its budget has its thread terminated (a synchronous
// parse cannot be interrupted any other way) and a fresh thread serves the next one. Jobs wait in a bounded
// queue; past it they are refused at once rather than piling up request bodies in memory.
import { Worker, type Transferable } from 'node:worker_threads';

export type ThreadLimit = 'cpu' | 'memory' | 'busy' | 'wall' | 'crashed';

/** A job that did not finish: which limit stopped it. */
export class ThreadLimitError extends Error {
  constructor(
    readonly limit: ThreadLimit,
    message: string,
  ) {
    super(message);
    this.name = 'ThreadLimitError';
  }
}

export interface BudgetedThreadOptions {
  name: string;
  /**
   * The worker's module: a .js file, or a .ts file run through tsx (development and tests). It posts one
   * message when it is ready, then answers each message it gets with one ThreadReply.
   */
  entry: string;
  /** CPU time (user + system) of the thread one job may use. */
  cpuMs: number;
  /** The thread's old-generation heap; past it V8 stops the thread. */
  heapMib: number;
  /** Jobs waiting behind the running one; the next is refused with 'busy'. */
  maxQueued: number;
  /** Wall-clock bound of one job from its start, for a thread starved of CPU by others (not its own cost). */
  wallMs: number;
  /** How often the thread's CPU time is read while a job runs. */
  pollMs?: number;
}

/** What the worker answers for each message: a value, or an error it chose to report (as plain data). */
export type ThreadReply = { ok: true; value: unknown } | { ok: false; error: Record<string, unknown> };

interface Job {
  message: unknown;
  transfer: Transferable[];
  resolve(reply: ThreadReply): void;
  reject(err: Error): void;
}

export class BudgetedThread {
  private worker: Worker | undefined;
  private online: Promise<Worker> | undefined;
  private readonly queue: Job[] = [];
  private running: { job: Job; stop(limit: ThreadLimit): void } | undefined;
  private closed = false;

  constructor(private readonly options: BudgetedThreadOptions) {}

  /** Runs one job: resolves with the worker's reply, rejects with a ThreadLimitError when a limit stopped it. */
  run(message: unknown, transfer: Transferable[] = []): Promise<ThreadReply> {
    if (this.closed) return Promise.reject(new ThreadLimitError('crashed', `${this.options.name} thread is closed`));
    if (this.queue.length >= this.options.maxQueued) return Promise.reject(new ThreadLimitError('busy', `${this.options.name}: ${this.queue.length} jobs already waiting`));
    return new Promise<ThreadReply>((resolve, reject) => {
      this.queue.push({ message, transfer, resolve, reject });
      void this.pump();
    });
  }

  /** Jobs waiting and running, for tests and metrics. */
  get pending(): number {
    return this.queue.length + (this.running ? 1 : 0);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new ThreadLimitError('crashed', `${this.options.name} thread is closed`));
    this.running?.stop('crashed');
    await this.worker?.terminate();
  }

  private start(): Promise<Worker> {
    if (this.online) return this.online;
    const { entry, name, heapMib } = this.options;
    const w = new Worker(entry, {
      name,
      // Under tsx (development, tests) the entry is TypeScript and the thread needs the loader too.
      execArgv: entry.endsWith('.ts') ? ['--import', 'tsx'] : [],
      resourceLimits: { maxOldGenerationSizeMb: heapMib },
    });
    this.worker = w;
    // Ready once its module has loaded (its first message): loading is not a job's cost.
    this.online = new Promise<Worker>((resolve, reject) => {
      w.once('message', () => resolve(w));
      w.once('error', reject);
      w.once('exit', (code) => reject(new Error(`${name} thread exited with code ${code} while starting`)));
    });
    // A failed start is the running job's failure; the next job starts a fresh thread.
    this.online.catch(() => undefined);
    w.on('exit', () => {
      if (this.worker === w) {
        this.worker = undefined;
        this.online = undefined;
      }
    });
    return this.online;
  }

  private async pump(): Promise<void> {
    if (this.running || this.queue.length === 0) return;
    const job = this.queue.shift()!;
    let settled = false;
    let limit: ThreadLimit | undefined;
    const timers: NodeJS.Timeout[] = [];
    let w: Worker | undefined;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearInterval(t);
      w?.off('message', onMessage).off('error', onError).off('exit', onExit);
      // An idle thread must not keep a process (a test, a CLI) alive.
      w?.unref();
      this.running = undefined;
      outcome();
      void this.pump();
    };
    const stop = (why: ThreadLimit) => {
      // A late poll of a job that has finished must not end the thread that now serves the next one.
      if (settled) return;
      limit ??= why;
      // The only way to interrupt a synchronous parse; 'exit' then settles the job.
      if (w) void w.terminate();
      else finish(() => job.reject(this.limitError(why)));
    };
    const onMessage = (reply: ThreadReply) => finish(() => job.resolve(reply));
    const onError = (err: Error & { code?: string }) => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') limit ??= 'memory';
      else limit ??= 'crashed';
    };
    const onExit = () => finish(() => job.reject(this.limitError(limit ?? 'crashed')));
    this.running = { job, stop };
    try {
      w = await this.start();
    } catch {
      finish(() => job.reject(this.limitError('crashed')));
      return;
    }
    if (settled) return;
    w.ref();
    w.on('message', onMessage).on('error', onError).on('exit', onExit);
    const base = await w.cpuUsage().catch(() => undefined);
    if (settled) return;
    w.postMessage(job.message, job.transfer);
    // One reading at a time: on a loaded machine a reading can take longer than the interval.
    let reading = false;
    const poll = setInterval(() => {
      if (reading) return;
      reading = true;
      w!.cpuUsage(base)
        .then((used) => {
          if ((used.user + used.system) / 1000 > this.options.cpuMs) stop('cpu');
        })
        .catch(() => undefined)
        .finally(() => (reading = false));
    }, this.options.pollMs ?? 25);
    timers.push(poll, setTimeout(() => stop('wall'), this.options.wallMs));
  }

  private limitError(limit: ThreadLimit): ThreadLimitError {
    const { name, cpuMs, heapMib, wallMs } = this.options;
    const what: Record<ThreadLimit, string> = {
      cpu: `used more than ${cpuMs} ms of CPU time`,
      memory: `needed more than ${heapMib} MiB of memory`,
      busy: 'was refused: too many jobs waiting',
      wall: `did not finish within ${wallMs} ms`,
      crashed: 'stopped unexpectedly',
    };
    return new ThreadLimitError(limit, `${name} job ${what[limit]}`);
  }
}
