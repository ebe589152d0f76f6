// `npm run migrate` / `npm run migrate:status` (in the image: `node dist/migrate.js up|status`): applies or
// lists the migrations in ./migrations against MONGO_URI (or the embedded database of `npm run dev`).
import { bootInfra } from './bootstrap';
import { createModels } from './app/repositories/models';
import { LeaseLock } from './infra/database/LeaseLock';
import { migrationStatus, runMigrations } from './infra/database/migrations';

async function main() {
  const command = process.argv[2] ?? 'up';
  if (command !== 'up' && command !== 'status') {
    process.stderr.write('usage: migrate [up|status]\n');
    process.exit(2);
  }
  const infra = await bootInfra('migrate');
  try {
    if (command === 'up') {
      const applied = await runMigrations(infra.mongo, new LeaseLock(createModels(infra.mongo).Lease));
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'nothing to apply: the database is up to date\n');
    } else {
      for (const m of await migrationStatus(infra.mongo)) process.stdout.write(`${m.appliedAt.padEnd(24)} ${m.fileName}\n`);
    }
  } finally {
    await infra.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`migrate failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
