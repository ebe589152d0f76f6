// One interface for file bytes, whether on local disk or in S3: streamed writes that hash and count as
// bytes flow and become visible only when complete, ranged streamed reads, stat, exists, delete, list.
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { PayloadTooLargeError, ValidationError } from '../../shared/errors';

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

export interface StorageProvider {
  readonly driver: 'local' | 's3';
  /** Streams body into key, hashing and counting as bytes flow. The object becomes visible only when complete. */
  write(key: string, body: NodeJS.ReadableStream, options?: WriteOptions): Promise<StoredObject>;
  /** The whole object or one inclusive byte range. Destroying the stream releases its descriptor or socket. */
  read(key: string, range?: ByteRange): Promise<NodeJS.ReadableStream>;
  stat(key: string): Promise<ObjectStat | null>;
  exists(key: string): Promise<boolean>;
  /** Idempotent: deleting a missing key is fine. */
  delete(key: string): Promise<void>;
  /** Keys under a prefix, complete objects only (for clean-up jobs and "nothing left behind" checks). */
  list(prefix: string): Promise<string[]>;
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** Throws unless every '/'-separated segment is a plain name: no '..', no absolute paths, no client junk. */
export function assertKey(key: string): void {
  const segments = key.split('/');
  if (segments.length === 0 || segments.length > 32 || !segments.every((s) => SEGMENT.test(s) && !s.includes('..'))) {
    throw new ValidationError('INVALID_STORAGE_KEY', `Invalid storage key: ${JSON.stringify(key).slice(0, 120)}`);
  }
}

export function objectKey(...segments: string[]): string {
  const key = segments.join('/');
  assertKey(key);
  return key;
}

/** A prefix is a key, optionally ending in '/'. */
export function assertPrefix(prefix: string): void {
  assertKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
}

/** Hashes and counts bytes in flight, failing the moment maxBytes is crossed. */
export class MeteringTransform extends Transform {
  private readonly hash = createHash('sha256');
  size = 0;

  constructor(private readonly maxBytes = Number.POSITIVE_INFINITY) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      cb(new PayloadTooLargeError('FILE_TOO_LARGE', `The file exceeds the ${this.maxBytes}-byte limit`));
      return;
    }
    this.hash.update(chunk);
    cb(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}
