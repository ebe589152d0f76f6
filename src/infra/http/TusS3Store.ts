// tus staging in the deployment's S3 bucket under one prefix (tus/), so every API instance sees every upload:
// @tus/s3-store's layout (an S3 multipart upload per tus upload, `<id>.info` holding its metadata, `<id>.part`
// holding a tail shorter than a part), with the changes several instances and a shared bucket need.
import type { Readable } from 'node:stream';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { S3Store, type MetadataValue } from '@tus/s3-store';
import { ERRORS, type KvStore, type Upload } from '@tus/utils';

export interface TusS3StoreOptions {
  bucket: string;
  client: S3ClientConfig;
  /** Every staged object's key starts with this (e.g. `tus/`); nothing else in the bucket is touched. */
  prefix: string;
  partSize: number;
  expirationMs: number;
  /** Called once an upload's staged bytes are gone (removed, or found missing on removal). */
  removed?: (id: string) => Promise<void>;
}

/**
 * The library caches an upload's metadata in memory by default. Across instances that copy goes stale (an
 * upload removed or expired elsewhere still looks alive here), so every read goes to the `.info` object.
 */
class NoCache implements KvStore<MetadataValue> {
  async get(): Promise<undefined> {
    return undefined;
  }
  async set(): Promise<void> {}
  async delete(): Promise<void> {}
}

const isMissing = (err: unknown) => {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } } | null;
  return ['NotFound', 'NoSuchKey', 'NoSuchUpload'].includes(e?.name ?? e?.Code ?? '') || e?.$metadata?.httpStatusCode === 404;
};

type Input = Record<string, unknown> & { Key?: unknown; Prefix?: unknown; Delete?: { Objects?: Array<{ Key?: string }> } };
type Output = { output?: { Uploads?: Array<{ Key?: string }>; Contents?: Array<{ Key?: string }> } };

export class TusS3Store extends S3Store {
  private readonly prefix: string;
  private readonly removed: (id: string) => Promise<void>;

