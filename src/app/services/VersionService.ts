// Immutable versions: stream bytes into storage first, then allocate the next number at commit, under the
// asset's lease with the unique {assetId, version} index as the backstop, so numbers are gapless and
// race-free. Any failure deletes what was stored: no version, no object, no consumed number. Objects are
// content-addressed per studio (BlobService): a commit of bytes the studio already holds keeps the held object and
// deletes its own copy.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { Types } from 'mongoose';
import { ConflictError, NotFoundError } from '../../shared/errors';
import type { StorageProvider, ByteRange } from '../../infra/storage/StorageProvider';
import { objectKey } from '../../infra/storage/StorageProvider';
import type { Logger } from '../../infra/logging/logger';
import type { VersionRepository } from '../repositories/VersionRepository';
import type { AssetVersionDoc } from '../repositories/models/AssetVersion';
import type { Page } from '../repositories/pagination';
import type { AssetService } from './AssetService';
import { quotaExceeded, type StorageUsageService } from './StorageUsageService';
import { BLOB_NOT_FOUND, type BlobService, type Claim } from './BlobService';
import type { DomainEvents } from '../events';
import { judgeContent, SNIFF_BYTES } from './ContentPolicy';
import type { Actor } from './types';
import { type AssetDto, type VersionDto, toVersionDto } from '../dto';

export interface IncomingFile {
  stream: NodeJS.ReadableStream;
  originalName: string;
  /** Resolves with the form's other fields once the whole request has been read. */
  fields?: Promise<Record<string, string>>;
  signal?: AbortSignal;
  /** The reservation of the upload these bytes finish (a tus upload's), turned into usage at the commit. */
  reservation?: string;
}

const VERSION_NOT_FOUND = () => new NotFoundError('VERSION_NOT_FOUND', 'Version not found');

