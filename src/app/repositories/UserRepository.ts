// Studio members. Every method is scoped by studioId except the login lookup, which by nature
// happens before the studio is known (emails are unique across studios).
import { Types } from 'mongoose';
import type { Models } from './models';
import type { Role, UserDoc } from './models/User';
import { keyset, toPage, type Page } from './pagination';
import { findOwned, ownedIds } from './owned';

export interface NewUser {
  email: string;
  name: string;
  passwordHash: string;
  role: Role;
}

export class UserRepository {
  constructor(private readonly models: Models) {}

  ownedIds(studioId: Types.ObjectId | string, ids: string[]): Promise<Set<string>> {
    return ownedIds(this.models.User, studioId, ids);
  }

  async create(studioId: Types.ObjectId, input: NewUser): Promise<UserDoc> {
    const doc = await this.models.User.create({
      ...input,
      studioId,
      emailNormalized: normalizeEmail(input.email),
      active: true,
    });
    return doc.toObject();
  }

  findById(studioId: Types.ObjectId | string, id: Types.ObjectId | string): Promise<UserDoc | null> {
    return findOwned(this.models.User, studioId, id);
  }

  /** Pre-tenant lookup for login only. */
  findForLogin(email: string): Promise<UserDoc | null> {
    return this.models.User.findOne({ emailNormalized: normalizeEmail(email) }).lean<UserDoc>().exec();
  }

  async list(studioId: Types.ObjectId | string, req: { limit: number; cursor?: string }): Promise<Page<UserDoc>> {
    const { filter, sort } = keyset<UserDoc>('_id', 'asc', req.cursor);
    const rows = await this.models.User.find({ ...filter, studioId }).sort(sort).limit(req.limit + 1).lean<UserDoc[]>().exec();
    return toPage(rows, { limit: req.limit, order: 'asc' }, '_id', (r) => String(r._id), (r) => r);
  }

  countActiveProducers(studioId: Types.ObjectId): Promise<number> {
    return this.models.User.countDocuments({ studioId, role: 'PRODUCER', active: true }).exec();
  }

  /**
   * Applies a change only if the user still has the role/active state the caller decided on,
   * so a concurrent change is detected instead of overwritten.
   */
  async updateIf(
    studioId: Types.ObjectId,
    id: Types.ObjectId,
    expected: { role: Role; active: boolean },
    patch: Partial<Pick<UserDoc, 'role' | 'active' | 'name'>>,
    options: { endSessions?: boolean } = {},
  ): Promise<UserDoc | null> {
    const update = { $set: patch, ...(options.endSessions ? { $inc: { sessionVersion: 1 } } : {}) };
    return this.models.User.findOneAndUpdate({ _id: id, studioId, role: expected.role, active: expected.active }, update, { returnDocument: 'after' })
      .lean<UserDoc>()
      .exec();
  }

  /** Ends every session of the user (and optionally sets a new password hash in the same write). */
  endSessions(studioId: Types.ObjectId | string, id: Types.ObjectId | string, set: Partial<Pick<UserDoc, 'passwordHash'>> = {}): Promise<UserDoc | null> {
    return this.models.User.findOneAndUpdate({ _id: id, studioId }, { $inc: { sessionVersion: 1 }, ...(Object.keys(set).length ? { $set: set } : {}) }, { returnDocument: 'after' })
      .lean<UserDoc>()
      .exec();
  }
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
