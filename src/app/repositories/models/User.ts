// A membership: one person's (Account's) place in one studio, with that studio's role. Access tokens,
// sessions and every audit record name the membership; the email is the account's, copied for display.
import { Schema, type Types } from 'mongoose';

export const ROLES = ['ARTIST', 'DIRECTOR', 'PRODUCER'] as const;
export type Role = (typeof ROLES)[number];

/** What ends every session of a membership at once (each bumps its sessionVersion). */
export const SESSION_END_REASONS = ['deactivated', 'role-changed', 'password-changed', 'password-reset', 'signed-out-everywhere'] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

export interface UserDoc {
  _id: Types.ObjectId;
  studioId: Types.ObjectId;
  accountId: Types.ObjectId;
  email: string;
  name: string;
  role: Role;
  /** PERSON: someone who signs in (accountId names their Account). BOT: a script's identity, which acts only through API tokens (its accountId is its own, with no Account). */
  kind?: 'PERSON' | 'BOT';
  active: boolean;
  /**
   * Bumped by every change that must end existing sessions (deactivation, role change, password change,
   * sign-out everywhere); access tokens carry the version they were issued under.
   */
  sessionVersion: number;
  /** Why the sessions last ended (the last bump of sessionVersion), so a refused session can say why. */
  sessionEndedReason?: SessionEndReason;
  createdAt: Date;
  updatedAt: Date;
}

export const userSchema = new Schema<UserDoc>(
  {
    studioId: { type: Schema.Types.ObjectId, required: true },
    accountId: { type: Schema.Types.ObjectId, required: true },
    email: { type: String, required: true, maxlength: 254 },
    name: { type: String, required: true, maxlength: 120 },
    role: { type: String, enum: ROLES, required: true },
    kind: { type: String, enum: ['PERSON', 'BOT'], default: 'PERSON' },
    active: { type: Boolean, required: true, default: true },
    sessionVersion: { type: Number, required: true, default: 0 },
    sessionEndedReason: { type: String, enum: SESSION_END_REASONS },
  },
  { timestamps: true, versionKey: false },
);
// One membership per person and studio; also the index behind "the studios of this person".
userSchema.index({ accountId: 1, studioId: 1 }, { unique: true });
userSchema.index({ studioId: 1, _id: 1 });
userSchema.index({ studioId: 1, role: 1, active: 1 });
userSchema.index({ studioId: 1, kind: 1 });
