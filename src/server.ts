// The api process: HTTP server, readiness, graceful shutdown.
import { bootInfra } from './bootstrap';
import { buildContainer } from './container';
import { createApp } from './app';
import { syncIndexes } from './app/repositories/models';
import { migrateAccounts } from './app/repositories/migrations/accounts';
import { runMigrations } from './infra/database/migrations';
import { attachRealtime } from './infra/realtime/socket';
import { clientIpOf, createHttpServer } from './infra/http/server';
import { warmHashers } from './infra/storage/OffThreadHasher';

async function main() {
  const infra = await bootInfra('api');
  const { config, logger } = infra;
  const container = buildContainer(infra);
  // Data written by an older release is brought to this one first (idempotent: a no-op once done).
  const linked = await migrateAccounts(container.models);
  if (linked) logger.info('migrated members to accounts', { linked });
  // Development and embedded runs migrate on start; production runs `npm run migrate` as a release step
  // (docker-compose's migrate service), unless MIGRATE_ON_START=true.
  if ((config.MIGRATE_ON_START ?? (config.NODE_ENV === 'production' ? 'false' : 'true')) === 'true') {
    const applied = await runMigrations(infra.mongo, container.locks);
    if (applied.length) logger.info('applied migrations', { applied });
  }
  // Unique indexes carry our consistency rules, so they must exist before the first request.
  for (const note of await syncIndexes(container.models)) logger.warn(note);
  const app = createApp(container);
  warmHashers();

  const server = createHttpServer(app, config);

  const realtime = await attachRealtime(server, container, { clientIp: clientIpOf(app) });
  await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve));
  const addr = server.address();
  logger.info('api listening', { port: typeof addr === 'object' && addr ? addr.port : config.PORT, env: config.NODE_ENV });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    container.lifecycle.shuttingDown = true;
    logger.info('shutting down', { signal, timeoutMs: config.SHUTDOWN_TIMEOUT_MS });
    const hardStop = setTimeout(() => {
      logger.error('shutdown timed out, exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    hardStop.unref();

    // Stop accepting, let in-flight requests finish, and drop idle keep-alive sockets at once.
    const drained = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // Open websockets would hold the server open: end them (clients reconnect to another instance).
    await realtime.close();
    await drained;
    await container.dispose();
    await infra.close();
    logger.info('shutdown complete');
    clearTimeout(hardStop);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`api failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
