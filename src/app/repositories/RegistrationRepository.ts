// Registrations waiting for their address to be proven; looked up by the token of the mailed link.
import type { Types } from 'mongoose';
import type { Models } from './models';
import type { RegistrationDoc } from './models/Registration';
import { normalizeEmail } from './AccountRepository';

export class RegistrationRepository {
  constructor(private readonly models: Models) {}

  async create(input: { tokenHash: string; email: string; name: string; studioName: string; passwordHash: string; expiresAt: Date }): Promise<void> {
    await this.models.Registration.create({ ...input, emailNormalized: normalizeEmail(input.email) });
  }

  findByTokenHash(tokenHash: string): Promise<RegistrationDoc | null> {
    return this.models.Registration.findOne({ tokenHash }).lean<RegistrationDoc>().exec();
  }

  countPending(email: string, now: Date): Promise<number> {
    return this.models.Registration.countDocuments({ emailNormalized: normalizeEmail(email), expiresAt: { $gt: now } }).exec();
  }

  async delete(id: Types.ObjectId): Promise<void> {
    await this.models.Registration.deleteOne({ _id: id }).exec();
  }
}
