// Studio members (memberships). Every method is scoped by studioId except the lookups by account, which
// by nature happen before a studio is chosen: a person's own memberships, at login or when switching.
import { Types } from 'mongoose';
import type { Models } from './models';
import type { Role, SessionEndReason, UserDoc } from './models/User';
import { keyset, toPage, type Page } from './pagination';
import { findOwned, ownedIds } from './owned';

export interface NewUser {
  accountId: Types.ObjectId;
  email: string;
  name: string;
  role: Role;
  kind?: 'PERSON' | 'BOT';
}

export class UserRepository {
  constructor(private readonly models: Models) {}

  ownedIds(studioId: Types.ObjectId | string, ids: string[]): Promise<Set<string>> {
    return ownedIds(this.models.User, studioId, ids);
  }

  async create(studioId: Types.ObjectId, input: NewUser): Promise<UserDoc> {
    const doc = await this.models.User.create({ ...input, studioId, active: true });
    return doc.toObject();
  }

  findById(studioId: Types.ObjectId | string, id: Types.ObjectId | string): Promise<UserDoc | null> {
    return findOwned(this.models.User, studioId, id);
  }

  /** Pre-tenant: every membership of one person (login, switching studios). Bounded: a person is in few studios. */
  ofAccount(accountId: Types.ObjectId): Promise<UserDoc[]> {
    return this.models.User.find({ accountId }).sort({ accountId: 1, studioId: 1 }).limit(1000).lean<UserDoc[]>().exec();
  }

  findMembership(studioId: Types.ObjectId | string, accountId: Types.ObjectId): Promise<UserDoc | null> {
    return this.models.User.findOne({ accountId, studioId }).lean<UserDoc>().exec();
  }

  async list(studioId: Types.ObjectId | string, req: { limit: number; cursor?: string }): Promise<Page<UserDoc>> {
    const { filter, sort } = keyset<UserDoc>('_id', 'asc', req.cursor);
    const rows = await this.models.User.find({ ...filter, studioId }).sort(sort).limit(req.limit + 1).lean<UserDoc[]>().exec();
    return toPage(rows, { limit: req.limit, order: 'asc' }, '_id', (r) => String(r._id), (r) => r);
  }

  /** The studio's bots (bounded: a studio keeps few). */
  bots(studioId: Types.ObjectId | string): Promise<UserDoc[]> {
    return this.models.User.find({ studioId, kind: 'BOT' }).limit(1000).lean<UserDoc[]>().exec();
  }

  /** The studio's active human PRODUCERs (bounded), e.g. to tell them something happened: a bot reads no mail. */
  producers(studioId: Types.ObjectId | string): Promise<UserDoc[]> {
    return this.models.User.find({ studioId, role: 'PRODUCER', active: true, kind: { $ne: 'BOT' } }).limit(100).lean<UserDoc[]>().exec();
  }

  /** The studio's active human DIRECTORs (bounded): who is told that a version waits for review. */
  directors(studioId: Types.ObjectId | string): Promise<UserDoc[]> {
    return this.models.User.find({ studioId, role: 'DIRECTOR', active: true, kind: { $ne: 'BOT' } }).limit(100).lean<UserDoc[]>().exec();
  }

  /** Active PRODUCERs who are people: a bot cannot sign in to put things right, so it never counts as the studio's keeper. */
  countActiveProducers(studioId: Types.ObjectId): Promise<number> {
    // $ne, not kind: 'PERSON': memberships from before bots existed carry no kind at all.
    return this.models.User.countDocuments({ studioId, role: 'PRODUCER', active: true, kind: { $ne: 'BOT' } }).exec();
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
    options: { endSessions?: SessionEndReason } = {},
  ): Promise<UserDoc | null> {
    const update = options.endSessions ? { $set: { ...patch, sessionEndedReason: options.endSessions }, $inc: { sessionVersion: 1 } } : { $set: patch };
    return this.models.User.findOneAndUpdate({ _id: id, studioId, role: expected.role, active: expected.active }, update, { returnDocument: 'after' })
      .lean<UserDoc>()
      .exec();
  }

  /** Ends every session of the member, recording why. */
  endSessions(studioId: Types.ObjectId | string, id: Types.ObjectId | string, reason: SessionEndReason): Promise<UserDoc | null> {
    return this.models.User.findOneAndUpdate({ _id: id, studioId }, { $inc: { sessionVersion: 1 }, $set: { sessionEndedReason: reason } }, { returnDocument: 'after' }).lean<UserDoc>().exec();
  }
}
