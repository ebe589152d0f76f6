// Caps on long-lived connections (Socket.IO sockets, SSE streams) per member or token across every API
// instance. Each holder (e.g. "socket:member:<id>") is a Redis sorted set of the connections it holds, scored
// by when each one lapses; the instance that holds a connection pushes that time forward every ttl/3, and
// drops it when the connection ends. An instance that crashes stops pushing, so its connections lapse
// within ttl and are pruned at the next acquire: slots never leak for longer than ttl.
import { randomUUID } from 'node:crypto';
import type { Redis } from './redis';
import type { Logger } from '../logging/logger';
import { atMostEvery } from '../../shared/throttle';

/** KEYS[1]: the holder's set. ARGV: now, the new entry's lapse time, its id, the cap, the set's ttl (ms). */
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local n = redis.call('ZCARD', KEYS[1])
if n >= tonumber(ARGV[4]) then return {0, n} end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return {1, n + 1}`;

export type SlotAnswer = { acquired: true; release(): void } | { acquired: false; held: number; retryAfterSeconds: number };

export class ConnectionSlots {
  /** This instance's live entries: id → holder key. */
  private readonly held = new Map<string, string>();
  private readonly instance = randomUUID();
  private seq = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly warnable = atMostEvery(60_000);

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly logger: Logger,
    /** How long a connection whose instance stopped refreshing it still counts. */
    private readonly ttlMs: number,
  ) {
    this.timer = setInterval(() => void this.refresh(), Math.max(100, Math.floor(ttlMs / 3)));
    this.timer.unref();
  }

  /**
   * Takes one of the holder's `cap` slots, or says how many are held. Fails open: while Redis is down the
   * connection is allowed (and counted once Redis is back, by the next refresh), and a warning is logged.
   */
  async acquire(holder: string, cap: number): Promise<SlotAnswer> {
    const key = `${this.prefix}${holder}`;
    const id = `${this.instance}:${++this.seq}`;
    const now = Date.now();
    try {
      const [ok, n] = (await this.redis.eval(ACQUIRE, 1, key, String(now), String(now + this.ttlMs), id, String(cap), String(this.ttlMs))) as [number, number];
      // Held connections free a slot the moment they end; a crashed instance's within ttl.
      if (ok !== 1) return { acquired: false, held: n, retryAfterSeconds: Math.min(10, Math.ceil(this.ttlMs / 1000)) };
    } catch (err) {
      this.warn(err);
    }
    this.held.set(id, key);
    let released = false;
    return {
      acquired: true,
      release: () => {
        if (released) return;
        released = true;
        this.held.delete(id);
        this.redis.zrem(key, id).catch((err: unknown) => this.warn(err));
      },
    };
  }

  /** How many of the holder's slots are taken now, on every instance. */
  async count(holder: string): Promise<number> {
    const key = `${this.prefix}${holder}`;
    await this.redis.zremrangebyscore(key, '-inf', Date.now());
    return this.redis.zcard(key);
  }

  /** Pushes every live entry of this instance forward (and puts back any Redis lost while it was away). */
  private async refresh(): Promise<void> {
    if (this.held.size === 0) return;
    const lapse = Date.now() + this.ttlMs;
    const pipeline = this.redis.pipeline();
    const keys = new Set<string>();
    for (const [id, key] of this.held) {
      pipeline.zadd(key, lapse, id);
      keys.add(key);
    }
    for (const key of keys) pipeline.pexpire(key, this.ttlMs);
    await pipeline.exec().catch((err: unknown) => this.warn(err));
  }

  private warn(err: unknown): void {
    if (!this.warnable()) return;
    this.logger.warn('connection slots unavailable, allowing (fail open)', { err: err instanceof Error ? err.message : String(err) });
  }

  /** Stops refreshing; entries still held lapse within ttl (as after a crash) unless released first. */
  close(): void {
    clearInterval(this.timer);
  }
}
