// Streams a multipart upload's single file part straight to a consumer (no buffering, no temp file),
// enforcing limits as bytes arrive and turning every way a request can go wrong into a domain error.
import type { Request } from 'express';
import busboy from 'busboy';
import type { z } from 'zod';
import { DomainError, PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../../shared/errors';

export interface UploadLimits {
  maxFileBytes: number;
  maxFields?: number;
  maxFieldBytes?: number;
  /**
   * The text fields a request may carry besides its file: a part with another name is refused as it
   * arrives (400 UNKNOWN_FIELD); the values are validated once the body has been read (400 VALIDATION_FAILED).
   */
  fieldSchema?: z.ZodObject<Record<string, z.ZodType<string | undefined>>>;
}

export interface ReceivedFile {
  stream: NodeJS.ReadableStream;
  originalName: string;
  declaredMime: string;
  fields: Promise<Record<string, string>>;
  signal: AbortSignal;
}

/** What a multipart body may carry besides its file (boundaries, part headers, form fields). */
export const MULTIPART_OVERHEAD_BYTES = 1024 * 1024;

export class ClientAbortedError extends DomainError {
  constructor() {
    super('CLIENT_ABORTED', 'The client went away before the upload completed', { status: 400 });
  }
}

/**
 * The last path segment of a client-supplied file name, cut at the first NUL (what a C-string consumer
 * would see) and without control characters; '' when nothing usable is left. Names are never used as
 * paths, but they are shown, judged by extension and sent back in Content-Disposition.
 */
export function safeFileName(name: string | null | undefined): string {
  const base = ((name ?? '').split('\0')[0] ?? '').split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return clean === '.' || clean === '..' ? '' : clean;
}

/**
 * Runs `consume` on the request's one file part and resolves with its result once the whole request
 * has been read. On any failure the file stream is destroyed, so storage sees an error and keeps nothing.
 */
export function receiveUpload<T>(req: Request, limits: UploadLimits, consume: (file: ReceivedFile) => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const type = req.headers['content-type'] ?? '';
    if (!/^multipart\/form-data/i.test(type)) {
      reject(new UnsupportedMediaTypeError('MULTIPART_REQUIRED', 'Send the file as multipart/form-data with a "file" part'));
      return;
    }
    const declared = Number(req.headers['content-length']);
    // Reject before reading a byte when the client already tells us it is too big (form overhead allowed).
    if (Number.isFinite(declared) && declared > limits.maxFileBytes + MULTIPART_OVERHEAD_BYTES) {
      reject(new PayloadTooLargeError('FILE_TOO_LARGE', `The file exceeds the ${limits.maxFileBytes}-byte limit`));
      return;
    }

    const abort = new AbortController();
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        // RFC 7578 §4.2: file names are UTF-8 in practice; busboy's default would read them as latin1.
        defParamCharset: 'utf8',
        // busboy reports a value that reaches its size limit exactly as truncated, so allow one byte more:
        // a file (or field) of exactly the limit is accepted and the first byte past it still trips 'limit'.
        limits: { files: 1, fileSize: limits.maxFileBytes + 1, fields: limits.maxFields ?? 5, fieldSize: (limits.maxFieldBytes ?? 4096) + 1, parts: (limits.maxFields ?? 5) + 1 },
      });
    } catch (err) {
      reject(new ValidationError('MALFORMED_MULTIPART', `Malformed multipart request: ${(err as Error).message}`));
      return;
    }

    const fields: Record<string, string> = {};
    let resolveFields!: (f: Record<string, string>) => void;
    let rejectFields!: (err: Error) => void;
    const fieldsDone = new Promise<Record<string, string>>((res, rej) => {
      resolveFields = res;
      rejectFields = rej;
    });
    // Only a consumer that already stored the file awaits the fields; nobody else must see this rejection.
    fieldsDone.catch(() => undefined);
    let work: Promise<T> | undefined;
    let fileStream: NodeJS.ReadableStream & { destroy?: (e?: Error) => void } | undefined;
    let settled = false;

    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      abort.abort(err);
      fileStream?.destroy?.(err);
      // A consumer that stored the whole file waits for the fields before committing: fail it too, or it
      // would wait forever (the 'close' below never comes once busboy is detached) and keep its object.
      rejectFields(err);
      req.unpipe(bb);
      bb.removeAllListeners();
      bb.on('error', () => undefined);
      // Let the consumer clean up what it wrote before the error answer goes out.
      (work ?? Promise.resolve()).catch(() => undefined).finally(() => reject(err));
    };

    bb.on('file', (name, stream, info) => {
      if (name !== 'file') {
        stream.on('error', () => undefined);
        stream.resume();
        fail(new ValidationError('UNEXPECTED_FILE_FIELD', `The file part must be named "file", not "${name}"`));
        return;
      }
      fileStream = stream;
      // The consumer listens too; this one only keeps a destroyed part from becoming an unhandled 'error'.
      stream.on('error', () => undefined);
      stream.on('limit', () => fail(new PayloadTooLargeError('FILE_TOO_LARGE', `The file exceeds the ${limits.maxFileBytes}-byte limit`)));
      work = consume({ stream, originalName: safeFileName(info.filename) || 'upload.bin', declaredMime: info.mimeType, fields: fieldsDone, signal: abort.signal });
      work.then(
        (value) => {
          if (settled) return;
          settled = true;
          resolve(value);
        },
        (err: Error) => fail(err),
      );
    });
    bb.on('field', (name, value, info) => {
      const known = limits.fieldSchema && Object.keys(limits.fieldSchema.shape);
      if (known && !known.includes(name)) {
        fail(new ValidationError('UNKNOWN_FIELD', `Unknown form field "${name}"; allowed: file, ${known.join(', ')}`));
      } else if (info.valueTruncated) fail(new PayloadTooLargeError('FIELD_TOO_LARGE', `Field "${name}" is too large`));
      else fields[name] = value;
    });
    bb.on('filesLimit', () => fail(new PayloadTooLargeError('TOO_MANY_FILES', 'One file per request')));
    bb.on('fieldsLimit', () => fail(new PayloadTooLargeError('TOO_MANY_FIELDS', 'Too many form fields')));
    bb.on('partsLimit', () => fail(new PayloadTooLargeError('TOO_MANY_PARTS', 'Too many form parts')));
    bb.on('error', (err: Error) => fail(new ValidationError('MALFORMED_MULTIPART', `Malformed multipart request: ${err.message}`)));
    bb.on('close', () => {
      // A ZodError answers 400 VALIDATION_FAILED with details through the shared error mapping.
      const parsed = limits.fieldSchema?.safeParse(fields);
      if (parsed && !parsed.success) return fail(parsed.error);
      resolveFields((parsed?.data as Record<string, string> | undefined) ?? fields);
      if (!work) fail(new ValidationError('FILE_REQUIRED', 'The request has no "file" part'));
    });
    // A client that disconnects mid-upload: make the file stream fail so storage discards the partial bytes.
    req.on('close', () => {
      if (!req.complete) fail(new ClientAbortedError());
    });
    // The client may have gone while async middleware (the session check) ran: then 'close' has already
    // fired and would never reach the listener above, and the request would hang unanswered.
    // (Even a complete body: a destroyed stream never emits its buffered data or 'end'.)
    if (req.destroyed) {
      fail(new ClientAbortedError());
      return;
    }
    req.pipe(bb);
  });
}
