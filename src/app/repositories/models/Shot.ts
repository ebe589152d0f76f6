// A shot: a cut range of a sequence. Its versions, reviews and renders live on a backing asset (assetId,
// an Asset with shotId set, hidden from the asset list), so there is one implementation of each.
import { Schema, type Types } from 'mongoose';
import { rationalSchema, type Rational } from './Project';
import { NO_DUE_DATE } from './Task';

export const SHOT_STATUSES = ['ACTIVE', 'OMITTED'] as const;
export type ShotStatus = (typeof SHOT_STATUSES)[number];

export interface ShotDoc {
  _id: Types.ObjectId;
  studioId: Types.ObjectId;
  projectId: Types.ObjectId;
  sequenceId: Types.ObjectId;
  episodeId: Types.ObjectId | null;
  code: string;
  codeLower: string;
  /** Position in the project's cut (the editorial import numbers shots by their record position). */
  cutOrder: number;
  /** Source frames, inclusive: the shot's working range. */
  frameIn: number;
  frameOut: number;
  /** Where the shot sits in the edit (record range, inclusive), when it came from a timeline. */
  recordIn: number | null;
  recordOut: number | null;
  /** Overrides of the project's handles and rate; null means the project's. */
  handles: number | null;
  fps: Rational | null;
  description: string;
  status: ShotStatus;
  assetId: Types.ObjectId | null;
  /**
   * Sort keys of the shot grid, kept by GridSortKeys so that sorting by them is an index scan: the backing
   * asset's latest version number, and the earliest due date of the shot's open tasks (NO_DUE_DATE if none).
   */
  latestVersion: number;
  dueSort: Date;
  createdBy: Types.ObjectId | null;
  revision: number;
  createdAt: Date;
  updatedAt: Date;
}

export const shotSchema = new Schema<ShotDoc>(
  {
    studioId: { type: Schema.Types.ObjectId, required: true },
    projectId: { type: Schema.Types.ObjectId, required: true },
    sequenceId: { type: Schema.Types.ObjectId, required: true },
    episodeId: { type: Schema.Types.ObjectId, default: null },
    code: { type: String, required: true, maxlength: 80 },
    codeLower: { type: String, required: true, maxlength: 80 },
    cutOrder: { type: Number, required: true },
    frameIn: { type: Number, required: true },
    frameOut: { type: Number, required: true },
    recordIn: { type: Number, default: null },
    recordOut: { type: Number, default: null },
    handles: { type: Number, default: null },
    fps: { type: rationalSchema, default: null },
    description: { type: String, default: '', maxlength: 5000 },
    status: { type: String, enum: SHOT_STATUSES, default: 'ACTIVE' },
    assetId: { type: Schema.Types.ObjectId, default: null },
    latestVersion: { type: Number, default: 0 },
    dueSort: { type: Date, default: NO_DUE_DATE },
    createdBy: { type: Schema.Types.ObjectId, default: null },
    revision: { type: Number, default: 1 },
  },
  { timestamps: true, versionKey: false, collection: 'shots' },
);
// (project, code) is the editorial import's upsert key; the two cut-order listings; code-prefix search.
shotSchema.index({ studioId: 1, projectId: 1, codeLower: 1 }, { unique: true });
shotSchema.index({ studioId: 1, sequenceId: 1, cutOrder: 1, _id: 1 });
shotSchema.index({ studioId: 1, projectId: 1, cutOrder: 1, _id: 1 });
shotSchema.index({ studioId: 1, codeLower: 1, _id: 1 });
// The grid's other orders (GRID_SORTS), each within a project: by code (and a code-prefix search), by latest
// version, by next due date; each counts its rows and finds a row's position from the same index.
shotSchema.index({ studioId: 1, projectId: 1, codeLower: 1, _id: 1 });
shotSchema.index({ studioId: 1, projectId: 1, latestVersion: 1, _id: 1 });
shotSchema.index({ studioId: 1, projectId: 1, dueSort: 1, _id: 1 });
