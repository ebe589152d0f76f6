// Tasks on assets and shots, the studio's task types and statuses, and the review workflow: a version
// submitted for a task puts it in WFA; the review decision on that version moves it to DONE or RETAKE.
import { Types } from 'mongoose';
import { AuthorizationError, ConflictError, DomainError, NotFoundError, PreconditionFailedError, ValidationError } from '../../shared/errors';
import { isDuplicateKey } from '../../infra/database/errors';
import type { AssetRepository } from '../repositories/AssetRepository';
import type { ShotRepository } from '../repositories/ShotRepository';
import type { ProjectRepository } from '../repositories/ProjectRepository';
import type { TaskListQuery, TaskRepository } from '../repositories/TaskRepository';
import { isServedTaskShape } from '../repositories/TaskRepository';
import { nameWords } from '../repositories/nameWords';
import type { VersionRepository } from '../repositories/VersionRepository';
import type { UserRepository } from '../repositories/UserRepository';
import { NO_DUE_DATE, type TaskDoc, type TaskEntity } from '../repositories/models/Task';
import { WORKFLOW_STATUSES, type TaskStatusDoc, type TaskTypeDoc, type TaskTypeFor } from '../repositories/models/TaskConfig';
import type { Page } from '../repositories/pagination';
import type { AccessService } from './AccessService';
import type { AuditService } from './AuditService';
import type { DomainEvents } from '../events';
import type { Actor } from './types';
import { toTaskDto, toTaskStatusDto, toTaskTypeDto, type AuditEventDto, type ReviewDto, type TaskDto, type TaskStatusDto, type TaskTypeDto, type WaitingReviewDto } from '../dto';

export interface CreateTask {
  entityType: TaskEntity;
  entityId: string;
  taskTypeId: string;
  name?: string;
  status?: string;
  assignees?: string[];
  reviewers?: string[];
  dueDate?: string | null;
  estimateHours?: number | null;
  priority?: number;
}
export type UpdateTask = Partial<Pick<CreateTask, 'name' | 'status' | 'assignees' | 'reviewers' | 'dueDate' | 'estimateHours' | 'priority'>>;

/** How many tasks one bulk edit may change (a page of the grid). */
export const BULK_TASK_LIMIT = 200;
export interface BulkUpdate {
  /** Each task with the revision the caller read: a task changed since is refused, not overwritten. */
  tasks: Array<{ id: string; revision: number }>;
  set: { status?: string; assignees?: string[] };
}
export interface BulkResult {
  results: Array<{ id: string; ok: true; task: TaskDto } | { id: string; ok: false; error: { code: string; message: string } }>;
  updated: number;
  failed: number;
}
/** What the caller may do with tasks: the same rules update() enforces (requireMove), for clients to show. */
export interface TaskPermissions {
  create: boolean;
  assign: boolean;
  anyStatus: boolean;
  ownStatus: boolean;
  ownMoves: Array<{ from: string; to: string[] }>;
  bulkLimit: number;
}

export const TASK_NOT_FOUND = () => new NotFoundError('TASK_NOT_FOUND', 'Task not found');
const CHANGED = () => new PreconditionFailedError('TASK_CHANGED', 'Task changed since you read it; reload and retry');
const valid = (id: string) => /^[a-f0-9]{24}$/i.test(id);

/** The moves an assignee without task:status:any may make on their own task. */
const OWN_MOVES: Record<string, readonly string[]> = {
  [WORKFLOW_STATUSES.todo]: [WORKFLOW_STATUSES.wip],
  [WORKFLOW_STATUSES.ready]: [WORKFLOW_STATUSES.wip],
  [WORKFLOW_STATUSES.retake]: [WORKFLOW_STATUSES.wip],
  [WORKFLOW_STATUSES.wip]: [WORKFLOW_STATUSES.waitingForApproval],
};

export class TaskService {
  private readonly seeded = new Set<string>();

  constructor(
    private readonly deps: {
      tasks: TaskRepository;
      assets: AssetRepository;
      shots: ShotRepository;
      projects: ProjectRepository;
      versions: VersionRepository;
      users: UserRepository;
      access: AccessService;
      audit: AuditService;
      events: DomainEvents;
    },
  ) {}

  /** The default statuses and types, inserted on a studio's first use (idempotent; remembered per process). */
  ensureConfig = async (studioId: string): Promise<void> => {
    if (this.seeded.has(studioId)) return;
    await this.deps.tasks.seedDefaults(studioId);
    this.seeded.add(studioId);
  };

