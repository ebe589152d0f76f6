// Credentials for scripts and bots: a personal access token acts as the member who made it, a bot's token
// as the bot (a membership without a person). Shown once, stored only as sha256, scoped, revocable.
import { Schema, type Types } from 'mongoose';

// assets:purge is apart from assets:write on purpose: purging is the one irreversible asset operation, and
// assets:write is what every DCC add-on asks for (docs/security.md, "Scripts and bots").
export const SCOPES = ['assets:read', 'assets:write', 'assets:purge', 'reviews:write', 'renders:read', 'renders:write', 'events:read', 'production:read', 'production:write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** What each scope lets a token do, in words for people: the tokens page and the mail sent on every mint. */
export const SCOPE_DESCRIPTIONS: Record<Scope, string> = {
  'assets:read': 'see assets, their versions, files, comments and storage use',
  'assets:write': 'create, change and archive assets, and upload versions',
  'assets:purge': 'delete archived assets\' versions for good',
  'reviews:write': 'comment and give review decisions',
  'renders:read': 'see render jobs and their previews',
  'renders:write': 'start, cancel and retry renders',
  'events:read': 'read the studio\'s event log and stream',
  'production:read': 'see projects, shots, tasks and casting, search, and read the member\'s notifications',
  'production:write': 'change projects, shots, tasks, casting and editorial',
  admin: 'see members and invitations, withdraw invitations, change studio settings and manage webhooks',
};

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
  /** Why it was revoked: by someone on its own (revoked), or with its person's sessions. Absent on tokens revoked before reasons were kept. */
  revokedReason?: TokenRevokedReason;
  createdBy: Types.ObjectId;
  createdAt: Date;
}

export const TOKEN_REVOKED_REASONS = ['revoked', 'password-changed', 'password-reset', 'signed-out-everywhere'] as const;
export type TokenRevokedReason = (typeof TOKEN_REVOKED_REASONS)[number];

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
    revokedReason: { type: String, enum: TOKEN_REVOKED_REASONS },
    createdBy: { type: Schema.Types.ObjectId, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
apiTokenSchema.index({ tokenHash: 1 }, { unique: true });
apiTokenSchema.index({ studioId: 1, userId: 1 });
apiTokenSchema.index({ studioId: 1, _id: 1 });
