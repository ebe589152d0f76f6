// Projects (and their episodes and sequences): tenancy, roles, unique codes, audit and events. Also the
// default project, which takes every asset created without a project.
import { Types } from 'mongoose';
import { ConflictError, NotFoundError, PreconditionFailedError, ValidationError } from '../../shared/errors';
import { isDuplicateKey } from '../../infra/database/errors';
import type { ProjectListQuery, ProjectRepository } from '../repositories/ProjectRepository';
import type { UserRepository } from '../repositories/UserRepository';
import type { ProjectDoc, ProjectStatus, Rational } from '../repositories/models/Project';
import type { SequenceDoc } from '../repositories/models/Sequence';
import type { Page } from '../repositories/pagination';
import type { AccessService } from './AccessService';
import type { AuditService } from './AuditService';
import type { DomainEvents } from '../events';
import type { Actor } from './types';
import { toEpisodeDto, toProjectDto, toSequenceDto, type EpisodeDto, type ProjectDto, type SequenceDto } from '../dto';

export interface CreateProject {
  name: string;
  code: string;
  fps?: Rational;
  resolution?: { width: number; height: number };
  handles?: number;
  members?: string[];
}
export type UpdateProject = Partial<Omit<CreateProject, 'code'> & { status: ProjectStatus }>;

export const PROJECT_NOT_FOUND = () => new NotFoundError('PROJECT_NOT_FOUND', 'Project not found');
const SEQUENCE_NOT_FOUND = () => new NotFoundError('SEQUENCE_NOT_FOUND', 'Sequence not found');
const EPISODE_NOT_FOUND = () => new NotFoundError('EPISODE_NOT_FOUND', 'Episode not found');
const valid = (id: string) => Types.ObjectId.isValid(id) && /^[a-f0-9]{24}$/i.test(id);

export class ProjectService {
  /** Each studio's default project id, once known: asset creation asks for it every time. */
  private readonly defaults = new Map<string, { _id: Types.ObjectId }>();

  constructor(
    private readonly deps: {
      projects: ProjectRepository;
      users: UserRepository;
      access: AccessService;
      audit: AuditService;
      events: DomainEvents;
    },
  ) {}

  /** Role check, then the project within the caller's studio: another studio's project is "not found". */
  async require(actor: Actor, permission: Parameters<AccessService['require']>[1], projectId: string): Promise<ProjectDoc> {
    this.deps.access.require(actor, permission);
    if (!valid(projectId)) throw PROJECT_NOT_FOUND();
    const p = await this.deps.projects.findById(actor.studioId, projectId);
    if (!p) throw PROJECT_NOT_FOUND();
    return p;
  }

  /** The project a new asset goes to: the named one (the studio's, and open) or the studio's default. */
  async forNewAsset(actor: Actor, projectId?: string): Promise<{ _id: Types.ObjectId }> {
    if (projectId === undefined) {
      const known = this.defaults.get(actor.studioId);
      if (known) return known;
      const created = await this.deps.projects.ensureDefault(actor.studioId);
      this.defaults.set(actor.studioId, { _id: created._id });
      return created;
    }
    const p = await this.require(actor, 'project:read', projectId);
    if (p.status === 'CLOSED') throw new ConflictError('PROJECT_CLOSED', 'The project is closed: it takes no new work');
    return p;
  }

  async create(actor: Actor, input: CreateProject): Promise<ProjectDto> {
    this.deps.access.require(actor, 'project:manage');
    const members = await this.members(actor, input.members ?? []);
    let doc: ProjectDoc;
    try {
      doc = await this.deps.projects.create(actor.studioId, {
        name: input.name.trim(),
        code: input.code,
        isDefault: false,
        fps: input.fps ?? { num: 24, den: 1 },
        resolution: input.resolution ?? { width: 1920, height: 1080 },
        handles: input.handles ?? 0,
        status: 'ACTIVE',
        members,
        createdBy: new Types.ObjectId(actor.id),
      });
    } catch (err) {
      if (isDuplicateKey(err)) throw new ConflictError('PROJECT_CODE_TAKEN', 'A project with this code already exists in your studio');
      throw err;
    }
    const project = toProjectDto(doc);
    await this.deps.audit.record(actor, 'project.created', 'project', doc._id, { code: project.code, name: project.name });
    this.deps.events.emit('project.created', { studioId: actor.studioId, actorId: actor.id, project });
    return project;
  }

  async get(actor: Actor, id: string): Promise<ProjectDto> {
    return toProjectDto(await this.require(actor, 'project:read', id));
  }

  async list(actor: Actor, q: ProjectListQuery): Promise<Page<ProjectDto>> {
    this.deps.access.require(actor, 'project:read');
    const page = await this.deps.projects.list(actor.studioId, q);
    return { ...page, data: page.data.map(toProjectDto) };
  }

