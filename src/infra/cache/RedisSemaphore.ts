// Counting semaphores in Redis, shared by every process that uses the same key: at most `limit` holders of a
// name at once. Each holder is a member of a sorted set scored by when its lease ends, renewed while held, so
// the slot of a process that died is free again after one lease. Times come from the Redis server's clock,
// so processes on hosts with skewed clocks agree on expiry.
import { randomUUID } from 'node:crypto';
import type { Redis } from './redis';

/** KEYS[1] the set; ARGV: limit, lease ms, token. Drops lapsed holders, then takes a slot if one is free. */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/** Extends the caller's lease if it still holds the slot (a lapsed holder must not come back over the limit). */
const RENEW = `
if not redis.call('ZSCORE', KEYS[1], ARGV[2]) then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[2])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return 1`;

export class RedisSemaphore {
  constructor(
    private readonly redis: Redis,
    /** REDIS_KEY_PREFIX and what the semaphores are for, e.g. `<prefix>webhooks:`. */
    private readonly prefix: string,
    /** How long a holder that stopped renewing (it died) keeps its slot. */
    private readonly leaseMs = 30_000,
  ) {}

  /** A slot of `name` if fewer than `limit` are held, else null. Renewed until released. */
  async acquire(name: string, limit: number): Promise<{ release(): Promise<void> } | null> {
    const key = `${this.prefix}${name}`;
    const token = randomUUID();
    if ((await this.redis.eval(ACQUIRE, 1, key, String(limit), String(this.leaseMs), token)) !== 1) return null;
    // A renewal that fails (Redis away for a moment) is retried by the next tick; the lease covers two misses.
    const renewal = setInterval(() => void this.redis.eval(RENEW, 1, key, String(this.leaseMs), token).catch(() => undefined), Math.floor(this.leaseMs / 3));
    renewal.unref();
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        clearInterval(renewal);
        // A release that fails is left to the lease, which frees the slot within leaseMs.
        await this.redis.zrem(key, token).catch(() => undefined);
      },
    };
  }
}
