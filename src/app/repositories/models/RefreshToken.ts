// Opaque refresh tokens, stored only as sha256. Rotation marks a token replaced; reuse of a replaced
// token reveals theft and revokes its whole family.
import { Schema, type Types } from 'mongoose';

export interface RefreshTokenDoc {
  _id: Types.ObjectId;
  userId: Types.ObjectId;
  studioId: Types.ObjectId;
  familyId: string;
  tokenHash: string;
  expiresAt: Date;
  revokedAt: Date | null;
  replacedBy: string | null;
  /** The user's session version at issue: a later bump (password change, sign-out everywhere) voids it. */
  sessionVersion?: number;
  createdAt: Date;
}

export const refreshTokenSchema = new Schema<RefreshTokenDoc>(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    studioId: { type: Schema.Types.ObjectId, required: true },
    familyId: { type: String, required: true },
    tokenHash: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    revokedAt: { type: Date, default: null },
    replacedBy: { type: String, default: null },
    sessionVersion: { type: Number, default: 0 },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
refreshTokenSchema.index({ tokenHash: 1 }, { unique: true });
refreshTokenSchema.index({ studioId: 1, familyId: 1 });
refreshTokenSchema.index({ studioId: 1, userId: 1 });
// MongoDB removes expired tokens; servers that never expire TTL indexes (FerretDB v1) are covered
// because expiry is always checked in code too.
refreshTokenSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
