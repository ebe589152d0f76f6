// One Socket.IO connection per signed-in tab, authenticated with the in-memory access token.
import { io, type Socket } from 'socket.io-client';
import type { Session } from '../auth/session';

export function connectRealtime(session: Session): Socket {
  const socket = io(window.location.origin, {
    // A function: every (re)connection reads the current token, never a stale one.
    auth: (cb) => cb({ token: session.accessToken ?? '' }),
    transports: ['websocket'],
  });
  // After a refresh the open connection adopts the new token (the server checks it on each event).
  const off = session.subscribe((s) => {
    if (s.status === 'signed-in' && socket.connected) socket.emit('auth:refresh', { token: s.accessToken }, () => undefined);
  });
  socket.on('connect_error', async () => {
    // socket.active: a transport failure, which socket.io-client retries by itself. Otherwise the server
    // refused the token (expired): refresh, then connect again with the new one.
    if (socket.active) return;
    const refreshed = await session.refresh().catch(() => null);
    if (refreshed) setTimeout(() => socket.connect(), 1000);
  });
  const disconnect = socket.disconnect.bind(socket);
  socket.disconnect = () => { off(); return disconnect(); };
  return socket;
}
