// S3 (or any S3-protocol server): multipart streamed uploads through lib-storage, ranged GetObject.
// On any failure the multipart upload is aborted and the key removed, so nothing half-written remains.
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { NotFoundError } from '../../shared/errors';
import { storageFailure } from './LocalStorageProvider';
import { assertKey, assertPrefix, MeteringTransform, type ByteRange, type ObjectStat, type StorageProvider, type StoredObject, type WriteOptions } from './StorageProvider';

export interface S3Settings {
  region: string;
  endpoint?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
}

/** Passes through only bytes start..end of source, then stops reading it. */
function sliceStream(source: Readable, range: ByteRange): Readable {
  let pos = 0;
  const out = new PassThrough();
  source.on('data', (chunk: Buffer) => {
    const from = Math.max(range.start - pos, 0);
    const to = Math.min(range.end + 1 - pos, chunk.length);
    pos += chunk.length;
    if (to > from && !out.write(chunk.subarray(from, to))) {
      source.pause();
      out.once('drain', () => source.resume());
    }
    if (pos > range.end) {
      source.destroy();
      out.end();
    }
  });
  source.on('end', () => out.end());
  source.on('error', (err) => out.destroy(err));
  out.on('close', () => source.destroy());
  return out;
}

export function createS3Client(s: S3Settings): S3Client {
  const config: S3ClientConfig = {
    region: s.region,
    endpoint: s.endpoint,
    forcePathStyle: s.forcePathStyle,
    // Newer SDKs add CRC checksums by default; S3-compatible servers (s3rver, older MinIO) reject them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
  if (s.accessKeyId && s.secretAccessKey) config.credentials = { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey };
  return new S3Client(config);
}

const isNotFound = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
};

export class S3StorageProvider implements StorageProvider {
  readonly driver = 's3' as const;
  private readonly bucket: string;
  private readonly client: S3Client;

  constructor(options: { bucket: string; client: S3Client }) {
    this.bucket = options.bucket;
    this.client = options.client;
  }

  async write(key: string, body: NodeJS.ReadableStream, options: WriteOptions = {}): Promise<StoredObject> {
    assertKey(key);
    const meter = new MeteringTransform(options.maxBytes);
    const pass = new PassThrough({ highWaterMark: 1024 * 1024 });
    // 8 MiB parts, two in flight: memory stays bounded whatever the file size.
    const upload = new Upload({ client: this.client, params: { Bucket: this.bucket, Key: key, Body: pass, ContentType: options.contentType }, partSize: 8 * 1024 * 1024, queueSize: 2, leavePartsOnError: false });
    const feeding = pipeline(body, meter, pass, { signal: options.signal });
    try {
      await Promise.all([feeding, upload.done()]);
      return { key, size: meter.size, sha256: meter.digest() };
    } catch (err) {
      pass.destroy();
      (body as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      await upload.abort().catch(() => undefined);
      await feeding.catch(() => undefined);
      // A small body may have gone up as a single PUT that completed before the failure was seen.
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })).catch(() => undefined);
      const feedErr = await feeding.then(() => undefined, (e: unknown) => e);
      throw storageFailure(feedErr ?? err, 'write');
    }
  }

  async read(key: string, range?: ByteRange): Promise<NodeJS.ReadableStream> {
    assertKey(key);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end}` : undefined }));
      const body = res.Body as Readable;
      if (!range) return body;
      // A server may ignore or widen a Range (RFC 9110 §14.2; s3rver answers bytes=0-0 with the whole
      // object): cut the requested bytes out of what actually came back.
      const got = /^bytes (\d+)-(\d+)\//.exec(res.ContentRange ?? '');
      const [from, to] = got ? [Number(got[1]), Number(got[2])] : [0, Number.POSITIVE_INFINITY];
      if (from === range.start && to === range.end) return body;
      return sliceStream(body, { start: range.start - from, end: range.end - from });
    } catch (err) {
      if (isNotFound(err)) throw new NotFoundError('OBJECT_NOT_FOUND', 'Stored object not found');
      throw storageFailure(err, 'read');
    }
  }

  async stat(key: string): Promise<ObjectStat | null> {
    assertKey(key);
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { key, size: Number(res.ContentLength ?? 0), lastModified: res.LastModified ?? new Date(0) };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw storageFailure(err, 'stat');
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.stat(key)) !== null;
  }

  async delete(key: string): Promise<void> {
    assertKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })).catch((err: unknown) => {
      if (!isNotFound(err)) throw storageFailure(err, 'delete');
    });
  }

  async list(prefix: string): Promise<string[]> {
    assertPrefix(prefix);
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const res = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of res.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }
}
