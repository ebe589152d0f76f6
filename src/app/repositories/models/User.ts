// A member of a studio. Email is unique across studios (it is the login) and compared case-insensitively
// through a stored lower-cased copy, since FerretDB v1 has no collations.
import { Schema, type Types } from 'mongoose';

export const ROLES = ['ARTIST', 'DIRECTOR', 'PRODUCER'] as const;
export type Role = (typeof ROLES)[number];

export interface UserDoc {
  _id: Types.ObjectId;
  studioId: Types.ObjectId;
  email: string;
  emailNormalized: string;
  name: string;
  passwordHash: string;
  role: Role;
  active: boolean;
  /**
   * Bumped by every change that must end existing sessions (deactivation, role change, password change,
   * sign-out everywhere); access tokens carry the version they were issued under.
   */
  sessionVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

export const userSchema = new Schema<UserDoc>(
  {
    studioId: { type: Schema.Types.ObjectId, required: true },
    email: { type: String, required: true, maxlength: 254 },
    emailNormalized: { type: String, required: true, maxlength: 254 },
    name: { type: String, required: true, maxlength: 120 },
    passwordHash: { type: String, required: true },
    role: { type: String, enum: ROLES, required: true },
    active: { type: Boolean, required: true, default: true },
    sessionVersion: { type: Number, required: true, default: 0 },
  },
  { timestamps: true, versionKey: false },
);
userSchema.index({ emailNormalized: 1 }, { unique: true });
userSchema.index({ studioId: 1, _id: 1 });
userSchema.index({ studioId: 1, role: 1, active: 1 });