  constructor(options: TusS3StoreOptions) {
    super({
      partSize: options.partSize,
      expirationPeriodInMilliseconds: options.expirationMs,
      // Tags only serve S3 lifecycle rules; expiry is our own sweep (deleteExpired), so spare the extra requests.
      useTags: false,
      // Each part is spooled to the OS temp directory while it arrives and until S3 has it, and a PATCH holds
      // one of these for its part in progress (however slow its client): the bound caps the temp space
      // (64 parts of TUS_S3_PART_SIZE) and the concurrent PATCHes of one instance (more wait for a slot).
      maxConcurrentPartUploads: 64,
      cache: new NoCache(),
      s3ClientConfig: { ...options.client, bucket: options.bucket },
    });
    this.prefix = options.prefix;
    this.removed = options.removed ?? (async () => undefined);
    // The library names objects by the bare upload id at the bucket's root and lists every multipart upload
    // of the bucket when it expires uploads (direct-upload sessions included). One middleware puts every key
    // it uses under the prefix and confines its listings to it, so the store's own code keeps bare ids.
    const prefix = this.prefix;
    this.client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = { ...(args.input as Input) };
        if (typeof input.Key === 'string') input.Key = prefix + input.Key;
        if (input.Delete?.Objects) input.Delete = { ...input.Delete, Objects: input.Delete.Objects.map((o) => ({ ...o, Key: prefix + o.Key })) };
        const listing = context.commandName === 'ListMultipartUploadsCommand' || context.commandName === 'ListObjectsV2Command';
        if (listing) input.Prefix = prefix;
        const result = (await next({ ...args, input: input as typeof args.input })) as Output;
        if (listing) for (const item of [...(result.output?.Uploads ?? []), ...(result.output?.Contents ?? [])]) if (item.Key?.startsWith(prefix)) item.Key = item.Key.slice(prefix.length);
        return result as Awaited<ReturnType<typeof next>>;
      },
      { step: 'initialize', name: 'tusKeyPrefix' },
    );
  }

  /**
   * As the file store does, a PATCH at the end offset of an upload whose bytes are all staged succeeds, so its
   * finish (the version) runs again: that is how a client recovers an upload whose instance died between
   * completing the staged object and committing the version. The library fails there, listing the parts of a
   * multipart upload that no longer exists.
   */
  override async write(src: Readable, id: string, offset: number): Promise<number> {
    try {
      return await super.write(src, id, offset);
    } catch (err) {
      if (!isMissing(err)) throw err;
      const upload = await this.getUpload(id);
      if (upload.size === undefined || upload.offset !== upload.size || offset !== upload.size) throw err;
      src.resume();
      return offset;
    }
  }

  /**
   * Ends an upload whatever its state: the library's remove() gives up when the multipart upload is already
   * completed (a finished upload whose bytes became a version) and leaves `.part` behind; this aborts what is
   * open and deletes the completed object, `.info` and `.part`.
   */
  override async remove(id: string): Promise<void> {
    let uploadId: string | undefined;
    try {
      uploadId = (await this.getMetadata(id))['upload-id'];
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
    if (uploadId) {
      try {
        await this.client.abortMultipartUpload({ Bucket: this.bucket, Key: id, UploadId: uploadId });
      } catch (err) {
        if (!isMissing(err)) throw err;
      }
    }
    await this.client.deleteObjects({ Bucket: this.bucket, Delete: { Objects: [{ Key: id }, { Key: this.infoKey(id) }, { Key: this.partKey(id, true) }] } });
    await this.removed(id);
    if (!uploadId) throw ERRORS.FILE_NOT_FOUND;
  }

  /**
   * The staged upload, or undefined when its `.info` is gone. Unlike getUpload (which answers FILE_NOT_FOUND for any
   * failure), an unreachable bucket throws: a caller releasing what an upload reserved must not do so on a guess.
   */
  async staged(id: string): Promise<Upload | undefined> {
    try {
      await this.client.headObject({ Bucket: this.bucket, Key: this.infoKey(id) });
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
    return this.getUpload(id);
  }

  /**
   * Removes uploads created longer than the expiration period ago: open multipart uploads (aborted) and any
   * object left under the prefix that old (a finished upload whose clean-up never ran, an orphaned `.info`).
   * Returns how many uploads it removed.
   */
  override async deleteExpired(): Promise<number> {
    const expiration = this.getExpiration();
    if (expiration === 0) return 0;
    const cutoff = Date.now() - expiration;
    const removed = new Set<string>();
    const open = new Set<string>();
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    do {
      const page = await this.client.listMultipartUploads({ Bucket: this.bucket, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker });
      for (const u of page.Uploads ?? []) {
        if (!u.Key || !u.UploadId) continue;
        if ((await this.createdAt(u.Key, u.Initiated)) > cutoff) {
          open.add(u.Key);
          continue;
        }
        await this.client.abortMultipartUpload({ Bucket: this.bucket, Key: u.Key, UploadId: u.UploadId }).catch((err: unknown) => {
          if (!isMissing(err)) throw err;
        });
        removed.add(u.Key);
      }
      // The markers are the listing's own (full) keys, passed back untouched.
      [keyMarker, uploadIdMarker] = page.IsTruncated ? [page.NextKeyMarker, page.NextUploadIdMarker] : [undefined, undefined];
    } while (keyMarker);

    const stale: string[] = [...removed].flatMap((id) => [this.infoKey(id), this.partKey(id, true)]);
    let token: string | undefined;
    do {
      const page = await this.client.listObjectsV2({ Bucket: this.bucket, ContinuationToken: token });
      for (const o of page.Contents ?? []) {
        if (!o.Key || (o.LastModified?.getTime() ?? Date.now()) > cutoff) continue;
        const id = o.Key.replace(/\.(info|part)$/, '');
        if (open.has(id)) continue;
        stale.push(o.Key);
        removed.add(id);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    const keys = [...new Set(stale)];
    for (let i = 0; i < keys.length; i += 1000) {
      await this.client.deleteObjects({ Bucket: this.bucket, Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })) } });
    }
    return removed.size;
  }

  /**
   * When an upload was created: the creation date in its `.info` (the one PATCH checks expiry against), else
   * the multipart upload's Initiated (some S3-compatible servers, moto among them, report a fixed date there).
   */
  private async createdAt(id: string, initiated: Date | undefined): Promise<number> {
    try {
      const created = Date.parse((await this.getMetadata(id)).file.creation_date ?? '');
      if (Number.isFinite(created)) return created;
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
    return initiated?.getTime() ?? Date.now();
  }
}
