// Read-through cache of asset metadata in Redis, keyed by studio and asset. Writers store the new
// revision (write-through); a reader may only store a revision at least as new as what is cached, so a
// slow reader can never put an older copy back over a fresh write. The cache never decides authorization:
// callers look up with the caller's own studioId, which is part of the key.
import type { Redis } from 'ioredis';
import type { Logger } from '../logging/logger';
import type { Metrics } from '../metrics/metrics';

const SET_IF_NEWER = `
local cur = tonumber(redis.call('HGET', KEYS[1], 'rev') or '-1')
if tonumber(ARGV[1]) >= cur then
  redis.call('HSET', KEYS[1], 'rev', ARGV[1], 'body', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return 1
end
return 0`;

export interface Cacheable {
  id: string;
  revision: number;
}

export class AssetCacheService<T extends Cacheable> {
  private readonly hits;
  private readonly misses;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly logger: Logger,
    metrics: Metrics,
    private readonly ttlMs = 30_000,
  ) {
    this.hits = metrics.counter('asset_cache_hits_total', 'Asset metadata cache hits');
    this.misses = metrics.counter('asset_cache_misses_total', 'Asset metadata cache misses');
  }

  private key(studioId: string, assetId: string) {
    return `${this.prefix}cache:asset:${studioId}:${assetId}`;
  }

  /** Cache first, then the loader; Redis trouble degrades to the loader, never to an error. */
  async getOrLoad(studioId: string, assetId: string, load: () => Promise<T | null>): Promise<T | null> {
    try {
      const body = await this.redis.hget(this.key(studioId, assetId), 'body');
      if (body) {
        this.hits.inc();
        return JSON.parse(body) as T;
      }
    } catch (err) {
      this.logger.warn('asset cache read failed', { err: (err as Error).message });
    }
    this.misses.inc();
    const value = await load();
    if (value) await this.store(studioId, value);
    return value;
  }

  /** Write-through after a change: the newest revision replaces whatever is cached. */
  async store(studioId: string, value: T): Promise<void> {
    const key = this.key(studioId, value.id);
    try {
      await this.redis.eval(SET_IF_NEWER, 1, key, String(value.revision), JSON.stringify(value), String(this.ttlMs));
    } catch (err) {
      this.logger.warn('asset cache write failed', { err: (err as Error).message });
      await this.redis.del(key).catch(() => undefined);
    }
  }

  async invalidate(studioId: string, assetId: string): Promise<void> {
    await this.redis.del(this.key(studioId, assetId)).catch((err: unknown) => {
      this.logger.warn('asset cache invalidation failed', { err: (err as Error).message });
    });
  }
}