/** Reads the first n bytes for sniffing and returns a stream that still yields every byte, head included. */
export async function peek(source: NodeJS.ReadableStream, n: number): Promise<{ head: Buffer; stream: Readable }> {
  const it = (source as Readable)[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let length = 0;
  while (length < n) {
    const { value, done } = await it.next();
    if (done) break;
    chunks.push(value);
    length += value.length;
  }
  const first = Buffer.concat(chunks);
  async function* all() {
    try {
      if (first.length) yield first;
      for (;;) {
        const { value, done } = await it.next();
        if (done) return;
        yield value;
      }
    } finally {
      await it.return?.();
    }
  }
  return { head: first.subarray(0, n), stream: Readable.from(all(), { objectMode: false }) };
}

export class VersionService {
  constructor(
    private readonly deps: {
      assets: AssetService;
      versions: VersionRepository;
      storage: StorageProvider;
      usage: Pick<StorageUsageService, 'room' | 'addVersion' | 'removeVersions' | 'requireRoom'>;
      blobs: BlobService;
      events: DomainEvents;
      logger: Logger;
      maxUploadBytes: number;
      /** Seconds a presigned download URL lives; 0 (or local disk) means downloads stream through the API. */
      downloadRedirectTtlSeconds?: number;
    },
  ) {}

  async upload(actor: Actor, assetId: string, file: IncomingFile): Promise<{ version: VersionDto; asset: AssetDto }> {
    const asset = await this.deps.assets.require(actor, 'version:create', assetId);
    if (asset.archivedAt) throw new ConflictError('ASSET_ARCHIVED', 'Archived assets take no new versions');
    const { head, stream } = await peek(file.stream, SNIFF_BYTES);
    const verdict = await judgeContent(file.originalName, head);
    const key = objectKey('studios', actor.studioId, 'assets', assetId, 'versions', randomUUID());
    // A body of unknown length stops where the studio's quota would: it fails mid-stream and nothing is kept. The
    // upload's own reservation is room it may use.
    const room = await this.deps.usage.room(actor.studioId, file.reservation);
    const capped = room.remaining !== null && room.remaining < this.deps.maxUploadBytes;
    let stored: Awaited<ReturnType<StorageProvider['write']>>;
    try {
      stored = await this.deps.storage.write(key, stream, { maxBytes: capped ? room.remaining! : this.deps.maxUploadBytes, contentType: verdict.mimeType, signal: file.signal });
    } catch (err) {
      if (capped && (err as { code?: string }).code === 'FILE_TOO_LARGE') throw quotaExceeded(room);
      throw err;
    }
    let fields: Record<string, string>;
    try {
      fields = (await file.fields) ?? {};
    } catch (err) {
      await this.discard(key);
      throw err;
    }
    return this.commitStored(actor, assetId, {
      key,
      size: stored.size,
      sha256: stored.sha256,
      mimeType: verdict.mimeType,
      originalName: file.originalName,
      verified: verdict.verified,
      changeNote: fields.changeNote ?? '',
    }, { contentAddressed: true, reservation: file.reservation });
  }

  /**
   * A version from bytes the studio already holds ("do you have this hash?" answered yes): nothing is sent, the
   * held object is claimed (so the collector keeps it) and sniffed under this file name, then committed as usual.
   */
  async fromBlob(actor: Actor, assetId: string, input: { sha256: string; fileName: string; changeNote?: string }): Promise<{ version: VersionDto; asset: AssetDto }> {
    const asset = await this.deps.assets.require(actor, 'version:create', assetId);
    if (asset.archivedAt) throw new ConflictError('ASSET_ARCHIVED', 'Archived assets take no new versions');
    const held = await this.deps.blobs.claimExisting(actor.studioId, input.sha256);
    if (!held) throw BLOB_NOT_FOUND();
    const head = await storedHead(this.deps.storage, held.key, held.size);
    const verdict = await judgeContent(input.fileName, head);
    const f = { key: held.key, size: held.size, sha256: held.sha256, mimeType: verdict.mimeType, originalName: input.fileName, verified: verdict.verified, changeNote: (input.changeNote ?? '').slice(0, 2000) };
    const result = await this.commit(actor, assetId, f, async () => {
      // Claimed again right before the insert: the grace period then only has to cover the insert itself.
      const claimed = await this.deps.blobs.claimExisting(actor.studioId, input.sha256);
      if (!claimed) throw BLOB_NOT_FOUND();
      return claimed.key;
    });
    this.deps.events.emit('version.created', { studioId: actor.studioId, actorId: actor.id, assetId, version: result.version });
    return result;
  }

  /**
   * Refuses, before any byte is sent, an upload whose announced size cannot fit the studio's quota (507). The
   * asset check runs first when refusing, so another studio's asset still answers 404, never 507.
   */
  async admit(actor: Actor, assetId: string, bytes: number): Promise<void> {
    try {
      await this.deps.usage.requireRoom(actor.studioId, bytes);
    } catch (err) {
      await this.deps.assets.require(actor, 'version:create', assetId);
      throw err;
    }
  }

  /**
   * Makes a stored object the asset's next version (numbering, audit, events, pipeline): the one commit of the
   * streamed, tus and direct paths. On any failure the object is deleted: no version, no object, no number.
   * contentAddressed: the server hashed the bytes itself, so an identical held object may replace this one (and
   * this one may serve later uploads); a client's unverified sha256 (direct uploads) never takes part in dedup.
   * reservation: the id of the upload's reservation, which the commit turns into usage (StorageUsageService.addVersion).
   */
  async commitStored(
    actor: Actor,
    assetId: string,
    file: AssetVersionDoc['file'] & { changeNote: string },
    options: { contentAddressed: boolean; reservation?: string } = { contentAddressed: false },
  ): Promise<{ version: VersionDto; asset: AssetDto }> {
    let claim: Claim | undefined;
    try {
      const result = await this.commit(
        actor,
        assetId,
        { ...file, changeNote: file.changeNote.slice(0, 2000) },
        async () => {
          claim = await this.deps.blobs.claim(actor.studioId, file, options);
          return claim.blob.key;
        },
        options.reservation,
      );
      this.deps.events.emit('version.created', { studioId: actor.studioId, actorId: actor.id, assetId, version: result.version });
      if (claim?.reused) await this.discard(file.key);
      return result;
    } catch (err) {
      const registered = claim && !claim.reused ? claim.blob : undefined;
      if (registered) {
        await this.deps.blobs.release(registered).catch((cleanupErr: unknown) => this.deps.logger.error('could not release the object of a failed version', { key: registered.key, err: cleanupErr }));
      } else if (claim || !(await this.deps.blobs.isRegistered(actor.studioId, file.key).catch(() => true))) {
        await this.discard(file.key);
      }
      // Otherwise the claim registered our object but its answer was lost: another upload may already use it, so
      // it is left to the collector (removed after the grace period if no version points at it).
      throw err;
    }
  }

  private async discard(key: string): Promise<void> {
    await this.deps.storage.delete(key).catch((cleanupErr: unknown) => {
      this.deps.logger.error('could not remove the stored object of a failed version', { key, err: cleanupErr });
    });
  }

  private async commit(
    actor: Actor,
    assetId: string,
    f: AssetVersionDoc['file'] & { changeNote: string },
    /** Claims the stored object (BlobService) right before the insert and answers the key the version points at. */
    claimKey: () => Promise<string>,
    reservation?: string,
  ): Promise<{ version: VersionDto; asset: AssetDto }> {
    let created: AssetVersionDoc | undefined;
    let counted = false;
    try {
      const asset = await this.deps.assets.change(actor, 'version:create', assetId, undefined, async (current) => {
        if (current.archivedAt) throw new ConflictError('ASSET_ARCHIVED', 'Archived assets take no new versions');
        const next = Math.max(current.latestVersion, await this.deps.versions.highest(actor.studioId, current._id)) + 1;
        // The quota's guarantee: counted on the studio only if it fits, before the version exists (507 otherwise).
        await this.deps.usage.addVersion(actor.studioId, f.size, reservation);
        counted = true;
        const { changeNote, ...file } = f;
        const key = await claimKey();
        created = await this.deps.versions.insert(actor.studioId, {
          assetId: current._id,
          version: next,
          file: { ...file, key },
          changeNote,
          createdBy: new Types.ObjectId(actor.id),
        });
        return {
          set: { latestVersion: next, currentVersion: next },
          inc: { 'storage.bytes': file.size, 'storage.versions': 1 },
          action: 'version.created',
          details: { version: next, size: file.size, sha256: file.sha256 },
        };
      });
      return { version: toVersionDto(created!), asset };
    } catch (err) {
      if (counted) {
        await this.deps.usage.removeVersions(actor.studioId, f.size, 1).catch((releaseErr: unknown) => {
          this.deps.logger.error('could not give back the storage usage of a failed version', { studioId: actor.studioId, assetId, size: f.size, err: releaseErr });
        });
      }
      throw err;
    }
  }

  async list(actor: Actor, assetId: string, page: { limit: number; cursor?: string }): Promise<Page<VersionDto>> {
    await this.deps.assets.require(actor, 'asset:read', assetId);
    const res = await this.deps.versions.list(actor.studioId, assetId, page);
    return { ...res, data: res.data.map(toVersionDto) };
  }

  async get(actor: Actor, assetId: string, version: number): Promise<VersionDto> {
    return toVersionDto(await this.find(actor, assetId, version));
  }

  private async find(actor: Actor, assetId: string, version: number): Promise<AssetVersionDoc> {
    await this.deps.assets.require(actor, 'asset:read', assetId);
    const v = await this.deps.versions.findOne(actor.studioId, assetId, version);
    if (!v) throw VERSION_NOT_FOUND();
    return v;
  }

  /** Moves the current-version pointer; history stays, and the audit trail says who and why. */
  async rollback(actor: Actor, assetId: string, version: number, reason?: string): Promise<AssetDto> {
    return this.deps.assets.change(actor, 'asset:rollback', assetId, undefined, async (current) => {
      if (current.archivedAt) throw new ConflictError('ASSET_ARCHIVED', 'Archived assets cannot be rolled back');
      if (!(await this.deps.versions.findOne(actor.studioId, current._id, version))) throw VERSION_NOT_FOUND();
      return { set: { currentVersion: version }, action: 'asset.rolled_back', details: { from: current.currentVersion, to: version, reason: reason ?? null } };
    });
  }

  /** The version to download: an explicit number, or the asset's current one. */
  async forDownload(actor: Actor, assetId: string, version?: number): Promise<AssetVersionDoc> {
    if (version !== undefined) return this.find(actor, assetId, version);
    const asset = await this.deps.assets.require(actor, 'asset:read', assetId);
    if (asset.currentVersion === null) throw new NotFoundError('VERSION_NOT_FOUND', 'This asset has no file yet');
    return this.find(actor, assetId, asset.currentVersion);
  }

  /**
   * A short-lived presigned URL for an authorised download, when configured and on S3; undefined otherwise.
   * The caller has already authorised the read (forDownload); the redirect is logged here with who and what.
   */
  async redirectUrl(actor: Actor, v: AssetVersionDoc, contentDisposition: string): Promise<string | undefined> {
    const ttl = this.deps.downloadRedirectTtlSeconds ?? 0;
    const direct = this.deps.storage.direct;
    if (!ttl || !direct) return undefined;
    const url = await direct.presignGet(v.file.key, { expiresInSeconds: ttl, contentDisposition, contentType: v.file.mimeType });
    this.deps.logger.info('download redirected to storage', { studioId: actor.studioId, userId: actor.id, assetId: String(v.assetId), version: v.version, ttlSeconds: ttl });
    return url;
  }

  open(v: AssetVersionDoc, range?: ByteRange): Promise<NodeJS.ReadableStream> {
    return this.deps.storage.read(v.file.key, range);
  }
}

/** The first bytes of a stored object, for sniffing (a ranged read; empty for an empty object). */
export async function storedHead(storage: StorageProvider, key: string, size: number): Promise<Buffer> {
  if (!size) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const c of await storage.read(key, { start: 0, end: Math.min(SNIFF_BYTES, size) - 1 })) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
