// Reads FerretDB's PostgreSQL directly (psql), to see which indexes exist and which ones queries used.
import { runPsql } from '../../src/infra/embedded/embedded';

/** FerretDB stores a MongoDB database as a PostgreSQL schema; these names are plain identifiers. */
function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * How many index scans PostgreSQL has counted on the indexes that serve lookups on `field` in the database's
 * tables: the GIN index over `_jsonb->'field'` (scripts/ferretdb-equality-indexes.patch) and the order-key
 * btree indexes led by the field (scripts/ferretdb-pushdown.patch, `…_pd`); undefined while there is none.
 * PostgreSQL publishes a session's counts within about ten seconds of its last query, so poll for a change
 * rather than reading once.
 */
export async function equalityIndexScans(backendUrl: string, db: string, field: string): Promise<number | undefined> {
  const out = await runPsql(
    backendUrl,
    `SELECT sum(s.idx_scan) FROM pg_stat_user_indexes s JOIN pg_indexes i ON i.schemaname = s.schemaname AND i.indexname = s.indexrelname
     WHERE s.schemaname = ${literal(db)} AND (i.indexname LIKE '%\\_eq\\_gin' OR i.indexname LIKE '%\\_pd')
       AND i.indexdef LIKE ${literal(`%-> '${field}'::text%`)}`,
  );
  return out === '' ? undefined : Number(out);
}
