// Refresh-token records: lookup by hash, single-use rotation, and family/user revocation.
import { Types } from 'mongoose';
import type { Models } from './models';
import type { RefreshTokenDoc } from './models/RefreshToken';

export class RefreshTokenRepository {
  constructor(private readonly models: Models) {}

  async create(input: { studioId: Types.ObjectId; userId: Types.ObjectId; familyId: string; tokenHash: string; expiresAt: Date; sessionVersion: number }): Promise<void> {
    await this.models.RefreshToken.create({ ...input, revokedAt: null, replacedBy: null });
  }

  /** Pre-tenant lookup: the token itself is the credential that tells us the studio. */
  findByHash(tokenHash: string): Promise<RefreshTokenDoc | null> {
    return this.models.RefreshToken.findOne({ tokenHash }).lean<RefreshTokenDoc>().exec();
  }

  /** Records that a token was rotated (the once-only claim in AuthService is what decides the race). */
  async markRotated(studioId: Types.ObjectId, id: Types.ObjectId, successorHash: string, now: Date): Promise<void> {
    await this.models.RefreshToken.updateOne({ _id: id, studioId }, { $set: { revokedAt: now, replacedBy: successorHash } }).exec();
  }

  async revokeFamily(studioId: Types.ObjectId, familyId: string, now: Date): Promise<number> {
    const res = await this.models.RefreshToken.updateMany({ studioId, familyId, revokedAt: null }, { $set: { revokedAt: now } }).exec();
    return res.modifiedCount;
  }

  async revokeAllForUser(studioId: Types.ObjectId, userId: Types.ObjectId, now: Date): Promise<number> {
    const res = await this.models.RefreshToken.updateMany({ studioId, userId, revokedAt: null }, { $set: { revokedAt: now } }).exec();
    return res.modifiedCount;
  }
}
