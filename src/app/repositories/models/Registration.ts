// A registration waiting for its address to be proven: nothing else exists until the link in the mail is
// followed, so nobody can hold an address they do not read. Single-use, stored only as sha256, expiring.
// It holds no password: whoever follows the link (the mailbox's owner) chooses it there, so nothing a
// stranger typed can become the credential of someone else's account.
import { Schema, type Types } from 'mongoose';

export interface RegistrationDoc {
  _id: Types.ObjectId;
  tokenHash: string;
  email: string;
  emailNormalized: string;
  /** Suggestions from the form; the link's page shows them and its holder may change both. */
  name: string;
  studioName: string;
  /** sha256 of the client that asked (its IP, an IPv6 /56): one pending link per address and client. */
  requester: string;
  mailedAt: Date;
  expiresAt: Date;
  createdAt: Date;
}

export const registrationSchema = new Schema<RegistrationDoc>(
  {
    tokenHash: { type: String, required: true },
    email: { type: String, required: true, maxlength: 254 },
    emailNormalized: { type: String, required: true, maxlength: 254 },
    name: { type: String, required: true, maxlength: 120 },
    studioName: { type: String, required: true, maxlength: 120 },
    requester: { type: String, required: true, maxlength: 64 },
    mailedAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
registrationSchema.index({ tokenHash: 1 }, { unique: true });
// The pending link one client asked for one address: how often that client may mail that mailbox.
registrationSchema.index({ emailNormalized: 1, requester: 1 });
// Housekeeping on MongoDB; expiry is always checked in code (FerretDB v1 has no TTL indexes).
registrationSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
