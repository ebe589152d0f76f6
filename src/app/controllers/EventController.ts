// HTTP in/out for /events: pages of the studio's event log, and the log followed as Server-Sent Events
// (`id:` is the event's number, so a reconnecting EventSource resumes with Last-Event-ID).
import type { Request, Response } from 'express';
import type { EventLogService, FollowOptions } from '../services/EventLogService';
import type { Actor } from '../services/types';
import { eventsQuery, streamQuery } from '../../infra/http/validators/event.validators';
import { actorOf } from '../../shared/middlewares/auth';
import { errorBody, toDomainError } from '../../shared/middlewares/errorHandler';
import { ValidationError } from '../../shared/errors';

export interface StreamSettings extends Omit<FollowOptions, 'recheck'> {
  recheck: (actor: Actor) => Promise<Actor>;
}

export class EventController {
  constructor(
    private readonly events: EventLogService,
    private readonly settings: StreamSettings,
  ) {}

  list = async (req: Request, res: Response) => {
    const { after, limit } = eventsQuery.parse(req.query);
    res.json(await this.events.page(actorOf(req), after, limit));
  };

  stream = async (req: Request, res: Response) => {
    const actor = actorOf(req);
    const { after: queryAfter } = streamQuery.parse(req.query);
    const lastId = req.header('last-event-id');
    if (lastId !== undefined && !/^\d{1,15}$/.test(lastId)) throw new ValidationError('VALIDATION_FAILED', 'Last-Event-ID must be an event number', { details: [{ path: 'Last-Event-ID', message: 'expected digits' }] });
    // Resume after the last event seen; with no position, start at the newest (only what happens next).
    const after = lastId !== undefined ? Number(lastId) : (queryAfter ?? (await this.events.latest(actor)));
    res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    let closed = false;
    req.on('close', () => (closed = true));
    res.write(`retry: 3000\n: stream from ${after}\n\n`);
    try {
      await this.events.follow(
        actor,
        after,
        {
          event: (e) => res.write(`id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`),
          heartbeat: () => res.write(': heartbeat\n\n'),
          closed: () => closed || res.destroyed,
        },
        { ...this.settings, recheck: () => this.settings.recheck(actor) },
      );
    } catch (err) {
      // The stream has started: the error goes as a last event in the error contract, then the stream ends.
      if (!res.destroyed) res.write(`event: error\ndata: ${JSON.stringify(errorBody(toDomainError(err).error, req.correlationId))}\n\n`);
    }
    res.end();
  };
}
