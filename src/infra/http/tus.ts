// Resumable uploads (tus 1.0) at /uploads. Bytes are staged on local disk (one instance) or in the S3 bucket
// under tus/ (any instance resumes any upload), with each upload's lock in Redis; a finished upload becomes a
// version through VersionService.upload, the same path as a multipart upload (sniffing, hashing,
// numbering, events). Upload ids start with the studio id, so one studio can never touch another's.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type http from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { ERRORS, Server, TUS_RESUMABLE, TUS_VERSION, type ServerOptions } from '@tus/server';
import { validTusHeader } from './tusHeaders';
import { FileStore } from '@tus/file-store';
import type { Locker, Upload } from '@tus/utils';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { TusS3Store } from './TusS3Store';
import type { VersionService } from '../../app/services/VersionService';
import type { AssetService } from '../../app/services/AssetService';
import type { Actor } from '../../app/services/types';
import type { Logger } from '../logging/logger';
import { toDomainError, errorBody } from '../../shared/middlewares/errorHandler';
import { ConflictError, DomainError, NotFoundError, PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../../shared/errors';
import { currentContext } from '../logging/context';
import { safeFileName } from './upload';
import { uploadFields } from './validators/version.validators';

/** Where parts wait until the upload is complete. */
export type TusStaging =
  | { driver: 'local'; dir: string }
  | { driver: 's3'; bucket: string; client: S3ClientConfig; prefix: string; partSize: number };

export interface TusOptions {
  staging: TusStaging;
  /** Serialises the requests on one upload; in Redis, so across every instance. */
  locker: Locker;
  maxSize: number;
  /** Incomplete uploads older than this are removed by the periodic clean-up. */
  expirationMs: number;
  versions: VersionService;
  assets: AssetService;
  logger: Logger;
  /** CORS_ORIGINS: the browser origins allowed to call the API; none means no cross-origin access. */
  corsOrigins: string[];
}

type TusRejection = { status_code: number; body: string };

/** Rejections already in the error contract (thrown by our hooks), as opposed to @tus/server's own. */
const contractRejections = new WeakSet<object>();

function reject(err: unknown): TusRejection {
  const { error } = toDomainError(err);
  const rejection = { status_code: error.status, body: JSON.stringify(errorBody(error, currentContext()?.correlationId)) };
  contractRejections.add(rejection);
  return rejection;
}

/** Which of @tus/server's refusals err is: the constants themselves, or errors that carry the same body. */
function tusErrorName(err: unknown): keyof typeof ERRORS | undefined {
  const body = (err as { body?: unknown } | null)?.body;
  const hit = Object.entries(ERRORS).find(([, known]) => err === known || (body !== undefined && body === known.body));
  return hit?.[0] as keyof typeof ERRORS | undefined;
}

/** @tus/server refuses requests with plain-text bodies; this gives each of its refusals a code in the contract. */
function fromTus(err: unknown, method: string): unknown {
  switch (tusErrorName(err)) {
    case 'MISSING_OFFSET':
      return new ValidationError('UPLOAD_OFFSET_REQUIRED', 'The Upload-Offset header is required');
    case 'INVALID_CONTENT_TYPE':
      return new UnsupportedMediaTypeError('UPLOAD_CONTENT_TYPE_INVALID', 'Send PATCH bodies as application/offset+octet-stream');
    case 'FILE_NOT_FOUND':
      return new NotFoundError('UPLOAD_NOT_FOUND', 'Upload not found');
    case 'FILE_NO_LONGER_EXISTS':
      return new DomainError('UPLOAD_EXPIRED', 'The upload has expired', { status: 410 });
    case 'INVALID_OFFSET':
      return new ConflictError('UPLOAD_OFFSET_CONFLICT', 'Upload-Offset differs from the upload\'s offset; ask with HEAD');
    case 'INVALID_LENGTH':
      return new ValidationError('UPLOAD_LENGTH_REQUIRED', 'A valid Upload-Length header is required');
    case 'INVALID_METADATA':
      return new ValidationError('UPLOAD_METADATA_INVALID', 'Upload-Metadata is invalid');
    case 'INVALID_TERMINATION':
      return new ValidationError('UPLOAD_ALREADY_COMPLETE', 'A completed upload cannot be terminated');
    case 'ABORTED':
      return new ValidationError('UPLOAD_ABORTED', 'The request was aborted because another request took over the upload');
    case 'ERR_LOCK_TIMEOUT':
      // 423 is what tus clients retry on.
      return new DomainError('UPLOAD_LOCKED', 'Another request is still working on this upload; retry shortly', { status: 423 });
    case 'ERR_SIZE_EXCEEDED':
      return new PayloadTooLargeError('UPLOAD_LENGTH_EXCEEDED', 'The body runs past the upload\'s Upload-Length');
    case 'ERR_MAX_SIZE_EXCEEDED':
      // On creation the declared length is over the limit; on PATCH a chunked body ran past Upload-Length.
      return method === 'POST'
        ? new PayloadTooLargeError('FILE_TOO_LARGE', 'Upload-Length exceeds the maximum upload size')
        : new PayloadTooLargeError('UPLOAD_LENGTH_EXCEEDED', 'The body runs past the upload\'s Upload-Length');
    default:
      return err;
  }
}

/**
 * The header checks @tus/server makes before any hook runs, made here first so that their refusals are in
 * the error contract too (the library answers them in plain text and offers no hook for them).
 */
function checkTusHeaders(req: Request): void {
  // @tus/server 2 ignores X-HTTP-Method-Override, so the method is the request's own.
  const method = req.method;
  if (method === 'GET' || method === 'OPTIONS') return;
  const tusHeaders = { 'Tus-Resumable': TUS_RESUMABLE, 'Tus-Version': TUS_VERSION.join(',') };
  if (req.headers['tus-resumable'] !== TUS_RESUMABLE) {
    throw new DomainError('TUS_RESUMABLE_UNSUPPORTED', `Send the header Tus-Resumable: ${TUS_RESUMABLE}`, { status: 412, headers: tusHeaders });
  }
  for (const [name, value] of Object.entries(req.headers)) {
    // Like @tus/server: Content-Type only matters on PATCH, where it must be application/offset+octet-stream.
    if (name === 'content-type' && method !== 'PATCH') continue;
    if (validTusHeader(name, value as string | undefined)) continue;
    if (name === 'content-type') throw new UnsupportedMediaTypeError('UPLOAD_CONTENT_TYPE_INVALID', 'Send PATCH bodies as application/offset+octet-stream', { headers: tusHeaders });
    throw new ValidationError(`${name.toUpperCase().replace(/-/g, '_')}_INVALID`, `Invalid ${name} header`, { headers: tusHeaders });
  }
}

/** The request @tus/server hands its hooks (srvx's web Request). */
type ServerRequest = Parameters<NonNullable<ServerOptions['onIncomingRequest']>>[0];

/** The Node request srvx wraps in the web Request it hands the hooks. */
const nodeRequestOf = (req: ServerRequest): http.IncomingMessage | undefined => (req as ServerRequest & { runtime?: { node?: { req?: http.IncomingMessage } } }).runtime?.node?.req;

/** Requests whose error answer came from onResponseError, i.e. a JSON body in the error contract. */
const jsonErrors = new WeakSet<http.IncomingMessage>();

/**
 * The actor of a tus request. @tus/server 2 hands hooks a web Request that wraps the Node request Express
 * authenticated (srvx keeps it at runtime.node.req), so the actor comes from there, never from a header.
 */
const actorOf = (req: ServerRequest): Actor => {
  const user = (nodeRequestOf(req) as Request | undefined)?.user;
  if (!user) throw new DomainError('UNAUTHENTICATED', 'Authentication required', { status: 401 });
  return user;
};

const JSON_TYPE = 'application/json; charset=utf-8';

/** `<studio id>-<32 hex>`, as namingFunction makes them. */
const UPLOAD_ID = /^[0-9a-f]{24}-[0-9a-f]{32}$/;

/** Headers as Node's writeHead takes them (pairs, a flat list or an object) with Content-Type set to JSON. */
function withJsonType(headers: unknown): unknown {
  const other = (name: unknown) => String(name).toLowerCase() !== 'content-type';
  if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) return [...(headers as Array<[string, string]>).filter(([name]) => other(name)), ['content-type', JSON_TYPE]];
    const flat: unknown[] = [];
    for (let i = 0; i < headers.length; i += 2) if (other(headers[i])) flat.push(headers[i], headers[i + 1]);
    return [...flat, 'content-type', JSON_TYPE];
  }
  if (headers && typeof headers === 'object') return { ...Object.fromEntries(Object.entries(headers).filter(([name]) => other(name))), 'content-type': JSON_TYPE };
  return { 'content-type': JSON_TYPE };
}