  async require(actor: Actor, permission: Parameters<AccessService['require']>[1], id: string): Promise<TaskDoc> {
    this.deps.access.require(actor, permission);
    if (!valid(id)) throw TASK_NOT_FOUND();
    const task = await this.deps.tasks.findById(actor.studioId, id);
    if (!task) throw TASK_NOT_FOUND();
    return task;
  }

  // Configuration.
  async types(actor: Actor): Promise<{ data: TaskTypeDto[] }> {
    this.deps.access.require(actor, 'project:read');
    await this.ensureConfig(actor.studioId);
    return { data: (await this.deps.tasks.types(actor.studioId)).map(toTaskTypeDto) };
  }

  async statuses(actor: Actor): Promise<{ data: TaskStatusDto[] }> {
    this.deps.access.require(actor, 'project:read');
    await this.ensureConfig(actor.studioId);
    return { data: (await this.deps.tasks.statuses(actor.studioId)).map(toTaskStatusDto) };
  }

  async createType(actor: Actor, input: { name: string; color: string; order?: number; for?: TaskTypeFor }): Promise<TaskTypeDto> {
    this.deps.access.require(actor, 'tracking:configure');
    await this.ensureConfig(actor.studioId);
    const order = input.order ?? ((await this.deps.tasks.types(actor.studioId)).at(-1)?.order ?? 0) + 10;
    try {
      const doc = await this.deps.tasks.createType(actor.studioId, { name: input.name.trim(), color: input.color, order, for: input.for ?? 'BOTH' });
      await this.deps.audit.record(actor, 'task_type.created', 'task_type', doc._id, { name: doc.name });
      return toTaskTypeDto(doc);
    } catch (err) {
      if (isDuplicateKey(err)) throw new ConflictError('TASK_TYPE_NAME_TAKEN', 'A task type with this name already exists');
      throw err;
    }
  }

  async updateType(actor: Actor, id: string, input: Partial<Pick<TaskTypeDoc, 'name' | 'color' | 'order' | 'for'>>): Promise<TaskTypeDto> {
    this.deps.access.require(actor, 'tracking:configure');
    const current = valid(id) ? await this.deps.tasks.findType(actor.studioId, id) : null;
    if (!current) throw new NotFoundError('TASK_TYPE_NOT_FOUND', 'Task type not found');
    try {
      const doc = await this.deps.tasks.updateType(actor.studioId, current._id, stripUndefined(input));
      if (!doc) throw new NotFoundError('TASK_TYPE_NOT_FOUND', 'Task type not found');
      await this.deps.audit.record(actor, 'task_type.updated', 'task_type', doc._id, { changes: Object.keys(stripUndefined(input)) });
      return toTaskTypeDto(doc);
    } catch (err) {
      if (isDuplicateKey(err)) throw new ConflictError('TASK_TYPE_NAME_TAKEN', 'A task type with this name already exists');
      throw err;
    }
  }

  async createStatus(actor: Actor, input: { code: string; name: string; color: string; isDone?: boolean; order?: number }): Promise<TaskStatusDto> {
    this.deps.access.require(actor, 'tracking:configure');
    await this.ensureConfig(actor.studioId);
    const order = input.order ?? ((await this.deps.tasks.statuses(actor.studioId)).at(-1)?.order ?? 0) + 10;
    try {
      const doc = await this.deps.tasks.createStatus(actor.studioId, { code: input.code, name: input.name.trim(), color: input.color, isDone: input.isDone ?? false, order });
      await this.deps.audit.record(actor, 'task_status.created', 'task_status', doc._id, { code: doc.code });
      return toTaskStatusDto(doc);
    } catch (err) {
      if (isDuplicateKey(err)) throw new ConflictError('TASK_STATUS_CODE_TAKEN', 'A task status with this code already exists');
      throw err;
    }
  }

