// Builds the real app graph for one test file: its own database and its own Redis key prefix.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { rmSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import type { Express } from 'express';
import supertest from 'supertest';
import { loadConfig, type Config } from '../../src/config/env';
import { createLogger } from '../../src/infra/logging/logger';
import { connectMongo } from '../../src/infra/database/mongo';
import { createRedis, redisReady } from '../../src/infra/cache/redis';
import { buildContainer, type Container } from '../../src/container';
import { createApp, type AppOptions } from '../../src/app';
import { syncIndexes } from '../../src/app/repositories/models';
import { migrateAccounts } from '../../src/app/repositories/migrations/accounts';
import { attachRealtime, type RealtimeHandle, type RealtimeOptions } from '../../src/infra/realtime/socket';
import { clientIpOf, createHttpServer } from '../../src/infra/http/server';
import { startMailbox, type Mailbox } from './mailbox';
import { S3StorageProvider } from '../../src/infra/storage/S3StorageProvider';
import { EMBEDDED_S3_CREDENTIALS } from '../../src/infra/embedded/s3';
import { conformingAgent } from './conformance';

export interface Harness {
  config: Config;
  container: Container;
  app: Express;
  /** Supertest on the app; every JSON answer is checked against the OpenAPI document (support/conformance.ts). */
  http: ReturnType<typeof supertest>;
  /** The SMTP server the app mails to (unless the test set SMTP_URL itself). */
  mailbox: Mailbox;
  /** Every JSON log line the app wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  /** Starts a real HTTP server on a free loopback port (closed by close()) and returns its base URL. */
  listen(): Promise<string>;
  /** Like listen(), with Socket.IO attached. */
  listenRealtime(options?: RealtimeOptions): Promise<{ url: string; realtime: RealtimeHandle }>;
  /**
   * The app's side of a request sent with an X-Request-Id header to a server of listen() or listenRealtime(),
   * for when the client cannot tell (it went away, or Node's parser answered for the app). Each rejects after
   * timeoutMs. reading(): the app has started reading the request's body (the body stream was resumed).
   * answered(): the app has ended its response, with this status; it does so only after the request's own
   * work (storing, committing, cleaning up after a failure), and even when no byte of the answer can reach
   * the client any more, so it is the sentinel for "this request left nothing behind".
   */
  reading(requestId: string, timeoutMs?: number): Promise<void>;
  answered(requestId: string, timeoutMs?: number): Promise<{ status: number }>;
  /** The database and Redis prefix, so a second harness can act as another API instance of the same deployment. */
  identity: { id: string; secret: string };
  close(): Promise<void>;
}

/** The storage drivers the HTTP tests of uploads, tus and downloads run on, as harness overrides. */
export const STORAGE_DRIVERS: Array<[driver: 'local' | 's3', overrides: Record<string, string>]> = [
  ['local', {}],
  ['s3', { STORAGE_DRIVER: 's3' }],
];

/**
 * S3 settings for a harness on the S3 driver: the server globalSetup started (or S3_ENDPOINT), one bucket per
 * deployment (a second instance sharing the identity shares it too).
 */
function s3Settings(id: string): Record<string, string> {
  const endpoint = process.env.S3_ENDPOINT;
  if (!endpoint) throw new Error('tests on the S3 driver need S3_ENDPOINT; jest globalSetup provides it');
  return {
    S3_ENDPOINT: endpoint,
    S3_BUCKET: `studio-test-${id}`,
    S3_ACCESS_KEY_ID: process.env.S3_ACCESS_KEY_ID ?? EMBEDDED_S3_CREDENTIALS.accessKeyId,
    S3_SECRET_ACCESS_KEY: process.env.S3_SECRET_ACCESS_KEY ?? EMBEDDED_S3_CREDENTIALS.secretAccessKey,
    S3_FORCE_PATH_STYLE: 'true',
  };
}

export function withDatabase(uri: string, db: string): string {
  const u = new URL(uri);
  u.pathname = `/${db}`;
  return u.toString();
}

