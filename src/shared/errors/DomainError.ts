// Errors are values with stable codes; one middleware turns them into the error contract.

export interface ErrorDetail {
  path: string;
  message: string;
}

export interface DomainErrorOptions {
  status?: number;
  details?: ErrorDetail[];
  cause?: unknown;
  /** Extra response headers the error implies (e.g. Retry-After on 429). */
  headers?: Record<string, string>;
  /** For work that fails (jobs, media tools): retrying cannot help, so the job fails for good. */
  permanent?: boolean;
}

export class DomainError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details?: ErrorDetail[];
  readonly headers?: Record<string, string>;
  readonly permanent: boolean;

  constructor(code: string, message: string, options: DomainErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status ?? 500;
    this.details = options.details;
    this.headers = options.headers;
    this.permanent = options.permanent ?? false;
  }
}

type SubOptions = Omit<DomainErrorOptions, 'status'>;

export class ValidationError extends DomainError {
  constructor(code = 'VALIDATION_FAILED', message = 'Request validation failed', options: SubOptions = {}) {
    super(code, message, { ...options, status: 400 });
  }
}
export class AuthenticationError extends DomainError {
  constructor(code = 'UNAUTHENTICATED', message = 'Authentication required', options: SubOptions = {}) {
    super(code, message, { ...options, status: 401 });
  }
}
export class AuthorizationError extends DomainError {
  constructor(code = 'FORBIDDEN', message = 'You are not allowed to do this', options: SubOptions = {}) {
    super(code, message, { ...options, status: 403 });
  }
}
export class NotFoundError extends DomainError {
  constructor(code = 'NOT_FOUND', message = 'Not found', options: SubOptions = {}) {
    super(code, message, { ...options, status: 404 });
  }
}
export class ConflictError extends DomainError {
  constructor(code = 'CONFLICT', message = 'Conflict', options: SubOptions = {}) {
    super(code, message, { ...options, status: 409 });
  }
}
export class PreconditionFailedError extends DomainError {
  constructor(code = 'PRECONDITION_FAILED', message = 'Precondition failed', options: SubOptions = {}) {
    super(code, message, { ...options, status: 412 });
  }
}
/** Well-formed, but past a bound the server sets (render size, attempts): 422. */
export class UnprocessableEntityError extends DomainError {
  constructor(code = 'UNPROCESSABLE', message = 'The request is valid but cannot be processed', options: SubOptions = {}) {
    super(code, message, { ...options, status: 422 });
  }
}
export class PayloadTooLargeError extends DomainError {
  constructor(code = 'PAYLOAD_TOO_LARGE', message = 'Payload too large', options: SubOptions = {}) {
    super(code, message, { ...options, status: 413 });
  }
}
export class UnsupportedMediaTypeError extends DomainError {
  constructor(code = 'UNSUPPORTED_MEDIA_TYPE', message = 'Unsupported media type', options: SubOptions = {}) {
    super(code, message, { ...options, status: 415 });
  }
}
/**
 * A wait in words for people ("40 seconds", "2 minutes", "1 hour 5 minutes"), never shorter than the wait:
 * a person told "try again in 2 minutes" who does so is not refused again.
 */
export function waitInWords(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (s < 60) return unit(s, 'second');
  const minutes = Math.ceil(s / 60);
  if (minutes < 60) return unit(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${unit(hours, 'hour')} ${unit(rest, 'minute')}` : unit(hours, 'hour');
}

/** "try again later" (or "shortly") says when; a message that says nothing of trying again gets "try again in …", when `append`. */
function sayWhen(message: string, seconds: number, append: boolean): string {
  const when = `in ${waitInWords(seconds)}`;
  const worded = message.replace(/\b((?:try|ask) again) (?:later|shortly)\b/i, `$1 ${when}`);
  // A message that already says what to do next ("close one, then try again") keeps its words; the
  // Retry-After header still says when.
  if (worded !== message || !append || /\b(?:try|connect|ask) again\b/i.test(message)) return worded;
  let end = message.length;
  while (end > 0 && '.;:, \t\n'.includes(message[end - 1]!)) end--;
  return `${message.slice(0, end)}; try again ${when}`;
}

/** The Retry-After header of a wait: whole seconds, at least one (RFC 9110 §10.2.3). */
const retryAfter = (seconds: number) => String(Math.max(1, Math.ceil(seconds)));

/** Too many requests: 429 with Retry-After, and the message says when to try again. */
export class RateLimitError extends DomainError {
  constructor(code = 'RATE_LIMITED', message = 'Too many requests, slow down', options: SubOptions & { retryAfterSeconds: number } = { retryAfterSeconds: 1 }) {
    const { retryAfterSeconds, ...rest } = options;
    super(code, sayWhen(message, retryAfterSeconds, true), {
      ...rest,
      status: 429,
      headers: { ...rest.headers, 'Retry-After': retryAfter(retryAfterSeconds) },
    });
  }
}
/**
 * A dependency (MongoDB, Redis, the mail server) is unreachable: 503 with Retry-After (a few seconds unless
 * the thrower knows better), so clients and load balancers retry and people are told when.
 */
export class ServiceUnavailableError extends DomainError {
  constructor(code = 'SERVICE_UNAVAILABLE', message = 'A backing service is unavailable, try again shortly', options: SubOptions & { retryAfterSeconds?: number } = {}) {
    const { retryAfterSeconds = 5, ...rest } = options;
    super(code, sayWhen(message, retryAfterSeconds, false), { ...rest, status: 503, headers: { 'Retry-After': retryAfter(retryAfterSeconds), ...rest.headers } });
  }
}
export class RenderError extends DomainError {
  constructor(code = 'RENDER_FAILED', message = 'Render failed', options: DomainErrorOptions = {}) {
    super(code, message, { status: 500, ...options });
  }
}
export class StorageError extends DomainError {
  constructor(code = 'STORAGE_FAILED', message = 'Storage operation failed', options: DomainErrorOptions = {}) {
    super(code, message, { status: 500, ...options });
  }
}