  async updateStatus(actor: Actor, id: string, input: Partial<Pick<TaskStatusDoc, 'name' | 'color' | 'isDone' | 'order'>>): Promise<TaskStatusDto> {
    this.deps.access.require(actor, 'tracking:configure');
    const current = valid(id) ? await this.deps.tasks.findStatus(actor.studioId, id) : null;
    if (!current) throw new NotFoundError('TASK_STATUS_NOT_FOUND', 'Task status not found');
    // The workflow relies on DONE counting as done and the others not.
    if (current.system && input.isDone !== undefined && input.isDone !== current.isDone) throw new ConflictError('TASK_STATUS_SYSTEM', `${current.code} is a workflow status: whether it counts as done is fixed`);
    const doc = await this.deps.tasks.updateStatus(actor.studioId, current._id, stripUndefined(input));
    if (!doc) throw new NotFoundError('TASK_STATUS_NOT_FOUND', 'Task status not found');
    await this.deps.audit.record(actor, 'task_status.updated', 'task_status', doc._id, { changes: Object.keys(stripUndefined(input)) });
    return toTaskStatusDto(doc);
  }

  // Tasks.
  async create(actor: Actor, input: CreateTask): Promise<TaskDto> {
    this.deps.access.require(actor, 'task:create');
    await this.ensureConfig(actor.studioId);
    const entity = await this.entity(actor, input.entityType, input.entityId);
    const type = valid(input.taskTypeId) ? await this.deps.tasks.findType(actor.studioId, input.taskTypeId) : null;
    if (!type) throw new NotFoundError('TASK_TYPE_NOT_FOUND', 'Task type not found');
    const status = input.status ?? WORKFLOW_STATUSES.todo;
    await this.requireStatus(actor.studioId, status);
    const assignees = await this.members(actor, input.assignees ?? []);
    const reviewers = await this.members(actor, input.reviewers ?? [], 'reviewers');
    const dueDate = input.dueDate ? new Date(input.dueDate) : null;
    let doc: TaskDoc;
    try {
      doc = await this.deps.tasks.create(actor.studioId, {
        projectId: entity.projectId,
        entityType: input.entityType,
        entityId: entity.id,
        assetId: entity.assetId,
        taskTypeId: type._id,
        name: input.name?.trim() || `${entity.label} ${type.name}`,
        status,
        assignees,
        reviewers,
        dueDate,
        dueSort: dueDate ?? NO_DUE_DATE,
        estimateHours: input.estimateHours ?? null,
        priority: input.priority ?? 0,
        createdBy: new Types.ObjectId(actor.id),
      });
    } catch (err) {
      if (isDuplicateKey(err)) throw new ConflictError('TASK_EXISTS', `This ${input.entityType.toLowerCase()} already has a ${type.name} task`);
      throw err;
    }
    const task = toTaskDto(doc);
    await this.deps.audit.record(actor, 'task.created', 'task', doc._id, { name: task.name, status, assignees: task.assignees });
    this.deps.events.emit('task.created', { studioId: actor.studioId, actorId: actor.id, task });
    if (task.assignees.length) this.deps.events.emit('task.assigned', { studioId: actor.studioId, actorId: actor.id, task, userIds: task.assignees });
    return task;
  }

  async get(actor: Actor, id: string): Promise<TaskDto> {
    return toTaskDto(await this.require(actor, 'project:read', id));
  }

  /** The task's audit trail, newest first: who assigned, moved, submitted and reviewed it. */
  async history(actor: Actor, id: string, page: { limit: number; cursor?: string }): Promise<Page<AuditEventDto>> {
    const task = await this.require(actor, 'project:read', id);
    return this.deps.audit.history(actor.studioId, 'task', String(task._id), page);
  }

  async list(actor: Actor, q: Omit<TaskListQuery, 'assignee'> & { assignee?: string }): Promise<Page<TaskDto>> {
    this.deps.access.require(actor, 'project:read');
    const query = { ...q, assignee: q.assignee === 'me' ? actor.id : q.assignee };
    if (!isServedTaskShape(query)) {
      throw new ValidationError('UNSUPPORTED_FILTER', 'This combination of filters is not served', {
        details: [{ path: 'query', message: 'filter by one of: assignee, assignee+status, status, taskTypeId, projectId, projectId+status, projectId+taskTypeId' }],
      });
    }
    const page = await this.deps.tasks.list(actor.studioId, query);
    return { ...page, data: page.data.map(toTaskDto) };
  }

