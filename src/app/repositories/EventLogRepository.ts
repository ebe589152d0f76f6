// The studio event log: append with the next number, read after a number, prune by age.
import { Types } from 'mongoose';
import type { Models } from './models';
import { EVENT_BUCKET, type EventType, type StudioEventDoc } from './models/StudioEvent';
import type { LeaseLock } from '../../infra/database/LeaseLock';
import { isDuplicateKey } from '../../infra/database/errors';

/** Buckets one read may scan: bounds the work of a cursor far behind (or far past pruned events). */
const MAX_BUCKETS_PER_READ = 50;

const counterKey = (studioId: string) => `events:${studioId}`;

export class EventLogRepository {
  constructor(
    private readonly models: Models,
    private readonly locks: LeaseLock,
  ) {}

  /**
   * Appends under the studio's event lease: read the counter, insert the event with the next number, then
   * move the counter. One writer at a time per studio keeps the numbers in insertion order, and since the
   * counter moves only after the insert, every number up to the counter is readable: a reader may move its
   * cursor up to the counter without skipping an event still being written. A crash between the insert and
   * the counter write is healed by the next append, which steps past the numbers already taken.
   */
  append(studioId: string, event: { type: EventType; actorId: string | null; data: Record<string, unknown> }): Promise<StudioEventDoc> {
    const key = counterKey(studioId);
    return this.locks.withLock(key, async () => {
      const counter = await this.models.Counter.findById(key).lean<{ seq: number }>().exec();
      for (let seq = (counter?.seq ?? 0) + 1; ; seq++) {
        try {
          const doc = await this.models.StudioEvent.create({
            studioId: new Types.ObjectId(studioId),
            seq,
            bucket: Math.floor(seq / EVENT_BUCKET),
            type: event.type,
            actorId: event.actorId ? new Types.ObjectId(event.actorId) : null,
            data: event.data,
            at: new Date(),
          });
          await this.models.Counter.updateOne({ _id: key }, { $set: { seq } }, { upsert: true }).exec();
          return doc.toObject();
        } catch (err) {
          if (!isDuplicateKey(err) || seq > (counter?.seq ?? 0) + 1000) throw err;
        }
      }
    });
  }

  /** The number of the studio's newest readable event (0 before the first): one point read, so idle polls are cheap. */
  async latestSeq(studioId: string): Promise<number> {
    const counter = await this.models.Counter.findById(counterKey(studioId)).lean<{ seq: number }>().exec();
    return counter?.seq ?? 0;
  }

  /**
   * Up to `limit` events numbered after `after`, in order, read bucket by bucket, and the cursor to go on
   * from: the last event returned, or, past buckets emptied by retention, the end of what was scanned (at
   * most MAX_BUCKETS_PER_READ buckets per call, so a cursor far behind costs bounded work per page).
   */
  async readAfter(studioId: string, after: number, limit: number): Promise<{ events: StudioEventDoc[]; cursor: number }> {
    const latest = await this.latestSeq(studioId);
    const events: StudioEventDoc[] = [];
    const sid = new Types.ObjectId(studioId);
    const first = Math.floor((after + 1) / EVENT_BUCKET);
    const last = Math.min(Math.floor(latest / EVENT_BUCKET), first + MAX_BUCKETS_PER_READ - 1);
    let scannedTo = after;
    for (let bucket = first; bucket <= last; bucket++) {
      const rows = await this.models.StudioEvent.find({ studioId: sid, bucket }).lean<StudioEventDoc[]>().exec();
      rows.sort((a, b) => a.seq - b.seq);
      for (const row of rows) {
        if (row.seq <= after || row.seq > latest) continue;
        if (events.length === limit) return { events, cursor: events[events.length - 1]!.seq };
        events.push(row);
      }
      scannedTo = Math.min(latest, (bucket + 1) * EVENT_BUCKET - 1);
    }
    return { events, cursor: Math.max(after, events.length ? Math.max(events[events.length - 1]!.seq, scannedTo) : scannedTo) };
  }

  findById(studioId: Types.ObjectId | string, id: Types.ObjectId | string): Promise<StudioEventDoc | null> {
    return this.models.StudioEvent.findById(id)
      .lean<StudioEventDoc>()
      .exec()
      .then((e) => (e && String(e.studioId) === String(studioId) ? e : null));
  }

  /** Drops events older than the cutoff (retention); returns how many. */
  async pruneBefore(cutoff: Date): Promise<number> {
    const res = await this.models.StudioEvent.deleteMany({ at: { $lt: cutoff } }).exec();
    return res.deletedCount;
  }
}
