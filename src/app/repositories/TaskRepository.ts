// Tasks, task types and task statuses of a studio. Every method takes the studioId it is scoped to.
import { Types, type QueryFilter } from 'mongoose';
import type { Models } from './models';
import type { TaskDoc } from './models/Task';
import { DEFAULT_TASK_STATUSES, DEFAULT_TASK_TYPES, WORKFLOW_STATUSES, type TaskStatusDoc, type TaskTypeDoc } from './models/TaskConfig';
import { toPage, type Page } from './pagination';
import { findOwned } from './owned';
import { listPage, listShape, type ListShape } from './listing';
import { nameWords, nameWordsQuery } from './nameWords';
import { isDuplicateKey } from '../../infra/database/errors';
import type { StudioId } from './AssetRepository';
import { IN_BATCH, inBatches } from './batches';

export type TaskSummary = Pick<TaskDoc, '_id' | 'entityId' | 'name' | 'status'>;

export interface TaskListQuery {
  limit: number;
  cursor?: string;
  assignee?: string;
  status?: string;
  taskTypeId?: string;
  projectId?: string;
}

/**
 * The filter combinations GET /tasks serves, each from its own index (Task.ts), all sorted by due date.
 * Anything else is refused with 400 rather than answered by a scan.
 */
export const TASK_LIST_SHAPES: ReadonlyArray<ReadonlyArray<keyof TaskListQuery>> = [[], ['assignee'], ['assignee', 'status'], ['status'], ['taskTypeId'], ['projectId'], ['projectId', 'status'], ['projectId', 'taskTypeId']];

export function isServedTaskShape(q: Partial<TaskListQuery>): boolean {
  const given = (['assignee', 'status', 'taskTypeId', 'projectId'] as const).filter((k) => q[k] !== undefined).sort();
  return TASK_LIST_SHAPES.some((shape) => [...shape].sort().join() === given.join());
}

export function taskListQuery(studioId: StudioId, q: TaskListQuery): ListShape<TaskDoc> {
  const eq: QueryFilter<TaskDoc> = {
    studioId,
    ...(q.assignee ? { assignees: new Types.ObjectId(q.assignee) } : {}),
    ...(q.status ? { status: q.status } : {}),
    ...(q.taskTypeId ? { taskTypeId: new Types.ObjectId(q.taskTypeId) } : {}),
    ...(q.projectId ? { projectId: new Types.ObjectId(q.projectId) } : {}),
  };
  return listShape<TaskDoc>(eq, 'dueSort', 'asc', q.cursor);
}

/** The epoch: every submission is after it, so the range keeps tasks moved to WFA without a submission out of the queue. */
const EVER = new Date(0);

/**
 * The review queue: tasks waiting for approval with a submitted version, oldest submission first. The range
 * on submission.at is on the index's sort key (after studioId and status), so it bounds the same scan.
 */
export function waitingForReviewQuery(studioId: StudioId, cursor?: string): ListShape<TaskDoc> {
  return listShape<TaskDoc>({ studioId, status: WORKFLOW_STATUSES.waitingForApproval, 'submission.at': { $gte: EVER } } as QueryFilter<TaskDoc>, 'submission.at', 'asc', cursor);
}

export type NewTask = Omit<TaskDoc, '_id' | 'studioId' | 'nameLower' | 'revision' | 'createdAt' | 'updatedAt' | 'submission'>;

export class TaskRepository {
  constructor(private readonly models: Models) {}

  async create(studioId: StudioId, t: NewTask): Promise<TaskDoc> {
    return (await this.models.Task.create({ ...t, studioId, nameLower: t.name.toLowerCase(), nameWords: nameWords(t.name), submission: null })).toObject();
  }

  findById(studioId: StudioId, id: Types.ObjectId | string): Promise<TaskDoc | null> {
    return findOwned(this.models.Task, studioId, id);
  }

  update(studioId: StudioId, id: Types.ObjectId, revision: number, set: Partial<TaskDoc>): Promise<TaskDoc | null> {
    return this.models.Task.findOneAndUpdate({ _id: id, studioId, revision }, { $set: set, $inc: { revision: 1 } }, { returnDocument: 'after' })
      .lean<TaskDoc>()
      .exec();
  }

  list(studioId: StudioId, q: TaskListQuery): Promise<Page<TaskDoc>> {
    return listPage(this.models.Task, taskListQuery(studioId, q), { limit: q.limit, order: 'asc' });
  }

  /** A page of the review queue (waitingForReviewQuery). */
  async waitingForReview(studioId: StudioId, q: { limit: number; cursor?: string }): Promise<Page<TaskDoc>> {
    const shape = waitingForReviewQuery(studioId, q.cursor);
    const rows = await this.models.Task.find(shape.filter).sort(shape.sort).limit(q.limit + 1).lean<TaskDoc[]>().exec();
    // The sort key is nested, so the cursor's value is read from the submission (listPage reads top-level fields).
    return toPage(rows, { limit: q.limit, order: 'asc' }, shape.field, (r) => r.submission?.at ?? null, (r) => r);
  }

  /** Many tasks by _id alone (as findOwned), the studio checked here: a bulk edit's tasks. */
  async findMany(studioId: StudioId, ids: Types.ObjectId[]): Promise<TaskDoc[]> {
    if (ids.length === 0) return [];
    const docs = await this.models.Task.find({ _id: { $in: ids } }).lean<TaskDoc[]>().exec();
    return docs.filter((d) => String(d.studioId) === String(studioId));
  }