/** What tus needs of a staging store beyond @tus/server's DataStore: reading a finished upload back. */
type StagingStore = (FileStore | TusS3Store) & { read(id: string): Readable | Promise<Readable> };

export interface TusHandle {
  handler: (req: Request, res: Response, next: NextFunction) => void;
  cleanUpExpired(): Promise<number>;
  close(): void;
}

export function createTus(opts: TusOptions): TusHandle {
  const store: StagingStore =
    opts.staging.driver === 's3'
      ? new TusS3Store({ ...opts.staging, expirationMs: opts.expirationMs })
      : new FileStore({ directory: opts.staging.dir, expirationPeriodInMilliseconds: opts.expirationMs });
  const options: ServerOptions & { datastore: StagingStore } = {
    path: '/uploads',
    datastore: store,
    locker: opts.locker,
    maxSize: opts.maxSize,
    respectForwardedHeaders: false,
    // The same CORS policy as the rest of the API (left to itself, @tus/server allows every origin).
    allowedOrigins: (origin) => opts.corsOrigins.includes('*') || opts.corsOrigins.includes(origin),
    relativeLocation: true,
    namingFunction: (req) => `${actorOf(req).studioId}-${randomUUID().replace(/-/g, '')}`,
    async onIncomingRequest(req, uploadId) {
      try {
        const actor = actorOf(req);
        // Creation requests carry no id yet; every other request must name an upload of the caller's studio.
        // The exact shape namingFunction makes, checked before the store sees the id: a decoded id such as
        // `<studio>-/../../x` would otherwise reach the file system (and tell existing files by a 410).
        if (req.method !== 'POST' && !(UPLOAD_ID.test(uploadId) && uploadId.startsWith(`${actor.studioId}-`))) throw new NotFoundError('UPLOAD_NOT_FOUND', 'Upload not found');
      } catch (err) {
        throw reject(err);
      }
    },
    async onUploadCreate(req, upload) {
      try {
        const actor = actorOf(req);
        const assetId = upload.metadata?.assetId;
        const filename = safeFileName(upload.metadata?.filename);
        if (!assetId || !filename) throw new ValidationError('UPLOAD_METADATA_REQUIRED', 'Upload-Metadata must carry assetId and filename');
        // The same rule as the multipart change note, checked before a byte is accepted (a ZodError is a 400).
        uploadFields.parse({ changeNote: upload.metadata?.changeNote ?? undefined });
        const asset = await opts.assets.require(actor, 'version:create', assetId);
        if (asset.archivedAt) throw new DomainError('ASSET_ARCHIVED', 'Archived assets take no new versions', { status: 409 });
        // A declared length the studio's quota cannot hold is refused now, not after the bytes were staged.
        if (upload.size !== undefined) await opts.versions.admit(actor, assetId, upload.size);
        return {};
      } catch (err) {
        throw reject(err);
      }
    },
    async onUploadFinish(req, upload: Upload) {
      const actor = actorOf(req);
      let staged: Readable | undefined;
      try {
        // A stream of the staged bytes (a file, or the completed S3 object), never the whole file in memory.
        try {
          staged = await store.read(upload.id);
        } catch (err) {
          throw new DomainError('UPLOAD_STAGING_MISSING', 'The staged upload is missing', { status: 500, cause: err });
        }
        const result = await opts.versions.upload(actor, upload.metadata!.assetId!, {
          stream: staged,
          // Metadata is the client's: keep only a plain file name, as for multipart uploads.
          originalName: safeFileName(upload.metadata!.filename!),
          fields: Promise.resolve({ changeNote: upload.metadata?.changeNote ?? '' }),
        });
        return {
          status_code: 200,
          headers: { 'Content-Type': 'application/json', Location: `/assets/${result.version.assetId}/versions/${result.version.version}` },
          body: JSON.stringify(result),
        };
      } catch (err) {
        throw reject(err);
      } finally {
        // A refusal may leave the read unfinished: let go of the file or the S3 connection under it.
        staged?.destroy();
        // Committed or refused, the staged bytes have served their purpose.
        await store.remove(upload.id).catch((err: unknown) => opts.logger.warn('could not remove staged tus upload', { id: upload.id, err: (err as Error).message }));
      }
    },
    onResponseError(req, err) {
      // Whatever this returns is a body in the error contract: say so in the Content-Type (see handler).
      const node = nodeRequestOf(req);
      if (node) jsonErrors.add(node);
      if (contractRejections.has(err)) return undefined;
      const { error, expected } = toDomainError(fromTus(err, req.method ?? ''));
      if (!expected) opts.logger.error('tus request failed', { method: req.method, url: req.url, err });
      return reject(error);
    },
  };
  const server = new Server(options);
  const timer = setInterval(() => void cleanUpExpired(), Math.max(60_000, Math.min(opts.expirationMs, 3_600_000)));
  timer.unref();

  async function cleanUpExpired(): Promise<number> {
    try {
      return await server.cleanUpExpiredUploads();
    } catch (err) {
      opts.logger.warn('tus clean-up failed', { err: (err as Error).message });
      return 0;
    }
  }

  return {
    handler: (req, res, next) => {
      try {
        checkTusHeaders(req);
      } catch (err) {
        next(err);
        return;
      }
      // Every refusal is a JSON body in the error contract (onResponseError), but @tus/server 2 answers
      // through a web Response whose string body defaults to text/plain: say what it is for error statuses.
      const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => Response;
      res.writeHead = ((status: number, ...rest: unknown[]) => {
        // Only our own error bodies: anything else @tus/server writes keeps its own (plain-text) type.
        if (status >= 400 && jsonErrors.has(req)) {
          const last = rest.length && typeof rest[rest.length - 1] !== 'string' ? rest.length - 1 : -1;
          if (last >= 0) rest[last] = withJsonType(rest[last]);
          else rest.push({ 'content-type': JSON_TYPE });
        }
        return writeHead(status, ...rest);
      }) as typeof res.writeHead;
      void server.handle(req, res);
    },
    cleanUpExpired,
    close: () => clearInterval(timer),
  };
}
