// Resumable uploads (tus 1.0) at /uploads. Bytes are staged on local disk (one instance) or in the S3 bucket
// under tus/ (any instance resumes any upload), with each upload's lock in Redis; a finished upload becomes a
// version through VersionService.upload, the same path as a multipart upload (sniffing, hashing,
// numbering, events). Upload ids start with the studio id, so one studio can never touch another's. Each upload
// reserves its length (or, undeclared, the largest file allowed) against the studio's quota when it is created; the
// staged bytes never run past it (tus refuses bytes beyond Upload-Length, and an undeclared length beyond maxSize),
// the commit turns it into usage, and a termination, a refused finish or the sweep of expired uploads gives it back.
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
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
import { reservationId, type StorageUsageService, type UploadState } from '../../app/services/StorageUsageService';
import type { UploadReservationDoc } from '../../app/repositories/models/UploadReservation';
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
  usage: Pick<StorageUsageService, 'reserveUpload' | 'releaseUpload'>;
  logger: Logger;
  /** CORS_ORIGINS: the browser origins allowed to call the API; none means no cross-origin access. */
  corsOrigins: string[];
}

type TusRejection = { status_code: number; body: string };

/**
 * Rejections already in the error contract (thrown by our hooks), as opposed to @tus/server's own, with the
 * headers their error implies (Retry-After on a 429): a rejection carries only a status and a body, so the
 * handler adds them when the answer is written.
 */
const contractRejections = new WeakMap<object, Record<string, string>>();

function reject(err: unknown): TusRejection {
  const { error } = toDomainError(err);
  const rejection = { status_code: error.status, body: JSON.stringify(errorBody(error, currentContext()?.correlationId)) };
  contractRejections.set(rejection, error.headers ?? {});
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

/** Requests whose error answer came from onResponseError, i.e. a JSON body in the error contract, with its headers. */
const jsonErrors = new WeakMap<http.IncomingMessage, Record<string, string>>();

/** Creation requests that took a reservation, with the upload's id (released should the creation fail after it). */
const reservedBy = new WeakMap<http.IncomingMessage, string>();

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

/**
 * Headers as Node's writeHead takes them (pairs, a flat list or an object) with Content-Type set to JSON and the
 * error's own headers (`extra`, e.g. Retry-After) set too.
 */
function withJsonType(headers: unknown, extra: Record<string, string> = {}): unknown {
  const set: Array<[string, string]> = [...Object.entries(extra), ['content-type', JSON_TYPE]];
  const replaced = new Set(set.map(([name]) => name.toLowerCase()));
  const other = (name: unknown) => !replaced.has(String(name).toLowerCase());
  if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) return [...(headers as Array<[string, string]>).filter(([name]) => other(name)), ...set];
    const flat: unknown[] = [];
    for (let i = 0; i < headers.length; i += 2) if (other(headers[i])) flat.push(headers[i], headers[i + 1]);
    return [...flat, ...set.flat()];
  }
  const kept = headers && typeof headers === 'object' ? Object.entries(headers).filter(([name]) => other(name)) : [];
  return Object.fromEntries([...kept, ...set]);
}

/** What tus needs of a staging store beyond @tus/server's DataStore: reading a finished upload back. */
type StagingStore = (FileStore | TusS3Store) & { read(id: string): Readable | Promise<Readable> };

export interface TusHandle {
  handler: (req: Request, res: Response, next: NextFunction) => void;
  cleanUpExpired(): Promise<number>;
  /** For the reservation sweep: whether a tus upload still needs its reservation (an expired one is removed first). */
  reservationState(r: Pick<UploadReservationDoc, '_id'>, now?: Date): Promise<UploadState>;
  close(): void;
}

/** The studio an upload id belongs to (ids are `<studio id>-<32 hex>`). */
const studioOf = (uploadId: string) => uploadId.slice(0, 24);

/** @tus/file-store's store, saying when an upload's bytes are gone (its own expiry clean-up removes through here too). */
class TusFileStore extends FileStore {
  constructor(
    options: ConstructorParameters<typeof FileStore>[0],
    private readonly removed: (id: string) => Promise<void>,
  ) {
    super(options);
  }

  override async remove(id: string): Promise<void> {
    try {
      await super.remove(id);
    } catch (err) {
      // The library answers FILE_NOT_FOUND for any failure to unlink: the bytes are not there to hold room for.
      if (tusErrorName(err) === 'FILE_NOT_FOUND') await this.removed(id);
      throw err;
    }
    await this.removed(id);
  }
}