  /** The tasks of a set of entities (a page of the grid): one query on the {studioId, entityId, taskTypeId} index. */
  ofEntities(studioId: StudioId, entityIds: Types.ObjectId[]): Promise<TaskDoc[]> {
    if (entityIds.length === 0) return Promise.resolve([]);
    return this.models.Task.find({ studioId, entityId: { $in: entityIds } }).lean<TaskDoc[]>().exec();
  }

  /** id, name and status of every task of many entities (what an editorial re-time affects), in `$in` batches. */
  summariesOfEntities(studioId: StudioId, entityIds: Types.ObjectId[]): Promise<TaskSummary[]> {
    return inBatches(entityIds, (batch) =>
      this.models.Task.find({ studioId, entityId: { $in: batch } }, { entityId: 1, name: 1, status: 1 })
        .batchSize(IN_BATCH)
        .lean<TaskSummary[]>()
        .exec(),
    );
  }

  /** Tasks whose latest submission is this version. */
  submittedWith(studioId: StudioId, assetId: Types.ObjectId | string, version: number): Promise<TaskDoc[]> {
    return this.models.Task.find({ studioId, 'submission.assetId': new Types.ObjectId(String(assetId)), 'submission.version': version }).limit(100).lean<TaskDoc[]>().exec();
  }

  /** Tasks whose name has words starting with each of `words` (queryWords): one range of {studioId, nameWords}. */
  async search(studioId: StudioId, words: string[], limit: number): Promise<TaskDoc[]> {
    if (words.length === 0) return [];
    return this.models.Task.find(nameWordsQuery<TaskDoc>({ studioId }, words)).limit(limit).lean<TaskDoc[]>().exec();
  }

  // Task types and statuses: small per-studio lists (bounded reads), seeded with defaults on first use.
  types(studioId: StudioId): Promise<TaskTypeDoc[]> {
    return this.models.TaskType.find({ studioId }).sort({ order: 1, _id: 1 }).limit(500).lean<TaskTypeDoc[]>().exec();
  }

  statuses(studioId: StudioId): Promise<TaskStatusDoc[]> {
    return this.models.TaskStatus.find({ studioId }).sort({ order: 1, _id: 1 }).limit(200).lean<TaskStatusDoc[]>().exec();
  }

  findType(studioId: StudioId, id: Types.ObjectId | string): Promise<TaskTypeDoc | null> {
    return findOwned(this.models.TaskType, studioId, id);
  }

  findStatus(studioId: StudioId, id: Types.ObjectId | string): Promise<TaskStatusDoc | null> {
    return findOwned(this.models.TaskStatus, studioId, id);
  }

  async createType(studioId: StudioId, t: Pick<TaskTypeDoc, 'name' | 'color' | 'order' | 'for'>): Promise<TaskTypeDoc> {
    return (await this.models.TaskType.create({ ...t, studioId, nameLower: t.name.toLowerCase() })).toObject();
  }

  updateType(studioId: StudioId, id: Types.ObjectId, set: Partial<TaskTypeDoc>): Promise<TaskTypeDoc | null> {
    return this.models.TaskType.findOneAndUpdate({ _id: id, studioId }, { $set: { ...set, ...(set.name ? { nameLower: set.name.toLowerCase() } : {}) } }, { returnDocument: 'after' }).lean<TaskTypeDoc>().exec();
  }

  async createStatus(studioId: StudioId, s: Pick<TaskStatusDoc, 'code' | 'name' | 'color' | 'isDone' | 'order'>): Promise<TaskStatusDoc> {
    return (await this.models.TaskStatus.create({ ...s, studioId, system: false })).toObject();
  }

  updateStatus(studioId: StudioId, id: Types.ObjectId, set: Partial<TaskStatusDoc>): Promise<TaskStatusDoc | null> {
    return this.models.TaskStatus.findOneAndUpdate({ _id: id, studioId }, { $set: set }, { returnDocument: 'after' }).lean<TaskStatusDoc>().exec();
  }

  /**
   * Inserts the default statuses and types a studio lacks: upserts keyed by the unique {studio, code} and
   * {studio, name}, so concurrent first uses converge. Types are only seeded while the studio has none.
   */
  async seedDefaults(studioId: StudioId): Promise<void> {
    const sid = new Types.ObjectId(String(studioId));
    const now = new Date();
    const system = new Set<string>(Object.values(WORKFLOW_STATUSES));
    const swallowDuplicate = (err: unknown) => {
      if (!isDuplicateKey(err)) throw err;
    };
    await Promise.all(
      DEFAULT_TASK_STATUSES.map((s, i) =>
        this.models.TaskStatus.collection
          .updateOne({ studioId: sid, code: s.code }, { $setOnInsert: { ...s, studioId: sid, order: (i + 1) * 10, system: system.has(s.code), createdAt: now, updatedAt: now } }, { upsert: true })
          .catch(swallowDuplicate),
      ),
    );
    if ((await this.models.TaskType.countDocuments({ studioId: sid }).exec()) > 0) return;
    await Promise.all(
      DEFAULT_TASK_TYPES.map((t, i) =>
        this.models.TaskType.collection
          .updateOne({ studioId: sid, nameLower: t.name.toLowerCase() }, { $setOnInsert: { ...t, studioId: sid, nameLower: t.name.toLowerCase(), order: (i + 1) * 10, createdAt: now, updatedAt: now } }, { upsert: true })
          .catch(swallowDuplicate),
      ),
    );
  }
}
