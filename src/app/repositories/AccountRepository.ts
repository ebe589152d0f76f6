// People. An account is not a tenant's record: it is looked up by its own id or address, and what a
// studio may see of it is only the membership (User) it holds there.
import type { Types } from 'mongoose';
import type { Models } from './models';
import type { AccountDoc } from './models/Account';

export class AccountRepository {
  constructor(private readonly models: Models) {}

  async create(input: { email: string; name: string; passwordHash: string; emailVerifiedAt: Date | null; lastStudioId?: Types.ObjectId | null }): Promise<AccountDoc> {
    const doc = await this.models.Account.create({ ...input, emailNormalized: normalizeEmail(input.email), lastStudioId: input.lastStudioId ?? null });
    return doc.toObject();
  }

  findByEmail(email: string): Promise<AccountDoc | null> {
    return this.models.Account.findOne({ emailNormalized: normalizeEmail(email) }).lean<AccountDoc>().exec();
  }

  findById(id: Types.ObjectId | string): Promise<AccountDoc | null> {
    return this.models.Account.findById(id).lean<AccountDoc>().exec();
  }

  async setPasswordHash(id: Types.ObjectId, passwordHash: string): Promise<void> {
    await this.models.Account.updateOne({ _id: id }, { $set: { passwordHash } }).exec();
  }

  async setLastStudio(id: Types.ObjectId, studioId: Types.ObjectId): Promise<void> {
    await this.models.Account.updateOne({ _id: id }, { $set: { lastStudioId: studioId } }).exec();
  }

  /** Only to undo an account this request just created (no multi-document transactions). */
  async delete(id: Types.ObjectId): Promise<void> {
    await this.models.Account.deleteOne({ _id: id }).exec();
  }

  /** An address proven after the fact (an account migrated unverified, then invited). */
  async markVerified(id: Types.ObjectId, at: Date): Promise<void> {
    await this.models.Account.updateOne({ _id: id, emailVerifiedAt: null }, { $set: { emailVerifiedAt: at } }).exec();
  }
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
