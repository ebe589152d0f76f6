// Links mailed to prove an address, looked up by the token of the mailed link: registrations waiting for
// their address, and password resets. One store shape for both, so their single-use tokens and the one
// pending link per address and client behave the same.
import type { Model, Types } from 'mongoose';
import type { Models } from './models';
import type { RegistrationDoc } from './models/Registration';
import type { PasswordResetDoc } from './models/PasswordReset';
import { normalizeEmail } from './AccountRepository';

/** What every mailed link holds. */
export interface MailedLinkDoc {
  _id: Types.ObjectId;
  tokenHash: string;
  email: string;
  emailNormalized: string;
  requester: string;
  mailedAt: Date;
  expiresAt: Date;
}

/** The pending links of one kind; `Input` is what a new one holds besides its normalised address. */
export class MailedLinkRepository<Doc extends MailedLinkDoc, Input extends Omit<Doc, '_id' | 'emailNormalized' | 'createdAt'>> {
  constructor(private readonly model: Model<Doc>) {}

  async create(input: Input): Promise<Doc> {
    // Mongoose cannot relate a generic Input to its casting of Doc; the schema checks the fields on create.
    const doc = await this.model.create({ ...input, emailNormalized: normalizeEmail(input.email) } as unknown as Doc);
    return doc.toObject() as Doc;
  }

  findByTokenHash(tokenHash: string): Promise<Doc | null> {
    return this.model.findOne({ tokenHash }).lean<Doc>().exec();
  }

  /** The newest unexpired link one client asked for one address. */
  newestFrom(email: string, requester: string, now: Date): Promise<Doc | null> {
    return this.model.findOne({ emailNormalized: normalizeEmail(email), requester, expiresAt: { $gt: now } })
      .sort({ mailedAt: -1 })
      .lean<Doc>()
      .exec();
  }

  /** Every other link one client asked for one address: a new link replaces them, so they never pile up. */
  async deleteOthersFrom(email: string, requester: string, keep: Types.ObjectId): Promise<void> {
    await this.model.deleteMany({ emailNormalized: normalizeEmail(email), requester, _id: { $ne: keep } }).exec();
  }

  async delete(id: Types.ObjectId): Promise<void> {
    await this.model.deleteOne({ _id: id }).exec();
  }

  /** Every pending link of an address, whoever asked: once one is followed, the others must not work. */
  async deleteAllOf(email: string): Promise<void> {
    await this.model.deleteMany({ emailNormalized: normalizeEmail(email) }).exec();
  }
}

/** Registrations waiting for their address to be proven. */
export class RegistrationRepository extends MailedLinkRepository<RegistrationDoc, Omit<RegistrationDoc, '_id' | 'emailNormalized' | 'createdAt'>> {
  constructor(models: Models) {
    super(models.Registration);
  }
}

/** Password resets asked for by mail ("Forgot password"). */
export class PasswordResetRepository extends MailedLinkRepository<PasswordResetDoc, Omit<PasswordResetDoc, '_id' | 'emailNormalized' | 'createdAt'>> {
  constructor(models: Models) {
    super(models.PasswordReset);
  }
}
