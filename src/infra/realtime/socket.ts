// Socket.IO on the API's HTTP server: token-authenticated connections, studio rooms by visibility class,
// review events with acks in the error contract, budgets on handshakes, sockets and events, and the Redis
// adapter so every API instance shares the rooms.
import type http from 'node:http';
import { Server, type Socket } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { ZodType } from 'zod';
import type { Container } from '../../container';
import { budgetHolder, type Actor, type Scope } from '../../app/services/types';
import { AuthenticationError, DomainError, RateLimitError } from '../../shared/errors';
import { isApiToken } from '../../app/services/ApiTokenService';
import { visibleClasses } from '../../app/services/EventVisibility';
import { requireScope } from '../../shared/middlewares/auth';
import { errorBody, toDomainError } from '../../shared/middlewares/errorHandler';
import { addressKey, redisBudget, type BudgetAnswer } from '../../shared/middlewares/rateLimit';
import { socketAssetRef, socketApprove, socketComment, socketTokenRefresh } from '../http/validators/review.validators';
import { ASSET_ROOM_CLASSES, STUDIO_ROOM_CLASSES, USER_ROOM_CLASS, assetRoom, rooms, socketKey, studioRoom, type AssetEventMap, type ServerEventMap, type UserEventMap } from './emitter';

export type { ServerEventMap, UserEventMap } from './emitter';

export interface SocketData extends Actor {
  tokenExpiresAt: number;
  /** The session version of the token the socket last presented; the session check runs on every event. */
  sessionVersion: number;
}

export type Ack = (reply: { data: unknown } | { error: unknown }) => void;

export interface RealtimeOptions {
  /** How often sockets with expired tokens are swept (they are also checked on every event). */
  sweepIntervalMs?: number;
  /** Comments a socket may send per window before RATE_LIMITED acks. */
  commentLimit?: { points: number; windowMs: number };
  maxPayloadBytes?: number;
  /** The client's address as the HTTP routes see it (Express' req.ip with TRUST_PROXY); default the peer's address. */
  clientIp?: (req: http.IncomingMessage) => string;
}

export interface RealtimeHandle {
  io: Server;
  toStudio<E extends keyof ServerEventMap>(studioId: string, event: E, payload: ServerEventMap[E]): void;
  close(): Promise<void>;
}

/** An error for an ack or a connect_error: the error contract, plus when to try again for a 429 (sockets have no headers). */
export function socketError(err: unknown): ReturnType<typeof errorBody>['error'] & { retryAfterSeconds?: number } {
  const { error } = toDomainError(err);
  const body = errorBody(error, undefined).error;
  const retryAfter = error.headers?.['Retry-After'];
  return retryAfter === undefined ? body : { ...body, retryAfterSeconds: Number(retryAfter) };
}

const refusedUnless = (answer: BudgetAnswer, message: string) => {
  if (!answer.allowed) throw new RateLimitError('RATE_LIMITED', message, { retryAfterSeconds: answer.retryAfterSeconds });
};

