// S3 or any S3-protocol server (MinIO, moto): streamed multipart uploads through lib-storage, ranged GetObject.
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  UploadPartCommand,
  CreateBucketCommand,
  HeadBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { NotFoundError } from '../../shared/errors';
import {
  assertKey,
  assertPrefix,
  assertRange,
  MeteringTransform,
  storageFailure,
  writeFailure,
  type ByteRange,
  type DirectTransfers,
  type LandedPart,
  type ObjectStat,
  type StorageProvider,
  type StoredObject,
  type WriteOptions,
} from './StorageProvider';

export interface S3Settings {
  region: string;
  endpoint?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
}

/** S3's smallest part is 5 MiB; 8 MiB parts with two in flight keep an upload's memory near 25 MiB whatever the file size. */
const PART_SIZE = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 2;

/** The client settings every S3 client of the app uses (the storage provider's and tus staging's). */
export function s3ClientConfig(s: S3Settings): S3ClientConfig {
  const config: S3ClientConfig = {
    region: s.region,
    endpoint: s.endpoint,
    forcePathStyle: s.forcePathStyle,
    // Newer SDKs add CRC checksums to every request by default; some S3-compatible servers (older MinIO) reject them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
  // Without explicit keys the SDK's default chain applies (instance role, AWS_PROFILE, ...).
  if (s.accessKeyId && s.secretAccessKey) config.credentials = { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey };
  return config;
}

export function createS3Client(s: S3Settings): S3Client {
  return new S3Client(s3ClientConfig(s));
}

/** A missing object; a missing bucket is a misconfiguration and must not pass for "no such file". */
const isNotFound = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } } | null;
  if (e?.name === 'NoSuchBucket') return false;
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
};

const asError = (err: unknown) => (err instanceof Error ? err : new Error(String(err)));

/** Passes on only bytes start..end (offsets into source), then lets go of source. */
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
  // The caller destroying the slice must release the HTTP socket under it.
  out.on('close', () => source.destroy());
  return out;
}

export class S3StorageProvider implements StorageProvider {
  readonly driver = 's3' as const;
  private readonly bucket: string;
  private readonly client: S3Client;
  /** Signs the URLs clients use directly: its endpoint is the one they reach (S3_PUBLIC_ENDPOINT), which the signature covers. */
  private readonly presigner: S3Client;
  /**
   * Signs part URLs, with credentials that may only write (S3_UPLOAD_SIGNER_*): a presigned request runs with its
   * signer's rights, and a server that lets an unsigned x-amz-copy-source through (MinIO) would otherwise turn a
   * part URL into a copy of any object the api can read. See docs/security.md ("Direct uploads").
   */
  private readonly partSigner: S3Client;
  readonly direct: DirectTransfers;

  constructor(options: { bucket: string; client: S3Client; presigner?: S3Client; partSigner?: S3Client }) {
    this.bucket = options.bucket;
    this.client = options.client;
    this.presigner = options.presigner ?? options.client;
    this.partSigner = options.partSigner ?? this.presigner;
    this.direct = this.directTransfers();
  }

