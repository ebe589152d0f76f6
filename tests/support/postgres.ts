// Reads FerretDB's PostgreSQL directly (psql), to see which indexes exist and which ones queries used.
import { runPsql } from '../../src/infra/embedded/embedded';

/** FerretDB stores a MongoDB database as a PostgreSQL schema; these names are plain identifiers. */
function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * How many index scans PostgreSQL has counted on the GIN index over `_jsonb->'field'` of the database's
 * tables (undefined while there is no such index). PostgreSQL publishes a session's counts within about
 * ten seconds of its last query, so poll for a change rather than reading once.
 */
export async function equalityIndexScans(backendUrl: string, db: string, field: string): Promise<number | undefined> {
  const out = await runPsql(
    backendUrl,
    `SELECT s.idx_scan FROM pg_stat_user_indexes s JOIN pg_indexes i ON i.schemaname = s.schemaname AND i.indexname = s.indexrelname
     WHERE s.schemaname = ${literal(db)} AND i.indexdef LIKE '%USING gin%' AND i.indexdef LIKE ${literal(`%-> '${field}'::text%`)}`,
  );
  return out === '' ? undefined : Number(out);
}
