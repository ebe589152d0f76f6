// The composition root: builds repositories, services and controllers from validated config and live clients.
import type { Connection } from 'mongoose';
import type { Config } from './config/env';
import type { Logger } from './infra/logging/logger';
import type { Redis } from './infra/cache/redis';
import { pingRedis } from './infra/cache/redis';
import { pingMongo } from './infra/database/mongo';
import { Metrics } from './infra/metrics/metrics';
import { HealthService, Lifecycle } from './app/services/HealthService';

export interface Infra {
  config: Config;
  logger: Logger;
  mongo: Connection;
  redis: Redis;
  metrics?: Metrics;
}

export function buildContainer(infra: Infra) {
  const { config, mongo, redis } = infra;
  const metrics = infra.metrics ?? new Metrics();
  const lifecycle = new Lifecycle();
  const health = new HealthService(
    {
      mongo: () => pingMongo(mongo, config.READY_TIMEOUT_MS),
      redis: () => pingRedis(redis, config.READY_TIMEOUT_MS),
    },
    lifecycle,
  );
  return { ...infra, metrics, lifecycle, health, keyPrefix: config.REDIS_KEY_PREFIX };
}

export type Container = ReturnType<typeof buildContainer>;
