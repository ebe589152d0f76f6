// Shots: creation (with the backing asset that carries their versions), edits, cut-order listings and
// casting. Versions, reviews and renders of a shot go through the asset routes
// on shot.assetId: one implementation of each, no copy.
import { Types } from 'mongoose';
import { ConflictError, NotFoundError, PreconditionFailedError, ValidationError } from '../../shared/errors';
import type { AssetRepository } from '../repositories/AssetRepository';
import type { ProjectRepository } from '../repositories/ProjectRepository';
import type { NewShot, ShotRepository } from '../repositories/ShotRepository';
import type { ProjectDoc, Rational } from '../repositories/models/Project';
import type { SequenceDoc } from '../repositories/models/Sequence';
import type { ShotDoc, ShotStatus } from '../repositories/models/Shot';
import type { Page } from '../repositories/pagination';
import type { AccessService } from './AccessService';
import type { AuditService } from './AuditService';
import type { ProjectService } from './ProjectService';
import type { DomainEvents } from '../events';
import type { Actor } from './types';
import { toShotDto, type ShotDto, type CastingDto } from '../dto';

export interface ShotFields {
  code: string;
  frameIn: number;
  frameOut: number;
  cutOrder?: number;
  recordIn?: number | null;
  recordOut?: number | null;
  handles?: number | null;
  fps?: Rational | null;
  description?: string;
}
export type UpdateShot = Partial<Omit<ShotFields, 'code'> & { status: ShotStatus }>;


export const SHOT_NOT_FOUND = () => new NotFoundError('SHOT_NOT_FOUND', 'Shot not found');
const valid = (id: string) => /^[a-f0-9]{24}$/i.test(id);
/** The reserved name of a shot's backing asset: unique per studio, found again by a re-run. */
export const shotAssetName = (projectCode: string, shotCode: string) => `shot:${projectCode}:${shotCode}`;

export function checkRange(f: { frameIn?: number; frameOut?: number; recordIn?: number | null; recordOut?: number | null }, path = ''): void {
  if (f.frameIn !== undefined && f.frameOut !== undefined && f.frameOut < f.frameIn) {
    throw new ValidationError('VALIDATION_FAILED', 'frameOut is before frameIn', { details: [{ path: `${path}frameOut`, message: 'must be at least frameIn' }] });
  }
  if (f.recordIn !== null && f.recordIn !== undefined && f.recordOut !== null && f.recordOut !== undefined && f.recordOut < f.recordIn) {
    throw new ValidationError('VALIDATION_FAILED', 'recordOut is before recordIn', { details: [{ path: `${path}recordOut`, message: 'must be at least recordIn' }] });
  }
}

export class ShotService {
  constructor(
    private readonly deps: {
      shots: ShotRepository;
      projects: ProjectRepository;
      projectService: ProjectService;
      assets: AssetRepository;
      access: AccessService;
      audit: AuditService;
      events: DomainEvents;
    },
  ) {}

  async require(actor: Actor, permission: Parameters<AccessService['require']>[1], id: string): Promise<ShotDoc> {
    this.deps.access.require(actor, permission);
    if (!valid(id)) throw SHOT_NOT_FOUND();
    const shot = await this.deps.shots.findById(actor.studioId, id);
    if (!shot) throw SHOT_NOT_FOUND();
    return shot;
  }

