// PostgreSQL 15 for the embedded FerretDB: the project's own cluster under the data dir, on loopback only.
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { EmbeddedServiceError, findExecutable, freePort, launch, stopper, waitUntil, type RunningService, type StartOptions } from './process';

const run = promisify(execFile);

/** Where Debian's postgresql-15 (installed by `npm run setup`) keeps its programs, off PATH. */
export const DEBIAN_POSTGRES_BIN = '/usr/lib/postgresql/15/bin';
const SUPERUSER = 'studio';
const DATABASE = 'ferretdb';

/**
 * Server settings on every start. plan_cache_mode stays PostgreSQL's default (auto): FerretDB as built by
 * setup.sh writes field names into its statements (scripts/ferretdb-pushdown.patch), so a prepared statement's
 * generic plan can use the expression indexes and PostgreSQL plans each statement shape once per connection
 * instead of at every execution (before the patch, FerretDB bound field names as parameters and this was
 * force_custom_plan: a generic plan could not match an index on `_jsonb->'field'` and stayed a scan).
 */
function serverSettings(port: number, persistent: boolean): string[] {
  const settings = [
    `port=${port}`,
    'listen_addresses=127.0.0.1',
    // No Unix socket: Debian's default directory (/var/run/postgresql) may not exist or be writable.
    'unix_socket_directories=',
    // FerretDB ANDs the GIN indexes of every pushed-down field unless statistics say one matches a whole
    // tenant (measured at 100,000 fresh documents: {_id, studioId} 17 ms without them, 1.6 ms with), so
    // autovacuum looks for tables to analyze every 2 s rather than every minute.
    'autovacuum_naptime=2s',
    // The cluster is local and its working set cached: a random page costs about what a sequential one does
    // (the default 4 is for spinning disks). With 4, PostgreSQL reads a page of a few hundred matches by a
    // bitmap and sorts them rather than walking the order-key index and stopping at the page's end.
    'random_page_cost=1.1',
    // A crash may lose the last few commits but never corrupts (as SQLite's synchronous=NORMAL was).
    'synchronous_commit=off',
  ];
  // A test or benchmark cluster is thrown away after the run: nothing needs to reach the disk.
  if (!persistent) settings.push('fsync=off', 'full_page_writes=off');
  return settings.flatMap((s) => ['-c', s]);
}

/** The directory holding postgres, initdb, pg_isready and psql of one installation. */
export function postgresBinDir(): string | undefined {
  const postgres = findExecutable('postgres', [DEBIAN_POSTGRES_BIN]);
  // /usr/local/bin/postgres may be a link into Debian's directory, where its sibling programs are.
  return postgres && path.dirname(realpathSync(postgres));
}

/** PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres` user Debian creates. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((line) => line.startsWith('postgres:'));
  if (!entry) {
    throw new EmbeddedServiceError('PostgreSQL does not run as root and this machine has no `postgres` user: install postgresql-15 (`npm run setup`), or set MONGO_URI.');
  }
  const [, , uid, gid] = entry.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** The server user must reach the cluster: mkdtemp makes its data dir 0700, so that one gets o+x. */
function makeReachable(dataDir: string, cluster: string, user: { uid: number; gid: number }): void {
  const mode = statSync(dataDir).mode;
  if (!(mode & 0o001)) chmodSync(dataDir, (mode & 0o777) | 0o001);
  for (let dir = path.dirname(dataDir); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (!(statSync(dir).mode & 0o001)) {
      throw new EmbeddedServiceError(`PostgreSQL runs as the postgres user, which cannot reach ${cluster} because ${dir} is not searchable by others: chmod o+x ${dir}, or move EMBEDDED_DATA_DIR`);
    }
  }
  mkdirSync(cluster, { recursive: true, mode: 0o700 });
  chownSync(cluster, user.uid, user.gid);
}

async function initCluster(bin: string, cluster: string, logFile: string, persistent: boolean, user?: { uid: number; gid: number }): Promise<void> {
  // Trust on loopback, like the embedded Redis and FerretDB: dev, test and benchmark data only.
  const args = ['-D', cluster, '-U', SUPERUSER, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-instructions'];
  if (!persistent) args.push('--no-sync');
  try {
    await run(path.join(bin, 'initdb'), args, { cwd: cluster, ...user });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new EmbeddedServiceError(`initdb failed for ${cluster}: ${(e.stderr ?? e.message).trim()} (log: ${logFile})`, { cause: err });
  }
}

/** Runs SQL with psql (from the same installation) and answers its unaligned output. */
export async function runPsql(url: string, sql: string): Promise<string> {
  const bin = postgresBinDir();
  if (!bin) throw new EmbeddedServiceError('psql is needed: install postgresql-15 (`npm run setup`)');
  const { stdout } = await run(path.join(bin, 'psql'), ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql]);
  return stdout.trim();
}

async function ensureDatabase(adminUrl: string): Promise<void> {
  if ((await runPsql(adminUrl, `SELECT 1 FROM pg_database WHERE datname = '${DATABASE}'`)) !== '1') {
    await runPsql(adminUrl, `CREATE DATABASE ${DATABASE}`);
  }
}

/**
 * Starts PostgreSQL on the cluster under dataDir/postgres (initdb on first start, so a persistent one is
 * reused across restarts) and answers FerretDB's URL for it.
 */
export async function startPostgres(opts: StartOptions): Promise<RunningService> {
  const bin = postgresBinDir();
  if (!bin) {
    throw new EmbeddedServiceError(
      `FerretDB stores its data in PostgreSQL: install postgresql-15 (\`npm run setup\`; looked on PATH and in ${DEBIAN_POSTGRES_BIN}), or set MONGO_URI.`,
    );
  }
  const dataDir = path.resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const cluster = path.join(dataDir, 'postgres');
  const logFile = path.join(dataDir, 'postgres.log');
  const user = serverUser();
  if (user) makeReachable(dataDir, cluster, user);
  if (!existsSync(path.join(cluster, 'PG_VERSION'))) await initCluster(bin, cluster, logFile, opts.persistent, user);
  const port = opts.port ?? (await freePort());
  const child = launch(path.join(bin, 'postgres'), ['-D', cluster, ...serverSettings(port, opts.persistent)], logFile, {
    detached: opts.detached,
    user,
    cwd: cluster,
  });
  const isReady = async () => (await run(path.join(bin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port)]).then(() => true, () => false));
  await waitUntil(isReady, child, 'postgres', logFile);
  await ensureDatabase(`postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`);
  return {
    kind: 'postgres',
    url: `postgres://${SUPERUSER}@127.0.0.1:${port}/${DATABASE}`,
    pid: child.pid,
    stop: stopper(opts.detached ? undefined : child, child.pid, 'SIGINT'),
  };
}
