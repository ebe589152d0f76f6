// Shared start-up for the api and worker processes: config, logger, backing services, connections.
import { ConfigError, loadConfig, loadDotEnv, type Config } from './config/env';
import { createLogger, type Logger } from './infra/logging/logger';
import { connectMongo } from './infra/database/mongo';
import { createRedis, redisReady, type Redis } from './infra/cache/redis';
import { ensureDevServices, EmbeddedServiceError } from './infra/embedded/embedded';
import type { Connection } from 'mongoose';
import path from 'node:path';
import { createStorage } from './infra/storage';
import type { S3StorageProvider } from './infra/storage/S3StorageProvider';
import { startDevMailbox, type MailCatcher } from './infra/mail/MailCatcher';

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
  if (config.STORAGE_DRIVER === 's3' && config.S3_CREATE_BUCKET) await (createStorage(config) as S3StorageProvider).ensureBucket();
  const mailbox = service === 'api' && !config.SMTP_URL ? await devMailbox(config, logger) : undefined;
  return {
    config: { ...config, MONGO_URI: mongoUri, REDIS_URL: redisUrl, SMTP_URL: mailbox?.url ?? config.SMTP_URL },
    logger,
    mongo,
    redis,
    async close() {
      await Promise.allSettled([mongo.close(), redis.quit(), mailbox?.close()]);
    },
  };
}

/**
 * Outside production an api without SMTP_URL mails to a catcher of its own on loopback: each message is
 * kept under EMBEDDED_DATA_DIR/mail (.eml and a .json summary) and its links are logged, so a newcomer can
 * follow a registration or invitation link without any mail set-up. (Production requires SMTP_URL.)
 */
async function devMailbox(config: Config, logger: Logger): Promise<MailCatcher> {
  const dir = path.resolve(config.EMBEDDED_DATA_DIR, 'mail');
  const mailbox = await startDevMailbox(dir, (mail, file) => logger.info('mail caught (development inbox)', { to: mail.to, subject: mail.subject, links: mail.links, file }));
  logger.info('no SMTP_URL: mail goes to the development inbox', { dir, smtp: mailbox.url });
  return mailbox;
}
