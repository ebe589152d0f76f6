// Shared start-up for the api and worker processes: config, logger, backing services, connections.
import { ConfigError, loadConfig, loadDotEnv, type Config } from './config/env';
import { createLogger, type Logger } from './infra/logging/logger';
import { connectMongo } from './infra/database/mongo';
import { createRedis, redisReady, type Redis } from './infra/cache/redis';
import { ensureDevServices, EmbeddedServiceError } from './infra/embedded/embedded';
import type { Connection } from 'mongoose';

export interface BootedInfra {
  config: Config;
  logger: Logger;
  mongo: Connection;
  redis: Redis;
  close(): Promise<void>;
}

/** Prints one line and exits for configuration problems, so a bad deploy says exactly what is wrong. */
export function loadConfigOrExit(role: 'api' | 'worker' = 'api'): Config {
  loadDotEnv();
  try {
    return loadConfig(undefined, { process: role });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

export async function bootInfra(service: string): Promise<BootedInfra> {
  const config = loadConfigOrExit(service === 'api' ? 'api' : 'worker');
  const logger = createLogger({ level: config.LOG_LEVEL, service });
  let mongoUri = config.MONGO_URI;
  let redisUrl = config.REDIS_URL;
  if (!mongoUri || !redisUrl) {
    try {
      const dev = await ensureDevServices(config.EMBEDDED_DATA_DIR, { mongo: !mongoUri, redis: !redisUrl });
      for (const s of dev.started) logger.info('started embedded service', { what: s, dataDir: config.EMBEDDED_DATA_DIR });
      mongoUri ??= dev.mongoUrl;
      redisUrl ??= dev.redisUrl;
    } catch (err) {
      if (err instanceof EmbeddedServiceError) {
        process.stderr.write(`${err.message}\n`);
        process.exit(1);
      }
      throw err;
    }
  }
  const mongo = await connectMongo({ uri: mongoUri!, logger });
  const redis = createRedis(redisUrl!, logger, `${service}`);
  if (!(await redisReady(redis, 10_000))) logger.warn('redis not reachable yet; starting degraded until it is');
  return {
    config: { ...config, MONGO_URI: mongoUri, REDIS_URL: redisUrl },
    logger,
    mongo,
    redis,
    async close() {
      await Promise.allSettled([mongo.close(), redis.quit()]);
    },
  };
}