  /**
   * Stores the shot (unless its code exists in the project) and its backing asset, each a single-document
   * upsert on a unique key, so a crash between them is finished by the next call with the same code.
   */
  async materialize(studioId: string, actorId: string, project: ProjectDoc, sequence: SequenceDoc, f: ShotFields & { cutOrder: number }): Promise<{ shot: ShotDoc; created: boolean }> {
    const doc: NewShot = {
      projectId: project._id,
      sequenceId: sequence._id,
      episodeId: sequence.episodeId ?? null,
      code: f.code,
      cutOrder: f.cutOrder,
      frameIn: f.frameIn,
      frameOut: f.frameOut,
      recordIn: f.recordIn ?? null,
      recordOut: f.recordOut ?? null,
      handles: f.handles ?? null,
      fps: f.fps ?? null,
      description: f.description ?? '',
      status: 'ACTIVE',
      createdBy: new Types.ObjectId(actorId),
    };
    const { shot, created } = await this.deps.shots.upsert(studioId, doc);
    if (!shot.assetId) {
      const asset = await this.deps.assets.upsertForShot(studioId, { _id: shot._id, projectId: project._id, name: shotAssetName(project.code, shot.code), createdBy: new Types.ObjectId(actorId) });
      if (String(asset.shotId) !== String(shot._id)) throw new ConflictError('SHOT_ASSET_NAME_TAKEN', `An asset named ${asset.name} already exists; rename it to create shot ${shot.code}`);
      await this.deps.shots.setAsset(studioId, shot._id, asset._id);
      shot.assetId = asset._id;
    }
    return { shot, created };
  }

  async create(actor: Actor, sequenceId: string, input: ShotFields): Promise<ShotDto> {
    const sequence = await this.deps.projectService.requireSequence(actor, 'shot:manage', sequenceId);
    const project = await this.deps.projects.findById(actor.studioId, sequence.projectId);
    if (!project) throw new NotFoundError('PROJECT_NOT_FOUND', 'Project not found');
    if (project.status === 'CLOSED') throw new ConflictError('PROJECT_CLOSED', 'The project is closed: it takes no new work');
    checkRange(input);
    const cutOrder = input.cutOrder ?? (await this.deps.shots.highestCutOrder(actor.studioId, project._id)) + 10;
    const { shot, created } = await this.materialize(actor.studioId, actor.id, project, sequence, { ...input, cutOrder });
    if (!created) throw new ConflictError('SHOT_CODE_TAKEN', 'A shot with this code already exists in the project');
    const dto = toShotDto(shot);
    await this.deps.audit.record(actor, 'shot.created', 'shot', shot._id, { code: shot.code, sequenceId: String(sequence._id) });
    this.deps.events.emit('shot.created', { studioId: actor.studioId, actorId: actor.id, shot: dto });
    return dto;
  }

  async get(actor: Actor, id: string): Promise<ShotDto> {
    const shot = await this.require(actor, 'project:read', id);
    const [asset] = shot.assetId ? await this.deps.assets.findMany(actor.studioId, [shot.assetId]) : [];
    return toShotDto(shot, asset?.latestVersion ?? 0);
  }

