// One interface for file bytes, on local disk or in S3, plus the key rules and byte metering both providers share.
import { randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { DomainError, PayloadTooLargeError, StorageError, ValidationError } from '../../shared/errors';
import { OffThreadHash } from './OffThreadHasher';

export interface StoredObject {
  key: string;
  size: number;
  /** Hex sha256 of the stored bytes. */
  sha256: string;
}

export interface ObjectStat {
  key: string;
  size: number;
  lastModified: Date;
}

/** Inclusive byte range, as in HTTP Range. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface WriteOptions {
  maxBytes?: number;
  contentType?: string;
  signal?: AbortSignal;
}

/** A part of a multipart upload that has landed on the server. */
export interface LandedPart {
  partNumber: number;
  size: number;
  etag: string;
  /** Base64 sha256 of the part, when the server records additional checksums (S3 does; moto does not). */
  sha256?: string;
}

/**
 * Transfers that bypass the API: the client sends parts to, and reads objects from, presigned URLs.
 * Only the S3 driver has them; local disk keeps the streamed path.
 */
export interface DirectTransfers {
  /** Opens a multipart upload that asks for SHA-256 additional checksums per part; returns its upload id. */
  createMultipart(key: string, contentType: string): Promise<string>;
  /** A PUT URL for one part; sha256Base64 is signed into it, so S3 refuses a part with other bytes. */
  presignPart(key: string, uploadId: string, partNumber: number, sha256Base64: string, expiresInSeconds: number): Promise<string>;
  listParts(key: string, uploadId: string): Promise<LandedPart[]>;
  completeMultipart(key: string, uploadId: string, parts: Array<{ partNumber: number; etag: string; sha256: string }>): Promise<void>;
  /** Idempotent: aborting an upload that is gone (completed, aborted, expired) is fine. */
  abortMultipart(key: string, uploadId: string): Promise<void>;
  /** A short-lived GET URL that downloads the object under fileName. */
  presignGet(key: string, options: { expiresInSeconds: number; contentDisposition: string; contentType: string }): Promise<string>;
}

export interface StorageProvider {
  readonly driver: 'local' | 's3';
  /** Direct (presigned) transfers, where the backend has them. */
  readonly direct?: DirectTransfers;
  /** Streams body into key, hashing and counting as bytes flow. The object becomes visible only when complete. */
  write(key: string, body: NodeJS.ReadableStream, options?: WriteOptions): Promise<StoredObject>;
  /** A readable stream of the whole object or of one inclusive byte range. Destroying it must release the file descriptor / HTTP socket. */
  read(key: string, range?: ByteRange): Promise<NodeJS.ReadableStream>;
  stat(key: string): Promise<ObjectStat | null>;
  exists(key: string): Promise<boolean>;
  /** Idempotent: deleting a missing key is fine. */
  delete(key: string): Promise<void>;
  /** Keys under a prefix (for cleanup jobs and tests asserting nothing was left behind). */
  list(prefix: string): Promise<string[]>;
}

/** A plain file name: it cannot be '.', '..', hidden, absolute or carry separators, on any OS or in any URL. */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
/** S3's own key limit; enforcing it for both drivers keeps the contract identical. */
const MAX_KEY_LENGTH = 1024;

function invalidKey(key: string): ValidationError {
  return new ValidationError('INVALID_STORAGE_KEY', `Invalid storage key: ${JSON.stringify(key).slice(0, 120)}`);
}

/** Providers call this on every key they receive, so path traversal is impossible even if a caller forgets objectKey. */
export function assertKey(key: string): void {
  if (typeof key !== 'string' || key.length > MAX_KEY_LENGTH || !key.split('/').every((s) => SEGMENT.test(s))) throw invalidKey(key);
}

/** Joins segments with '/'; each one must be a plain name on its own, so a caller cannot smuggle a '/' in. */
export function objectKey(...segments: string[]): string {
  if (segments.length === 0 || !segments.every((s) => typeof s === 'string' && SEGMENT.test(s))) throw invalidKey(segments.join('/'));
  const key = segments.join('/');
  assertKey(key);
  return key;
}

/**
 * 128 random bits (32 hex) for the keys of a record's derived objects (thumbnails, posters, proxies, render
 * frames and previews): stored on the record and read back from it, so the keys stay deterministic for
 * retries while nobody can name them from ids. On the local driver a key is a path, and a path that can be
 * worked out from an asset's id is one a hostile scene or file can ask for.
 */
export function newOutputToken(): string {
  return randomBytes(16).toString('hex');
}

/** A prefix is '' (everything), a key, or a key followed by '/'; its last segment may be a partial name. */
export function assertPrefix(prefix: string): void {
  if (prefix === '') return;
  assertKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
}

export function assertRange(range: ByteRange | undefined): void {
  if (!range) return;
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new ValidationError('INVALID_RANGE', `Invalid byte range ${start}-${end}`);
  }
}

/** Maps a driver error to the error contract: a full disk is 507 so operators can alert on it, the rest 500. */
export function storageFailure(err: unknown, what: string): Error {
  if (err instanceof DomainError) return err;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new StorageError('STORAGE_FULL', 'Storage is full', { status: 507, cause: err });
  return new StorageError('STORAGE_FAILED', `Storage ${what} failed`, { cause: err });
}

/**
 * The error a failed write rejects with: our own domain errors as they are, the caller's abort reason
 * when it cancelled (so it gets back what it aborted with), anything else through storageFailure.
 */
export function writeFailure(err: unknown, signal: AbortSignal | undefined): Error {
  if (err instanceof DomainError) return err;
  if (signal?.aborted && signal.reason instanceof Error) return signal.reason;
  return storageFailure(err, 'write');
}

/**
 * Hashes and counts bytes in flight, failing the moment maxBytes is crossed so the source is not read any further.
 * The sha256 is computed on a worker thread (OffThreadHash) with a bounded number of batches in flight:
 * chunks pass on at once, and only when the hasher falls behind does the transform hold the next one back.
 * The stream finishes only once the digest is known, so digest() is ready when a pipeline through it resolves.
 */
export class MeteringTransform extends Transform {
  private readonly hash = new OffThreadHash();
  private hex: string | undefined;
  size = 0;

  constructor(private readonly maxBytes = Number.POSITIVE_INFINITY) {
    super({ highWaterMark: 1024 * 1024 });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      cb(new PayloadTooLargeError('FILE_TOO_LARGE', `The file exceeds the ${this.maxBytes}-byte limit`));
      return;
    }
    const wait = this.hash.update(chunk);
    this.push(chunk);
    if (wait) wait.then(() => cb(), cb);
    else cb();
  }

  override _flush(cb: TransformCallback): void {
    this.hash.digest().then((hex) => {
      this.hex = hex;
      cb();
    }, cb);
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    // A stream that failed or was cut short never asks for its digest: let the worker forget it.
    if (this.hex === undefined) this.hash.drop();
    cb(err);
  }

  /** Hex sha256 of every byte that passed; only once the stream has finished. */
  digest(): string {
    if (this.hex === undefined) throw new Error('MeteringTransform.digest() before the stream finished');
    return this.hex;
  }
}
