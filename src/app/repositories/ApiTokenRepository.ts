// API tokens of one studio, and the pre-tenant lookup by hash that authenticates a request.
import type { Types } from 'mongoose';
import type { Models } from './models';
import type { ApiTokenDoc, Scope, TokenRevokedReason } from './models/ApiToken';
import { findOwned } from './owned';

export class ApiTokenRepository {
  constructor(private readonly models: Models) {}

  async create(input: { studioId: Types.ObjectId; userId: Types.ObjectId; name: string; hint: string; tokenHash: string; scopes: Scope[]; expiresAt: Date | null; createdBy: Types.ObjectId }): Promise<ApiTokenDoc> {
    const doc = await this.models.ApiToken.create({ ...input, lastUsedAt: null, lastUsedIp: null, revokedAt: null });
    return doc.toObject();
  }

  /** Pre-tenant: the token is the credential that names the studio. */
  findByHash(tokenHash: string): Promise<ApiTokenDoc | null> {
    return this.models.ApiToken.findOne({ tokenHash }).lean<ApiTokenDoc>().exec();
  }

  findById(studioId: Types.ObjectId | string, id: string): Promise<ApiTokenDoc | null> {
    return findOwned(this.models.ApiToken, studioId, id);
  }

  /** A member's tokens (bounded: a member keeps few). */
  ofUser(studioId: Types.ObjectId | string, userId: Types.ObjectId | string): Promise<ApiTokenDoc[]> {
    return this.models.ApiToken.find({ studioId, userId }).sort({ studioId: 1, userId: 1 }).limit(500).lean<ApiTokenDoc[]>().exec();
  }

  revoke(studioId: Types.ObjectId | string, id: Types.ObjectId, at: Date): Promise<ApiTokenDoc | null> {
    return this.models.ApiToken.findOneAndUpdate({ _id: id, studioId, revokedAt: null }, { $set: { revokedAt: at, revokedReason: 'revoked' } }, { returnDocument: 'after' }).lean<ApiTokenDoc>().exec();
  }

  /**
   * Revokes every unrevoked token of a member, however many; resolves with how many, and the ids of up to
   * 1,000 of them (to end their live connections; the member's own sockets end with their sessions anyway).
   */
  async revokeAllOf(studioId: Types.ObjectId | string, userId: Types.ObjectId | string, at: Date, reason: TokenRevokedReason): Promise<{ count: number; ids: Types.ObjectId[] }> {
    const live = await this.models.ApiToken.find({ studioId, userId, revokedAt: null }, { _id: 1 }).limit(1000).lean<Array<{ _id: Types.ObjectId }>>().exec();
    if (live.length === 0) return { count: 0, ids: [] };
    const { modifiedCount } = await this.models.ApiToken.updateMany({ studioId, userId, revokedAt: null }, { $set: { revokedAt: at, revokedReason: reason } }).exec();
    return { count: modifiedCount, ids: live.map((t) => t._id) };
  }

  /** Removes a token that was never handed out (its notice could not be mailed). */
  async remove(studioId: Types.ObjectId | string, id: Types.ObjectId): Promise<void> {
    await this.models.ApiToken.deleteOne({ _id: id, studioId }).exec();
  }

  async touch(id: Types.ObjectId, at: Date, ip: string | null): Promise<void> {
    await this.models.ApiToken.updateOne({ _id: id }, { $set: { lastUsedAt: at, lastUsedIp: ip } }).exec();
  }
}
