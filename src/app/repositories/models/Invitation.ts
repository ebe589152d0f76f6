// A studio's invitation of an email address to a role: a single-use link, stored only as sha256, that
// expires. Accepting it proves the address, so it creates the person's account or joins an existing one.
import { Schema, type Types } from 'mongoose';
import { ROLES, type Role } from './User';

export interface InvitationDoc {
  _id: Types.ObjectId;
  studioId: Types.ObjectId;
  email: string;
  emailNormalized: string;
  role: Role;
  tokenHash: string;
  invitedBy: Types.ObjectId;
  expiresAt: Date;
  acceptedAt: Date | null;
  acceptedBy: Types.ObjectId | null;
  revokedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const invitationSchema = new Schema<InvitationDoc>(
  {
    studioId: { type: Schema.Types.ObjectId, required: true },
    email: { type: String, required: true, maxlength: 254 },
    emailNormalized: { type: String, required: true, maxlength: 254 },
    role: { type: String, enum: ROLES, required: true },
    tokenHash: { type: String, required: true },
    invitedBy: { type: Schema.Types.ObjectId, required: true },
    expiresAt: { type: Date, required: true },
    acceptedAt: { type: Date, default: null },
    acceptedBy: { type: Schema.Types.ObjectId, default: null },
    revokedAt: { type: Date, default: null },
  },
  { timestamps: true, versionKey: false },
);
invitationSchema.index({ tokenHash: 1 }, { unique: true });
invitationSchema.index({ studioId: 1, _id: 1 });
