// Schema and data migrations with migrate-mongo: the files in ./migrations (plain CommonJS against the raw
// driver, so the same files run under tsx, Jest and the compiled image), applied in name order and recorded
// in the `changelog` collection. migrate-mongo's own lock needs a TTL index, which FerretDB v1 refuses (and
// it creates it without awaiting), so it is off and a LeaseLock lets one process at a time migrate.
import path from 'node:path';
import type { Connection } from 'mongoose';
import type { LeaseLock } from './LeaseLock';

/** ./migrations at the repository (or image) root, from src/infra/database or dist/infra/database alike. */
export const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', '..', 'migrations');

export interface MigrationStatus {
  fileName: string;
  appliedAt: string;
}

interface MigrateMongo {
  config: { set(content: Record<string, unknown>): void };
  up(db: unknown, client: unknown): Promise<string[]>;
  status(db: unknown): Promise<MigrationStatus[]>;
}

async function load(dir: string): Promise<MigrateMongo> {
  // The package is ESM with a CommonJS wrapper whose properties are promises (an `import` would wrap that
  // proxy again and hide them).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mm = require('migrate-mongo') as Record<keyof MigrateMongo, Promise<unknown>>;
  const [config, up, status] = (await Promise.all([mm.config, mm.up, mm.status])) as [MigrateMongo['config'], MigrateMongo['up'], MigrateMongo['status']];
  config.set({ mongodb: {}, migrationsDir: dir, changelogCollectionName: 'changelog', lockCollectionName: 'changelog_lock', lockTtl: 0, migrationFileExtension: '.js', useFileHash: false, moduleSystem: 'commonjs' });
  return { config, up, status };
}

/** Applies every pending migration, one process at a time; returns the file names it applied. */
export async function runMigrations(conn: Connection, locks: LeaseLock, dir = MIGRATIONS_DIR): Promise<string[]> {
  const mm = await load(dir);
  // A long migration outlives a lease's default 15 s: the lease is long and waiters wait as long.
  return locks.withLock('migrations', () => mm.up(conn.db, conn.getClient()), { ttlMs: 30 * 60_000, waitMs: 30 * 60_000 });
}

export async function migrationStatus(conn: Connection, dir = MIGRATIONS_DIR): Promise<MigrationStatus[]> {
  const mm = await load(dir);
  return mm.status(conn.db);
}
