// The auth refresh logic: memory-only access token, cookie-mode requests, one refresh at a time, retry on 401, cross-tab logout.
import { describe, expect, it, vi } from 'vitest';
import { Session, type SignedIn as SignedInBody } from '../src/auth/session';

const user = { id: 'u1', studioId: 's1', email: 'a@b.c', name: 'A', role: 'PRODUCER', kind: 'PERSON', active: true, createdAt: '', updatedAt: '' } as const;
const json = (status: number, body: unknown) => new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

class FakeChannel {
  static all: FakeChannel[] = [];
  listeners: Array<(e: MessageEvent) => void> = [];
  constructor() { FakeChannel.all.push(this); }
  postMessage(data: unknown) { for (const c of FakeChannel.all) if (c !== this) c.listeners.forEach((l) => l({ data } as MessageEvent)); }
  addEventListener(_: 'message', l: (e: MessageEvent) => void) { this.listeners.push(l); }
  close() {}
}

describe('Session', () => {
  it('refreshes from the cookie in cookie mode, keeps the access token in memory only, and shares one request between callers', async () => {
    const fetch = vi.fn(async () => json(200, { accessToken: 'at-1', user }));
    const s = new Session({ baseUrl: 'http://x', fetch });
    const [a, b] = await Promise.all([s.refresh(), s.refresh()]);
    expect(a).toEqual(b);
    expect(fetch).toHaveBeenCalledTimes(1);
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('http://x/auth/refresh');
    expect(init.credentials).toBe('same-origin');
    expect(init.headers).toMatchObject({ 'X-Studio-Client': 'web' });
    expect(init.body).toBe('{}');
    expect(s.accessToken).toBe('at-1');
    expect(localStorage.length + sessionStorage.length).toBe(0);
  });

  it('is signed out when the cookie is refused, and stays as it was on a network failure', async () => {
    const s = new Session({ baseUrl: 'http://x', fetch: async () => json(401, { error: { code: 'INVALID_REFRESH_TOKEN', message: 'no' } }) });
    expect(await s.refresh()).toBeNull();
    expect(s.current.status).toBe('signed-out');
    const t = new Session({ baseUrl: 'http://x', fetch: async () => { throw new TypeError('offline'); } });
    t.signedIn({ accessToken: 'at', user });
    await expect(t.refresh()).rejects.toThrow('offline');
    expect(t.current.status).toBe('signed-in');
  });

  it('does not sign out a page that signed in while its start-up refresh was failing', async () => {
    let answer: (r: Response) => void = () => undefined;
    const s = new Session({ baseUrl: 'http://x', fetch: () => new Promise<Response>((r) => (answer = r)) });
    const pending = s.refresh();
    s.signedIn({ accessToken: 'from-link', user });
    answer(json(401, { error: { code: 'INVALID_REFRESH_TOKEN', message: 'no' } }));
    await pending;
    expect(s.accessToken).toBe('from-link');
  });

  it('a refresh asked for during a password change gets the new session and never spends the revoked cookie', async () => {
    let answer: (r: SignedInBody) => void = () => undefined;
    const pending = new Promise<SignedInBody>((r) => (answer = r));
    const fetch = vi.fn(async () => json(200, { accessToken: 'refreshed', user }));
    const order: string[] = [];
    const locks = { request: async <T,>(name: string, cb: () => Promise<T>) => { order.push(`lock ${name}`); return cb(); } };
    const s = new Session({ baseUrl: 'http://x', fetch, locks });
    s.signedIn({ accessToken: 'old', user });
    const change = s.replaceSession(() => pending);
    // The server ended the socket; its reconnect asks for a fresh token while the change is in flight.
    const meanwhile = s.refresh();
    answer({ accessToken: 'after-change', user });
    expect(await change).toEqual({ accessToken: 'after-change', user });
    expect(await meanwhile).toEqual({ accessToken: 'after-change', user });
    expect(fetch).not.toHaveBeenCalled();
    expect(order).toEqual(['lock studio-refresh']);
    expect(s.accessToken).toBe('after-change');
    // Later refreshes spend the new cookie as usual.
    await s.refresh();
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('a failed password change leaves the session as it was and lets refreshes go on', async () => {
    const s = new Session({ baseUrl: 'http://x', fetch: async () => json(200, { accessToken: 'refreshed', user }) });
    s.signedIn({ accessToken: 'old', user });
    await expect(s.replaceSession(async () => { throw new Error('The current password is wrong'); })).rejects.toThrow('wrong');
    expect(s.accessToken).toBe('old');
    expect((await s.refresh())?.accessToken).toBe('refreshed');
  });

  it('serialises refreshes through the lock, so two tabs never spend one cookie twice', async () => {
    const order: string[] = [];
    const locks = { request: async <T,>(name: string, cb: () => Promise<T>) => { order.push(`lock ${name}`); return cb(); } };
    const s = new Session({ baseUrl: 'http://x', fetch: async () => { order.push('fetch'); return json(200, { accessToken: 'at', user }); }, locks });
    await s.refresh();
    expect(order).toEqual(['lock studio-refresh', 'fetch']);
  });

  it('adds the bearer token, and on a 401 refreshes once and retries with the new token', async () => {
    const seen: string[] = [];
    const fetch = vi.fn(async (input: RequestInfo | URL) => {
      if (typeof input === 'string') return json(200, { accessToken: 'at-2', user });
      const auth = (input as Request).headers.get('Authorization') ?? '';
      seen.push(`${auth} ${await (input as Request).text()}`);
      return auth === 'Bearer at-2' ? json(200, { ok: true }) : json(401, { error: { code: 'TOKEN_EXPIRED', message: 'expired' } });
    });
    const s = new Session({ baseUrl: 'http://x', fetch: fetch as typeof globalThis.fetch });
    s.signedIn({ accessToken: 'at-1', user });
    const res = await s.authFetch(new Request('http://x/assets', { method: 'POST', body: '{"name":"n"}' }));
    expect(res.status).toBe(200);
    expect(seen).toEqual(['Bearer at-1 {"name":"n"}', 'Bearer at-2 {"name":"n"}']);
  });

  it('three requests that meet an expired token at once share one refresh, then all retry with the new token', async () => {
    let refreshes = 0;
    const fetch = vi.fn(async (input: RequestInfo | URL) => {
      if (typeof input === 'string') {
        refreshes++;
        await new Promise((r) => setTimeout(r, 10));
        return json(200, { accessToken: 'at-2', user });
      }
      return (input as Request).headers.get('Authorization') === 'Bearer at-2' ? json(200, { ok: true }) : json(401, { error: { code: 'TOKEN_EXPIRED', message: 'expired' } });
    });
    const s = new Session({ baseUrl: 'http://x', fetch: fetch as typeof globalThis.fetch });
    s.signedIn({ accessToken: 'at-1', user });
    const answers = await Promise.all(['a', 'b', 'c'].map((p) => s.authFetch(new Request(`http://x/${p}`))));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(refreshes).toBe(1);
    expect(s.accessToken).toBe('at-2');
  });

  it('signs out when the refresh after a 401 is refused, and hands the caller the 401 without a second try', async () => {
    const calls: string[] = [];
    const fetch = vi.fn(async (input: RequestInfo | URL) => {
      if (typeof input === 'string') {
        calls.push('refresh');
        return json(401, { error: { code: 'INVALID_REFRESH_TOKEN', message: 'revoked' } });
      }
      calls.push((input as Request).url);
      return json(401, { error: { code: 'TOKEN_EXPIRED', message: 'expired' } });
    });
    const s = new Session({ baseUrl: 'http://x', fetch: fetch as typeof globalThis.fetch });
    s.signedIn({ accessToken: 'at-1', user });
    const heard = vi.fn();
    s.subscribe(heard);
    const res = await s.authFetch(new Request('http://x/assets'));
    expect(res.status).toBe(401);
    expect(calls).toEqual(['http://x/assets', 'refresh']);
    expect(s.current.status).toBe('signed-out');
    expect(s.accessToken).toBeUndefined();
    expect(heard).toHaveBeenCalledWith({ status: 'signed-out' });
  });

  it('logs out in every tab: the API forgets the cookie, and the other tabs hear it on the BroadcastChannel', async () => {
    const fetch = vi.fn(async () => json(204, undefined));
    const one = new Session({ baseUrl: 'http://x', fetch, channel: new FakeChannel() });
    const two = new Session({ baseUrl: 'http://x', fetch, channel: new FakeChannel() });
    one.signedIn({ accessToken: 'a', user });
    two.signedIn({ accessToken: 'b', user });
    const heard = vi.fn();
    two.subscribe(heard);
    await one.logout();
    expect((fetch.mock.calls[0] as unknown as [string])[0]).toBe('http://x/auth/logout');
    expect(one.current.status).toBe('signed-out');
    expect(two.current.status).toBe('signed-out');
    // The other tab's sign-in page says why it was sent there.
    expect(heard).toHaveBeenCalledWith({ status: 'signed-out', ended: { reason: 'signed-out', message: 'You signed out in another tab of this browser.' } });
  });
});
