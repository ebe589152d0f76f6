// Redis copy of each user's session state (role, active, session version), shared by every API instance.
import type { Redis } from './redis';
import type { Logger } from '../logging/logger';
import type { SessionCache, SessionState } from '../../app/services/SessionService';

/**
 * Writes only if nothing newer is cached. A request that read MongoDB just before a role change must not
 * put the old state back after the change wrote the new one: versions only grow, so the newer write wins
 * whatever order the two arrive in.
 */
const SET_IF_NEWER = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local v = tonumber(string.match(cur, '^(%d+)|'))
  if v and v >= tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[2], 'PX', ARGV[3])
return 1`;

export class RedisSessionCache implements SessionCache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly logger: Logger,
    /** Bounds how long a cached state can outlive a change whose own cache write failed. */
    private readonly ttlMs = 30_000,
  ) {}

  private key(userId: string) {
    return `${this.prefix}session:${userId}`;
  }

  async get(userId: string): Promise<SessionState | undefined> {
    const raw = await this.redis.get(this.key(userId));
    if (!raw) return undefined;
    const bar = raw.indexOf('|');
    try {
      return JSON.parse(raw.slice(bar + 1)) as SessionState;
    } catch {
      return undefined;
    }
  }

  async put(userId: string, state: SessionState): Promise<void> {
    try {
      await this.redis.eval(SET_IF_NEWER, 1, this.key(userId), String(state.version), JSON.stringify(state), String(this.ttlMs));
    } catch (err) {
      this.logger.warn('session cache write failed', { userId, err: (err as Error).message });
    }
  }
}