export async function attachRealtime(server: http.Server, c: Container, options: RealtimeOptions = {}): Promise<RealtimeHandle> {
  const { config, metrics, logger } = c;
  const io = new Server(server, {
    serveClient: false,
    // Review payloads are small; anything bigger is refused at the transport, before parsing.
    maxHttpBufferSize: options.maxPayloadBytes ?? 64 * 1024,
    cors: { origin: config.CORS_ORIGINS.length === 0 ? false : config.CORS_ORIGINS.includes('*') ? true : config.CORS_ORIGINS },
  });
  const pub = c.redis.duplicate();
  // The adapter subscribes without handling the promise: with the shared client's 500 ms command timeout a
  // slow Redis made that an unhandled rejection, which ends the process. A subscriber waits for Redis instead
  // (ioredis subscribes again after a reconnect).
  const sub = c.redis.duplicate({ commandTimeout: undefined, maxRetriesPerRequest: null });
  pub.on('error', () => undefined);
  sub.on('error', () => undefined);
  // The adapter publishes broadcasts and drops the promise: while Redis is away that would be an unhandled
  // rejection, which ends the API process. Broadcasts are best effort, so a failed publish is dropped.
  const publish = pub.publish.bind(pub);
  pub.publish = ((...args: Parameters<typeof publish>) => publish(...args).catch(() => 0)) as typeof pub.publish;
  io.adapter(createAdapter(pub, sub, { key: socketKey(config.REDIS_KEY_PREFIX) }));

  const connected = metrics.gauge('socketio_connected_sockets', 'Connected Socket.IO clients on this instance');
  const received = metrics.counter('socketio_events_received_total', 'Socket.IO events received', ['event']);
  const emitted = metrics.counter('socketio_events_emitted_total', 'Socket.IO events emitted', ['event']);
  const refused = metrics.counter('socketio_refused_total', 'Socket.IO handshakes and events refused by a budget or cap', ['reason']);

  // The same Redis counters as the HTTP limits, so they hold across instances and fail open the same way.
  const budget = (name: string, limit: number) => redisBudget({ redis: c.redis, logger, prefix: `${c.keyPrefix}rl:${name}:`, windowMs: 60_000, limit });
  const handshakesPerIp = budget('socket-handshake-ip', config.SOCKET_HANDSHAKES_PER_MINUTE_PER_IP);
  const handshakesPerMember = budget('socket-handshake', config.SOCKET_HANDSHAKES_PER_MINUTE_PER_MEMBER);
  const eventsPerMember = budget('socket-events', config.SOCKET_EVENTS_PER_MINUTE_PER_MEMBER);
  const clientIp = options.clientIp ?? ((req: http.IncomingMessage) => req.socket.remoteAddress ?? 'unknown');
  /** Each socket's slot among its member's (or token's) SOCKET_MAX_PER_MEMBER, released when it goes. */
  const slots = new Map<string, () => void>();

  io.use(async (socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    const address = clientIp(socket.request);
    try {
      // Before any credential check: a flood of handshakes from one address (an IPv6 client's /56) costs one counter each.
      refusedUnless(await handshakesPerIp.take(`ip:${addressKey(address)}`), 'Too many connection attempts from this address; wait, then connect again');
      if (typeof token !== 'string' || !token) throw new AuthenticationError('UNAUTHENTICATED', 'auth.token with an access token is required');
      let data: SocketData;
      if (isApiToken(token)) {
        // A script's socket: the token is re-checked on every event (revocation, its member's state).
        const { actor, token: record } = await c.apiTokens.authenticate(token, address);
        data = { ...actor, sessionVersion: -1, tokenExpiresAt: record.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY };
      } else {
        const v = c.tokens.verifyAccess(token);
        const actor = await c.sessions.actorFor(v);
        data = { ...actor, sessionVersion: v.sessionVersion, tokenExpiresAt: v.expiresAt.getTime() };
      }
      const holder = budgetHolder(data);
      refusedUnless(await handshakesPerMember.take(holder), 'Too many connection attempts for this account; wait, then connect again');
      const slot = await c.slots.acquire(`socket:${holder}`, config.SOCKET_MAX_PER_MEMBER);
      if (!slot.acquired) {
        throw new RateLimitError('TOO_MANY_CONNECTIONS', `${data.tokenId ? 'This API token has' : 'You have'} ${slot.held} live connections, the most allowed is ${config.SOCKET_MAX_PER_MEMBER}; close a tab or a script, then connect again`, {
          retryAfterSeconds: slot.retryAfterSeconds,
        });
      }
      // The engine connection closing is the one signal that also comes when the client left during the
      // handshake (Socket.IO then drops the socket without a disconnect event).
      slots.set(socket.id, slot.release);
      socket.conn.once('close', () => {
        slot.release();
        slots.delete(socket.id);
      });
      if (socket.conn.readyState !== 'open') {
        slot.release();
        slots.delete(socket.id);
      }
      socket.data = data;
      next();
    } catch (err) {
      const error = socketError(err);
      if (error.code === 'RATE_LIMITED' || error.code === 'TOO_MANY_CONNECTIONS') refused.inc({ reason: error.code === 'RATE_LIMITED' ? 'handshake' : 'connections' });
      // connect_error on the client carries the error contract in err.data.
      next(Object.assign(new Error(error.message), { data: { error } }));
    }
  });

  const toStudio: RealtimeHandle['toStudio'] = (studioId, event, payload) => {
    emitted.inc({ event });
    io.to(studioRoom(studioId, event)).emit(event, payload);
  };

  const toUser = <E extends keyof UserEventMap>(userId: string, event: E, payload: UserEventMap[E]) => {
    emitted.inc({ event });
    io.to(rooms.user(userId)).emit(event, payload);
  };

  const toAsset = <E extends keyof AssetEventMap>(assetId: string, event: E, payload: AssetEventMap[E]) => {
    emitted.inc({ event });
    io.to(assetRoom(assetId, event)).emit(event, payload);
  };

  const expired = (socket: Socket) => Date.now() >= (socket.data as SocketData).tokenExpiresAt;
  /** The socket's actor now (its expiry is checked above, per event): see ApiTokenService.actorNow. */
  const currentActor = (data: SocketData): Promise<Actor> => c.apiTokens.actorNow(data);
  const limit = options.commentLimit ?? { points: 20, windowMs: 10_000 };
  const perSocket = { points: config.SOCKET_EVENTS_PER_MINUTE_PER_SOCKET, windowMs: 60_000 };

  io.on('connection', (socket) => {
    const data = socket.data as SocketData;
    connected.inc();
    // Rooms of assets this socket joined, so leaving (or disconnecting) can tell the others who left.
    const joined = new Set<string>();
    socket.on('disconnect', () => {
      connected.dec();
      slots.get(socket.id)?.();
      slots.delete(socket.id);
      for (const assetId of joined) toAsset(assetId, 'asset:presence', { assetId, userId: data.id, action: 'left' });
    });

    /**
     * Puts the socket in exactly the rooms its actor may hear now: the studio's sub-room of every visibility
     * class it may see, the member's own room if it may read notifications, the joined assets' sub-rooms, and
     * the member's and token's control rooms (never emitted to; they end the socket when a session ends or the
     * token is revoked). Run after every session check, so a role read on any event moves the socket too.
     */
    const syncRooms = async (actor: Actor) => {
      const classes = new Set(visibleClasses(actor));
      const wanted = new Set([rooms.member(actor.id), ...(actor.tokenId ? [rooms.token(actor.tokenId)] : [])]);
      for (const cls of STUDIO_ROOM_CLASSES) if (classes.has(cls)) wanted.add(rooms.studio(actor.studioId, cls));
      if (classes.has(USER_ROOM_CLASS)) wanted.add(rooms.user(actor.id));
      for (const assetId of joined) for (const cls of ASSET_ROOM_CLASSES) if (classes.has(cls)) wanted.add(rooms.asset(assetId, cls));
      for (const room of socket.rooms) if (room !== socket.id && !wanted.has(room)) await socket.leave(room);
      await socket.join([...wanted]);
    };

    // A session ended between the handshake's check and this join would have missed its disconnect
    // broadcast (the socket was in no room yet): check once more now that the socket can be reached.
    void syncRooms(data)
      .then(() => currentActor(data))
      .then(syncRooms)
      .catch(() => socket.disconnect(true));

    // Every event, known or not, spends the socket's budget (here, exact: a socket lives on one instance,
    // so this costs no round trip and holds while Redis is away) and its member's or token's (in Redis,
    // across instances) before any other work.
    let window = { startedAt: Date.now(), count: 0 };
    const holder = budgetHolder(data);
    socket.use((packet, next) => {
      const reply = packet[packet.length - 1];
      const refuse = (retryAfterSeconds: number, reason: string) => {
        refused.inc({ reason });
        if (typeof reply === 'function') (reply as Ack)({ error: socketError(new RateLimitError('RATE_LIMITED', 'Too many socket events, slow down', { retryAfterSeconds })) });
      };
      const now = Date.now();
      if (now - window.startedAt >= perSocket.windowMs) window = { startedAt: now, count: 0 };
      if (++window.count > perSocket.points) return refuse((window.startedAt + perSocket.windowMs - now) / 1000, 'socket-events');
      void eventsPerMember.take(holder).then((answer) => (answer.allowed ? next() : refuse(answer.retryAfterSeconds, 'member-events')));
    });
    // A per-socket window: the limit is about one client flooding, so it lives with the socket.
    const sent: number[] = [];

    function handle<T>(event: string, scope: Scope | 'people', schema: ZodType<T>, run: (input: T, actor: Actor) => Promise<unknown>, limited = false) {
      socket.on(event, async (payload: unknown, maybeAck?: unknown) => {
        received.inc({ event });
        const ack: Ack = typeof maybeAck === 'function' ? (maybeAck as Ack) : () => undefined;
        try {
          if (expired(socket)) {
            ack({ error: socketError(new AuthenticationError('TOKEN_EXPIRED', 'Access token has expired')) });
            socket.disconnect(true);
            return;
          }
          // Before any I/O, so a flood costs the server nothing but this window.
          if (limited) {
            const now = Date.now();
            while (sent.length && sent[0]! <= now - limit.windowMs) sent.shift();
            if (sent.length >= limit.points) throw new RateLimitError('RATE_LIMITED', undefined, { retryAfterSeconds: (sent[0]! + limit.windowMs - now) / 1000 });
            sent.push(now);
          }
          // The same session check as REST, on every event: the role is the user's current one, and an
          // ended session (demotion, deactivation, sign-out everywhere) ends the socket.
          let actor: Actor;
          try {
            actor = await currentActor(data);
          } catch (err) {
            ack({ error: socketError(err) });
            if (err instanceof AuthenticationError) socket.disconnect(true);
            return;
          }
          await syncRooms(actor);
          requireScope(actor, scope);
          const input = schema.parse(payload);
          ack({ data: await run(input, actor) });
        } catch (err) {
          const { expected } = toDomainError(err);
          if (!expected) c.logger.error('socket event failed', { event, err });
          ack({ error: socketError(err) });
        }
      });
    }

    handle('asset:join', 'assets:read', socketAssetRef, async ({ assetId }, actor) => {
      await c.access.requireIds(actor, 'asset:read', 'asset', [assetId]);
      const first = !joined.has(assetId);
      joined.add(assetId);
      await syncRooms(actor);
      if (first) toAsset(assetId, 'asset:presence', { assetId, userId: actor.id, action: 'joined' });
      return { room: `asset:${assetId}` };
    });
    handle('asset:leave', 'assets:read', socketAssetRef, async ({ assetId }, actor) => {
      // The same answer for another studio's asset as every other asset event: not found.
      await c.access.requireIds(actor, 'asset:read', 'asset', [assetId]);
      const was = joined.delete(assetId);
      await syncRooms(actor);
      if (was) toAsset(assetId, 'asset:presence', { assetId, userId: actor.id, action: 'left' });
      return { room: `asset:${assetId}` };
    });
    handle('asset:comment', 'reviews:write', socketComment, ({ assetId, ...comment }, actor) => c.services.reviews.comment(actor, assetId, comment), true);
    handle('asset:approve', 'reviews:write', socketApprove, ({ assetId, version, decision, note }, actor) => c.services.reviews.decide(actor, assetId, version, decision, note));
    // Long review sessions outlive a 15-minute token: the client presents a fresh one for the same user,
    // which must pass the session check too; from then on the socket acts with that session's role.
    handle('auth:refresh', 'people', socketTokenRefresh, async ({ token }) => {
      const v = c.tokens.verifyAccess(token);
      if (v.id !== data.id || v.studioId !== data.studioId) throw new DomainError('TOKEN_MISMATCH', 'The token belongs to someone else', { status: 403 });
      const actor = await c.sessions.actorFor(v);
      Object.assign(data, { role: actor.role, sessionVersion: v.sessionVersion, tokenExpiresAt: v.expiresAt.getTime() });
      await syncRooms(actor);
      return { expiresAt: v.expiresAt.toISOString() };
    });
  });

  const sweep = setInterval(() => {
    for (const socket of io.of('/').sockets.values()) if (expired(socket)) socket.disconnect(true);
  }, options.sweepIntervalMs ?? 30_000);
  sweep.unref();

  const unsubscribe = [
    c.events.on('asset.created', (e) => toStudio(e.studioId, 'asset:created', e.asset)),
    c.events.on('asset.updated', (e) => toStudio(e.studioId, 'asset:updated', { ...e.asset, changes: e.changes })),
    c.events.on('version.created', (e) => toStudio(e.studioId, 'asset:version:created', e.version)),
    c.events.on('comment.created', (e) => toStudio(e.studioId, 'asset:commented', e.comment)),
    c.events.on('review.decided', (e) => toStudio(e.studioId, 'asset:approved', e.review)),
    c.events.on('project.created', (e) => toStudio(e.studioId, 'project:created', e.project)),
    c.events.on('project.updated', (e) => toStudio(e.studioId, 'project:updated', { ...e.project, changes: e.changes })),
    c.events.on('shot.created', (e) => toStudio(e.studioId, 'shot:created', e.shot)),
    c.events.on('shot.updated', (e) => toStudio(e.studioId, 'shot:updated', { ...e.shot, changes: e.changes })),
    c.events.on('task.created', (e) => toStudio(e.studioId, 'task:created', e.task)),
    c.events.on('task.updated', (e) => toStudio(e.studioId, 'task:updated', { ...e.task, changes: e.changes, from: e.from ?? null, reason: e.reason ?? 'edit' })),
    c.events.on('casting.updated', (e) => toStudio(e.studioId, 'casting:updated', { shotId: e.shotId, casting: e.casting })),
    c.events.on('editorial.imported', (e) => toStudio(e.studioId, 'editorial:imported', { projectId: e.projectId, created: e.created.length, updated: e.updated.length, omitted: e.omitted.length })),
    // A member's room (joined by sockets that may read notifications) on every instance through the adapter: never the studio's rooms.
    c.events.on('notification.created', (e) => toUser(e.userId, 'notification:new', e.notification)),
    // Reaches the member's sockets (people's and tokens') on every instance through the adapter (each event re-checks the session anyway).
    c.events.on('user.sessionEnded', (e) => io.in(rooms.member(e.userId)).disconnectSockets(true)),
    c.events.on('token.revoked', (e) => io.in(rooms.token(e.tokenId)).disconnectSockets(true)),
  ];

  return {
    io,
    toStudio,
    async close() {
      clearInterval(sweep);
      for (const off of unsubscribe) off();
      io.disconnectSockets(true);
      for (const release of slots.values()) release();
      slots.clear();
      // io.close() also closes the HTTP server; an "already closing" callback error is expected then.
      await new Promise<void>((resolve) => io.close(() => resolve()));
      pub.disconnect();
      sub.disconnect();
    },
  };
}
