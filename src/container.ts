// The composition root, in three parts: buildCore (repositories, services, queues, storage: what every
// process needs), buildApi (HTTP: tokens, sessions, tus, controllers) and buildWorker (the core without any
// HTTP secret: a worker runs hostile media tools, so it never holds the JWT signing key).
import path from 'node:path';
import type { Connection } from 'mongoose';
import { Redis as IORedis } from 'ioredis';
import type { Config } from './config/env';
import type { Logger } from './infra/logging/logger';
import type { Redis } from './infra/cache/redis';
import { pingRedis } from './infra/cache/redis';
import { pingMongo } from './infra/database/mongo';
import { Metrics } from './infra/metrics/metrics';
import { HealthService, Lifecycle } from './app/services/HealthService';
import { createModels } from './app/repositories/models';
import { StudioRepository } from './app/repositories/StudioRepository';
import { StorageUsageRepository } from './app/repositories/StorageUsageRepository';
import { StorageUsageService } from './app/services/StorageUsageService';
import { StorageController } from './app/controllers/StorageController';
import { UserRepository } from './app/repositories/UserRepository';
import { RefreshTokenRepository } from './app/repositories/RefreshTokenRepository';
import { AuditRepository } from './app/repositories/AuditRepository';
import { AssetRepository } from './app/repositories/AssetRepository';
import { VersionRepository } from './app/repositories/VersionRepository';
import { RenderRepository } from './app/repositories/RenderRepository';
import { PipelineRepository } from './app/repositories/PipelineRepository';
import { ReviewRepository } from './app/repositories/ReviewRepository';
import { AccountRepository } from './app/repositories/AccountRepository';
import { InvitationRepository } from './app/repositories/InvitationRepository';
import { PasswordResetRepository, RegistrationRepository } from './app/repositories/RegistrationRepository';
import { ApiTokenRepository } from './app/repositories/ApiTokenRepository';
import { EventLogRepository } from './app/repositories/EventLogRepository';
import { WebhookRepository } from './app/repositories/WebhookRepository';
import { EventLogService } from './app/services/EventLogService';
import { ProjectRepository } from './app/repositories/ProjectRepository';
import { ShotRepository } from './app/repositories/ShotRepository';
import { TaskRepository } from './app/repositories/TaskRepository';
import { NotificationRepository } from './app/repositories/NotificationRepository';
import { ProjectService } from './app/services/ProjectService';
import { ShotService } from './app/services/ShotService';
import { TaskService } from './app/services/TaskService';
import { NotificationService } from './app/services/NotificationService';
import { SearchService } from './app/services/SearchService';
import { GridService } from './app/services/GridService';
import { GridSortKeys } from './app/services/GridSortKeys';
import { EditorialService } from './app/services/EditorialService';
import { ProductionController } from './app/controllers/ProductionController';
import { TaskController } from './app/controllers/TaskController';
import { NotificationController } from './app/controllers/NotificationController';
import { WebhookService, type DeliveryQueue } from './app/services/WebhookService';
import { UrlGuard } from './infra/webhooks/UrlGuard';
import { WebhookQueue } from './infra/webhooks/WebhookQueue';
import { AccessService } from './app/services/AccessService';
import { AuditService } from './app/services/AuditService';
import { TokenService } from './app/services/TokenService';
import { PasswordHasher } from './app/services/PasswordHasher';
import { AuthService } from './app/services/AuthService';
import { UserService } from './app/services/UserService';
import { SessionService } from './app/services/SessionService';
import { AssetService } from './app/services/AssetService';
import { VersionService } from './app/services/VersionService';
import { RenderService } from './app/services/RenderService';
import { PipelineService } from './app/services/PipelineService';
import { ReviewService } from './app/services/ReviewService';
import { StudioService } from './app/services/StudioService';
import { InvitationService } from './app/services/InvitationService';
import { ApiTokenService } from './app/services/ApiTokenService';
import { CurrentPassword } from './app/services/CurrentPassword';
import type { Mailer } from './app/services/Mailer';
import type { AssetDto } from './app/dto';
import { DomainEvents } from './app/events';
import { AuthController } from './app/controllers/AuthController';
import { UserController } from './app/controllers/UserController';
import { AssetController } from './app/controllers/AssetController';
import { VersionController } from './app/controllers/VersionController';
import { UploadSessionController } from './app/controllers/UploadSessionController';
import { UploadSessionService } from './app/services/UploadSessionService';
import { UploadSessionRepository } from './app/repositories/UploadSessionRepository';
import { BlobRepository } from './app/repositories/BlobRepository';
import { BlobService } from './app/services/BlobService';
import { AssetPurgeService } from './app/services/AssetPurgeService';
import { BlobController } from './app/controllers/BlobController';
import { RenderController } from './app/controllers/RenderController';
import { PipelineController } from './app/controllers/PipelineController';
import { ReviewController } from './app/controllers/ReviewController';
import { StudioController } from './app/controllers/StudioController';
import { InvitationController } from './app/controllers/InvitationController';
import { TokenController } from './app/controllers/TokenController';
import { WebhookController } from './app/controllers/WebhookController';
import { EventController } from './app/controllers/EventController';
import { SmtpMailer } from './infra/mail/SmtpMailer';
import { sendDigests } from './app/processors/digest.processor';
import { LeaseLock } from './infra/database/LeaseLock';
import { AssetCacheService } from './infra/cache/AssetCacheService';
import { RedisSessionCache } from './infra/cache/SessionCache';
import { createStorage, s3Settings } from './infra/storage';
import { s3ClientConfig } from './infra/storage/S3StorageProvider';
import { RedisLocker } from './infra/cache/RedisLocker';
import { ConnectionSlots } from './infra/cache/ConnectionSlots';
import { EventStreamService } from './app/services/EventStreamService';
import type { StorageProvider } from './infra/storage/StorageProvider';
import { createTus } from './infra/http/tus';
import { QueueBus } from './infra/queue/QueueBus';
import { BudgetedThread } from './infra/threads/BudgetedThread';

