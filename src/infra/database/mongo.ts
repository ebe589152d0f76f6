// MongoDB connection through Mongoose: retried at start-up, with connection events logged.
import mongoose, { type Connection } from 'mongoose';
import type { Logger } from '../logging/logger';
import { ServiceUnavailableError } from '../../shared/errors';

export interface MongoOptions {
  uri: string;
  logger: Logger;
  /** Attempts before giving up at start-up; later disconnects are retried by the driver forever. */
  attempts?: number;
  serverSelectionTimeoutMS?: number;
}

export async function connectMongo(options: MongoOptions): Promise<Connection> {
  const { uri, logger, attempts = 10 } = options;
  const conn = mongoose.createConnection();
  conn.on('connected', () => logger.info('mongo connected', { host: conn.host, db: conn.name }));
  conn.on('disconnected', () => logger.warn('mongo disconnected'));
  conn.on('reconnected', () => logger.info('mongo reconnected'));
  conn.on('error', (err: Error) => logger.error('mongo error', { err: err.message }));

  for (let attempt = 1; ; attempt++) {
    try {
      await conn.openUri(uri, {
        serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5000,
        // Fail fast instead of buffering queries forever while the server is away; requests then get 503.
        bufferCommands: false,
        // Indexes are built explicitly by syncIndexes at start-up, where failures are visible.
        autoIndex: false,
      });
      return conn;
    } catch (err) {
      if (attempt >= attempts) {
        throw new ServiceUnavailableError('MONGO_UNAVAILABLE', `MongoDB unreachable after ${attempt} attempts`, { cause: err });
      }
      const delay = Math.min(250 * 2 ** attempt, 5000);
      logger.warn('mongo connect failed, retrying', { attempt, delayMs: delay, err: (err as Error).message });
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** Pings the server, answering false rather than hanging when it is away. */
export async function pingMongo(conn: Connection, timeoutMs: number): Promise<boolean> {
  if (conn.readyState !== 1 || !conn.db) return false;
  return withTimeout(conn.db.admin().ping().then(() => true), timeoutMs).catch(() => false);
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
