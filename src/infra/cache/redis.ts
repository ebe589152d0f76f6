// ioredis clients. Keys are namespaced by the caller's prefix (not ioredis keyPrefix, which BullMQ rejects).
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logging/logger';
import { withTimeout } from '../database/mongo';

export type { Redis };

export function createRedis(url: string, logger: Logger, name: string, extra: RedisOptions = {}): Redis {
  const client = new Redis(url, {
    connectionName: name,
    // Keep reconnecting with a capped back-off: Redis coming back must heal the API without a restart.
    retryStrategy: (times) => Math.min(times * 200, 2000),
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    // Every use of this client fails open (rate limits, cache) or answers 503: while Redis is away a
    // command must fail within a bound, not wait in the offline queue for ioredis' third reconnect attempt
    // (up to ~6 s per command, several commands per request).
    commandTimeout: 500,
    lazyConnect: false,
    ...extra,
  });
  let down = false;
  client.on('ready', () => {
    if (down) logger.info('redis reconnected', { client: name });
    down = false;
  });
  client.on('error', (err: Error) => {
    if (!down) logger.warn('redis error', { client: name, err: err.message });
    down = true;
  });
  return client;
}

export async function pingRedis(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status !== 'ready') return false;
  return withTimeout(client.ping().then((r) => r === 'PONG'), timeoutMs).catch(() => false);
}

/** Resolves once the client is connected, or after timeoutMs (the caller then starts degraded). */
export async function redisReady(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return true;
  return withTimeout(new Promise<boolean>((resolve) => client.once('ready', () => resolve(true))), timeoutMs).catch(() => false);
}