export interface Infra {
  config: Config;
  logger: Logger;
  mongo: Connection;
  redis: Redis;
  metrics?: Metrics;
  /** Tests pass a provider of their choice; otherwise STORAGE_DRIVER picks one. */
  storage?: StorageProvider;
  /** Tests may pass one; otherwise SMTP_URL (set to the local mail catcher in development) decides. */
  mailer?: Mailer;
}

/** Repositories, domain services, queues and storage: shared by the api and the workers. */
export function buildCore(infra: Infra) {
  const { config, redis, logger } = infra;
  const metrics = infra.metrics ?? new Metrics();
  const models = createModels(infra.mongo);
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
    accounts: new AccountRepository(models),
    invitations: new InvitationRepository(models),
    registrations: new RegistrationRepository(models),
    passwordResets: new PasswordResetRepository(models),
    apiTokens: new ApiTokenRepository(models),
    webhooks: new WebhookRepository(models),
    projects: new ProjectRepository(models),
    shots: new ShotRepository(models),
    tasks: new TaskRepository(models),
    notifications: new NotificationRepository(models),
    uploadSessions: new UploadSessionRepository(models),
    storageUsage: new StorageUsageRepository(models),
    blobs: new BlobRepository(models),
  };
  const locks = new LeaseLock(models.Lease);
  const eventLogRepo = new EventLogRepository(models, locks);
  const access = new AccessService({ asset: repos.assets, renderJob: repos.renders, user: repos.users });
  const events = new DomainEvents((event, err) => logger.error('domain event listener failed', { event, err }));
  const storage = infra.storage ?? createStorage(config);
  const assetCache = new AssetCacheService<AssetDto>(redis, config.REDIS_KEY_PREFIX, logger, metrics);
  const audit = new AuditService(repos.audit);

  // BullMQ needs its own connection that retries forever instead of failing commands. It only produces
  // (workers have their own), so while Redis is away an add fails at once rather than holding the request
  // until Redis returns: callers leave the work in MongoDB for the reconcilers.
  const queueConnection = new IORedis(config.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null, lazyConnect: true, enableOfflineQueue: false });
  queueConnection.on('error', () => undefined);
  const queue = new QueueBus({
    connection: queueConnection,
    prefix: `${config.REDIS_KEY_PREFIX}bull`,
    onError: (err) => logger.warn('queue connection error', { err: err.message }),
  });

  const projects = new ProjectService({ projects: repos.projects, users: repos.users, access, audit, events });
  const assets = new AssetService({ assets: repos.assets, cache: assetCache, locks, access, audit, events, projects });
  const blobs = new BlobService({ blobs: repos.blobs, versions: repos.versions, assets, storage, locks, logger, graceMs: config.STORAGE_GC_GRACE_SECONDS * 1000 });
  const storageUsage = new StorageUsageService({
    usage: repos.storageUsage,
    access,
    locks,
    logger,
    physical: (studioId) => blobs.usage(studioId),
    defaultQuotaBytes: config.STORAGE_QUOTA_BYTES,
    maxOpenUploads: config.UPLOADS_MAX_OPEN_PER_STUDIO,
    maxReservedBytes: config.UPLOADS_MAX_RESERVED_BYTES_PER_STUDIO,
  });
  // A purge (archive + purge) gives the removed versions' logical bytes back to the studio.
  events.on('asset.purged', (e) => storageUsage.removeVersions(e.studioId, e.bytes, e.versions));
  const purges = new AssetPurgeService({ assets, versions: repos.versions, pipelines: repos.pipelines, storage, events, logger });
  const versions = new VersionService({ assets, versions: repos.versions, storage, usage: storageUsage, blobs, events, logger, maxUploadBytes: config.MAX_UPLOAD_BYTES, downloadRedirectTtlSeconds: config.DOWNLOAD_REDIRECT_TTL_SECONDS });
  const renders = new RenderService({
    renders: repos.renders,
    versions: repos.versions,
    assets,
    locks,
    queue,
    audit,
    logger,
    defaults: { maxAttempts: config.RENDER_MAX_ATTEMPTS, chunkTimeoutMs: config.RENDER_CHUNK_TIMEOUT_MS, chunkSize: config.RENDER_CHUNK_SIZE, maxFrames: config.RENDER_MAX_FRAMES },
    limits: {
      maxChunks: config.RENDER_MAX_CHUNKS,
      attemptsLimit: config.RENDER_ATTEMPTS_LIMIT,
      chunkTimeoutLimitMs: config.RENDER_CHUNK_TIMEOUT_LIMIT_MS,
      studioOutstandingFrames: config.RENDER_STUDIO_MAX_OUTSTANDING_FRAMES,
      studioOutstandingChunks: config.RENDER_STUDIO_MAX_OUTSTANDING_CHUNKS,
    },
    signalCancel: async (id) => void (await redis.publish(`${config.REDIS_KEY_PREFIX}render-cancel`, id)),
  });
  const reviews = new ReviewService({ reviews: repos.reviews, versions: repos.versions, assets, locks, audit, events });
  const pipelines = new PipelineService({ pipelines: repos.pipelines, assets, queue, storage, logger });
  const studios = new StudioService({ studios: repos.studios, access, audit });
  const urlGuard = new UrlGuard({ allowHttp: config.WEBHOOK_ALLOW_HTTP ?? config.NODE_ENV !== 'production', allowedCidrs: config.WEBHOOK_ALLOWED_CIDRS });
  const deliveryQueue: DeliveryQueue = new WebhookQueue(queue, redis, config.REDIS_KEY_PREFIX);
  const webhooks = new WebhookService({
    webhooks: repos.webhooks,
    access,
    audit,
    urls: urlGuard,
    queue: deliveryQueue,
    locks,
    limits: { maxEndpointsPerStudio: config.WEBHOOK_MAX_ENDPOINTS_PER_STUDIO, maxPendingPerEndpoint: config.WEBHOOK_MAX_PENDING_PER_ENDPOINT, endpointConcurrency: config.WEBHOOK_ENDPOINT_CONCURRENCY },
  });
  const eventLog = new EventLogService({ log: eventLogRepo, webhooks, access, logger });
  // Every domain event of this process, into the studio's log (and from there to webhooks and streams).
  events.on('asset.created', (e) => void eventLog.record(e.studioId, 'asset.created', { asset: e.asset }, e.actorId));
  events.on('asset.updated', (e) => void eventLog.record(e.studioId, 'asset.updated', { asset: e.asset, changes: e.changes }, e.actorId));
  events.on('version.created', (e) => void eventLog.record(e.studioId, 'version.created', { assetId: e.assetId, version: e.version }, e.actorId));
  events.on('comment.created', (e) => void eventLog.record(e.studioId, 'comment.created', { comment: e.comment }, e.actorId));
  events.on('review.decided', (e) => void eventLog.record(e.studioId, 'review.decided', { review: e.review }, e.actorId));
  // Production tracking (issue 18): review decisions drive tasks; notifications come from events.
  const tasks = new TaskService({ tasks: repos.tasks, assets: repos.assets, shots: repos.shots, projects: repos.projects, versions: repos.versions, users: repos.users, access, audit, events });
  const shots = new ShotService({ shots: repos.shots, projects: repos.projects, projectService: projects, assets: repos.assets, access, audit, events });
  const grids = new GridService({ projects, shots: repos.shots, shotService: shots, assets: repos.assets, tasks: repos.tasks, ensureTaskConfig: tasks.ensureConfig });
  // The shot grid's stored sort keys follow the versions and tasks that move them.
  const gridKeys = new GridSortKeys({ shots: repos.shots, assets: repos.assets, tasks: repos.tasks, locks });
  events.on('version.created', (e) => gridKeys.onVersion(e.studioId, e.assetId, e.version.version));
  events.on('task.created', (e) => gridKeys.onTask(e.studioId, e.task));
  events.on('task.updated', (e) => gridKeys.onTask(e.studioId, e.task, e.changes));
  const notifications = new NotificationService({ notifications: repos.notifications, tasks: repos.tasks, users: repos.users, versions: repos.versions, access, events });
  notifications.listen();
  const search = new SearchService({ projects: repos.projects, assets: repos.assets, shots: repos.shots, tasks: repos.tasks, access });
  const otioBudget = { cpuMs: config.EDITORIAL_PARSE_CPU_MS, heapMib: config.EDITORIAL_PARSE_HEAP_MIB };
  // Started on the first OTIO import (processes that never import never start it); one job at a time, 8 waiting.
  const otioThread = new BudgetedThread({
    name: 'editorial-otio',
    entry: path.join(__dirname, 'app', 'services', `editorial.thread${path.extname(__filename)}`),
    ...otioBudget,
    maxQueued: 8,
    wallMs: Math.max(30_000, 10 * otioBudget.cpuMs),
  });
  const editorial = new EditorialService({ projects: repos.projects, projectService: projects, shots: repos.shots, shotService: shots, tasks: repos.tasks, assets: repos.assets, renders: repos.renders, locks, audit, events, otioThread, otioBudget });
  events.on('review.decided', (e) => tasks.onReviewDecided(e));
  events.on('project.created', (e) => void eventLog.record(e.studioId, 'project.created', { project: e.project }, e.actorId));
  events.on('project.updated', (e) => void eventLog.record(e.studioId, 'project.updated', { project: e.project, changes: e.changes }, e.actorId));
  events.on('shot.created', (e) => void eventLog.record(e.studioId, 'shot.created', { shot: e.shot }, e.actorId));
  events.on('shot.updated', (e) => void eventLog.record(e.studioId, 'shot.updated', { shot: e.shot, changes: e.changes }, e.actorId));
  events.on('task.created', (e) => void eventLog.record(e.studioId, 'task.created', { task: e.task }, e.actorId));
  events.on('task.updated', (e) => void eventLog.record(e.studioId, 'task.updated', { task: e.task, changes: e.changes, from: e.from ?? null, reason: e.reason ?? 'edit' }, e.actorId));
  events.on('casting.updated', (e) => void eventLog.record(e.studioId, 'casting.updated', { shotId: e.shotId, casting: e.casting }, e.actorId));
  events.on('editorial.imported', (e) => void eventLog.record(e.studioId, 'editorial.imported', { projectId: e.projectId, format: e.format, created: e.created, updated: e.updated, omitted: e.omitted }, e.actorId));
  // Every new version starts its pipeline by itself.
  events.on('version.created', (e) => pipelines.start(e.studioId, e.assetId, e.version.version));

  return {
    ...infra,
    metrics,
    keyPrefix: config.REDIS_KEY_PREFIX,
    models,
    repos,
    locks,
    access,
    events,
    storage,
    assetCache,
    queue,
    queueConnection,
    urlGuard,
    deliveryQueue,
    eventLogRepo,
    services: { assets, versions, renders, reviews, pipelines, studios, audit, webhooks, eventLog, projects, shots, grids, tasks, notifications, search, editorial, storageUsage, blobs, purges },
    /** Closes what the core opened itself (the queue connections). */
    async dispose() {
      await otioThread.close();
      await queue.close().catch(() => undefined);
      queueConnection.disconnect();
    },
  };
}

