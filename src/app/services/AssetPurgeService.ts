// Purge: an archived asset gives up its versions for good. Its version records go, with the pipeline records and
// the derived objects only they reference (thumbnails, posters, proxies, keyed by this asset and version number);
// the version files themselves are left to the storage collector (BlobService.collect), which removes an object
// once no version of the studio points at it, so bytes another asset shares stay. The asset itself stays as an
// archived, purged tombstone: its audit trail, comments, review decisions, tasks, casting and render jobs keep
// their subject (render frames are the render job's, not the version's, and are not purged here).
// Resumable without transactions: everything runs under the asset's lease and each step is idempotent, so a purge
// cut half-way is finished by the next one.
import { ConflictError } from '../../shared/errors';
import type { Logger } from '../../infra/logging/logger';
import type { StorageProvider } from '../../infra/storage/StorageProvider';
import { objectKey } from '../../infra/storage/StorageProvider';
import type { VersionRepository } from '../repositories/VersionRepository';
import type { PipelineRepository } from '../repositories/PipelineRepository';
import type { DomainEvents } from '../events';
import type { AssetService } from './AssetService';
import type { Actor } from './types';

export interface PurgeResult {
  assetId: string;
  /** Version records removed. */
  versions: number;
  /** The sum of the removed versions' file sizes (shared objects count once per version, as the versions did). */
  bytes: number;
}

export class AssetPurgeService {
  constructor(
    private readonly deps: {
      assets: AssetService;
      versions: VersionRepository;
      pipelines: PipelineRepository;
      storage: StorageProvider;
      events: DomainEvents;
      logger: Logger;
    },
  ) {}

  async purge(actor: Actor, assetId: string, ifMatch?: string): Promise<PurgeResult> {
    const result: PurgeResult = { assetId, versions: 0, bytes: 0 };
    await this.deps.assets.change(actor, 'asset:purge', assetId, ifMatch, async (current) => {
      if (!current.archivedAt) throw new ConflictError('ASSET_NOT_ARCHIVED', 'Archive the asset (DELETE /assets/{id}) before purging it');
      const versions = await this.deps.versions.forAsset(actor.studioId, current._id);
      // Derived objects first: a purge cut here still finds the version records and finishes the rest.
      const keys = new Set<string>();
      for (const p of await this.deps.pipelines.forAsset(actor.studioId, current._id)) {
        for (const key of [p.outputs.thumbnailKey, p.outputs.posterKey, p.outputs.proxyKey]) if (key) keys.add(key);
      }
      // Outputs a pipeline step wrote but had not recorded yet live under the same per-version prefix (the version
      // files themselves are at .../versions/<uuid>, never under a version number).
      for (const v of versions) {
        for (const key of await this.deps.storage.list(`${objectKey('studios', actor.studioId, 'assets', assetId, 'versions', String(v.version))}/`)) keys.add(key);
      }
      for (const key of keys) await this.deps.storage.delete(key);
      await this.deps.pipelines.deleteForAsset(actor.studioId, current._id);
      await this.deps.versions.deleteForAsset(actor.studioId, current._id);
      result.versions = versions.length;
      result.bytes = versions.reduce((sum, v) => sum + v.file.size, 0);
      // The asset keeps no bytes: its line in storage usage by asset says so (the studio's totals follow asset.purged).
      return { set: { currentVersion: null, purgedAt: new Date(), storage: { bytes: 0, versions: 0 } }, action: 'asset.purged', details: { versions: result.versions, bytes: result.bytes } };
    });
    this.deps.logger.info('asset purged', { studioId: actor.studioId, assetId, versions: result.versions, bytes: result.bytes });
    this.deps.events.emit('asset.purged', { studioId: actor.studioId, actorId: actor.id, assetId, versions: result.versions, bytes: result.bytes });
    return result;
  }
}
