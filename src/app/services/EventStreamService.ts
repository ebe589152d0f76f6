// Server-Sent Event streams of a studio's log: at most EVENTS_MAX_STREAMS_PER_MEMBER open per member or API
// token across every instance, fed by this instance's one poller per studio (EventFeeds), each event checked
// against the caller's current role and scopes (EventVisibility), and ended after EVENTS_STREAM_MAX_SECONDS
// with the position to resume from, so EventSource reconnects with Last-Event-ID and loses nothing.
import { RateLimitError } from '../../shared/errors';
import type { EventLogRepository } from '../repositories/EventLogRepository';
import { toEventDto, type EventDto } from '../dto';
import type { AccessService } from './AccessService';
import { EventFeeds, type FeedBatch, type FeedLogger } from './EventFeed';
import { eventVisibleTo } from './EventVisibility';
import { budgetHolder, type Actor } from './types';

/** A cap on concurrent connections per holder, across instances (infra's ConnectionSlots). */
export interface ConnectionLimiter {
  acquire(holder: string, cap: number): Promise<{ acquired: true; release(): void } | { acquired: false; held: number; retryAfterSeconds: number }>;
}

/** Where a followed stream goes; the HTTP layer implements it as Server-Sent Events. */
export interface EventSink {
  event(e: EventDto): void;
  heartbeat(): void;
  /** Bytes written that the client has not taken yet. */
  backlog(): number;
  /** Aborted when the client is gone. */
  closed: AbortSignal;
}

/** Why a stream ended, and the event number the client has everything up to (its Last-Event-ID from here). */
export interface StreamEnd {
  reason: 'closed' | 'stopping' | 'lifetime' | 'lagging';
  resumeAfter: number;
}

export interface StreamSettings {
  pollMs: number;
  heartbeatMs: number;
  /** How often a stream re-checks its caller (session or token, role, scopes); also before events after a pause that long. */
  recheckMs: number;
  /** A stream ends after this long (less up to a tenth, so streams opened together do not all reconnect together). */
  maxLifeMs: number;
  maxPerHolder: number;
  /** A client this far behind (bytes not taken) is ended and resumes by reading, instead of filling the server's memory. */
  maxBacklogBytes: number;
}

/** Batches waiting for a stream (they pile up only while it re-checks its caller). */
const MAX_QUEUED_BATCHES = 1000;

export class EventStreamService {
  private readonly feeds: EventFeeds;

  constructor(
    private readonly deps: {
      log: Pick<EventLogRepository, 'readAfter' | 'latestSeq'>;
      access: AccessService;
      slots: ConnectionLimiter;
      logger: FeedLogger;
      /** The caller now (throws when the session or token ended): see ApiTokenService.actorNow. */
      recheck: (actor: Actor) => Promise<Actor>;
      /** True once the process is shutting down: streams end so the server can drain. */
      stopping: () => boolean;
      settings: StreamSettings;
    },
  ) {
    this.feeds = new EventFeeds({ log: deps.log, pollMs: deps.settings.pollMs, logger: deps.logger });
  }

  /** Takes one of the caller's stream slots, or refuses with 429 TOO_MANY_STREAMS before anything is streamed. */
  async open(actor: Actor): Promise<{ release(): void }> {
    this.deps.access.require(actor, 'asset:read');
    const cap = this.deps.settings.maxPerHolder;
    const slot = await this.deps.slots.acquire(`stream:${budgetHolder(actor)}`, cap);
    if (!slot.acquired) {
      const who = actor.tokenId ? 'This API token already has' : 'You already have';
      throw new RateLimitError('TOO_MANY_STREAMS', `${who} ${slot.held} event streams open, the most allowed is ${cap}; close one, then try again`, {
        retryAfterSeconds: slot.retryAfterSeconds,
      });
    }
    return slot;
  }

  /** The newest event number: where a stream without Last-Event-ID starts. */
  latest(actor: Actor): Promise<number> {
    return this.deps.log.latestSeq(actor.studioId);
  }

  /**
   * Follows the log after `after` until the client leaves, the caller's session or token ends (it throws),
   * the process stops, the stream's life is up or the client falls too far behind.
   */
  async follow(actor: Actor, after: number, sink: EventSink): Promise<StreamEnd> {
    const { settings } = this.deps;
    const queue: FeedBatch[] = [];
    let wake: (() => void) | undefined;
    const notify = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const off = await this.feeds.subscribe(actor.studioId, after, (batch) => {
      queue.push(batch);
      notify();
    });
    sink.closed.addEventListener('abort', notify, { once: true });
    const started = Date.now();
    const endsAt = started + settings.maxLifeMs * (0.9 + Math.random() * 0.1);
    // The caller was authenticated just now: the first re-check is one interval away.
    let checkedAt = started;
    let current = actor;
    let lastBeat = started;
    let position = after;
    const end = (reason: StreamEnd['reason']): StreamEnd => ({ reason, resumeAfter: position });
    try {
      for (;;) {
        if (sink.closed.aborted) return end('closed');
        if (this.deps.stopping()) return end('stopping');
        if (Date.now() >= endsAt) return end('lifetime');
        if (queue.length > MAX_QUEUED_BATCHES || sink.backlog() > settings.maxBacklogBytes) return end('lagging');
        if (Date.now() - checkedAt >= settings.recheckMs) {
          // Always from the credential as presented: it carries the session version the check compares.
          current = await this.deps.recheck(actor);
          checkedAt = Date.now();
        }
        const batch = queue.shift();
        if (batch) {
          for (const e of batch.events) {
            if (e.seq <= position) continue;
            if (eventVisibleTo(current, e.type)) sink.event(toEventDto(e));
            position = e.seq;
          }
          position = Math.max(position, batch.cursor);
          continue;
        }
        if (Date.now() - lastBeat >= settings.heartbeatMs) {
          sink.heartbeat();
          lastBeat = Date.now();
        }
        // Wakes for the next batch, the client leaving, or whichever of these is due first (stopping is polled).
        const waitMs = Math.min(lastBeat + settings.heartbeatMs, checkedAt + settings.recheckMs, endsAt, Date.now() + settings.pollMs) - Date.now();
        await new Promise<void>((resolve) => {
          const timer = setTimeout(notify, Math.max(1, waitMs));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    } finally {
      off();
      sink.closed.removeEventListener('abort', notify);
    }
  }

  /** Stops this instance's pollers (at shutdown). */
  close(): void {
    this.feeds.close();
  }
}
