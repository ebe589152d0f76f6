// An asset of a studio: the unit that carries versions, reviews and renders.
import { Schema, type Types } from 'mongoose';

export const ASSET_TYPES = ['CHARACTER', 'PROP', 'ENVIRONMENT', 'SET', 'SHOT', 'ANIMATION', 'RIG', 'TEXTURE', 'AUDIO', 'OTHER'] as const;
export const ASSET_STATUSES = ['IN_PROGRESS', 'PENDING_REVIEW', 'APPROVED', 'CHANGES_REQUESTED'] as const;
export type AssetType = (typeof ASSET_TYPES)[number];
export type AssetStatus = (typeof ASSET_STATUSES)[number];

export interface AssetDoc {
  _id: Types.ObjectId;
  studioId: Types.ObjectId;
  name: string;
  /** Lower-cased name: case-insensitive uniqueness, prefix search and sorting without collations. */
  nameLower: string;
  /** The name's words for word-prefix search (nameWords.ts); absent on assets stored before the migration ran. */
  nameWords?: string[];
  type: AssetType;
  description: string;
  tags: string[];
  status: AssetStatus;
  currentVersion: number | null;
  latestVersion: number;
  createdBy: Types.ObjectId;
  updatedBy: Types.ObjectId;
  archivedAt: Date | null;
  /** When its versions were purged (AssetPurgeService); set on archived assets only. */
  purgedAt?: Date | null;
  /** The project the asset belongs to (the studio's default project unless one was named). */
  projectId: Types.ObjectId | null;
  /** Set on the asset that carries a shot's versions: such assets are hidden from the asset list. */
  shotId: Types.ObjectId | null;
  /** Bumped on every change; the ETag and If-Match compare it. */
  revision: number;
  /** Logical bytes and count of the asset's versions, $inc'd in the same write that commits a version. */
  storage: { bytes: number; versions: number };
  createdAt: Date;
  updatedAt: Date;
}

export const assetSchema = new Schema<AssetDoc>(
  {
    studioId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true, maxlength: 200 },
    nameLower: { type: String, required: true, maxlength: 200 },
    nameWords: { type: [String], default: undefined },
    type: { type: String, enum: ASSET_TYPES, required: true },
    description: { type: String, default: '', maxlength: 5000 },
    tags: { type: [String], default: [] },
    status: { type: String, enum: ASSET_STATUSES, default: 'IN_PROGRESS' },
    currentVersion: { type: Number, default: null },
    latestVersion: { type: Number, default: 0 },
    createdBy: { type: Schema.Types.ObjectId, required: true },
    updatedBy: { type: Schema.Types.ObjectId, required: true },
    archivedAt: { type: Date, default: null },
    purgedAt: { type: Date },
    projectId: { type: Schema.Types.ObjectId, default: null },
    shotId: { type: Schema.Types.ObjectId, default: null },
    revision: { type: Number, default: 1 },
    storage: { bytes: { type: Number, default: 0 }, versions: { type: Number, default: 0 } },
  },
  { timestamps: true, versionKey: false },
);
assetSchema.index({ studioId: 1, nameLower: 1 }, { unique: true });
// One index per sort order for the default listing, each led by the tenant, the archive flag and shotId
// (the listing shows plain assets only: shotId null).
assetSchema.index({ studioId: 1, archivedAt: 1, shotId: 1, createdAt: 1, _id: 1 });
assetSchema.index({ studioId: 1, archivedAt: 1, shotId: 1, updatedAt: 1, _id: 1 });
assetSchema.index({ studioId: 1, archivedAt: 1, shotId: 1, nameLower: 1, _id: 1 });
// Filters, with the default createdAt order.
assetSchema.index({ studioId: 1, archivedAt: 1, shotId: 1, type: 1, createdAt: 1, _id: 1 });
assetSchema.index({ studioId: 1, archivedAt: 1, shotId: 1, status: 1, createdAt: 1, _id: 1 });
assetSchema.index({ studioId: 1, archivedAt: 1, shotId: 1, tags: 1, createdAt: 1, _id: 1 });
assetSchema.index({ studioId: 1, archivedAt: 1, shotId: 1, createdBy: 1, createdAt: 1, _id: 1 });
assetSchema.index({ studioId: 1, archivedAt: 1, shotId: 1, projectId: 1, createdAt: 1, _id: 1 });
assetSchema.index({ studioId: 1, archivedAt: 1, shotId: 1, projectId: 1, nameLower: 1, _id: 1 });
// Word-prefix search (GET /search, GET /assets?q=): one range of a name word per query, multikey.
assetSchema.index({ studioId: 1, archivedAt: 1, shotId: 1, nameWords: 1, _id: 1 });
// Storage usage by asset, largest first (GET /storage/usage/assets): every asset of the studio, archived and
// shots' backing assets included, since their versions take space too.
assetSchema.index({ studioId: 1, 'storage.bytes': -1, _id: -1 });
