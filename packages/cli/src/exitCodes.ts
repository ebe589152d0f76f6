// Exit codes scripts can branch on; README.md ("Clients: TypeScript SDK and CLI") lists them.
import { StudioAbortError, StudioApiError, StudioIntegrityError, StudioJobFailedError } from '../../sdk/src';

export const EXIT = {
  OK: 0,
  /** Anything unexpected (a bug, a local file error). */
  FAILURE: 1,
  /** Bad arguments or options. */
  USAGE: 2,
  /** No credentials, or the API refused them (401). */
  UNAUTHENTICATED: 3,
  /** The role or the token's scopes do not allow it (403). */
  FORBIDDEN: 4,
  /** No such asset, version, render (404). */
  NOT_FOUND: 5,
  /** The API refused the request as given: validation, conflict, too large (other 4xx), the storage quota (507). */
  REFUSED: 6,
  /** The API is unreachable, overloaded (429) or failing (other 5xx): worth retrying later. */
  UNAVAILABLE: 7,
  /** Bytes did not match the stored sha256. */
  INTEGRITY: 8,
  /** The render or pipeline being watched ended FAILED or CANCELLED. */
  JOB_FAILED: 9,
  /** Interrupted (Ctrl-C); an upload or download resumes when the same command runs again. */
  INTERRUPTED: 130,
} as const;

export function exitCodeOf(err: unknown): number {
  if (err instanceof StudioAbortError) return EXIT.INTERRUPTED;
  if (err instanceof StudioIntegrityError) return EXIT.INTEGRITY;
  if (err instanceof StudioJobFailedError) return EXIT.JOB_FAILED;
  if (err instanceof StudioApiError) {
    if (err.status === 401) return EXIT.UNAUTHENTICATED;
    if (err.status === 403) return EXIT.FORBIDDEN;
    if (err.status === 404) return EXIT.NOT_FOUND;
    // 507 STORAGE_QUOTA_EXCEEDED: space has to be freed (or the quota raised) first; a retry later finds the same.
    if (err.status === 507 && err.code === 'STORAGE_QUOTA_EXCEEDED') return EXIT.REFUSED;
    if (err.status === 429 || err.status >= 500) return EXIT.UNAVAILABLE;
    return EXIT.REFUSED;
  }
  if (isNetworkError(err)) return EXIT.UNAVAILABLE;
  return EXIT.FAILURE;
}

export function isNetworkError(err: unknown): boolean {
  // fetch rejects with TypeError('fetch failed') and the socket's error as its cause.
  if (err instanceof TypeError && err.message === 'fetch failed') return true;
  const code = (err as { code?: unknown; cause?: { code?: unknown } } | null)?.code ?? (err as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof code === 'string' && ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT'].includes(code);
}
