// Registrations waiting for their address to be proven; looked up by the token of the mailed link.
import type { Types } from 'mongoose';
import type { Models } from './models';
import type { RegistrationDoc } from './models/Registration';
import { normalizeEmail } from './AccountRepository';

export class RegistrationRepository {
  constructor(private readonly models: Models) {}

  async create(input: { tokenHash: string; email: string; name: string; studioName: string; requester: string; mailedAt: Date; expiresAt: Date }): Promise<RegistrationDoc> {
    const doc = await this.models.Registration.create({ ...input, emailNormalized: normalizeEmail(input.email) });
    return doc.toObject();
  }

  findByTokenHash(tokenHash: string): Promise<RegistrationDoc | null> {
    return this.models.Registration.findOne({ tokenHash }).lean<RegistrationDoc>().exec();
  }

  /** The newest unexpired link one client asked for one address. */
  newestFrom(email: string, requester: string, now: Date): Promise<RegistrationDoc | null> {
    return this.models.Registration.findOne({ emailNormalized: normalizeEmail(email), requester, expiresAt: { $gt: now } })
      .sort({ mailedAt: -1 })
      .lean<RegistrationDoc>()
      .exec();
  }

  /** Every other link one client asked for one address: a new link replaces them, so they never pile up. */
  async deleteOthersFrom(email: string, requester: string, keep: Types.ObjectId): Promise<void> {
    await this.models.Registration.deleteMany({ emailNormalized: normalizeEmail(email), requester, _id: { $ne: keep } }).exec();
  }

  async delete(id: Types.ObjectId): Promise<void> {
    await this.models.Registration.deleteOne({ _id: id }).exec();
  }
}
