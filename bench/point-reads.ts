// bench:point-reads — why repositories read one document by _id alone (src/app/repositories/owned.ts):
// per-read latency of findOne({ _id }) against findOne({ _id, studioId }) and an indexed secondary field,
// at growing collection sizes, plus the server's own plan for the _id read. On MongoDB, and on the embedded
// FerretDB on PostgreSQL with its GIN indexes, all three stay flat (index lookups); on FerretDB v1 with
// SQLite they grow with the collection. Prints one JSON line; the target (issue 16) is 5 ms at 100,000.
// BENCH_SIZES (default "1000,20000,100000"), BENCH_READS per measurement (default 30).
import mongoose from 'mongoose';
import { databaseLabel, round, startServices } from './lib/harness';

const SIZES = (process.env.BENCH_SIZES ?? '1000,20000,100000').split(',').map(Number);
const READS = Number(process.env.BENCH_READS ?? 30);

async function main() {
  const services = await startServices();
  const conn = await mongoose.createConnection(services.mongoUri).asPromise();
  try {
    const db = conn.db!;
    let database = '';
    const rows: Array<Record<string, number>> = [];
    let plan: unknown;
    for (const size of SIZES) {
      const col = db.collection(`point_reads_${size}`);
      await col.createIndex({ studioId: 1, seq: 1 });
      const studio = new mongoose.Types.ObjectId();
      for (let i = 0; i < size; i += 5000) {
        await col.insertMany(
          Array.from({ length: Math.min(5000, size - i) }, (_, j) => ({ _id: new mongoose.Types.ObjectId(), studioId: studio, seq: i + j, status: 'QUEUED', pad: 'x'.repeat(300) })),
        );
      }
      const target = await col.findOne({ seq: Math.floor(size / 2) });
      const time = async (fn: () => Promise<unknown>) => {
        const t = process.hrtime.bigint();
        for (let i = 0; i < READS; i++) await fn();
        return round(Number(process.hrtime.bigint() - t) / 1e6 / READS, 2);
      };
      rows.push({
        documents: size,
        byIdMs: await time(() => col.findOne({ _id: target!._id })),
        byIdAndStudioMs: await time(() => col.findOne({ _id: target!._id, studioId: studio })),
        byIndexedFieldMs: await time(() => col.findOne({ studioId: studio, seq: target!.seq })),
      });
      plan = await db.command({ explain: { find: col.collectionName, filter: { _id: target!._id } } });
      database = await databaseLabel(db, col.collectionName);
      await col.drop();
    }
    const p = plan as { queryPlanner?: { Plan?: unknown; winningPlan?: unknown } };
    process.stdout.write(
      `${JSON.stringify({ bench: 'point-reads', database, reads: READS, rows, idReadPlan: p.queryPlanner?.Plan ?? p.queryPlanner?.winningPlan })}\n`,
    );
  } finally {
    await conn.close();
    await services.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:point-reads failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
