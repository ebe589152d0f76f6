// Socket.IO test clients: connect with a token and record every event received.
import { io as connect, type Socket } from 'socket.io-client';

export interface Listener {
  socket: Socket;
  /** Payloads received so far, by event name. */
  events: Record<string, Array<Record<string, unknown>>>;
}

export async function listen(url: string, token: string): Promise<Listener> {
  const socket = connect(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const events: Listener['events'] = {};
  socket.onAny((event: string, payload: Record<string, unknown>) => (events[event] ??= []).push(payload));
  return { socket, events };
}
