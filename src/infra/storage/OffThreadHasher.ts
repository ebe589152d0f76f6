// SHA-256 of streamed uploads on worker threads, so the api's one JS thread only parses and moves bytes.
// Hashing a GiB costs ~0.85 s of CPU; on the main thread that time is taken from busboy's boundary search
// and every other request (docs/performance.md). Chunks are copied into 1 MiB batches that are transferred
// (not cloned) to a worker; at most IN_FLIGHT_BATCHES batches per stream are unacknowledged, and a writer
// waits for an acknowledgement beyond that, so a slow hasher slows the upload instead of queuing memory.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

const BATCH_BYTES = 1024 * 1024;
const IN_FLIGHT_BATCHES = 4;

/** The worker's code, evaluated as plain JavaScript (no loader needed under tsx, ts-jest or the build). */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hashes = new Map();
parentPort.on('message', (m) => {
  try {
    if (m.op === 'update') {
      let h = hashes.get(m.id);
      if (!h) hashes.set(m.id, (h = createHash('sha256')));
      h.update(new Uint8Array(m.buf, 0, m.length));
      // The batch's memory goes back to its stream for the next batch (no fresh pages per MiB).
      parentPort.postMessage({ id: m.id, op: 'ack', buf: m.buf }, [m.buf]);
    } else if (m.op === 'digest') {
      const h = hashes.get(m.id) ?? createHash('sha256');
      hashes.delete(m.id);
      parentPort.postMessage({ id: m.id, op: 'digest', hex: h.digest('hex') });
    } else if (m.op === 'drop') {
      hashes.delete(m.id);
    }
  } catch (err) {
    parentPort.postMessage({ id: m.id, op: 'error', message: String(err && err.message || err) });
  }
});
`;

interface Pending {
  acked(buf: ArrayBuffer): void;
  digested(hex: string): void;
  failed(err: Error): void;
}

class HashWorker {
  private worker: Worker | undefined;
  private readonly sessions = new Map<number, Pending>();

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(WORKER_SOURCE, { eval: true, name: 'sha256' });
    w.on('message', (m: { id: number; op: 'ack' | 'digest' | 'error'; buf?: ArrayBuffer; hex?: string; message?: string }) => {
      const s = this.sessions.get(m.id);
      if (!s) return;
      if (m.op === 'ack') s.acked(m.buf!);
      else if (m.op === 'digest') s.digested(m.hex!);
      else s.failed(new Error(`sha256 worker: ${m.message}`));
    });
    const fail = (err: Error) => {
      this.worker = undefined;
      for (const s of this.sessions.values()) s.failed(err);
      this.sessions.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`sha256 worker exited with code ${code}`)));
    // An idle pool must not keep a process (a test, a CLI) alive, but a hash in progress must: register() refs
    // the thread and the last unregister() unrefs it. After the listeners, since adding a 'message' listener
    // refs the worker's port again.
    w.unref();
    this.worker = w;
    return w;
  }

  /** Starts the thread now (see warmHashers). */
  start(): void {
    this.ensure();
  }

  register(id: number, p: Pending): Worker {
    const w = this.ensure();
    this.sessions.set(id, p);
    if (this.sessions.size === 1) w.ref();
    return w;
  }

  unregister(id: number): void {
    if (this.sessions.delete(id) && this.sessions.size === 0) this.worker?.unref();
  }
}

/** One worker per spare core (at least one): uploads are spread round-robin over them. */
let pool: HashWorker[] | undefined;
let nextWorker = 0;
let nextId = 1;

function hashPool(): HashWorker[] {
  pool ??= Array.from({ length: Math.max(1, Math.min(4, availableParallelism() - 1)) }, () => new HashWorker());
  return pool;
}

function pickWorker(): HashWorker {
  const workers = hashPool();
  return workers[nextWorker++ % workers.length]!;
}

/**
 * Starts the hashing threads at boot. Each is a V8 isolate of about 20 MiB: a fixed cost of the process, paid
 * once when it starts rather than by the first upload (whose memory budget is then the upload's own).
 */
export function warmHashers(): void {
  for (const w of hashPool()) w.start();
}

/**
 * The running sha256 of one stream. update() copies the bytes (the caller may pass its chunk on at once)
 * and resolves when the caller may send more; digest() resolves with the hex digest of everything updated.
 */
export class OffThreadHash {
  private readonly id = nextId++;
  private readonly host = pickWorker();
  private readonly worker: Worker;
  private batch: Buffer = Buffer.allocUnsafeSlow(BATCH_BYTES);
  /** Batches the worker has handed back, reused before any new memory is taken. */
  private readonly spare: Buffer[] = [];
  private filled = 0;
  private inFlight = 0;
  private waiter: (() => void) | undefined;
  private result: { resolve: (hex: string) => void; reject: (err: Error) => void } | undefined;
  private error: Error | undefined;
  private done = false;

  constructor() {
    this.worker = this.host.register(this.id, {
      acked: (buf) => {
        this.inFlight--;
        if (this.spare.length < IN_FLIGHT_BATCHES) this.spare.push(Buffer.from(buf));
        const w = this.waiter;
        this.waiter = undefined;
        w?.();
      },
      digested: (hex) => {
        this.host.unregister(this.id);
        this.result?.resolve(hex);
      },
      failed: (err) => {
        this.error = err;
        this.host.unregister(this.id);
        const w = this.waiter;
        this.waiter = undefined;
        w?.();
        this.result?.reject(err);
      },
    });
  }

  /** Copies chunk into the current batch; a full batch goes to the worker. Resolves once in-flight batches are within the bound. */
  update(chunk: Buffer): Promise<void> | undefined {
    if (this.error) return Promise.reject(this.error);
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(chunk.length - offset, BATCH_BYTES - this.filled);
      chunk.copy(this.batch, this.filled, offset, offset + n);
      this.filled += n;
      offset += n;
      if (this.filled === BATCH_BYTES) this.flushBatch();
    }
    if (this.inFlight < IN_FLIGHT_BATCHES) return undefined;
    return new Promise<void>((resolve, reject) => {
      this.waiter = () => (this.error ? reject(this.error) : resolve());
    });
  }

  private flushBatch(): void {
    if (this.filled === 0) return;
    const buf = this.batch.buffer as ArrayBuffer;
    this.worker.postMessage({ id: this.id, op: 'update', buf, length: this.filled }, [buf]);
    this.inFlight++;
    this.batch = this.spare.pop() ?? Buffer.allocUnsafeSlow(BATCH_BYTES);
    this.filled = 0;
  }

  digest(): Promise<string> {
    if (this.error) return Promise.reject(this.error);
    if (this.done) return Promise.reject(new Error('digest() was already called'));
    this.done = true;
    this.flushBatch();
    return new Promise<string>((resolve, reject) => {
      this.result = { resolve, reject };
      this.worker.postMessage({ id: this.id, op: 'digest' });
    });
  }

  /** Forgets a hash that will never be digested (a failed write), so the worker frees it. */
  drop(): void {
    if (this.done) return;
    this.done = true;
    this.host.unregister(this.id);
    this.worker.postMessage({ id: this.id, op: 'drop' });
  }
}