  private directTransfers(): DirectTransfers {
    const { client, presigner, partSigner, bucket: Bucket } = this;
    const call = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
      try {
        return await f();
      } catch (err) {
        throw storageFailure(err, what);
      }
    };
    return {
      createMultipart: (key, contentType) =>
        call('multipart create', async () => {
          assertKey(key);
          const res = await client.send(new CreateMultipartUploadCommand({ Bucket, Key: key, ContentType: contentType, ChecksumAlgorithm: 'SHA256' }));
          return res.UploadId!;
        }),
      presignPart: (key, uploadId, partNumber, sha256Base64, expiresIn) =>
        call('presign', () =>
          // The checksum stays a signed header (not a query parameter), so the client must send exactly it.
          getSignedUrl(partSigner, new UploadPartCommand({ Bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, ChecksumSHA256: sha256Base64 }), {
            expiresIn,
            unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
          }),
        ),
      listParts: (key, uploadId) =>
        call('multipart list', async () => {
          const parts: LandedPart[] = [];
          let marker: string | undefined;
          do {
            const res = await client.send(new ListPartsCommand({ Bucket, Key: key, UploadId: uploadId, PartNumberMarker: marker }));
            for (const p of res.Parts ?? []) parts.push({ partNumber: p.PartNumber!, size: Number(p.Size ?? 0), etag: p.ETag ?? '', sha256: p.ChecksumSHA256 ?? undefined });
            marker = res.IsTruncated ? res.NextPartNumberMarker : undefined;
          } while (marker);
          return parts.sort((a, b) => a.partNumber - b.partNumber);
        }),
      completeMultipart: (key, uploadId, parts) =>
        call('multipart complete', async () => {
          await client.send(
            new CompleteMultipartUploadCommand({
              Bucket,
              Key: key,
              UploadId: uploadId,
              MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag, ChecksumSHA256: p.sha256 })) },
            }),
          );
        }),
      abortMultipart: (key, uploadId) =>
        call('multipart abort', async () => {
          try {
            await client.send(new AbortMultipartUploadCommand({ Bucket, Key: key, UploadId: uploadId }));
          } catch (err) {
            if ((err as { name?: string }).name !== 'NoSuchUpload' && !isNotFound(err)) throw err;
          }
        }),
      presignGet: (key, o) =>
        call('presign', () => getSignedUrl(presigner, new GetObjectCommand({ Bucket, Key: key, ResponseContentDisposition: o.contentDisposition, ResponseContentType: o.contentType }), { expiresIn: o.expiresInSeconds })),
    };
  }

  /** Creates the bucket when it is missing (S3_CREATE_BUCKET: development, tests and the compose stack). */
  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== 404) throw storageFailure(err, 'bucket check');
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    }
  }

  async write(key: string, body: NodeJS.ReadableStream, options: WriteOptions = {}): Promise<StoredObject> {
    assertKey(key);
    const { signal } = options;
    try {
      signal?.throwIfAborted();
    } catch (err) {
      (body as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      throw writeFailure(err, signal);
    }
    const meter = new MeteringTransform(options.maxBytes);
    const pass = new PassThrough({ highWaterMark: 1024 * 1024 });
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: pass, ContentType: options.contentType },
      partSize: PART_SIZE,
      queueSize: PARTS_IN_FLIGHT,
      leavePartsOnError: false,
    });
    // pipeline() destroys pass with the error when the source, the meter or the signal fails. lib-storage then
    // sees a failed body, finishes the parts in flight, sends AbortMultipartUpload and only then rejects done(),
    // so awaiting both below means the multipart upload is gone before write() rejects. upload.abort() would
    // instead settle done() at once and leave that abort running unawaited, which is why it is not used.
    // The first failure is the cause; whatever fails after it is a consequence of the clean-up.
    let first: { err: unknown } | undefined;
    const feeding = pipeline(body, meter, pass, { signal });
    feeding.catch((err: unknown) => (first ??= { err }));
    const uploading = upload.done();
    uploading.catch((err: unknown) => {
      first ??= { err };
      // S3 gave up, so nothing may drain pass any more: fail the feed too, which releases the source
      // (lib-storage's iterator usually destroys pass on its way out; this does not depend on that).
      pass.destroy(asError(err));
    });
    const [fed, sent] = await Promise.allSettled([feeding, uploading]);
    if (fed.status === 'fulfilled' && sent.status === 'fulfilled' && !signal?.aborted) {
      return { key, size: meter.size, sha256: meter.digest() };
    }

    const err: unknown = first ? first.err : signal?.reason;
    // lib-storage already aborted the upload; a second abort covers an abort request that itself failed.
    if (upload.uploadId) {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: upload.uploadId })).catch(() => undefined);
    }
    // Once every byte was handed over, a PutObject or CompleteMultipartUpload may have landed even though the
    // call failed (a lost response) or the caller aborted after it; the caller is told the write failed, so
    // the object must not stay. Before that point no object can exist, and an older one at this key is kept.
    if (fed.status === 'fulfilled') {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })).catch(() => undefined);
    }
    throw writeFailure(err, signal);
  }

  async read(key: string, range?: ByteRange): Promise<NodeJS.ReadableStream> {
    assertKey(key);
    assertRange(range);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end}` : undefined }));
      const body = res.Body as Readable;
      if (!range) return body;
      // A server may ignore or widen a Range (RFC 9110 §14.2; s3rver used to answer bytes=0-0 with the whole object):
      // cut the requested bytes out of what actually came back.
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
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (err) {
      if (!isNotFound(err)) throw storageFailure(err, 'delete');
    }
  }

  /** Multipart uploads still in progress under a prefix, as `key (upload id)`: what a failed or abandoned upload must not leave. */
  async inProgress(prefix: string): Promise<string[]> {
    assertPrefix(prefix);
    const found: string[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    try {
      do {
        const res = await this.client.send(new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: prefix || undefined, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }));
        for (const u of res.Uploads ?? []) found.push(`${u.Key} (${u.UploadId})`);
        [keyMarker, uploadIdMarker] = res.IsTruncated ? [res.NextKeyMarker, res.NextUploadIdMarker] : [undefined, undefined];
      } while (keyMarker);
    } catch (err) {
      throw storageFailure(err, 'list');
    }
    return found.sort();
  }

  async list(prefix: string): Promise<string[]> {
    assertPrefix(prefix);
    const keys: string[] = [];
    let token: string | undefined;
    try {
      do {
        const res = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix || undefined, ContinuationToken: token }));
        for (const o of res.Contents ?? []) if (o.Key) keys.push(o.Key);
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      throw storageFailure(err, 'list');
    }
    return keys.sort();
  }
}
