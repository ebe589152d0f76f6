// HTTP in/out for /events: pages of the studio's event log, and the log followed as Server-Sent Events
// (`id:` is the event's number, so a reconnecting EventSource resumes with Last-Event-ID).
import type { Request, Response } from 'express';
import type { EventLogService } from '../services/EventLogService';
import type { EventStreamService, StreamEnd } from '../services/EventStreamService';
import { eventsQuery, streamQuery } from '../../infra/http/validators/event.validators';
import { actorOf } from '../../shared/middlewares/auth';
import { errorBody, toDomainError } from '../../shared/middlewares/errorHandler';
import { ValidationError } from '../../shared/errors';

/** How long EventSource waits before it reconnects (the SSE `retry:` field). */
const RETRY_MS = 3000;

/** The comment a stream that the server ends leaves for whoever reads it raw. */
const ENDED: Record<Exclude<StreamEnd['reason'], 'closed'>, string> = {
  lifetime: 'this stream reached its time limit (EVENTS_STREAM_MAX_SECONDS)',
  lagging: 'this client fell too far behind',
  stopping: 'the server is restarting',
};

export class EventController {
  constructor(
    private readonly events: EventLogService,
    private readonly streams: EventStreamService,
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
    // Refused (429) before a byte of the stream is sent, so the client sees the error contract.
    const slot = await this.streams.open(actor);
    try {
      // Resume after the last event seen; with no position, start at the newest (only what happens next).
      const after = lastId !== undefined ? Number(lastId) : (queryAfter ?? (await this.streams.latest(actor)));
      res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
      res.flushHeaders();
      const gone = new AbortController();
      res.on('close', () => gone.abort());
      res.write(`retry: ${RETRY_MS}\n: stream from ${after}\n\n`);
      try {
        const end = await this.streams.follow(actor, after, {
          event: (e) => res.write(`id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`),
          heartbeat: () => res.write(': heartbeat\n\n'),
          backlog: () => res.writableLength,
          closed: gone.signal,
        });
        // An `id:` with no data moves EventSource's Last-Event-ID without an event (HTML, "dispatch the event"
        // step 1): past events this caller may not see too, so the reconnection reads from where this one was.
        if (end.reason !== 'closed' && !res.destroyed) res.write(`: ${ENDED[end.reason]}; reconnect with Last-Event-ID\nretry: ${RETRY_MS}\nid: ${end.resumeAfter}\n\n`);
      } catch (err) {
        // The stream has started: the error goes as a last event in the error contract, then the stream ends.
        if (!res.destroyed) res.write(`event: error\ndata: ${JSON.stringify(errorBody(toDomainError(err).error, req.correlationId))}\n\n`);
      }
      res.end();
    } finally {
      slot.release();
    }
  };
}
