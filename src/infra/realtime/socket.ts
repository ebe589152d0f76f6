// Socket.IO on the API's HTTP server: token-authenticated connections, studio rooms by visibility class,
// review events with acks in the error contract, and the Redis adapter so every API instance shares the rooms.
import type http from 'node:http';
import { Server, type Socket } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { ZodType } from 'zod';
import type { Container } from '../../container';
import type { Actor, Scope } from '../../app/services/types';
import { AuthenticationError, DomainError, RateLimitError } from '../../shared/errors';
import { isApiToken } from '../../app/services/ApiTokenService';
import { visibleClasses } from '../../app/services/EventVisibility';
import { requireScope } from '../../shared/middlewares/auth';
import { errorBody, toDomainError } from '../../shared/middlewares/errorHandler';
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
}

export interface RealtimeHandle {
  io: Server;
  toStudio<E extends keyof ServerEventMap>(studioId: string, event: E, payload: ServerEventMap[E]): void;
  close(): Promise<void>;
}

export async function attachRealtime(server: http.Server, c: Container, options: RealtimeOptions = {}): Promise<RealtimeHandle> {
  const { config, metrics } = c;
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

  io.use(async (socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    try {
      if (typeof token !== 'string' || !token) throw new AuthenticationError('UNAUTHENTICATED', 'auth.token with an access token is required');
      if (isApiToken(token)) {
        // A script's socket: the token is re-checked on every event (revocation, its member's state).
        const { actor, token: record } = await c.apiTokens.authenticate(token, socket.handshake.address ?? null);
        socket.data = { ...actor, sessionVersion: -1, tokenExpiresAt: record.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY } satisfies SocketData;
        return next();
      }
      const v = c.tokens.verifyAccess(token);
      const actor = await c.sessions.actorFor(v);
      socket.data = { ...actor, sessionVersion: v.sessionVersion, tokenExpiresAt: v.expiresAt.getTime() } satisfies SocketData;
      next();
    } catch (err) {
      const { error } = toDomainError(err);
      // connect_error on the client carries the error contract in err.data.
      next(Object.assign(new Error(error.message), { data: errorBody(error, undefined) }));
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

  io.on('connection', (socket) => {
    const data = socket.data as SocketData;
    connected.inc();
    // Rooms of assets this socket joined, so leaving (or disconnecting) can tell the others who left.
    const joined = new Set<string>();
    socket.on('disconnect', () => {
      connected.dec();
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

    // A per-socket window: the limit is about one client flooding, so it lives with the socket.
    const sent: number[] = [];

    function handle<T>(event: string, scope: Scope | 'people', schema: ZodType<T>, run: (input: T, actor: Actor) => Promise<unknown>, limited = false) {
      socket.on(event, async (payload: unknown, maybeAck?: unknown) => {
        received.inc({ event });
        const ack: Ack = typeof maybeAck === 'function' ? (maybeAck as Ack) : () => undefined;
        try {
          if (expired(socket)) {
            ack({ error: errorBody(new AuthenticationError('TOKEN_EXPIRED', 'Access token has expired'), undefined).error });
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
            ack({ error: errorBody(toDomainError(err).error, undefined).error });
            if (err instanceof AuthenticationError) socket.disconnect(true);
            return;
          }
          await syncRooms(actor);
          requireScope(actor, scope);
          const input = schema.parse(payload);
          ack({ data: await run(input, actor) });
        } catch (err) {
          const { error, expected } = toDomainError(err);
          if (!expected) c.logger.error('socket event failed', { event, err });
          ack({ error: errorBody(error, undefined).error });
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
    // A member's room (joined on connect) on every instance through the adapter: never the studio's room.
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
      // io.close() also closes the HTTP server; an "already closing" callback error is expected then.
      await new Promise<void>((resolve) => io.close(() => resolve()));
      pub.disconnect();
      sub.disconnect();
    },
  };
}