  /**
   * The review queue of those who decide reviews: tasks waiting for approval with a submitted version,
   * oldest first, each with its project, shot or asset, the version and who submitted it.
   */
  async waitingForReview(actor: Actor, q: { limit: number; cursor?: string }): Promise<Page<WaitingReviewDto>> {
    this.deps.access.require(actor, 'review:decide');
    const page = await this.deps.tasks.waitingForReview(actor.studioId, q);
    const distinct = (ids: Types.ObjectId[]) => [...new Map(ids.map((i) => [String(i), i])).values()];
    const [projects, shots, assets, people] = await Promise.all([
      Promise.all(distinct(page.data.map((t) => t.projectId)).map((id) => this.deps.projects.findById(actor.studioId, id))),
      this.deps.shots.findMany(actor.studioId, distinct(page.data.filter((t) => t.entityType === 'SHOT').map((t) => t.entityId))),
      this.deps.assets.findMany(actor.studioId, distinct(page.data.map((t) => t.submission!.assetId))),
      Promise.all(distinct(page.data.map((t) => t.submission!.by)).map((id) => this.deps.users.findById(actor.studioId, id))),
    ]);
    const byId = <T extends { _id: Types.ObjectId }>(docs: Array<T | null>) => new Map(docs.filter((d): d is T => d !== null).map((d) => [String(d._id), d]));
    const [p, sh, as, u] = [byId(projects), byId(shots), byId(assets), byId(people)];
    const data = page.data.map((t): WaitingReviewDto => {
      const sub = t.submission!;
      const asset = as.get(String(sub.assetId));
      const project = p.get(String(t.projectId));
      const by = u.get(String(sub.by));
      const label = t.entityType === 'SHOT' ? (sh.get(String(t.entityId))?.code ?? t.name) : (asset?.name ?? t.name);
      return {
        task: toTaskDto(t),
        project: project ? { id: String(project._id), name: project.name } : null,
        entity: { type: t.entityType, id: String(t.entityId), label },
        assetId: String(sub.assetId),
        version: sub.version,
        latestVersion: asset?.latestVersion ?? null,
        submittedBy: by ? { id: String(by._id), name: by.name } : null,
        submittedAt: sub.at.toISOString(),
      };
    });
    return { ...page, data };
  }

  /** The caller's task permissions and the moves an assignee may make, from the rules update() applies. */
  permissions(actor: Actor): TaskPermissions {
    this.deps.access.require(actor, 'project:read');
    const can = (p: Parameters<AccessService['can']>[1]) => this.deps.access.can(actor, p);
    return {
      create: can('task:create'),
      assign: can('task:assign'),
      anyStatus: can('task:status:any'),
      ownStatus: can('task:status:own'),
      ownMoves: Object.entries(OWN_MOVES).map(([from, to]) => ({ from, to: [...to] })),
      bulkLimit: BULK_TASK_LIMIT,
    };
  }

