// A production of a studio (a show, a film): its assets, sequences, shots and tasks hang off it.
import { Schema, type Types } from 'mongoose';

export const PROJECT_STATUSES = ['ACTIVE', 'CLOSED'] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];
/** The code of the project every studio has, which takes assets created without a project. */
export const DEFAULT_PROJECT_CODE = 'DEFAULT';

/** A frame rate as a fraction (24000/1001), never a rounded float: 23.976 drifts a frame every ~17 minutes. */
export interface Rational {
  num: number;
  den: number;
}

export const rationalSchema = new Schema<Rational>({ num: { type: Number, required: true }, den: { type: Number, required: true } }, { _id: false });

export interface ProjectDoc {
  _id: Types.ObjectId;
  studioId: Types.ObjectId;
  name: string;
  nameLower: string;
  /** The name's words for word-prefix search (nameWords.ts); absent on documents stored before the migration ran. */
  nameWords?: string[];
  code: string;
  codeLower: string;
  isDefault: boolean;
  fps: Rational;
  resolution: { width: number; height: number };
  /** Frames of handle on each side of a shot's cut range, unless the shot says otherwise. */
  handles: number;
  status: ProjectStatus;
  members: Types.ObjectId[];
  createdBy: Types.ObjectId | null;
  revision: number;
  createdAt: Date;
  updatedAt: Date;
}

export const projectSchema = new Schema<ProjectDoc>(
  {
    studioId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true, maxlength: 200 },
    nameLower: { type: String, required: true, maxlength: 200 },
    nameWords: { type: [String], default: undefined },
    code: { type: String, required: true, maxlength: 40 },
    codeLower: { type: String, required: true, maxlength: 40 },
    isDefault: { type: Boolean, default: false },
    fps: { type: rationalSchema, required: true },
    resolution: { width: { type: Number, required: true }, height: { type: Number, required: true } },
    handles: { type: Number, default: 0 },
    status: { type: String, enum: PROJECT_STATUSES, default: 'ACTIVE' },
    members: { type: [Schema.Types.ObjectId], default: [] },
    createdBy: { type: Schema.Types.ObjectId, default: null },
    revision: { type: Number, default: 1 },
  },
  { timestamps: true, versionKey: false, collection: 'projects' },
);
// Unique code per studio (also the code-prefix search); list by name, optionally by status.
projectSchema.index({ studioId: 1, codeLower: 1 }, { unique: true });
projectSchema.index({ studioId: 1, nameLower: 1, _id: 1 });
projectSchema.index({ studioId: 1, status: 1, nameLower: 1, _id: 1 });
// Word-prefix search by name (multikey).
projectSchema.index({ studioId: 1, nameWords: 1, _id: 1 });
