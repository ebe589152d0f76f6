// One Socket.IO connection per signed-in tab, authenticated with the in-memory access token. It reconnects
// by itself (socket.io-client's back-off on transport failures; a refreshed token when the server refused or
// dropped an expired one), joins again the asset rooms the page is in (a new connection is in no room), and
// tells the pages when it is back so they fetch what they missed (comments `?after=<seq>`).
import { io, type Socket } from 'socket.io-client';
import type { Session } from '../auth/session';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting';

interface Extras {
  rooms: Map<string, number>;
  resync: Set<() => void>;
  state: ConnectionState;
  stateListeners: Set<(s: ConnectionState) => void>;
}
const extras = new WeakMap<Socket, Extras>();

function extrasOf(socket: Socket): Extras {
  let x = extras.get(socket);
  if (!x) {
    x = { rooms: new Map(), resync: new Set(), state: socket.connected ? 'live' : 'connecting', stateListeners: new Set() };
    extras.set(socket, x);
  }
  return x;
}

function setState(socket: Socket, state: ConnectionState) {
  const x = extrasOf(socket);
  if (x.state === state) return;
  x.state = state;
  for (const l of x.stateListeners) l(state);
}

export function connectRealtime(session: Session): Socket {
  const socket = io(window.location.origin, {
    // A function: every (re)connection reads the current token, never a stale one.
    auth: (cb) => cb({ token: session.accessToken ?? '' }),
    transports: ['websocket'],
  });
  const x = extrasOf(socket);
  let connectedBefore = false;
  socket.on('connect', () => {
    // A new connection is in no asset room: join again every room a page still wants.
    for (const assetId of x.rooms.keys()) socket.emit('asset:join', { assetId }, () => undefined);
    setState(socket, 'live');
    if (connectedBefore) for (const cb of x.resync) cb();
    connectedBefore = true;
  });
  // After a refresh the open connection adopts the new token (the server checks it on each event).
  const off = session.subscribe((s) => {
    if (s.status === 'signed-in' && socket.connected) socket.emit('auth:refresh', { token: s.accessToken }, () => undefined);
  });
  let stopped = false;
  const reconnectWithFreshToken = async () => {
    const refreshed = await session.refresh().catch(() => null);
    if (refreshed && !stopped) setTimeout(() => { if (!stopped && !socket.connected) socket.connect(); }, 500);
  };
  socket.on('connect_error', (err: Error & { data?: { error?: { retryAfterSeconds?: number } } }) => {
    if (connectedBefore) setState(socket, 'reconnecting');
    // socket.active: a transport failure, which socket.io-client retries by itself. Otherwise the server
    // refused: a budget or cap (too many connections or attempts) says when to try again with the same
    // token, spread a little so a studio's tabs do not all come back at once; else the token (expired):
    // refresh, then connect again with the new one.
    if (socket.active) return;
    const retryAfter = err.data?.error?.retryAfterSeconds;
    if (retryAfter !== undefined) {
      setTimeout(() => { if (!stopped && !socket.connected) socket.connect(); }, retryAfter * 1000 * (1 + Math.random() / 2));
      return;
    }
    void reconnectWithFreshToken();
  });
  socket.on('disconnect', (reason) => {
    if (stopped) return;
    setState(socket, 'reconnecting');
    // The server ends a socket whose token expired ('io server disconnect'), which socket.io-client does not
    // retry: get a fresh token and connect again (a deactivated user's refresh fails and signs them out).
    if (reason === 'io server disconnect') void reconnectWithFreshToken();
  });
  const disconnect = socket.disconnect.bind(socket);
  socket.disconnect = () => {
    stopped = true;
    off();
    return disconnect();
  };
  return socket;
}

/** Joins an asset's room now and after every reconnection, until the returned function leaves it. */
export function joinAsset(socket: Socket, assetId: string): () => void {
  const x = extrasOf(socket);
  const n = x.rooms.get(assetId) ?? 0;
  x.rooms.set(assetId, n + 1);
  if (n === 0 && socket.connected) socket.emit('asset:join', { assetId }, () => undefined);
  return () => {
    const left = (x.rooms.get(assetId) ?? 1) - 1;
    if (left > 0) {
      x.rooms.set(assetId, left);
      return;
    }
    x.rooms.delete(assetId);
    if (socket.connected) socket.emit('asset:leave', { assetId }, () => undefined);
  };
}

/** Calls back each time the socket is back after a drop: time to fetch what was missed. */
export function onResync(socket: Socket, cb: () => void): () => void {
  const x = extrasOf(socket);
  x.resync.add(cb);
  return () => x.resync.delete(cb);
}

export function connectionState(socket: Socket): ConnectionState {
  return extrasOf(socket).state;
}

export function onConnectionState(socket: Socket, cb: (s: ConnectionState) => void): () => void {
  const x = extrasOf(socket);
  x.stateListeners.add(cb);
  return () => x.stateListeners.delete(cb);
}
