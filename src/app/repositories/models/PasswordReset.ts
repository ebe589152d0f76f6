// A password reset asked for by mail ("Forgot password"): the mailed link proves the mailbox, and its page
// sets a new password on an explicit submit. Single-use, stored only as sha256, expiring. A request for an
// address without an account is kept too (with no account), so how often one client may mail one address,
// and every answer, are the same whether the address has an account or not.
import { Schema, type Types } from 'mongoose';

export interface PasswordResetDoc {
  _id: Types.ObjectId;
  tokenHash: string;
  email: string;
  emailNormalized: string;
  /** The account the link resets, as found when it was mailed; null: the address had none (its mail says so, with no link). */
  accountId: Types.ObjectId | null;
  /** sha256 of the client that asked (its IP, an IPv6 /56): one pending link per address and client. */
  requester: string;
  mailedAt: Date;
  expiresAt: Date;
  createdAt: Date;
}

export const passwordResetSchema = new Schema<PasswordResetDoc>(
  {
    tokenHash: { type: String, required: true },
    email: { type: String, required: true, maxlength: 254 },
    emailNormalized: { type: String, required: true, maxlength: 254 },
    accountId: { type: Schema.Types.ObjectId, default: null },
    requester: { type: String, required: true, maxlength: 64 },
    mailedAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
passwordResetSchema.index({ tokenHash: 1 }, { unique: true });
// The pending link one client asked for one address: how often that client may mail that mailbox.
passwordResetSchema.index({ emailNormalized: 1, requester: 1 });
// Housekeeping on MongoDB; expiry is always checked in code (FerretDB v1 has no TTL indexes).
passwordResetSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
