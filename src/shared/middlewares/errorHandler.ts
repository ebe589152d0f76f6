// The one place errors become the error contract. Unknown errors are 500 with a generic message.
import type { NextFunction, Request, Response } from 'express';
import { ZodError } from 'zod';
import { DomainError, NotFoundError, ServiceUnavailableError, type ErrorDetail } from '../errors';
import type { Logger } from '../../infra/logging/logger';
import { isDuplicateKey, isStorageUnavailable } from '../../infra/database/errors';

export interface ErrorBody {
  error: { code: string; message: string; details?: ErrorDetail[]; correlationId?: string };
}

export function zodDetails(err: ZodError): ErrorDetail[] {
  return err.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
}

const UNAVAILABLE_NAMES = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MaxRetriesPerRequestError',
]);

/** Maps anything thrown to a DomainError; the boolean says whether it was expected. */
export function toDomainError(err: unknown): { error: DomainError; expected: boolean } {
  if (err instanceof DomainError) return { error: err, expected: err.status < 500 };
  if (err instanceof ZodError) {
    return { error: new DomainError('VALIDATION_FAILED', 'Request validation failed', { status: 400, details: zodDetails(err) }), expected: true };
  }
  const e = err as { type?: string; status?: number; name?: string; message?: string; code?: unknown } | null;
  // body-parser and other http-errors carry a type/status.
  switch (e?.type) {
    case 'entity.parse.failed':
      return { error: new DomainError('MALFORMED_JSON', 'Request body is not valid JSON', { status: 400 }), expected: true };
    case 'entity.too.large':
      return { error: new DomainError('PAYLOAD_TOO_LARGE', 'Request body is too large', { status: 413 }), expected: true };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { error: new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported body encoding', { status: 415 }), expected: true };
  }
  // A uniqueness rule no service anticipated is still the client's conflict, not a server fault.
  if (isDuplicateKey(err)) return { error: new DomainError('CONFLICT', 'The change conflicts with existing data', { status: 409 }), expected: true };
  if (e?.name && UNAVAILABLE_NAMES.has(e.name)) return { error: new ServiceUnavailableError(), expected: false };
  if (isStorageUnavailable(err)) return { error: new ServiceUnavailableError(), expected: false };
  if (e?.name === 'MongooseError' && /connection|initial connection|buffering/i.test(e.message ?? '')) {
    return { error: new ServiceUnavailableError(), expected: false };
  }
  if (e?.message && /Connection is closed|Stream isn't writeable|Command timed out/.test(e.message)) return { error: new ServiceUnavailableError(), expected: false };
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return { error: new DomainError('BAD_REQUEST', 'Bad request', { status: e.status }), expected: true };
  }
  return { error: new DomainError('INTERNAL_ERROR', 'Internal server error', { status: 500 }), expected: false };
}

export function errorBody(error: DomainError, correlationId: string | undefined): ErrorBody {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details ? { details: error.details } : {}),
      correlationId,
    },
  };
}

/** The parts of Express 5's router layers this module reads (the `router` package does not export them). */
interface RouterLayer {
  path?: string;
  match(path: string): boolean;
  route?: { methods: Record<string, boolean> };
  handle: { stack?: RouterLayer[] };
}

/** Every method some route answers for this path, walking nested routers as Express would. */
function methodsFor(stack: readonly RouterLayer[], path: string, into = new Set<string>()): Set<string> {
  for (const layer of stack) {
    if (!layer.match(path)) continue;
    if (layer.route) {
      for (const [m, on] of Object.entries(layer.route.methods)) if (on && m !== '_all') into.add(m.toUpperCase());
    } else if (layer.handle.stack) {
      methodsFor(layer.handle.stack, path.slice((layer.path ?? '').length) || '/', into);
    }
  }
  return into;
}

/**
 * No route answered: 405 with `Allow` when the path exists under other methods (RFC 9110 §15.5.6),
 * else 404. Both in the error contract.
 */
export function notFoundHandler() {
  return (req: Request, _res: Response, next: NextFunction) => {
    // Express 5 keeps the app's router on `app.router`; its typings do not declare it.
    const stack = (req.app as unknown as { router?: { stack?: RouterLayer[] } }).router?.stack ?? [];
    const allowed = methodsFor(stack, req.path);
    if (allowed.size > 0 && !allowed.has(req.method)) {
      next(methodNotAllowed(req, allowed));
      return;
    }
    next(new NotFoundError('ROUTE_NOT_FOUND', `No route for ${req.method} ${req.path}`));
  };
}

/** 405 in the error contract, with `Allow` listing `methods` (plus HEAD with GET, and OPTIONS). */
export function methodNotAllowed(req: Request, methods: Iterable<string>): DomainError {
  const allowed = new Set(methods);
  if (allowed.has('GET')) allowed.add('HEAD');
  allowed.add('OPTIONS');
  const allow = [...allowed].sort().join(', ');
  return new DomainError('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${req.path}; allowed: ${allow}`, { status: 405, headers: { Allow: allow } });
}

export function errorHandler(logger: Logger) {
  // Express recognises error middleware by its four parameters.
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const { error, expected } = toDomainError(err);
    if (!expected) {
      logger.error('request failed', { code: error.code, method: req.method, path: req.path, err });
    }
    if (res.headersSent) {
      // A streamed reply already started: all we can do is cut it so the client sees a failure.
      res.destroy();
      return;
    }
    // A handler may have prepared a file reply (type, disposition, validators) before failing.
    for (const h of ['Content-Disposition', 'ETag', 'Last-Modified', 'Accept-Ranges', 'Content-Length']) res.removeHeader(h);
    if (error.headers) res.set(error.headers);
    res.status(error.status).type('application/json').json(errorBody(error, req.correlationId));
  };
}
