// A person: one email address (unique, compared through a lower-cased copy since FerretDB v1 has no
// collations), one password, and memberships (User documents) in any number of studios. An account is
// created only once its address is proven: by the link of a registration mail or of an invitation.
import { Schema, type Types } from 'mongoose';

export interface AccountDoc {
  _id: Types.ObjectId;
  email: string;
  emailNormalized: string;
  name: string;
  passwordHash: string;
  /** When the address was proven; null only for accounts migrated from before verification existed. */
  emailVerifiedAt: Date | null;
  /** The studio the person last signed in to or switched to: where a login without a studio lands. */
  lastStudioId: Types.ObjectId | null;
  createdAt: Date;
  updatedAt: Date;
}

export const accountSchema = new Schema<AccountDoc>(
  {
    email: { type: String, required: true, maxlength: 254 },
    emailNormalized: { type: String, required: true, maxlength: 254 },
    name: { type: String, required: true, maxlength: 120 },
    passwordHash: { type: String, required: true },
    emailVerifiedAt: { type: Date, default: null },
    lastStudioId: { type: Schema.Types.ObjectId, default: null },
  },
  { timestamps: true, versionKey: false },
);
accountSchema.index({ emailNormalized: 1 }, { unique: true });
