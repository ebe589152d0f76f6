// Redis counters of failed logins, shared by every API instance (the policy is LoginThrottle's).
import { createHash } from 'node:crypto';
import type { Redis } from './redis';
import type { AttemptCount, LoginAttemptStore } from '../../app/services/LoginThrottle';

/**
 * KEYS: the client's counter on the account, the account's counter. ARGV: failures per client, window ms.
 * One script so that checking and counting cannot interleave with another instance's attempt.
 */
const BEGIN = `
local c = tonumber(redis.call('GET', KEYS[1]) or '0')
if c >= tonumber(ARGV[1]) then
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    ttl = tonumber(ARGV[2])
  end
  return {0, ttl}
end
if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
local a = redis.call('INCR', KEYS[2])
if a == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
return {1, a - 1}`;

/** ARGV[1] 'succeeded': forget the client's failures; 'withdrawn': take one back. Either way one back from the account. */
const SETTLE = `
if ARGV[1] == 'succeeded' then
  redis.call('DEL', KEYS[1])
elseif tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then
  redis.call('DECR', KEYS[1])
end
if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
return 1`;

export class RedisLoginAttemptStore implements LoginAttemptStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /**
   * The account is hashed: a key of bounded length whatever was posted (the body is not validated yet),
   * and no email addresses in Redis. The hash tag keeps both keys of a script in one Redis Cluster slot.
   */
  private keys(account: string, client: string): [string, string] {
    const tag = createHash('sha256').update(account).digest('base64url');
    return [`${this.prefix}{${tag}}:client:${client}`, `${this.prefix}{${tag}}:all`];
  }

  async begin(account: string, client: string, limits: { failuresPerClient: number; windowMs: number }): Promise<AttemptCount> {
    const [clientKey, accountKey] = this.keys(account, client);
    const [admitted, n] = (await this.redis.eval(BEGIN, 2, clientKey, accountKey, String(limits.failuresPerClient), String(limits.windowMs))) as [number, number];
    return admitted === 1 ? { admitted: true, accountFailures: n } : { admitted: false, retryAfterMs: n };
  }

  async succeeded(account: string, client: string): Promise<void> {
    await this.redis.eval(SETTLE, 2, ...this.keys(account, client), 'succeeded');
  }

  async withdrawn(account: string, client: string): Promise<void> {
    await this.redis.eval(SETTLE, 2, ...this.keys(account, client), 'withdrawn');
  }
}
