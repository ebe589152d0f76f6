// Asset rules: tenancy, roles, unique names, optimistic concurrency, archive, cache and audit.
import { Types } from 'mongoose';
import { ConflictError, NotFoundError, PreconditionFailedError } from '../../shared/errors';
import type { AssetRepository, AssetListQuery } from '../repositories/AssetRepository';
import type { AssetDoc, AssetStatus, AssetType } from '../repositories/models/Asset';
import type { Page } from '../repositories/pagination';
import type { AssetCacheService } from '../../infra/cache/AssetCacheService';
import type { LeaseLock } from '../../infra/database/LeaseLock';
import { isDuplicateKey } from '../../infra/database/errors';
import type { Permission } from './AccessPolicy';
import type { AccessService } from './AccessService';
import type { AuditService } from './AuditService';
import type { DomainEvents } from '../events';
import type { Actor } from './types';
import { type AssetDto, type AuditEventDto, assetEtag, toAssetDto } from '../dto';


export interface CreateAsset {
  name: string;
  type: AssetType;
  description?: string;
  tags?: string[];
  /** The project; the studio's default project when left out (issue 18 keeps project-less clients working). */
  projectId?: string;
}
export type UpdateAsset = Partial<Omit<CreateAsset, 'projectId'> & { status: AssetStatus }>;

/** Where a new asset goes: ProjectService resolves the named project or the studio's default one. */
export interface AssetProjects {
  forNewAsset(actor: Actor, projectId?: string): Promise<{ _id: Types.ObjectId }>;
}

export interface Decision {
  set: Partial<AssetDoc>;
  /** Counters to add to in the same write (e.g. `storage.bytes`): $inc, so no read-modify-write is lost. */
  inc?: Record<string, number>;
  action: string;
  details?: Record<string, unknown>;
}

const NOT_FOUND = () => new NotFoundError('ASSET_NOT_FOUND', 'Asset not found');
const NAME_TAKEN = () => new ConflictError('ASSET_NAME_TAKEN', 'An asset with this name already exists in your studio');
const normalizeTags = (tags: string[] | undefined) => [...new Set((tags ?? []).map((t) => t.trim().toLowerCase()).filter(Boolean))];

export class AssetService {
  constructor(
    private readonly deps: {
      assets: AssetRepository;
      cache: AssetCacheService<AssetDto>;
      locks: LeaseLock;
      access: AccessService;
      audit: AuditService;
      events: DomainEvents;
      projects: AssetProjects;
    },
  ) {}

  /**
   * The one access check every asset operation starts with: role permission, then existence within the
   * caller's studio. A foreign asset is exactly as "not found" as a missing one.
   */
  async require(actor: Actor, permission: Permission, assetId: string): Promise<AssetDoc> {
    this.deps.access.require(actor, permission);
    if (!Types.ObjectId.isValid(assetId)) throw NOT_FOUND();
    const asset = await this.deps.assets.findById(actor.studioId, assetId);
    if (!asset) throw NOT_FOUND();
    return asset;
  }

  /** Role check alone, for operations on a studio's collections rather than on one asset. */
  requirePermission(actor: Actor, permission: Permission): void {
    this.deps.access.require(actor, permission);
  }

  async create(actor: Actor, input: CreateAsset): Promise<AssetDto> {
    this.deps.access.require(actor, 'asset:create');
    const project = await this.deps.projects.forNewAsset(actor, input.projectId);
    let doc: AssetDoc;
    try {
      doc = await this.deps.assets.create(actor.studioId, {
        name: input.name.trim(),
        type: input.type,
        description: input.description ?? '',
        tags: normalizeTags(input.tags),
        createdBy: new Types.ObjectId(actor.id),
        projectId: project._id,
      });
    } catch (err) {
      if (isDuplicateKey(err)) throw NAME_TAKEN();
      throw err;
    }
    const asset = toAssetDto(doc);
    await this.deps.audit.record(actor, 'asset.created', 'asset', doc._id, { name: asset.name, type: asset.type });
    await this.deps.cache.store(actor.studioId, asset);
    this.deps.events.emit('asset.created', { studioId: actor.studioId, actorId: actor.id, asset });
    return asset;
  }