export type Core = ReturnType<typeof buildCore>;

/** The api process: the core plus identity (tokens, sessions, passwords), tus, health and the controllers. */
export function buildApi(core: Core) {
  const { config, logger, redis, mongo, metrics, repos, locks, access, events, audit } = { ...core, audit: core.services.audit };
  const lifecycle = new Lifecycle();
  const health = new HealthService({ mongo: () => pingMongo(mongo, config.READY_TIMEOUT_MS), redis: () => pingRedis(redis, config.READY_TIMEOUT_MS) }, lifecycle);
  const tokens = new TokenService({
    secret: config.JWT_ACCESS_SECRET,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
  });
  const passwords = new PasswordHasher(config.BCRYPT_COST);
  const sessions = new SessionService({ users: repos.users, cache: new RedisSessionCache(redis, config.REDIS_KEY_PREFIX, logger), events });
  const smtp = core.mailer ? undefined : createMailer(config, logger);
  const mailer = core.mailer ?? smtp!;
  const links = { publicUrl: config.PUBLIC_URL ?? `http://localhost:${config.PORT}` };
  const currentPassword = new CurrentPassword({ ...repos, passwords });
  const apiTokens = new ApiTokenService({ tokens: repos.apiTokens, users: repos.users, studios: repos.studios, sessions, access, audit, events, currentPassword, locks, mailer, links, maxDays: config.API_TOKEN_MAX_DAYS });
  const auth = new AuthService({
    ...repos,
    tokens,
    passwords,
    audit,
    locks,
    sessions,
    currentPassword,
    personalTokens: apiTokens,
    mailer,
    links,
    refreshTtlDays: config.REFRESH_TOKEN_TTL_DAYS,
    verificationTtlHours: config.EMAIL_VERIFICATION_TTL_HOURS,
    registrationMailIntervalMinutes: config.REGISTRATION_MAIL_INTERVAL_MINUTES,
    passwordResetTtlMinutes: config.PASSWORD_RESET_TTL_MINUTES,
  });
  const users = new UserService({ ...repos, access, audit, locks, events, sessions });
  const invitations = new InvitationService({ ...repos, access, audit, locks, mailer, links, auth, ttlHours: config.INVITATION_TTL_HOURS });
  const { assets, versions, renders, reviews, pipelines, studios } = core.services;
  // Open sockets and event streams per member or token, counted across instances (see ConnectionSlots).
  const slots = new ConnectionSlots(redis, `${config.REDIS_KEY_PREFIX}slots:`, logger, config.CONNECTION_SLOT_TTL_SECONDS * 1000);
  const streams = new EventStreamService({
    log: core.eventLogRepo,
    access,
    slots,
    logger,
    recheck: (actor) => apiTokens.actorNow(actor),
    stopping: () => lifecycle.shuttingDown,
    settings: {
      pollMs: config.EVENTS_POLL_MS,
      heartbeatMs: config.EVENTS_HEARTBEAT_MS,
      recheckMs: config.EVENTS_RECHECK_MS,
      maxLifeMs: config.EVENTS_STREAM_MAX_SECONDS * 1000,
      maxPerHolder: config.EVENTS_MAX_STREAMS_PER_MEMBER,
      maxBacklogBytes: 1024 * 1024,
    },
  });

  // Queue depth by state, read from Redis at scrape time (bounded, so a Redis outage cannot hang /metrics).
  metrics.gauge('queue_jobs', 'Jobs per queue and state', ['queue', 'state'], async (g) => {
    const counts = await Promise.race([core.queue.counts(), new Promise<null>((r) => setTimeout(() => r(null), 1000).unref())]).catch(() => null);
    for (const [q, states] of Object.entries(counts ?? {})) for (const [state, n] of Object.entries(states)) g.set({ queue: q, state }, n);
  });
  // tus stages where every instance sees it when the files do (S3, under tus/), and locks uploads in Redis.
  const tusLocker = new RedisLocker({ redis, subscriber: redis.duplicate(), prefix: config.REDIS_KEY_PREFIX, logger });
  const tus = createTus({
    staging:
      config.STORAGE_DRIVER === 's3'
        ? { driver: 's3', bucket: config.S3_BUCKET!, client: s3ClientConfig(s3Settings(config)), prefix: 'tus/', partSize: config.TUS_S3_PART_SIZE }
        : { driver: 'local', dir: path.resolve(config.TUS_STAGING_DIR) },
    locker: tusLocker,
    maxSize: config.MAX_UPLOAD_BYTES,
    expirationMs: config.TUS_EXPIRATION_HOURS * 3_600_000,
    versions,
    assets,
    usage: core.services.storageUsage,
    logger,
    corsOrigins: config.CORS_ORIGINS,
  });
  const uploadSessions = new UploadSessionService({
    assets,
    versions,
    sessions: repos.uploadSessions,
    storage: core.storage,
    locks,
    blobs: core.services.blobs,
    usage: core.services.storageUsage,
    logger,
    maxUploadBytes: config.MAX_UPLOAD_BYTES,
    sessionTtlMs: config.DIRECT_UPLOAD_SESSION_HOURS * 3_600_000,
    urlTtlSeconds: config.DIRECT_UPLOAD_URL_TTL_SECONDS,
  });
  // Abandoned uploads: every instance sweeps; the session's lease keeps two from ending one twice, and a
  // reservation is released by a single delete. Expired direct sessions first, then the reservations due a look
  // (expired tus uploads, and whatever an instance that died mid-way left reserved).
  const sweepUploads = async (now = new Date()) => ({
    sessions: await uploadSessions.sweep(now),
    reservations: await core.services.storageUsage.sweepReservations((r) => (r.kind === 'direct' ? uploadSessions.reservationState(r, now) : tus.reservationState(r, now)), now),
  });
  const sweepTimer = setInterval(() => void sweepUploads().catch((err: unknown) => logger.warn('upload sweep failed', { err: (err as Error).message })), config.DIRECT_UPLOAD_SWEEP_MS);
  sweepTimer.unref();
  // The storage collector: every instance tries; its lease lets one run at a time (the others skip that round).
  const gcTimer = config.STORAGE_GC_INTERVAL_SECONDS
    ? setInterval(() => void core.services.blobs.collect().catch((err: unknown) => logger.warn('storage collector skipped a round', { err: (err as Error).message })), config.STORAGE_GC_INTERVAL_SECONDS * 1000)
    : undefined;
  gcTimer?.unref();
  // Email digests of unread notifications: every instance runs rounds; a claim per digest sends each once.
  const sendNotificationDigests = (now = new Date()) => sendDigests({ notifications: repos.notifications, users: repos.users, studios: repos.studios, locks, mailer, links, logger }, now);
  const digestTimer = config.NOTIFICATION_DIGEST_SWEEP_MS
    ? setInterval(() => void sendNotificationDigests().catch((err: unknown) => logger.warn('notification digests skipped a round', { err: (err as Error).message })), config.NOTIFICATION_DIGEST_SWEEP_MS)
    : undefined;
  digestTimer?.unref();
  const controllers = {
    auth: new AuthController(auth),
    users: new UserController(users),
    invitations: new InvitationController(invitations),
    tokens: new TokenController(apiTokens),
    webhooks: new WebhookController(core.services.webhooks),
    events: new EventController(core.services.eventLog, streams),
    assets: new AssetController(assets),
    versions: new VersionController(versions, config.MAX_UPLOAD_BYTES),
    uploadSessions: new UploadSessionController(uploadSessions),
    blobs: new BlobController(core.services.blobs, versions, core.services.purges),
    renders: new RenderController(renders, core.storage),
    pipelines: new PipelineController(pipelines, core.storage),
    reviews: new ReviewController(reviews),
    studios: new StudioController(studios),
    production: new ProductionController(core.services),
    tasks: new TaskController(core.services.tasks),
    notifications: new NotificationController(core.services),
    storage: new StorageController(core.services.storageUsage),
  };

  return {
    ...core,
    lifecycle,
    health,
    tokens,
    passwords,
    sessions,
    apiTokens,
    tus,
    sweepUploads,
    sendNotificationDigests,
    controllers,
    mailer,
    slots,
    services: { ...core.services, auth, users, invitations, uploadSessions, streams },
    /** Closes what the api opened (the tus clean-up timer, the SMTP pool) and then the core. */
    async dispose() {
      tus.close();
      tusLocker.close();
      streams.close();
      slots.close();
      clearInterval(sweepTimer);
      clearInterval(gcTimer);
      clearInterval(digestTimer);
      smtp?.close();
      await core.dispose();
    },
  };
}

export type Container = ReturnType<typeof buildApi>;

/** SMTP when configured; otherwise a mailer that refuses, so a mail-sending request answers 503 MAIL_UNAVAILABLE. */
function createMailer(config: Config, logger: Logger): Mailer & { close(): void } {
  if (config.SMTP_URL) return new SmtpMailer({ url: config.SMTP_URL, from: config.MAIL_FROM, timeoutMs: config.MAIL_SEND_TIMEOUT_MS, logger });
  return {
    send: () => Promise.reject(new Error('no SMTP_URL is configured')),
    close: () => undefined,
  };
}

/**
 * A worker process: the core only. The JWT signing key is dropped from its config, so no code a worker
 * runs (nor a media tool that escaped its sandbox into the worker) can mint studio tokens.
 */
export function buildWorker(infra: Infra): Core {
  return buildCore({ ...infra, config: { ...infra.config, JWT_ACCESS_SECRET: '' } });
}

/** The api's whole graph from live clients: what server.ts and the test harness run. */
export const buildContainer = (infra: Infra): Container => buildApi(buildCore(infra));
