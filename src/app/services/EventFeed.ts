// One poller per studio per API instance: every SSE stream of a studio on this instance listens to the same
// reads of the event log, so MongoDB sees one poll per EVENTS_POLL_MS per studio and instance, however many
// streams are open (it was one per stream). A stream that starts behind the poller catches up with reads of
// its own first, then joins it; events reach each listener in order, exactly once.
import type { EventLogRepository } from '../repositories/EventLogRepository';
import type { StudioEventDoc } from '../repositories/models/StudioEvent';
import { atMostEvery } from '../../shared/throttle';

/** A read of the log: its events (in order) and the position everything up to which has been read. */
export interface FeedBatch {
  events: StudioEventDoc[];
  cursor: number;
}

/** Called synchronously with each batch; it must not throw (a stream queues the batch and returns). */
export type FeedListener = (batch: FeedBatch) => void;

export interface FeedLogger {
  warn(message: string, meta?: Record<string, unknown>): void;
}

const PAGE = 100;

class StudioFeed {
  readonly listeners = new Set<FeedListener>();

  constructor(
    readonly studioId: string,
    /** Everything up to here has been handed to the listeners. */
    public cursor: number,
  ) {}
}

export class EventFeeds {
  private readonly feeds = new Map<string, StudioFeed>();
  private closed = false;
  private readonly warnable = atMostEvery(60_000);
  private readonly sleepers = new Set<() => void>();

  constructor(
    private readonly deps: {
      log: Pick<EventLogRepository, 'readAfter'>;
      pollMs: number;
      logger: FeedLogger;
    },
  ) {}

  /**
   * Hands the listener every event of the studio numbered after `after`, in order, until the returned
   * function is called. Batches may repeat events the listener already has (when it joins a poller that is
   * behind it): a listener skips events numbered at or below what it has seen.
   */
  async subscribe(studioId: string, after: number, listener: FeedListener): Promise<() => void> {
    let cursor = after;
    for (;;) {
      const feed = this.feeds.get(studioId);
      // Checked and joined in one synchronous step: the poller cannot move between the two.
      if (!feed || cursor >= feed.cursor) return this.join(feed ?? this.start(studioId, cursor), listener);
      // Behind the poller (a resume with an old Last-Event-ID): read the gap alone, then look again.
      const batch = await this.deps.log.readAfter(studioId, cursor, PAGE);
      if (batch.cursor === cursor) {
        await this.sleep(this.deps.pollMs);
        continue;
      }
      listener(batch);
      cursor = batch.cursor;
    }
  }

  /** How many studios this instance polls now. */
  get polling(): number {
    return this.feeds.size;
  }

  /** Stops every poller (listeners hear nothing more). */
  close(): void {
    this.closed = true;
    for (const wake of this.sleepers) wake();
  }

  private join(feed: StudioFeed, listener: FeedListener): () => void {
    feed.listeners.add(listener);
    return () => void feed.listeners.delete(listener);
  }

  private start(studioId: string, cursor: number): StudioFeed {
    const feed = new StudioFeed(studioId, cursor);
    this.feeds.set(studioId, feed);
    void this.run(feed);
    return feed;
  }

  private async run(feed: StudioFeed): Promise<void> {
    // The first listener joins in the same tick as start(), so the loop sees it.
    await Promise.resolve();
    while (feed.listeners.size > 0 && !this.closed) {
      let more = false;
      try {
        const batch = await this.deps.log.readAfter(feed.studioId, feed.cursor, PAGE);
        const moved = batch.cursor !== feed.cursor;
        // A full page, or a cursor moved past a gap retention left without finding events: more may be waiting.
        more = batch.events.length === PAGE || (moved && batch.events.length === 0);
        // The cursor moves in the same step as the hand-out, so a stream joining later never misses a batch.
        feed.cursor = batch.cursor;
        if (moved) for (const listener of feed.listeners) listener(batch);
      } catch (err) {
        // MongoDB away: the streams stay open (heartbeats go on) and the poller tries again next interval.
        if (this.warnable()) this.deps.logger.warn('event feed read failed', { studioId: feed.studioId, err: (err as Error).message });
      }
      if (!more) await this.sleep(this.deps.pollMs);
    }
    if (this.feeds.get(feed.studioId) === feed) this.feeds.delete(feed.studioId);
  }

  private sleep(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}
