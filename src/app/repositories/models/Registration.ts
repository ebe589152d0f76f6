// A registration waiting for its address to be proven: nothing else exists until the link in the mail is
// followed, so nobody can hold an address they do not read. Single-use, stored only as sha256, expiring.
import { Schema, type Types } from 'mongoose';

export interface RegistrationDoc {
  _id: Types.ObjectId;
  tokenHash: string;
  email: string;
  emailNormalized: string;
  name: string;
  studioName: string;
  passwordHash: string;
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
    passwordHash: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
registrationSchema.index({ tokenHash: 1 }, { unique: true });
// How many links an address has pending: a stranger may not make it a target of endless mails.
registrationSchema.index({ emailNormalized: 1, expiresAt: 1 });
// Housekeeping on MongoDB; expiry is always checked in code (FerretDB v1 has no TTL indexes).
registrationSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
