// A unit of work on an asset or a shot: one per (entity, task type), with a status from the studio's list.
import { Schema, type Types } from 'mongoose';

export const TASK_ENTITIES = ['ASSET', 'SHOT'] as const;
export type TaskEntity = (typeof TASK_ENTITIES)[number];
/** Sort key of a task without a due date: after every dated one. */
export const NO_DUE_DATE = new Date('9999-12-31T00:00:00.000Z');

export interface TaskSubmission {
  assetId: Types.ObjectId;
  version: number;
  by: Types.ObjectId;
  at: Date;
}

export interface TaskDoc {
  _id: Types.ObjectId;
  studioId: Types.ObjectId;
  projectId: Types.ObjectId;
  entityType: TaskEntity;
  /** The asset or the shot. */
  entityId: Types.ObjectId;
  /** The asset whose versions are submitted for this task: the asset itself, or the shot's backing asset. */
  assetId: Types.ObjectId;
  taskTypeId: Types.ObjectId;
  name: string;
  nameLower: string;
  /** The name's words for word-prefix search (nameWords.ts); absent on documents stored before the migration ran. */
  nameWords?: string[];
  /** A code of the studio's task statuses. */
  status: string;
  assignees: Types.ObjectId[];
  /** Who is told when a version is submitted for review; none: the studio's DIRECTORs. */
  reviewers: Types.ObjectId[];
  dueDate: Date | null;
  /** dueDate, or NO_DUE_DATE: "my tasks by due date" sorts undated tasks last with one index. */
  dueSort: Date;
  estimateHours: number | null;
  /** 0 normal, 1 high, 2 very high, 3 emergency. */
  priority: number;
  submission: TaskSubmission | null;
  createdBy: Types.ObjectId | null;
  revision: number;
  createdAt: Date;
  updatedAt: Date;
}

export const taskSchema = new Schema<TaskDoc>(
  {
    studioId: { type: Schema.Types.ObjectId, required: true },
    projectId: { type: Schema.Types.ObjectId, required: true },
    entityType: { type: String, enum: TASK_ENTITIES, required: true },
    entityId: { type: Schema.Types.ObjectId, required: true },
    assetId: { type: Schema.Types.ObjectId, required: true },
    taskTypeId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true, maxlength: 200 },
    nameLower: { type: String, required: true, maxlength: 200 },
    nameWords: { type: [String], default: undefined },
    status: { type: String, required: true, maxlength: 20 },
    assignees: { type: [Schema.Types.ObjectId], default: [] },
    reviewers: { type: [Schema.Types.ObjectId], default: [] },
    dueDate: { type: Date, default: null },
    dueSort: { type: Date, required: true },
    estimateHours: { type: Number, default: null },
    priority: { type: Number, default: 0 },
    submission: {
      type: new Schema<TaskSubmission>({ assetId: Schema.Types.ObjectId, version: Number, by: Schema.Types.ObjectId, at: Date }, { _id: false }),
      default: null,
    },
    createdBy: { type: Schema.Types.ObjectId, default: null },
    revision: { type: Number, default: 1 },
  },
  { timestamps: true, versionKey: false, collection: 'tasks' },
);
// One task per type on an entity; also the grid's read of a page of shots' tasks ({entityId: {$in}}).
taskSchema.index({ studioId: 1, entityId: 1, taskTypeId: 1 }, { unique: true });
// The list shapes of GET /tasks (TASK_LIST_SHAPES), each sorted by due date.
taskSchema.index({ studioId: 1, dueSort: 1, _id: 1 });
taskSchema.index({ studioId: 1, assignees: 1, dueSort: 1, _id: 1 });
taskSchema.index({ studioId: 1, assignees: 1, status: 1, dueSort: 1, _id: 1 });
taskSchema.index({ studioId: 1, status: 1, dueSort: 1, _id: 1 });
taskSchema.index({ studioId: 1, taskTypeId: 1, dueSort: 1, _id: 1 });
taskSchema.index({ studioId: 1, projectId: 1, dueSort: 1, _id: 1 });
taskSchema.index({ studioId: 1, projectId: 1, status: 1, dueSort: 1, _id: 1 });
taskSchema.index({ studioId: 1, projectId: 1, taskTypeId: 1, dueSort: 1, _id: 1 });
// A review decision finds the tasks its version was submitted for.
taskSchema.index({ studioId: 1, 'submission.assetId': 1, 'submission.version': 1 });
// The review queue: waiting for approval, oldest submission first (TaskRepository.waitingForReviewQuery).
taskSchema.index({ studioId: 1, status: 1, 'submission.at': 1, _id: 1 });
// Word-prefix search by name (multikey).
taskSchema.index({ studioId: 1, nameWords: 1, _id: 1 });
