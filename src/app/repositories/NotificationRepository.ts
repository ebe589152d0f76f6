// Per-member notifications. Every method takes the studioId and the member it is scoped to.
import { Types } from 'mongoose';
import type { Models } from './models';
import type { NotificationDoc } from './models/Notification';
import type { DigestFrequency, DigestSettingDoc } from './models/DigestSetting';
import type { Page } from './pagination';
import { listPage, listShape, type ListShape } from './listing';
import type { StudioId } from './AssetRepository';

export function notificationListQuery(studioId: StudioId, userId: string, q: { cursor?: string; unread?: boolean }): ListShape<NotificationDoc> {
  return listShape<NotificationDoc>({ studioId, userId: new Types.ObjectId(userId), ...(q.unread ? { read: false } : {}) }, '_id', 'desc', q.cursor);
}

export class NotificationRepository {
  constructor(private readonly models: Models) {}

  async insertMany(studioId: StudioId, docs: Array<Omit<NotificationDoc, '_id' | 'studioId' | 'createdAt' | 'read'>>): Promise<NotificationDoc[]> {
    if (docs.length === 0) return [];
    const created = await this.models.Notification.insertMany(docs.map((d) => ({ ...d, studioId, read: false })));
    return created.map((d) => d.toObject() as NotificationDoc);
  }

  list(studioId: StudioId, userId: string, q: { limit: number; cursor?: string; unread?: boolean }): Promise<Page<NotificationDoc>> {
    return listPage(this.models.Notification, notificationListQuery(studioId, userId, q), { limit: q.limit, order: 'desc' });
  }

  unreadCount(studioId: StudioId, userId: string): Promise<number> {
    return this.models.Notification.countDocuments({ studioId, userId: new Types.ObjectId(userId), read: false }).exec();
  }

  /** Marks one of the member's notifications read; null when it is not theirs (or does not exist). */
  markRead(studioId: StudioId, userId: string, id: string): Promise<NotificationDoc | null> {
    return this.models.Notification.findOneAndUpdate({ _id: new Types.ObjectId(id), studioId, userId: new Types.ObjectId(userId) }, { $set: { read: true } }, { returnDocument: 'after' })
      .lean<NotificationDoc>()
      .exec();
  }

  /** Marks those of `ids` that are the member's and unread; the studio and member are in the filter, so a foreign id matches nothing. */
  async markManyRead(studioId: StudioId, userId: string, ids: string[]): Promise<number> {
    const res = await this.models.Notification.updateMany({ _id: { $in: [...new Set(ids)].map((i) => new Types.ObjectId(i)) }, studioId, userId: new Types.ObjectId(userId), read: false }, { $set: { read: true } }).exec();
    return res.modifiedCount;
  }

  async markAllRead(studioId: StudioId, userId: string): Promise<number> {
    const res = await this.models.Notification.updateMany({ studioId, userId: new Types.ObjectId(userId), read: false }, { $set: { read: true } }).exec();
    return res.modifiedCount;
  }

  digestSetting(studioId: StudioId, userId: string): Promise<DigestSettingDoc | null> {
    return this.models.DigestSetting.findOne({ studioId, userId: new Types.ObjectId(userId) }).lean<DigestSettingDoc>().exec();
  }

  /** Sets the member's digest; a change of frequency starts its period now (the first digest is one period away). */
  setDigest(studioId: StudioId, userId: string, frequency: DigestFrequency, nextAt: Date | null, coveredUntil: Date): Promise<DigestSettingDoc | null> {
    return this.models.DigestSetting.findOneAndUpdate({ studioId, userId: new Types.ObjectId(userId) }, { $set: { frequency, nextAt, coveredUntil } }, { upsert: true, returnDocument: 'after' })
      .lean<DigestSettingDoc>()
      .exec();
  }

  /** Digests due at `now`, every studio's (the sender's sweep), the longest overdue first; bounded per round. */
  dueDigests(now: Date, limit: number): Promise<DigestSettingDoc[]> {
    return this.models.DigestSetting.find({ nextAt: { $lte: now } }).sort({ nextAt: 1, _id: 1 }).limit(limit).lean<DigestSettingDoc[]>().exec();
  }

  /** Moves a digest on once it is sent (or had nothing to say); the filter on nextAt leaves a setting changed meanwhile alone. */
  async digestDone(id: Types.ObjectId, wasDue: Date, coveredUntil: Date, nextAt: Date): Promise<boolean> {
    const res = await this.models.DigestSetting.updateOne({ _id: id, nextAt: wasDue }, { $set: { coveredUntil, nextAt } }).exec();
    return res.modifiedCount === 1;
  }

  /** The member's unread notifications made after `since` (a digest's period), newest first, at most `limit`. */
  unreadSince(studioId: StudioId, userId: string, since: Date, limit: number): Promise<NotificationDoc[]> {
    return this.models.Notification.find({ studioId, userId: new Types.ObjectId(userId), read: false, _id: { $gt: Types.ObjectId.createFromTime(Math.floor(since.getTime() / 1000)) } })
      .sort({ _id: -1 })
      .limit(limit)
      .lean<NotificationDoc[]>()
      .exec();
  }
}
