// Credentials for scripts and bots: a personal access token acts as the member who made it, a bot's token
// as the bot (a membership without a person). Shown once, stored only as sha256, scoped, revocable.
import { Schema, type Types } from 'mongoose';

export const SCOPES = ['assets:read', 'assets:write', 'reviews:write', 'renders:read', 'renders:write', 'events:read', 'production:read', 'production:write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface ApiTokenDoc {
  _id: Types.ObjectId;
  studioId: Types.ObjectId;
  /** The membership the token acts as (its role, active state and sessions apply). */
  userId: Types.ObjectId;
  name: string;
  /** The first characters after the prefix, to recognise a token in lists (never enough to use it). */
  hint: string;
  tokenHash: string;
  scopes: Scope[];
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  revokedAt: Date | null;
  createdBy: Types.ObjectId;
  createdAt: Date;
}

export const apiTokenSchema = new Schema<ApiTokenDoc>(
  {
    studioId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true, maxlength: 120 },
    hint: { type: String, required: true, maxlength: 16 },
    tokenHash: { type: String, required: true },
    scopes: { type: [String], enum: SCOPES, required: true },
    expiresAt: { type: Date, default: null },
    lastUsedAt: { type: Date, default: null },
    lastUsedIp: { type: String, default: null },
    revokedAt: { type: Date, default: null },
    createdBy: { type: Schema.Types.ObjectId, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
apiTokenSchema.index({ tokenHash: 1 }, { unique: true });
apiTokenSchema.index({ studioId: 1, userId: 1 });
apiTokenSchema.index({ studioId: 1, _id: 1 });
