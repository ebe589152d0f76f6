// Recognises server errors the same way on MongoDB and FerretDB.

/**
 * A unique-index violation. MongoDB says E11000; FerretDB v1 does too for inserts, but for updates it
 * answers code 1 InternalError with SQLite's "UNIQUE constraint failed" (measured on v1.24.2).
 */
export function isDuplicateKey(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (e.code === 11000 || e.code === 11001) return true;
  return e.code === 1 && typeof e.message === 'string' && e.message.includes('UNIQUE constraint failed');
}