  async update(actor: Actor, id: string, input: UpdateProject, ifMatch?: string): Promise<ProjectDto> {
    const current = await this.require(actor, 'project:manage', id);
    if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== projectEtag(current)) throw new PreconditionFailedError('PROJECT_CHANGED', 'Project changed since you read it; reload and retry');
    const set: Partial<ProjectDoc> = {};
    if (input.name !== undefined && input.name.trim() !== current.name) set.name = input.name.trim();
    if (input.fps !== undefined) set.fps = input.fps;
    if (input.resolution !== undefined) set.resolution = input.resolution;
    if (input.handles !== undefined) set.handles = input.handles;
    if (input.status !== undefined && input.status !== current.status) set.status = input.status;
    if (input.members !== undefined) set.members = await this.members(actor, input.members);
    const changes = Object.keys(set);
    if (changes.length === 0) return toProjectDto(current);
    const doc = await this.deps.projects.update(actor.studioId, current._id, current.revision, set);
    if (!doc) throw new PreconditionFailedError('PROJECT_CHANGED', 'Project changed since you read it; reload and retry');
    const project = toProjectDto(doc);
    await this.deps.audit.record(actor, 'project.updated', 'project', doc._id, { changes });
    this.deps.events.emit('project.updated', { studioId: actor.studioId, actorId: actor.id, project, changes });
    return project;
  }

  private async members(actor: Actor, ids: string[]): Promise<Types.ObjectId[]> {
    const wanted = [...new Set(ids)];
    const owned = await this.deps.users.ownedIds(actor.studioId, wanted);
    const missing = wanted.filter((m) => !owned.has(m));
    if (missing.length) throw new ValidationError('VALIDATION_FAILED', 'Unknown members', { details: missing.map((m) => ({ path: 'members', message: `${m} is not a member of your studio` })) });
    return wanted.map((m) => new Types.ObjectId(m));
  }

  // Episodes.
  async createEpisode(actor: Actor, projectId: string, input: { code: string; name?: string; order?: number }): Promise<EpisodeDto> {
    const project = await this.require(actor, 'shot:manage', projectId);
    try {
      const doc = await this.deps.projects.createEpisode(actor.studioId, { projectId: project._id, code: input.code, name: input.name ?? '', order: input.order ?? Date.now() });
      await this.deps.audit.record(actor, 'episode.created', 'project', project._id, { episode: input.code });
      return toEpisodeDto(doc);
    } catch (err) {
      if (isDuplicateKey(err)) throw new ConflictError('EPISODE_CODE_TAKEN', 'An episode with this code already exists in the project');
      throw err;
    }
  }

  async listEpisodes(actor: Actor, projectId: string, q: { limit: number; cursor?: string }): Promise<Page<EpisodeDto>> {
    const project = await this.require(actor, 'project:read', projectId);
    const page = await this.deps.projects.listEpisodes(actor.studioId, project._id, q);
    return { ...page, data: page.data.map(toEpisodeDto) };
  }

  // Sequences.
  async requireSequence(actor: Actor, permission: Parameters<AccessService['require']>[1], id: string): Promise<SequenceDoc> {
    this.deps.access.require(actor, permission);
    if (!valid(id)) throw SEQUENCE_NOT_FOUND();
    const s = await this.deps.projects.findSequence(actor.studioId, id);
    if (!s) throw SEQUENCE_NOT_FOUND();
    return s;
  }

  async createSequence(actor: Actor, projectId: string, input: { code: string; name?: string; description?: string; episodeId?: string; order?: number }): Promise<SequenceDto> {
    const project = await this.require(actor, 'shot:manage', projectId);
    let episodeId: Types.ObjectId | null = null;
    if (input.episodeId) {
      const episode = valid(input.episodeId) ? await this.deps.projects.findEpisode(actor.studioId, input.episodeId) : null;
      if (!episode || String(episode.projectId) !== String(project._id)) throw EPISODE_NOT_FOUND();
      episodeId = episode._id;
    }
    const order = input.order ?? (await this.deps.projects.highestSequenceOrder(actor.studioId, project._id)) + 10;
    try {
      const doc = await this.deps.projects.createSequence(actor.studioId, { projectId: project._id, episodeId, code: input.code, name: input.name ?? '', description: input.description ?? '', order });
      await this.deps.audit.record(actor, 'sequence.created', 'sequence', doc._id, { code: doc.code, projectId: String(project._id) });
      return toSequenceDto(doc);
    } catch (err) {
      if (isDuplicateKey(err)) throw new ConflictError('SEQUENCE_CODE_TAKEN', 'A sequence with this code already exists in the project');
      throw err;
    }
  }

  async getSequence(actor: Actor, id: string): Promise<SequenceDto> {
    return toSequenceDto(await this.requireSequence(actor, 'project:read', id));
  }

  async updateSequence(actor: Actor, id: string, input: { name?: string; description?: string; order?: number }): Promise<SequenceDto> {
    const current = await this.requireSequence(actor, 'shot:manage', id);
    const set = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Partial<SequenceDoc>;
    const doc = await this.deps.projects.updateSequence(actor.studioId, current._id, set);
    if (!doc) throw SEQUENCE_NOT_FOUND();
    await this.deps.audit.record(actor, 'sequence.updated', 'sequence', doc._id, { changes: Object.keys(set) });
    return toSequenceDto(doc);
  }

  async listSequences(actor: Actor, projectId: string, q: { limit: number; cursor?: string }): Promise<Page<SequenceDto>> {
    const project = await this.require(actor, 'project:read', projectId);
    const page = await this.deps.projects.listSequences(actor.studioId, project._id, q);
    return { ...page, data: page.data.map(toSequenceDto) };
  }
}

export const projectEtag = (p: { _id: Types.ObjectId; revision: number }) => `"${String(p._id)}.${p.revision}"`;
