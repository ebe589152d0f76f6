// The embedded MongoDB-wire default (FerretDB v1 on PostgreSQL, patched by scripts/setup.sh) serves
// equality filters from the indexes models declare, including an index declared after the data exists,
// and keeps doing so after FerretDB and PostgreSQL restart. Proven by PostgreSQL's own index-scan counts
// and plans.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose, { Schema, type Connection } from 'mongoose';
import { startFerretDb, type RunningService } from '../src/infra/embedded/embedded';
import { equalityIndexScans } from './support/postgres';
import { waitFor } from './support/workers';

const DB = 'indexes_later';

describe('FerretDB on PostgreSQL: indexes declared in a model serve equality lookups', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'studio-indexes-'));
  let ferret: RunningService;
  let conn: Connection;
  const start = async () => {
    // FerretDB on PostgreSQL by name, even where mongod is on PATH; where either is missing this throws saying why.
    ferret = await startFerretDb({ dataDir: dir, detached: false, persistent: true });
    conn = await mongoose.createConnection(`${ferret.url}/${DB}`, { autoIndex: false }).asPromise();
  };
  const stop = async () => {
    await conn?.close();
    await ferret?.stop();
  };
  beforeAll(start);
  afterAll(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const scans = () => equalityIndexScans(ferret.backend!.url, DB, 'sku');
  const scanned = (after: number) => waitFor('PostgreSQL to count the index scan', async () => ((await scans()) ?? 0) > after, 20_000, 250);

  it('uses an index declared after the data exists from the next query on, and after restarts', async () => {
    const schema = new Schema({ sku: String, shelf: Number, pad: String });
    const Item = conn.model('Item', schema);
    await Item.insertMany(Array.from({ length: 5000 }, (_, i) => ({ sku: `sku-${i}`, shelf: i % 50, pad: 'x'.repeat(200) })));
    // The query before the index exists, more than the five runs after which PostgreSQL may switch a prepared
    // statement to a generic plan (which could not use an index created later, so the cure is checked too).
    for (let i = 0; i < 12; i++) expect((await Item.findOne({ sku: 'sku-4321' }).lean())?.shelf).toBe(21);
    expect(await scans()).toBeUndefined();

    schema.index({ sku: 1 });
    await Item.createIndexes();
    expect(await scans()).toBe(0);
    expect((await Item.findOne({ sku: 'sku-4321' }).lean())?.shelf).toBe(21);
    await scanned(0);

    // The indexes are PostgreSQL's: they outlive both servers. (FerretDB's explain shows PostgreSQL's plan
    // for the SQL the find sends, without the wait for the scan counts.)
    await stop();
    await start();
    expect((await conn.model('Item', schema).findOne({ sku: 'sku-17' }).lean())?.shelf).toBe(17);
    const explained = await conn.db!.command({ explain: { find: 'items', filter: { sku: 'sku-17' } } });
    expect(JSON.stringify(explained.queryPlanner)).toMatch(/"Index Name":"items_\w+_(eq_gin|pd)"/);

    // Dropping the declared index drops the patches' indexes for it too.
    await conn.collection('items').dropIndex('sku_1');
    expect(await scans()).toBeUndefined();
  }, 90_000);
});
