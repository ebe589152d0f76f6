// Recognises server errors the same way on MongoDB and FerretDB.

/** FerretDB v1 wraps what its storage said in code 1 (InternalError) with the storage's message. */
function ferretInternalMessage(err: unknown): string | undefined {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object' || e.code !== 1 || typeof e.message !== 'string') return undefined;
  return e.message;
}

/**
 * A unique-index violation. MongoDB says E11000; FerretDB v1 does too for inserts, but for updates it
 * answers code 1 InternalError with its storage's message: PostgreSQL's "duplicate key value violates
 * unique constraint" (SQLSTATE 23505), or SQLite's "UNIQUE constraint failed" (measured on v1.24.2).
 */
export function isDuplicateKey(err: unknown): boolean {
  const e = err as { code?: unknown } | null;
  if (e?.code === 11000 || e?.code === 11001) return true;
  return /UNIQUE constraint failed|SQLSTATE 23505/.test(ferretInternalMessage(err) ?? '');
}

/**
 * FerretDB is up but its PostgreSQL is not: it answers code 1 InternalError naming a failed connection
 * (SQLSTATE class 08), a server shutting down or starting up (57P01-57P03), or a dial error. The
 * request could succeed later, as when MongoDB itself is unreachable.
 */
export function isStorageUnavailable(err: unknown): boolean {
  return /SQLSTATE (08[0-9A-Z]{3}|57P0[123])|failed to connect to|dial error|conn closed|unexpected EOF/.test(ferretInternalMessage(err) ?? '');
}
