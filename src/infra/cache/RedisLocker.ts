// tus upload locks (@tus/utils' Locker) in Redis, so requests on one upload are serialised across every API
// instance: a lease with a random token (SET NX PX, renewed while held, released only by its holder), and
// the "request release" a newer request sends the holder (as @tus/server's MemoryLocker does in memory)
// carried to whichever instance holds it over Redis pub/sub.
import { randomUUID } from 'node:crypto';
import { ERRORS, type Lock, type Locker, type RequestRelease } from '@tus/utils';
import type { Redis } from './redis';
import type { Logger } from '../logging/logger';
import { ServiceUnavailableError } from '../../shared/errors';

/** Deletes the lease only if it still carries the caller's token (a lapsed holder must not free a successor's). */
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
/** Extends the lease only if it still carries the caller's token. */
const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

export interface RedisLockerOptions {
  /** For commands. */
  redis: Redis;
  /** A connection of its own: in subscriber mode it can run nothing else. Closed by close(). */
  subscriber: Redis;
  /** REDIS_KEY_PREFIX: keys are `<prefix>tus:lock:<upload id>`, channels `<prefix>tus:lock:release|freed`. */
  prefix: string;
  logger: Logger;
  /** How long a lease lives without renewal: how long a crashed holder blocks its upload. */
  leaseMs?: number;
  /** How long a request waits for a busy upload before giving up (ERR_LOCK_TIMEOUT, 423 UPLOAD_LOCKED). */
  acquireTimeoutMs?: number;
}

export class RedisLocker implements Locker {
  readonly leaseMs: number;
  readonly acquireTimeoutMs: number;
  private readonly releaseChannel: string;
  private readonly freedChannel: string;
  /** Upload id → the release requests of this process's holders. */
  private readonly holders = new Map<string, Set<RequestRelease>>();
  /** Upload id → wake-ups of this process's waiters, run when any instance frees it. */
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly subscribed: Promise<void>;

  constructor(private readonly opts: RedisLockerOptions) {
    // Shorter than the wait, so a request resuming an upload whose instance died gets it within one wait.
    this.leaseMs = opts.leaseMs ?? 20_000;
    this.acquireTimeoutMs = opts.acquireTimeoutMs ?? 30_000;
    this.releaseChannel = `${opts.prefix}tus:lock:release`;
    this.freedChannel = `${opts.prefix}tus:lock:freed`;
    opts.subscriber.on('message', (channel: string, id: string) => {
      const targets = channel === this.releaseChannel ? this.holders.get(id) : channel === this.freedChannel ? this.waiters.get(id) : undefined;
      for (const fn of [...(targets ?? [])]) void Promise.resolve().then(fn).catch(() => undefined);
    });
    // Without the subscription a holder never hears a release request: waiters then get the lock when the
    // holder finishes or its lease lapses, which is slower but still exclusive.
    this.subscribed = opts.subscriber.subscribe(this.releaseChannel, this.freedChannel).then(
      () => undefined,
      (err: unknown) => void opts.logger.warn('tus lock channel subscription failed', { err: (err as Error).message }),
    );
  }

  newLock(id: string): Lock {
    return new RedisLock(this, this.opts.redis, id);
  }

  key(id: string): string {
    return `${this.opts.prefix}tus:lock:${id}`;
  }

  /** @internal */
  hold(id: string, release: RequestRelease): () => void {
    const set = this.holders.get(id) ?? new Set();
    set.add(release);
    this.holders.set(id, set);
    return () => {
      set.delete(release);
      if (set.size === 0 && this.holders.get(id) === set) this.holders.delete(id);
    };
  }

  /** @internal Asks whoever holds id, on any instance, to let go. */
  async requestRelease(id: string): Promise<void> {
    await this.subscribed;
    await this.opts.redis.publish(this.releaseChannel, id);
  }

  /** @internal */
  async freed(id: string): Promise<void> {
    await this.opts.redis.publish(this.freedChannel, id);
  }

  /** @internal Resolves when id is freed anywhere, after ms, or when signal aborts. */
  waitForFree(id: string, ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(id) ?? new Set();
      this.waiters.set(id, set);
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        set.delete(done);
        if (set.size === 0 && this.waiters.get(id) === set) this.waiters.delete(id);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      set.add(done);
    });
  }

  warn(message: string, meta: Record<string, unknown>): void {
    this.opts.logger.warn(message, meta);
  }

  /** Closes the subscriber connection. Leases still held lapse on their own after leaseMs. */
  close(): void {
    this.opts.subscriber.disconnect();
  }
}

class RedisLock implements Lock {
  private token?: string;
  private renewal?: NodeJS.Timeout;
  private unhold?: () => void;

  constructor(
    private readonly locker: RedisLocker,
    private readonly redis: Redis,
    private readonly id: string,
  ) {}

  async lock(signal: AbortSignal, requestRelease: RequestRelease): Promise<void> {
    const key = this.locker.key(this.id);
    const token = randomUUID();
    const deadline = Date.now() + this.locker.acquireTimeoutMs;
    for (;;) {
      // As MemoryLocker: a request that went away while waiting gets no lock.
      if (signal.aborted) throw ERRORS.ERR_LOCK_TIMEOUT;
      let taken: string | null;
      try {
        taken = await this.redis.set(key, token, 'PX', this.locker.leaseMs, 'NX');
        if (taken !== 'OK') await this.locker.requestRelease(this.id);
      } catch (err) {
        throw new ServiceUnavailableError('UPLOAD_LOCK_UNAVAILABLE', 'Uploads cannot be locked right now (Redis is unreachable), try again shortly', { cause: err });
      }
      if (taken === 'OK') break;
      const left = deadline - Date.now();
      if (left <= 0) throw ERRORS.ERR_LOCK_TIMEOUT;
      // Woken as soon as the holder frees it; the poll covers a lease that lapses without a word.
      await this.locker.waitForFree(this.id, Math.min(200, left), signal);
    }
    this.token = token;
    this.unhold = this.locker.hold(this.id, requestRelease);
    this.renewal = setInterval(() => {
      this.redis.eval(RENEW, 1, key, token, String(this.locker.leaseMs)).then(
        (kept) => {
          // The lease lapsed (Redis was away longer than leaseMs) and may be someone else's: stop writing.
          if (kept === 0 && this.token === token) {
            this.locker.warn('tus upload lock lost', { id: this.id });
            void Promise.resolve().then(requestRelease).catch(() => undefined);
          }
        },
        () => undefined, // Redis away: the next tick tries again, the lease covers the gap.
      );
    }, Math.max(50, Math.floor(this.locker.leaseMs / 3)));
    this.renewal.unref();
  }

  /** Never throws: a release that cannot reach Redis leaves a lease that lapses by itself. */
  async unlock(): Promise<void> {
    clearInterval(this.renewal);
    this.unhold?.();
    this.unhold = undefined;
    const token = this.token;
    this.token = undefined;
    if (!token) return;
    try {
      await this.redis.eval(RELEASE, 1, this.locker.key(this.id), token);
      await this.locker.freed(this.id);
    } catch (err) {
      this.locker.warn('tus upload lock release failed; it lapses on its own', { id: this.id, err: (err as Error).message });
    }
  }
}
