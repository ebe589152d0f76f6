// Socket.IO for live progress: the same credentials as REST (`auth.token`, read again on every reconnect so
// a refreshed access token is used). Server events are typed here as the API's realtime module sends them.
import { io, type Socket } from 'socket.io-client';
import { StudioApiError, StudioError, type ErrorBody } from './errors';
import type { components } from './generated/api';

export type Comment = components['schemas']['Comment'];

export interface ServerEvents {
  'render:progress': { jobId: string; assetId: string; progress: number; frame: number; chunk: number };
  'render:completed': { jobId: string; assetId: string; frames: number; preview: boolean };
  'render:failed': { jobId: string; assetId: string; error: { code: string; message: string } };
  'pipeline:update': { assetId: string; version: number; status: string; step?: string; error?: { code: string; message: string } | null };
  'asset:commented': Comment;
  /** PRODUCERs and admin-scoped tokens only; the endpoint's id and why, never its URL. */
  'webhook:disabled': { webhookId: string; code: string; reason: string };
}

/** The HTTP status a socket refusal stands for: 429 for budgets and caps (they say when to retry). */
function statusOf(body: ErrorBody, otherwise: number): number {
  if (body.retryAfterSeconds !== undefined) return 429;
  if (body.code === 'ASSET_NOT_FOUND') return 404;
  return otherwise;
}
const refusal = (body: ErrorBody, otherwise: number) => new StudioApiError(statusOf(body, otherwise), body, body.retryAfterSeconds);

type Ack = { data?: unknown; error?: ErrorBody };

/** Connects and resolves once the server accepted the credentials (a refusal is a typed StudioApiError). */
export async function connectRealtime(baseUrl: string, bearer: () => Promise<string | undefined>): Promise<Socket> {
  const socket = io(baseUrl, {
    transports: ['websocket'],
    auth: (cb) => void bearer().then((token) => cb({ token }), () => cb({})),
    reconnectionDelayMax: 5000,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err: Error & { data?: { error?: ErrorBody } }) => {
      socket.close();
      const body = err.data?.error;
      reject(body ? refusal(body, 401) : new StudioError(`could not connect to ${baseUrl}: ${err.message}`, { cause: err }));
    });
  });
  return socket;
}

/** Emits an event with an ack and turns `{error}` into a StudioApiError. */
export function request(socket: Socket, event: string, payload: unknown, timeoutMs = 10_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    socket.timeout(timeoutMs).emit(event, payload, (err: Error | null, ack: Ack) => {
      if (err) return reject(new StudioError(`${event}: no answer within ${timeoutMs} ms`, { cause: err }));
      if (ack?.error) return reject(refusal(ack.error, 400));
      resolve(ack?.data);
    });
  });
}
