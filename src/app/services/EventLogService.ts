// Every domain event, once: appended to the studio's durable log, then fanned out to webhooks. GET /events
// pages through the log and the SSE stream (EventStreamService) follows it, so the log, the stream and the
// webhooks agree; what each caller may see of it is EventVisibility's rule.
import type { EventLogRepository } from '../repositories/EventLogRepository';
import type { EventType, StudioEventDoc } from '../repositories/models/StudioEvent';
import type { AccessService } from './AccessService';
import type { WebhookService } from './WebhookService';
import { eventVisibleTo } from './EventVisibility';
import type { Actor } from './types';
import { toEventDto, type EventDto } from '../dto';
import { KeyedSerial } from '../../shared/KeyedSerial';

export interface EventLogger {
  error(message: string, meta?: Record<string, unknown>): void;
}

export class EventLogService {
  constructor(
    private readonly deps: {
      log: EventLogRepository;
      webhooks: WebhookService;
      access: AccessService;
      logger: EventLogger;
    },
  ) {}

  /** Per studio, appends in this process one after another: events are logged in the order they happened here. */
  private readonly appends = new KeyedSerial();

  /**
   * Appends the event and starts its webhook deliveries. Called after the change it reports is stored;
   * a failure here is logged and never undoes or fails that change. Appends of one studio from this process
   * run one after another, in the order of the calls, so sequential changes get increasing numbers.
   */
  record(studioId: string, type: EventType, data: Record<string, unknown>, actorId: string | null = null): Promise<StudioEventDoc | null> {
    const appended = this.appends.run(studioId, () => this.append(studioId, type, data, actorId));
    // Only the numbering is sequential; deliveries of one event start while the next is appended.
    return appended.then(async (event) => {
      if (!event) return null;
      await this.deps.webhooks.fanOut(event).catch((err: Error) => this.deps.logger.error('webhook fan-out failed', { studioId, type, err: err.message }));
      return event;
    });
  }

  private async append(studioId: string, type: EventType, data: Record<string, unknown>, actorId: string | null): Promise<StudioEventDoc | null> {
    try {
      return await this.deps.log.append(studioId, { type, actorId, data });
    } catch (err) {
      this.deps.logger.error('event log append failed', { studioId, type, err: (err as Error).message });
      return null;
    }
  }

  /** A page of the caller's studio's events after `after` (0: from the oldest kept), with the cursor to go on from. */
  async page(actor: Actor, after: number, limit: number): Promise<{ data: EventDto[]; page: { cursor: number; hasMore: boolean } }> {
    this.deps.access.require(actor, 'asset:read');
    const { events, cursor } = await this.deps.log.readAfter(actor.studioId, after, limit);
    const latest = await this.deps.log.latestSeq(actor.studioId);
    return { data: events.filter((e) => eventVisibleTo(actor, e.type)).map(toEventDto), page: { cursor, hasMore: cursor < latest } };
  }
}
