// The browser's session: the access token in memory only, the refresh token in the API's HttpOnly cookie
// (cookie mode, X-Studio-Client: web). One refresh at a time across every tab (Web Locks), since two tabs
// spending the same cookie would look like theft and revoke the family; logout is broadcast to other tabs.
import { ApiError } from '../api/errors';
import type { components } from '../api/schema';

export type User = components['schemas']['User'];
export interface SignedIn { accessToken: string; user: User }
/** Why the API ended a session (the reason code of its 401's details) and its words, for the sign-in page. */
export interface SessionEnded { reason: string; message: string }
export type SessionState = { status: 'unknown' } | { status: 'signed-out'; ended?: SessionEnded } | ({ status: 'signed-in' } & SignedIn);

/** The reason code a 401 carries in its details ({path: 'reason'}), if any. */
export function endedBy(err: ApiError): SessionEnded | undefined {
  const reason = err.details.find((d) => d.path === 'reason')?.message;
  return reason ? { reason, message: err.message } : undefined;
}

export const WEB_CLIENT = { 'X-Studio-Client': 'web' } as const;

interface ChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
  close(): void;
}
interface LocksLike { request<T>(name: string, callback: () => Promise<T>): Promise<T> }

export interface SessionDeps {
  baseUrl: string;
  fetch: typeof fetch;
  channel?: ChannelLike;
  locks?: LocksLike;
}

export class Session {
  private state: SessionState = { status: 'unknown' };
  private listeners = new Set<(s: SessionState) => void>();
  private inFlight: Promise<SignedIn | null> | null = null;
  /** Counts sign-ins, so a refresh that fails after the page signed in some other way does not sign it out. */
  private epoch = 0;

  constructor(private readonly deps: SessionDeps) {
    deps.channel?.addEventListener('message', (e) => {
      if ((e.data as { type?: string } | null)?.type === 'logout') this.set({ status: 'signed-out', ended: { reason: 'signed-out', message: 'You signed out in another tab of this browser.' } });
    });
  }

  get current(): SessionState { return this.state; }
  get accessToken(): string | undefined { return this.state.status === 'signed-in' ? this.state.accessToken : undefined; }

  subscribe(listener: (s: SessionState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(next: SessionState) {
    this.state = next;
    for (const l of this.listeners) l(next);
  }

  /** A sign-in the page just made (login, verify-email, accepted invitation) in cookie mode. */
  signedIn(result: SignedIn) {
    this.epoch++;
    this.set({ status: 'signed-in', accessToken: result.accessToken, user: result.user });
  }

  /** POST to an /auth endpoint in cookie mode; the answer or an ApiError. */
  async post<T>(path: string, body: unknown): Promise<T> {
    const res = await this.deps.fetch(`${this.deps.baseUrl}${path}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', ...WEB_CLIENT },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    const json: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) throw new ApiError(res.status, json, res.headers);
    return json as T;
  }

  /**
   * A new access token from the cookie (on load, and when one expires). Concurrent callers share one
   * request; a refused cookie (401) means signed out, a network failure leaves the state as it was.
   */
  refresh(): Promise<SignedIn | null> {
    this.inFlight ??= (async () => {
      const epoch = this.epoch;
      try {
        const run = () => this.post<SignedIn>('/auth/refresh', {});
        const result = this.deps.locks ? await this.deps.locks.request('studio-refresh', run) : await run();
        this.signedIn(result);
        return result;
      } catch (err) {
        if (epoch !== this.epoch) return null; // signed in meanwhile (a mailed link, the form): that session stands
        if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
          const ended = endedBy(err);
          this.set(ended ? { status: 'signed-out', ended } : { status: 'signed-out' });
          return null;
        }
        if (this.state.status === 'unknown') this.set({ status: 'signed-out' });
        throw err;
      } finally {
        this.inFlight = null;
      }
    })();
    return this.inFlight;
  }

  /**
   * Runs a request that replaces the session and its cookie (a password change, which also makes the
   * server end this page's socket) under the refresh lock, and hands its result to any refresh asked for
   * meanwhile. Otherwise the socket's reconnect would spend the revoked cookie, and the refusal's
   * cookie-clearing answer could land after, and wipe, the new cookie.
   */
  replaceSession(run: () => Promise<SignedIn>): Promise<SignedIn> {
    const before = this.inFlight;
    const go = async () => {
      const result = await run();
      this.signedIn(result);
      return result;
    };
    const change = (async () => {
      await before?.catch(() => null);
      return this.deps.locks ? this.deps.locks.request('studio-refresh', go) : go();
    })();
    // Taken at once, before any await: a refresh asked for from here on waits for this change.
    const shared = change.catch(() => null);
    this.inFlight = shared;
    return change.finally(() => {
      if (this.inFlight === shared) this.inFlight = null;
    });
  }

  /** Ends the session here (the cookie's token family) and in every other tab. */
  async logout(): Promise<void> {
    try {
      await this.post('/auth/logout', {});
    } finally {
      this.set({ status: 'signed-out' });
      this.deps.channel?.postMessage({ type: 'logout' });
    }
  }

  /**
   * fetch with the bearer token; on a 401 it refreshes once and retries (the access token lives 15 min).
   * The request is cloned first, since a body can be read only once.
   */
  authFetch = async (request: Request): Promise<Response> => {
    const retry = request.clone();
    const send = (r: Request) => {
      const token = this.accessToken;
      if (token) r.headers.set('Authorization', `Bearer ${token}`);
      return this.deps.fetch(r);
    };
    const res = await send(request);
    if (res.status !== 401 || this.state.status !== 'signed-in') return res;
    const refreshed = await this.refresh().catch(() => null);
    return refreshed ? send(retry) : res;
  };
}
