// The composition root: builds repositories, services and controllers from validated config and live clients.
import type { Connection } from 'mongoose';
import type { Config } from './config/env';
import type { Logger } from './infra/logging/logger';
import type { Redis } from './infra/cache/redis';
import { pingRedis } from './infra/cache/redis';
import { pingMongo } from './infra/database/mongo';
import { Metrics } from './infra/metrics/metrics';
import { HealthService, Lifecycle } from './app/services/HealthService';
import { createModels } from './app/repositories/models';
import { StudioRepository } from './app/repositories/StudioRepository';
import { UserRepository } from './app/repositories/UserRepository';
import { RefreshTokenRepository } from './app/repositories/RefreshTokenRepository';
import { AuditRepository } from './app/repositories/AuditRepository';
import { AccessPolicy } from './app/services/AccessPolicy';
import { AuditService } from './app/services/AuditService';
import { TokenService } from './app/services/TokenService';
import { PasswordHasher } from './app/services/PasswordHasher';
import { AuthService } from './app/services/AuthService';
import { UserService } from './app/services/UserService';
import { AuthController } from './app/controllers/AuthController';
import { LeaseLock } from './infra/database/LeaseLock';
import { AssetRepository } from './app/repositories/AssetRepository';
import { AssetService, type AssetDto } from './app/services/AssetService';
import { AssetController } from './app/controllers/AssetController';
import { AssetCacheService } from './infra/cache/AssetCacheService';
import { DomainEvents } from './app/events';
import { VersionRepository } from './app/repositories/VersionRepository';
import { VersionService } from './app/services/VersionService';
import { VersionController } from './app/controllers/VersionController';
import { createStorage } from './infra/storage';
import type { StorageProvider } from './infra/storage/StorageProvider';
import { createTus } from './infra/http/tus';
import path from 'node:path';
import { Redis as IORedis } from 'ioredis';
import { QueueBus } from './infra/queue/QueueBus';
import { RenderRepository } from './app/repositories/RenderRepository';
import { RenderService } from './app/services/RenderService';
import { RenderController } from './app/controllers/RenderController';
import { PipelineRepository } from './app/repositories/PipelineRepository';
import { PipelineService } from './app/services/PipelineService';
import { PipelineController } from './app/controllers/PipelineController';
import { ReviewRepository } from './app/repositories/ReviewRepository';
import { ReviewService } from './app/services/ReviewService';
import { ReviewController } from './app/controllers/ReviewController';
import { UserController } from './app/controllers/UserController';
import { SessionService } from './app/services/SessionService';
import { RedisSessionCache } from './infra/cache/SessionCache';

export interface Infra {
  config: Config;
  logger: Logger;
  mongo: Connection;
  redis: Redis;
  metrics?: Metrics;
  /** Tests pass a provider of their choice; otherwise STORAGE_DRIVER picks one. */
  storage?: StorageProvider;
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

  const models = createModels(mongo);
  const repos = {
    studios: new StudioRepository(models),
    users: new UserRepository(models),
    refreshTokens: new RefreshTokenRepository(models),
    audit: new AuditRepository(models),
    assets: new AssetRepository(models),
    versions: new VersionRepository(models),
    renders: new RenderRepository(models),
    pipelines: new PipelineRepository(models),
    reviews: new ReviewRepository(models),
  };