  async update(actor: Actor, id: string, input: UpdateShot, ifMatch?: string): Promise<ShotDto> {
    const current = await this.require(actor, 'shot:manage', id);
    if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== `"${id}.${current.revision}"`) throw new PreconditionFailedError('SHOT_CHANGED', 'Shot changed since you read it; reload and retry');
    const set = Object.fromEntries(Object.entries(input).filter(([k, v]) => v !== undefined && JSON.stringify(v) !== JSON.stringify((current as unknown as Record<string, unknown>)[k]))) as Partial<ShotDoc>;
    checkRange({ frameIn: set.frameIn ?? current.frameIn, frameOut: set.frameOut ?? current.frameOut, recordIn: set.recordIn ?? current.recordIn, recordOut: set.recordOut ?? current.recordOut });
    const changes = Object.keys(set);
    if (changes.length === 0) return toShotDto(current);
    const doc = await this.deps.shots.update(actor.studioId, current._id, current.revision, set);
    if (!doc) throw new PreconditionFailedError('SHOT_CHANGED', 'Shot changed since you read it; reload and retry');
    const dto = toShotDto(doc);
    await this.deps.audit.record(actor, 'shot.updated', 'shot', doc._id, { changes });
    this.deps.events.emit('shot.updated', { studioId: actor.studioId, actorId: actor.id, shot: dto, changes });
    return dto;
  }

  async listBySequence(actor: Actor, sequenceId: string, q: { limit: number; cursor?: string }): Promise<Page<ShotDto>> {
    const sequence = await this.deps.projectService.requireSequence(actor, 'project:read', sequenceId);
    const page = await this.deps.shots.listBySequence(actor.studioId, sequence._id, q);
    const latest = await this.latestVersions(actor.studioId, page.data);
    return { ...page, data: page.data.map((s) => toShotDto(s, latest.get(String(s.assetId)) ?? 0)) };
  }

  async latestVersions(studioId: string, shots: ShotDoc[]): Promise<Map<string, number>> {
    const ids = shots.map((s) => s.assetId).filter((a): a is Types.ObjectId => a !== null);
    const assets = await this.deps.assets.findMany(studioId, ids);
    return new Map(assets.map((a) => [String(a._id), a.latestVersion]));
  }

  // Casting.
  async castingOfShot(actor: Actor, shotId: string): Promise<{ data: Array<CastingDto & { assetName: string; assetType: string }> }> {
    const shot = await this.require(actor, 'project:read', shotId);
    const rows = await this.deps.shots.castingOfShot(actor.studioId, shot._id);
    const assets = new Map((await this.deps.assets.findMany(actor.studioId, rows.map((r) => r.assetId))).map((a) => [String(a._id), a]));
    return { data: rows.map((r) => ({ shotId: String(r.shotId), assetId: String(r.assetId), count: r.count, assetName: assets.get(String(r.assetId))?.name ?? '', assetType: assets.get(String(r.assetId))?.type ?? 'OTHER' })) };
  }

  async castingOfAsset(actor: Actor, assetId: string): Promise<{ data: Array<CastingDto & { shotCode: string; sequenceId: string }> }> {
    this.deps.access.require(actor, 'project:read');
    if (!valid(assetId)) throw new NotFoundError('ASSET_NOT_FOUND', 'Asset not found');
    const asset = await this.deps.assets.findById(actor.studioId, assetId);
    if (!asset) throw new NotFoundError('ASSET_NOT_FOUND', 'Asset not found');
    const rows = await this.deps.shots.castingOfAsset(actor.studioId, asset._id);
    const shots = new Map((await this.deps.shots.findMany(actor.studioId, rows.map((r) => r.shotId))).map((s) => [String(s._id), s]));
    return {
      data: rows.flatMap((r) => {
        const s = shots.get(String(r.shotId));
        return s ? [{ shotId: String(r.shotId), assetId: String(r.assetId), count: r.count, shotCode: s.code, sequenceId: String(s.sequenceId) }] : [];
      }),
    };
  }

  async setCasting(actor: Actor, shotId: string, items: Array<{ assetId: string; count: number }>): Promise<{ data: CastingDto[] }> {
    const shot = await this.require(actor, 'casting:manage', shotId);
    const ids = [...new Set(items.map((i) => i.assetId))];
    if (ids.length !== items.length) throw new ValidationError('VALIDATION_FAILED', 'An asset is named twice', { details: [{ path: 'items', message: 'each asset at most once; give its count instead' }] });
    const assets = await this.deps.assets.findMany(actor.studioId, ids.map((i) => new Types.ObjectId(i)));
    const usable = new Set(assets.filter((a) => a.shotId === null || a.shotId === undefined).map((a) => String(a._id)));
    const unknown = ids.filter((i) => !usable.has(i));
    if (unknown.length) throw new NotFoundError('ASSET_NOT_FOUND', 'Asset not found', { details: unknown.map((i) => ({ path: 'items', message: `asset ${i} not found` })) });
    await this.deps.shots.replaceCasting(actor.studioId, shot.projectId, shot._id, items.map((i) => ({ assetId: new Types.ObjectId(i.assetId), count: i.count })));
    const casting = items.map((i) => ({ shotId: String(shot._id), assetId: i.assetId, count: i.count }));
    await this.deps.audit.record(actor, 'casting.updated', 'shot', shot._id, { items: casting.map((c) => ({ assetId: c.assetId, count: c.count })) });
    this.deps.events.emit('casting.updated', { studioId: actor.studioId, actorId: actor.id, shotId: String(shot._id), casting });
    return { data: casting };
  }
}
