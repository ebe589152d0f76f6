// A studio's task types (modeling, animation, comp…) and task statuses (TODO … DONE), with defaults.
import { Schema, type Types } from 'mongoose';

export const TASK_TYPE_FOR = ['ASSET', 'SHOT', 'BOTH'] as const;
export type TaskTypeFor = (typeof TASK_TYPE_FOR)[number];

export interface TaskTypeDoc {
  _id: Types.ObjectId;
  studioId: Types.ObjectId;
  name: string;
  nameLower: string;
  color: string;
  order: number;
  for: TaskTypeFor;
  createdAt: Date;
  updatedAt: Date;
}

export const taskTypeSchema = new Schema<TaskTypeDoc>(
  {
    studioId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true, maxlength: 80 },
    nameLower: { type: String, required: true, maxlength: 80 },
    color: { type: String, required: true, maxlength: 7 },
    order: { type: Number, required: true },
    for: { type: String, enum: TASK_TYPE_FOR, default: 'BOTH' },
  },
  { timestamps: true, versionKey: false, collection: 'task_types' },
);
taskTypeSchema.index({ studioId: 1, nameLower: 1 }, { unique: true });
taskTypeSchema.index({ studioId: 1, order: 1, _id: 1 });

/** Statuses the workflow itself moves tasks to; studios may recolour and rename them, not remove them. */
export const WORKFLOW_STATUSES = { todo: 'TODO', ready: 'READY', wip: 'WIP', waitingForApproval: 'WFA', retake: 'RETAKE', done: 'DONE' } as const;

export interface TaskStatusDoc {
  _id: Types.ObjectId;
  studioId: Types.ObjectId;
  code: string;
  name: string;
  color: string;
  isDone: boolean;
  order: number;
  system: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export const taskStatusSchema = new Schema<TaskStatusDoc>(
  {
    studioId: { type: Schema.Types.ObjectId, required: true },
    code: { type: String, required: true, maxlength: 20 },
    name: { type: String, required: true, maxlength: 80 },
    color: { type: String, required: true, maxlength: 7 },
    isDone: { type: Boolean, default: false },
    order: { type: Number, required: true },
    system: { type: Boolean, default: false },
  },
  { timestamps: true, versionKey: false, collection: 'task_statuses' },
);
taskStatusSchema.index({ studioId: 1, code: 1 }, { unique: true });
taskStatusSchema.index({ studioId: 1, order: 1, _id: 1 });

export const DEFAULT_TASK_STATUSES: Array<Pick<TaskStatusDoc, 'code' | 'name' | 'color' | 'isDone'>> = [
  { code: 'TODO', name: 'To do', color: '#9e9e9e', isDone: false },
  { code: 'READY', name: 'Ready to start', color: '#2196f3', isDone: false },
  { code: 'WIP', name: 'Work in progress', color: '#ff9800', isDone: false },
  { code: 'WFA', name: 'Waiting for approval', color: '#ab47bc', isDone: false },
  { code: 'RETAKE', name: 'Retake', color: '#f44336', isDone: false },
  { code: 'DONE', name: 'Done', color: '#4caf50', isDone: true },
];

export const DEFAULT_TASK_TYPES: Array<Pick<TaskTypeDoc, 'name' | 'color' | 'for'>> = [
  { name: 'Modeling', color: '#78909c', for: 'ASSET' },
  { name: 'Rigging', color: '#8d6e63', for: 'ASSET' },
  { name: 'Layout', color: '#5c6bc0', for: 'SHOT' },
  { name: 'Animation', color: '#26a69a', for: 'SHOT' },
  { name: 'Lighting', color: '#ffca28', for: 'SHOT' },
  { name: 'Compositing', color: '#ec407a', for: 'SHOT' },
];
