// Invitations of one studio (list, revoke) and the pre-tenant lookup by token for the person invited.
import type { Types } from 'mongoose';
import type { Models } from './models';
import type { InvitationDoc } from './models/Invitation';
import type { Role } from './models/User';
import { normalizeEmail } from './AccountRepository';
import { findOwned } from './owned';
import { keyset, toPage, type Page } from './pagination';

export class InvitationRepository {
  constructor(private readonly models: Models) {}

  async create(input: { studioId: Types.ObjectId; email: string; role: Role; tokenHash: string; invitedBy: Types.ObjectId; expiresAt: Date }): Promise<InvitationDoc> {
    const doc = await this.models.Invitation.create({ ...input, emailNormalized: normalizeEmail(input.email), acceptedAt: null, acceptedBy: null, revokedAt: null });
    return doc.toObject();
  }

  /** Pre-tenant lookup: the token is the credential that names the studio. */
  findByTokenHash(tokenHash: string): Promise<InvitationDoc | null> {
    return this.models.Invitation.findOne({ tokenHash }).lean<InvitationDoc>().exec();
  }

  findById(studioId: Types.ObjectId | string, id: string): Promise<InvitationDoc | null> {
    return findOwned(this.models.Invitation, studioId, id);
  }

  /** Newest first: the invitations a producer just sent are the ones they look for. */
  async list(studioId: Types.ObjectId | string, req: { limit: number; cursor?: string }): Promise<Page<InvitationDoc>> {
    const { filter, sort } = keyset<InvitationDoc>('_id', 'desc', req.cursor);
    const rows = await this.models.Invitation.find({ ...filter, studioId }).sort(sort).limit(req.limit + 1).lean<InvitationDoc[]>().exec();
    return toPage(rows, { limit: req.limit, order: 'desc' }, '_id', (r) => String(r._id), (r) => r);
  }

  revoke(studioId: Types.ObjectId | string, id: Types.ObjectId, at: Date): Promise<InvitationDoc | null> {
    return this.models.Invitation.findOneAndUpdate({ _id: id, studioId, acceptedAt: null, revokedAt: null }, { $set: { revokedAt: at } }, { returnDocument: 'after' })
      .lean<InvitationDoc>()
      .exec();
  }

  /** Only to undo an invitation whose mail could not be sent. */
  async remove(studioId: Types.ObjectId, id: Types.ObjectId): Promise<void> {
    await this.models.Invitation.deleteOne({ _id: id, studioId }).exec();
  }

  async markAccepted(id: Types.ObjectId, by: Types.ObjectId, at: Date): Promise<void> {
    await this.models.Invitation.updateOne({ _id: id }, { $set: { acceptedAt: at, acceptedBy: by } }).exec();
  }
}