  /**
   * One change (a status and/or assignees) to many tasks, each checked as update() checks it (its revision, who
   * may move it where) and answered on its own, so a refusal of some leaves the others done. What is wrong with
   * the request as a whole (an unknown status or member, assigning without the right, a task that is not the
   * studio's) refuses it all before anything changes.
   */
  async bulkUpdate(actor: Actor, input: BulkUpdate): Promise<BulkResult> {
    this.deps.access.require(actor, 'project:read');
    if (input.set.assignees !== undefined) this.deps.access.require(actor, 'task:assign');
    if (input.set.status !== undefined) await this.requireStatus(actor.studioId, input.set.status);
    const assignees = input.set.assignees === undefined ? undefined : await this.members(actor, input.set.assignees);
    const ids = input.tasks.map((t) => t.id);
    const found = new Map((await this.deps.tasks.findMany(actor.studioId, ids.filter(valid).map((i) => new Types.ObjectId(i)))).map((t) => [String(t._id), t]));
    const missing = ids.filter((i) => !found.has(i.toLowerCase()));
    if (missing.length) throw new NotFoundError('TASK_NOT_FOUND', missing.length === 1 ? 'One of the tasks was not found: nothing was changed' : `${missing.length} of the tasks were not found: nothing was changed`);
    const one = async (item: { id: string; revision: number }): Promise<BulkResult['results'][number]> => {
      const current = found.get(item.id.toLowerCase())!;
      try {
        if (current.revision !== item.revision) throw CHANGED();
        const set: Partial<TaskDoc> = {};
        let added: string[] = [];
        if (assignees) {
          set.assignees = assignees;
          const before = new Set(current.assignees.map(String));
          added = assignees.map(String).filter((a) => !before.has(a));
        }
        if (input.set.status !== undefined && input.set.status !== current.status) {
          this.requireMove(actor, current, input.set.status);
          set.status = input.set.status;
        }
        return { id: String(current._id), ok: true, task: await this.apply(actor, current, set, 'edit', added) };
      } catch (err) {
        // A refusal of this task (its revision, its move) is its result; anything else fails the request.
        if (err instanceof DomainError && err.status < 500) return { id: String(current._id), ok: false, error: { code: err.code, message: err.message } };
        throw err;
      }
    };
    // A few at a time: each is a conditional write, an audit record and its events.
    const results: BulkResult['results'] = new Array(input.tasks.length);
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(4, input.tasks.length) }, async () => {
      for (let i = next++; i < input.tasks.length; i = next++) results[i] = await one(input.tasks[i]!);
    }));
    const updated = results.filter((r) => r.ok).length;
    return { results, updated, failed: results.length - updated };
  }

  async update(actor: Actor, id: string, input: UpdateTask, ifMatch?: string): Promise<TaskDto> {
    const current = await this.require(actor, 'project:read', id);
    if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== taskEtag(current)) throw CHANGED();
    const set: Partial<TaskDoc> = {};
    const planning = (['name', 'assignees', 'reviewers', 'dueDate', 'estimateHours', 'priority'] as const).filter((k) => input[k] !== undefined);
    if (planning.length) this.deps.access.require(actor, 'task:assign');
    if (input.name !== undefined) set.name = input.name.trim();
    if (input.name !== undefined) set.nameLower = input.name.trim().toLowerCase();
    if (input.name !== undefined) set.nameWords = nameWords(input.name);
    if (input.dueDate !== undefined) {
      set.dueDate = input.dueDate ? new Date(input.dueDate) : null;
      set.dueSort = set.dueDate ?? NO_DUE_DATE;
    }
    if (input.estimateHours !== undefined) set.estimateHours = input.estimateHours;
    if (input.priority !== undefined) set.priority = input.priority;
    if (input.reviewers !== undefined) set.reviewers = await this.members(actor, input.reviewers, 'reviewers');
    let added: string[] = [];
    if (input.assignees !== undefined) {
      set.assignees = await this.members(actor, input.assignees);
      const before = new Set(current.assignees.map(String));
      added = set.assignees.map(String).filter((a) => !before.has(a));
    }
    if (input.status !== undefined && input.status !== current.status) {
      await this.requireStatus(actor.studioId, input.status);
      this.requireMove(actor, current, input.status);
      set.status = input.status;
    }
    return this.apply(actor, current, set, 'edit', added);
  }

  /** Submits a version of the task's asset (or the shot's) for review: the task waits for approval. */
  async submit(actor: Actor, id: string, version: number, note?: string): Promise<TaskDto> {
    const current = await this.require(actor, 'task:submit', id);
    if (!this.deps.access.can(actor, 'task:status:any') && !current.assignees.some((a) => String(a) === actor.id)) {
      throw new AuthorizationError('NOT_ASSIGNED', 'Only the task\'s assignees (or a DIRECTOR or PRODUCER) may submit for it');
    }
    if (!(await this.deps.versions.findOne(actor.studioId, current.assetId, version))) throw new NotFoundError('VERSION_NOT_FOUND', 'Version not found');
    await this.requireStatus(actor.studioId, WORKFLOW_STATUSES.waitingForApproval);
    const submission = { assetId: current.assetId, version, by: new Types.ObjectId(actor.id), at: new Date() };
    return this.apply(actor, current, { submission, status: WORKFLOW_STATUSES.waitingForApproval }, 'submission', [], { version, note: note ?? '' }, true);
  }

  /**
   * A review decision moves the tasks its version was submitted for: APPROVED → DONE,
   * CHANGES_REQUESTED → RETAKE, as the decider, audited and announced like any other change.
   */
  async onReviewDecided(e: { studioId: string; actorId: string; review: ReviewDto }): Promise<void> {
    const target = e.review.decision === 'APPROVED' ? WORKFLOW_STATUSES.done : WORKFLOW_STATUSES.retake;
    const actor = { studioId: e.studioId, id: e.actorId, role: 'DIRECTOR' as const };
    for (const task of await this.deps.tasks.submittedWith(e.studioId, e.review.assetId, e.review.version)) {
      let current: TaskDoc | null = task;
      // A concurrent edit moves the revision on: read again and retry (the decision still applies).
      for (let attempt = 0; current && attempt < 5; attempt++) {
        try {
          await this.apply(actor, current, { status: target }, 'review', [], { version: e.review.version, decision: e.review.decision, reviewId: e.review.id });
          break;
        } catch (err) {
          if (!(err instanceof PreconditionFailedError)) throw err;
          current = await this.deps.tasks.findById(e.studioId, task._id);
        }
      }
    }
  }

  private async apply(actor: Actor, current: TaskDoc, set: Partial<TaskDoc>, reason: 'edit' | 'submission' | 'review', added: string[], details: Record<string, unknown> = {}, always = false): Promise<TaskDto> {
    const changes = Object.keys(set).filter((k) => k !== 'nameLower' && k !== 'nameWords' && k !== 'dueSort' && (always || JSON.stringify((set as Record<string, unknown>)[k]) !== JSON.stringify((current as unknown as Record<string, unknown>)[k])));
    if (changes.length === 0) return toTaskDto(current);
    const doc = await this.deps.tasks.update(actor.studioId, current._id, current.revision, set);
    if (!doc) throw CHANGED();
    const task = toTaskDto(doc);
    const from = set.status !== undefined && set.status !== current.status ? current.status : undefined;
    await this.deps.audit.record(actor, reason === 'edit' ? 'task.updated' : reason === 'submission' ? 'task.submitted' : 'task.reviewed', 'task', doc._id, { changes, ...(from ? { from, to: doc.status } : {}), ...details });
    this.deps.events.emit('task.updated', { studioId: actor.studioId, actorId: actor.id, task, changes, ...(from ? { from } : {}), reason });
    if (added.length) this.deps.events.emit('task.assigned', { studioId: actor.studioId, actorId: actor.id, task, userIds: added });
    return task;
  }

  /** DIRECTORs and PRODUCERs set any status; an assignee moves their own task TODO/READY/RETAKE → WIP → WFA. */
  private requireMove(actor: Actor, task: TaskDoc, to: string): void {
    if (this.deps.access.can(actor, 'task:status:any')) return;
    this.deps.access.require(actor, 'task:status:own');
    if (!task.assignees.some((a) => String(a) === actor.id)) throw new AuthorizationError('NOT_ASSIGNED', 'You may only move tasks assigned to you');
    if (!(OWN_MOVES[task.status] ?? []).includes(to)) throw new AuthorizationError('TASK_TRANSITION_FORBIDDEN', `Your role may not move a task from ${task.status} to ${to}`);
  }

  private async requireStatus(studioId: string, code: string): Promise<void> {
    await this.ensureConfig(studioId);
    if (!(await this.deps.tasks.statuses(studioId)).some((s) => s.code === code)) {
      throw new ValidationError('VALIDATION_FAILED', 'Unknown task status', { details: [{ path: 'status', message: `${code} is not one of your studio's task statuses` }] });
    }
  }

  private async members(actor: Actor, ids: string[], field: 'assignees' | 'reviewers' = 'assignees'): Promise<Types.ObjectId[]> {
    const wanted = [...new Set(ids)];
    const owned = await this.deps.users.ownedIds(actor.studioId, wanted);
    const missing = wanted.filter((m) => !owned.has(m));
    if (missing.length) throw new ValidationError('VALIDATION_FAILED', `Unknown ${field}`, { details: missing.map((m) => ({ path: field, message: `${m} is not a member of your studio` })) });
    return wanted.map((m) => new Types.ObjectId(m));
  }

  private async entity(actor: Actor, type: TaskEntity, id: string): Promise<{ id: Types.ObjectId; projectId: Types.ObjectId; assetId: Types.ObjectId; label: string }> {
    if (type === 'SHOT') {
      const shot = valid(id) ? await this.deps.shots.findById(actor.studioId, id) : null;
      if (!shot || !shot.assetId) throw new NotFoundError('SHOT_NOT_FOUND', 'Shot not found');
      return { id: shot._id, projectId: shot.projectId, assetId: shot.assetId, label: shot.code };
    }
    const asset = valid(id) ? await this.deps.assets.findById(actor.studioId, id) : null;
    // A shot's backing asset is the shot's business: its tasks hang on the shot.
    if (!asset || asset.shotId) throw new NotFoundError('ASSET_NOT_FOUND', 'Asset not found');
    const projectId = asset.projectId ?? (await this.deps.projects.ensureDefault(actor.studioId))._id;
    return { id: asset._id, projectId, assetId: asset._id, label: asset.name };
  }
}

export const taskEtag = (t: { _id: Types.ObjectId; revision: number }) => `"${String(t._id)}.${t.revision}"`;

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
