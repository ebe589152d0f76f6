// Leases and once-only claims. FerretDB v1 does not apply conditional updates atomically (measured:
// concurrent `updateOne({n:{$gt:1}},{$inc:{n:-1}})` let several callers through), but it does enforce
// unique _id inserts and single deletes atomically, as MongoDB does; these records build on that.
import { Schema } from 'mongoose';

export interface LeaseDoc {
  _id: string;
  owner: string;
  expiresAt: Date;
}

export const leaseSchema = new Schema<LeaseDoc>(
  {
    _id: { type: String, required: true },
    owner: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);
// Housekeeping only; expiry is always checked in code, since FerretDB may not expire TTL indexes.
leaseSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 3600 });