  const locks = new LeaseLock(models.Lease);
  const access = new AccessPolicy();
  const events = new DomainEvents((event, err) => infra.logger.error('domain event listener failed', { event, err }));
  const storage = infra.storage ?? createStorage(config);
  const assetCache = new AssetCacheService<AssetDto>(redis, config.REDIS_KEY_PREFIX, infra.logger, metrics);
  const audit = new AuditService(repos.audit);
  const tokens = new TokenService({
    secret: config.JWT_ACCESS_SECRET,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
  });
  const passwords = new PasswordHasher(config.BCRYPT_COST);
  const sessions = new SessionService({ users: repos.users, cache: new RedisSessionCache(redis, config.REDIS_KEY_PREFIX, infra.logger), events });
  const services = {
    auth: new AuthService({ ...repos, tokens, passwords, audit, locks, sessions, refreshTtlDays: config.REFRESH_TOKEN_TTL_DAYS }),
    users: new UserService({ ...repos, passwords, access, audit, locks, events, sessions }),
    assets: new AssetService({ assets: repos.assets, cache: assetCache, locks, access, audit, events }),
    audit,
  };
  const versions = new VersionService({ assets: services.assets, versions: repos.versions, storage, events, logger: infra.logger, maxUploadBytes: config.MAX_UPLOAD_BYTES });
  // BullMQ needs its own connection that retries forever instead of failing commands. It only produces
  // (workers have their own), so while Redis is away an add fails at once rather than holding the request
  // until Redis returns: callers leave the work in MongoDB for the reconcilers.
  const queueConnection = new IORedis(config.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null, lazyConnect: true, enableOfflineQueue: false });
  queueConnection.on('error', () => undefined);
  const queue = new QueueBus({
    connection: queueConnection,
    prefix: `${config.REDIS_KEY_PREFIX}bull`,
    onError: (err) => infra.logger.warn('queue connection error', { err: err.message }),
  });
  const renders = new RenderService({
    renders: repos.renders,
    versions: repos.versions,
    assets: services.assets,
    locks,
    queue,
    audit,
    logger: infra.logger,
    defaults: { maxAttempts: config.RENDER_MAX_ATTEMPTS, chunkTimeoutMs: config.RENDER_CHUNK_TIMEOUT_MS, chunkSize: config.RENDER_CHUNK_SIZE, maxFrames: config.RENDER_MAX_FRAMES },
    signalCancel: async (id) => void (await redis.publish(`${config.REDIS_KEY_PREFIX}render-cancel`, id)),
  });
  // Queue depth by state, read from Redis at scrape time (bounded, so a Redis outage cannot hang /metrics).
  metrics.gauge('queue_jobs', 'Jobs per queue and state', ['queue', 'state'], async (g) => {
    const counts = await Promise.race([queue.counts(), new Promise<null>((r) => setTimeout(() => r(null), 1000).unref())]).catch(() => null);
    for (const [q, states] of Object.entries(counts ?? {})) for (const [state, n] of Object.entries(states)) g.set({ queue: q, state }, n);
  });
  const reviews = new ReviewService({ reviews: repos.reviews, versions: repos.versions, assets: services.assets, locks, audit, events });
  const pipelines = new PipelineService({ pipelines: repos.pipelines, assets: services.assets, queue, storage, logger: infra.logger });
  // Every new version starts its pipeline by itself.
  events.on('version.created', (e) => pipelines.start(e.studioId, e.assetId, e.version.version));
  const tus = createTus({
    stagingDir: path.resolve(config.TUS_STAGING_DIR),
    maxSize: config.MAX_UPLOAD_BYTES,
    expirationMs: config.TUS_EXPIRATION_HOURS * 3_600_000,
    versions,
    assets: services.assets,
    logger: infra.logger,
  });
  const controllers = {
    auth: new AuthController(services.auth),
    users: new UserController(services.users),
    assets: new AssetController(services.assets),
    versions: new VersionController(versions, config.MAX_UPLOAD_BYTES),
    renders: new RenderController(renders),
    pipelines: new PipelineController(pipelines, storage, repos.studios, access),
    reviews: new ReviewController(reviews),
  };

  /** Closes what the container opened itself (the tus clean-up timer and the queue connections). */
  const dispose = async () => {
    tus.close();
    await queue.close().catch(() => undefined);
    queueConnection.disconnect();
  };

  return { ...infra, dispose, metrics, lifecycle, health, keyPrefix: config.REDIS_KEY_PREFIX, models, repos, locks, access, events, assetCache, tokens, sessions, passwords, services: { ...services, versions, renders, pipelines, reviews }, storage, tus, queue, queueConnection, controllers };
}

export type Container = ReturnType<typeof buildContainer>;