export function createTus(opts: TusOptions): TusHandle {
  // Once an upload's bytes are gone (terminated, finished, expired), so is its reservation: a commit has already
  // turned it into usage, and anything else gives it back. Released before the answer, so a client sees the room.
  const removed = (id: string) => release(id);
  const store: StagingStore =
    opts.staging.driver === 's3'
      ? new TusS3Store({ ...opts.staging, expirationMs: opts.expirationMs, removed })
      : new TusFileStore({ directory: opts.staging.dir, expirationPeriodInMilliseconds: opts.expirationMs }, removed);
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
        // The declared length (or, undeclared, the largest file allowed: what tus will accept) is reserved now, so
        // neither the quota nor the shared staging space can be taken by bytes that were never accounted for.
        const created = Date.parse(upload.creation_date ?? '');
        await opts.usage.reserveUpload(actor.studioId, {
          kind: 'tus',
          uploadId: upload.id,
          bytes: upload.size ?? opts.maxSize,
          deferred: upload.size === undefined,
          expiresAt: new Date((Number.isFinite(created) ? created : Date.now()) + opts.expirationMs),
        });
        const node = nodeRequestOf(req);
        if (node) reservedBy.set(node, upload.id);
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
          reservation: reservationId('tus', upload.id),
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
        // Committed or refused, the staged bytes (and with them the reservation) have served their purpose.
        await store.remove(upload.id).catch((err: unknown) => {
          if (tusErrorName(err) !== 'FILE_NOT_FOUND') opts.logger.warn('could not remove staged tus upload', { id: upload.id, err: (err as Error).message });
        });
      }
    },
    onResponseError(req, err) {
      // Whatever this returns is a body in the error contract: say so in the Content-Type (see handler).
      const node = nodeRequestOf(req);
      const ours = contractRejections.get(err);
      if (ours) {
        if (node) jsonErrors.set(node, ours);
        return undefined;
      }
      const { error, expected } = toDomainError(fromTus(err, req.method ?? ''));
      if (!expected) opts.logger.error('tus request failed', { method: req.method, url: req.url, err });
      if (node) jsonErrors.set(node, error.headers ?? {});
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

  async function release(id: string): Promise<void> {
    await opts.usage.releaseUpload(studioOf(id), 'tus', id).catch((err: unknown) => opts.logger.warn('could not release a tus upload\'s reservation', { id, err: (err as Error).message }));
  }

  /**
   * The staged upload, or undefined when it is gone. A storage failure throws instead, so that nothing is released
   * on a guess (@tus/s3-store's getUpload answers FILE_NOT_FOUND for any error).
   */
  async function staged(id: string): Promise<Upload | undefined> {
    if (store instanceof TusS3Store) return store.staged(id);
    const dir = (opts.staging as { dir: string }).dir;
    const present = await Promise.all([id, `${id}.json`].map((name) => stat(path.join(dir, name)).then(() => true, (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' || err.code === 'ENOTDIR' ? false : Promise.reject(err)))));
    return present.every(Boolean) ? store.getUpload(id) : undefined;
  }

  async function reservationState(r: Pick<UploadReservationDoc, '_id'>, now = new Date()): Promise<UploadState> {
    const id = r._id.slice(reservationId('tus', '').length);
    if (!UPLOAD_ID.test(id)) return { live: false };
    const upload = await staged(id);
    if (!upload) return { live: false };
    const created = Date.parse(upload.creation_date ?? '');
    const expires = new Date((Number.isFinite(created) ? created : now.getTime()) + opts.expirationMs);
    if (expires > now) return { live: true, until: expires };
    // Past its expiry tus refuses its PATCHes (410): remove what it staged, and with it the reservation.
    await store.remove(id).catch((err: unknown) => {
      if (tusErrorName(err) !== 'FILE_NOT_FOUND') throw err;
    });
    return { live: false };
  }

  return {
    handler: (req, res, next) => {
      try {
        checkTusHeaders(req);
      } catch (err) {
        next(err);
        return;
      }
      // A creation refused after its reservation (the store failed to create the upload, say), or left by its
      // client before the answer, may leave a reservation without an upload: give it back if no upload was made.
      if (req.method === 'POST') {
        res.on('close', () => {
          const id = reservedBy.get(req);
          if (id === undefined || (res.writableFinished && res.statusCode < 400)) return;
          void staged(id)
            .then((upload) => (upload ? undefined : release(id)))
            .catch((err: unknown) => opts.logger.warn('could not check a refused tus creation', { id, err: (err as Error).message }));
        });
      }
      // Every refusal is a JSON body in the error contract (onResponseError), but @tus/server 2 answers
      // through a web Response whose string body defaults to text/plain: say what it is for error statuses.
      const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => Response;
      res.writeHead = ((status: number, ...rest: unknown[]) => {
        // Only our own error bodies: anything else @tus/server writes keeps its own (plain-text) type.
        const ours = status >= 400 ? jsonErrors.get(req) : undefined;
        if (ours) {
          const last = rest.length && typeof rest[rest.length - 1] !== 'string' ? rest.length - 1 : -1;
          if (last >= 0) rest[last] = withJsonType(rest[last], ours);
          else rest.push(withJsonType(undefined, ours));
        }
        return writeHead(status, ...rest);
      }) as typeof res.writeHead;
      void server.handle(req, res);
    },
    cleanUpExpired,
    reservationState,
    close: () => clearInterval(timer),
  };
}
