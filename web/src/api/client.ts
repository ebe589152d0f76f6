// The typed API client (openapi-fetch over the generated schema) and the app's one Session.
import createClient from 'openapi-fetch';
import type { paths } from './schema';
import { ApiError } from './errors';
import { Session } from '../auth/session';

const origin = typeof window === 'undefined' ? 'http://localhost' : window.location.origin;

export const session = new Session({
  baseUrl: origin,
  fetch: (input, init) => globalThis.fetch(input, init),
  channel: typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel('studio-session'),
  locks: typeof navigator !== 'undefined' && navigator.locks ? { request: <T,>(name: string, cb: () => Promise<T>) => navigator.locks.request(name, cb) as Promise<T> } : undefined,
});

export const api = createClient<paths>({ baseUrl: origin, fetch: session.authFetch });

/** The data of an openapi-fetch result, or its error as an ApiError. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) throw new ApiError(result.response.status, result.error, result.response.headers);
  return result.data as T;
}
