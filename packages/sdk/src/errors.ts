// Typed errors: every non-2xx answer of the API is {error:{code,message,details?,correlationId}}; the SDK
// turns it into a StudioApiError carrying the same fields, so callers branch on `code`, never on text.

/** Codes the API answers with that callers commonly branch on; any other code is still a string. */
export type KnownErrorCode =
  | 'UNAUTHENTICATED' | 'TOKEN_EXPIRED' | 'TOKEN_INVALID' | 'SESSION_REVOKED' | 'INVALID_CREDENTIALS'
  | 'INSUFFICIENT_SCOPE' | 'TOKEN_NOT_ALLOWED' | 'FORBIDDEN'
  | 'ASSET_NOT_FOUND' | 'VERSION_NOT_FOUND' | 'RENDER_JOB_NOT_FOUND' | 'UPLOAD_NOT_FOUND' | 'ROUTE_NOT_FOUND'
  | 'VALIDATION_ERROR' | 'UPLOAD_OFFSET_CONFLICT' | 'UPLOAD_EXPIRED' | 'FILE_TOO_LARGE' | 'FILE_TYPE_REFUSED'
  | 'RATE_LIMITED' | 'AUTH_RATE_LIMITED' | 'TOO_MANY_CONNECTIONS' | 'TOO_MANY_STREAMS';

export interface ErrorBody {
  code: string;
  message: string;
  details?: unknown;
  correlationId?: string;
  /** Socket.IO refusals (acks, connect_error) carry the Retry-After of a 429 here: sockets have no headers. */
  retryAfterSeconds?: number;
}

/** The base of every error the SDK throws on purpose. */
export class StudioError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The API refused a request: status, stable code and the correlation id to quote to an operator. */
export class StudioApiError extends StudioError {
  readonly status: number;
  readonly code: KnownErrorCode | (string & {});
  readonly details: unknown;
  readonly correlationId: string | undefined;
  /** Seconds to wait before retrying (from Retry-After on 429/503), when the API said. */
  readonly retryAfter: number | undefined;

  constructor(status: number, body: ErrorBody, retryAfter?: number) {
    super(`${body.code}: ${body.message}`);
    this.status = status;
    this.code = body.code;
    this.details = body.details;
    this.correlationId = body.correlationId;
    this.retryAfter = retryAfter;
  }

  /** Reads an error answer; a body outside the contract (a proxy's HTML page) still gives a typed error. */
  static async fromResponse(res: Response): Promise<StudioApiError> {
    const text = await res.text().catch(() => '');
    return StudioApiError.fromBody(res.status, text, res.headers.get('retry-after') ?? undefined);
  }

  static fromBody(status: number, text: string, retryAfterHeader?: string): StudioApiError {
    const retryAfter = retryAfterHeader !== undefined && /^\d+$/.test(retryAfterHeader) ? Number(retryAfterHeader) : undefined;
    const parsed = parseErrorBody(text);
    return new StudioApiError(status, parsed ?? { code: `HTTP_${status}`, message: text.slice(0, 200) || `HTTP ${status}` }, retryAfter);
  }
}

export function parseErrorBody(text: string): ErrorBody | undefined {
  try {
    const body = JSON.parse(text) as { error?: Partial<ErrorBody> };
    if (body && typeof body.error?.code === 'string' && typeof body.error.message === 'string') return body.error as ErrorBody;
  } catch {
    // not JSON: the caller falls back to the status
  }
  return undefined;
}

/** Downloaded (or uploaded) bytes whose sha256 differs from the one the API stored for the version. */
export class StudioIntegrityError extends StudioError {
  readonly code = 'CHECKSUM_MISMATCH';
  constructor(readonly expected: string, readonly actual: string, what: string) {
    super(`${what}: sha256 ${actual} does not match the stored ${expected}`);
  }
}

/** A render or pipeline that ended FAILED or CANCELLED while being waited for. */
export class StudioJobFailedError extends StudioError {
  constructor(readonly status: string, readonly error: { code: string; message: string } | null, what: string) {
    super(`${what} ended ${status}${error ? `: ${error.code}: ${error.message}` : ''}`);
  }
}

/** An operation stopped by the caller's AbortSignal (Ctrl-C in the CLI); resumable work keeps its state. */
export class StudioAbortError extends StudioError {
  readonly code = 'ABORTED';
}

export const isStudioApiError = (err: unknown, code?: string): err is StudioApiError => err instanceof StudioApiError && (code === undefined || err.code === code);