  async get(actor: Actor, assetId: string): Promise<AssetDto> {
    this.deps.access.require(actor, 'asset:read');
    if (!Types.ObjectId.isValid(assetId)) throw NOT_FOUND();
    const asset = await this.deps.cache.getOrLoad(actor.studioId, assetId, async () => {
      const doc = await this.deps.assets.findById(actor.studioId, assetId);
      return doc ? toAssetDto(doc) : null;
    });
    // Defence in depth: the key already carries the studio, but a cached copy must never cross tenants.
    if (!asset || asset.studioId !== actor.studioId) throw NOT_FOUND();
    return asset;
  }

  list(actor: Actor, query: AssetListQuery): Promise<Page<AssetDto>> {
    this.deps.access.require(actor, 'asset:read');
    return this.deps.assets.list(actor.studioId, query).then((p) => ({ ...p, data: p.data.map(toAssetDto) }));
  }

  async update(actor: Actor, assetId: string, input: UpdateAsset, ifMatch?: string): Promise<AssetDto> {
    return this.change(actor, 'asset:update', assetId, ifMatch, (current) => {
      if (current.archivedAt) throw new ConflictError('ASSET_ARCHIVED', 'Archived assets cannot be edited');
      const set: Partial<AssetDoc> = {};
      if (input.name !== undefined && input.name.trim() !== current.name) set.name = input.name.trim();
      if (input.type !== undefined && input.type !== current.type) set.type = input.type;
      if (input.description !== undefined && input.description !== current.description) set.description = input.description;
      if (input.status !== undefined && input.status !== current.status) set.status = input.status;
      if (input.tags !== undefined) set.tags = normalizeTags(input.tags);
      return { set, action: 'asset.updated' };
    });
  }

  async archive(actor: Actor, assetId: string, ifMatch?: string): Promise<AssetDto> {
    return this.change(actor, 'asset:archive', assetId, ifMatch, (current) => {
      if (current.archivedAt) throw new ConflictError('ASSET_ARCHIVED', 'Asset is already archived');
      return { set: { archivedAt: new Date() }, action: 'asset.archived' };
    });
  }

  async history(actor: Actor, assetId: string, page: { limit: number; cursor?: string }): Promise<Page<AuditEventDto>> {
    await this.require(actor, 'asset:read', assetId);
    return this.deps.audit.history(actor.studioId, 'asset', assetId, page);
  }

  /**
   * Every metadata change goes through here: under the asset's lease, check If-Match, apply, bump the
   * revision, write the cache through, audit and announce. Later features (versions, rollback, reviews)
   * reuse it so the ETag and the cache always follow the stored state.
   */
  async change(
    actor: Actor,
    permission: Permission,
    assetId: string,
    ifMatch: string | undefined,
    decide: (current: AssetDoc) => Decision | Promise<Decision>,
  ): Promise<AssetDto> {
    await this.require(actor, permission, assetId);
    const updated = await this.deps.locks.withLock(`asset:${assetId}`, async () => {
      const current = await this.deps.assets.findById(actor.studioId, assetId);
      if (!current) throw NOT_FOUND();
      if (ifMatch !== undefined && !etagMatches(ifMatch, toAssetDto(current))) {
        throw new PreconditionFailedError('ASSET_CHANGED', 'Asset changed since you read it; reload and retry');
      }
      const { set, inc, action, details } = await decide(current);
      const changes = Object.keys(set);
      if (changes.length === 0) return { doc: current, action, changes, details };
      let doc: AssetDoc | null;
      try {
        doc = await this.deps.assets.update(actor.studioId, current._id, current.revision, { ...set, updatedBy: new Types.ObjectId(actor.id) }, inc);
      } catch (err) {
        if (isDuplicateKey(err)) throw NAME_TAKEN();
        throw err;
      }
      if (!doc) throw new PreconditionFailedError('ASSET_CHANGED', 'Asset changed since you read it; reload and retry');
      return { doc, action, changes, details };
    });
    const asset = toAssetDto(updated.doc);
    if (updated.changes.length > 0) {
      await this.deps.cache.store(actor.studioId, asset);
      await this.deps.audit.record(actor, updated.action, 'asset', updated.doc._id, { changes: updated.changes, ...updated.details });
      this.deps.events.emit('asset.updated', { studioId: actor.studioId, actorId: actor.id, asset, changes: updated.changes });
    }
    return asset;
  }
}

/** RFC 9110 §13.1.1: If-Match uses strong comparison; `*` matches any current representation. */
function etagMatches(header: string, asset: AssetDto): boolean {
  const tag = assetEtag(asset);
  return header
    .split(',')
    .map((t) => t.trim())
    .some((t) => t === '*' || t === tag);
}