export async function startHarness(overrides: Record<string, string> = {}, appOptions: AppOptions = {}, share?: { id: string; secret: string }): Promise<Harness> {
  const id = share?.id ?? randomBytes(5).toString('hex');
  const mongoBase = overrides.MONGO_URI ?? process.env.MONGO_URI;
  const redisUrl = overrides.REDIS_URL ?? process.env.REDIS_URL;
  if (!mongoBase || !redisUrl) throw new Error('tests need MONGO_URI and REDIS_URL; jest globalSetup provides them');
  const storageRoot = path.join(process.env.STUDIO_TEST_DATA_DIR ?? os.tmpdir(), `storage-${id}`);
  const mailbox = await startMailbox();
  const config = loadConfig({
    SMTP_URL: mailbox.url,
    NODE_ENV: 'test',
    LOG_LEVEL: 'debug',
    BCRYPT_COST: '4',
    STORAGE_LOCAL_ROOT: storageRoot,
    TUS_STAGING_DIR: `${storageRoot}-tus`,
    ...(overrides.STORAGE_DRIVER === 's3' ? s3Settings(id) : {}),
    ...overrides,
    // Instances of one deployment share the signing secret, as they would in production.
    ...(share ? { JWT_ACCESS_SECRET: share.secret } : {}),
    MONGO_URI: withDatabase(mongoBase, `t_${id}`),
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: `t:${id}:`,
  });
  const logs: Array<Record<string, unknown>> = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  const logger = createLogger({ level: config.LOG_LEVEL, service: 'test', stream });
  const mongo = await connectMongo({ uri: config.MONGO_URI!, logger, attempts: 3 });
  const redis = createRedis(config.REDIS_URL!, logger, `test-${id}`);
  if (!(await redisReady(redis, 5000))) throw new Error(`Redis at ${config.REDIS_URL} is not reachable`);
  const container = buildContainer({ config, logger, mongo, redis });
  if (container.storage instanceof S3StorageProvider) await container.storage.ensureBucket();
  await migrateAccounts(container.models);
  await syncIndexes(container.models);
  const app = createApp(container, appOptions);
  const servers: http.Server[] = [];
  const realtimes: RealtimeHandle[] = [];
  /** One promise per request id and milestone, whichever comes first: the test asking, or the app acting. */
  const milestones = new Map<string, { promise: Promise<unknown>; resolve: (v: unknown) => void }>();
  const milestone = (key: string) => {
    let m = milestones.get(key);
    if (!m) {
      let resolve!: (v: unknown) => void;
      const promise = new Promise<unknown>((r) => (resolve = r));
      m = { promise, resolve };
      milestones.set(key, m);
    }
    return m;
  };
  const awaitMilestone = async <T>(key: string, what: string, timeoutMs: number): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
    });
    try {
      return (await Promise.race([milestone(key).promise, late])) as T;
    } finally {
      clearTimeout(timer);
    }
  };
  const listen = async (server: http.Server) => {
    servers.push(server);
    // Before the app's own listener, so even an answer the app gives synchronously is seen.
    server.prependListener('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      const id = req.headers['x-request-id'];
      if (typeof id !== 'string') return;
      req.once('resume', () => milestone(`reading:${id}`).resolve(undefined));
      const end = res.end.bind(res);
      res.end = ((...args: Parameters<typeof res.end>) => {
        const r = end(...args);
        milestone(`answered:${id}`).resolve({ status: res.statusCode });
        return r;
      }) as typeof res.end;
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  return {
    identity: { id, secret: config.JWT_ACCESS_SECRET },
    config,
    container,
    app,
    http: conformingAgent(supertest(app)),
    mailbox,
    logs,
    listen: () => listen(createHttpServer(app, config)),
    async listenRealtime(options) {
      const server = createHttpServer(app, config);
      const realtime = await attachRealtime(server, container, { clientIp: clientIpOf(app), ...options });
      realtimes.push(realtime);
      return { url: await listen(server), realtime };
    },
    reading: (requestId, timeoutMs = 10_000) => awaitMilestone<void>(`reading:${requestId}`, `the app to read the body of request ${requestId}`, timeoutMs),
    answered: (requestId, timeoutMs = 10_000) => awaitMilestone<{ status: number }>(`answered:${requestId}`, `the app to answer request ${requestId}`, timeoutMs),
    async close() {
      for (const r of realtimes) await r.close();
      for (const server of servers) {
        server.closeAllConnections();
        if (server.listening) await new Promise((r) => server.close(r));
      }
      await container.dispose();
      await mailbox.close();
      if (!share) {
        rmSync(storageRoot, { recursive: true, force: true });
        rmSync(`${storageRoot}-tus`, { recursive: true, force: true });
      }
      if (!share) await mongo.dropDatabase().catch(() => undefined);
      await mongo.close();
      const keys = share ? [] : await redis.keys(`${config.REDIS_KEY_PREFIX}*`).catch(() => [] as string[]);
      if (keys.length) await redis.del(...keys).catch(() => undefined);
      redis.disconnect();
    },
  };
}
