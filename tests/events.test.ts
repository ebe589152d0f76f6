// The studio event log (issue 19): GET /events pages it, GET /events/stream follows it as Server-Sent
// Events with Last-Event-ID resume, each event checked against the caller's scopes, studios kept apart.
import { startHarness, type Harness } from './support/harness';
import { givenStudio, givenToken, type Session } from './support/factories';
import { waitFor } from './support/workers';

interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
}

/** An SSE client over fetch (it can send Authorization, which the browser's EventSource cannot). */
async function openStream(base: string, token: string, headers: Record<string, string> = {}) {
  const ac = new AbortController();
  const res = await fetch(`${base}/events/stream`, { headers: { Authorization: `Bearer ${token}`, ...headers }, signal: ac.signal });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  let ended = false;
  const done = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let at: number;
        while ((at = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          const e: SseEvent = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('id: ')) e.id = line.slice(4);
            else if (line.startsWith('event: ')) e.event = line.slice(7);
            else if (line.startsWith('data: ')) e.data = line.slice(6);
          }
          if (e.event) events.push(e);
        }
      }
    } catch {
      // aborted by the test
    }
    ended = true;
  })();
  return { res, events, comments, ended: () => ended, close: async () => { ac.abort(); await done; } };
}

describe('events: the log, paged and streamed', () => {
  let h: Harness;
  let base: string;
  let a: Session;
  let b: Session;
  beforeAll(async () => {
    h = await startHarness({ EVENTS_POLL_MS: '50', EVENTS_HEARTBEAT_MS: '300', RATE_LIMIT_MAX: '100000' });
    base = await h.listen();
    a = await givenStudio(h, 'Events A');
    b = await givenStudio(h, 'Events B');
  });
  afterAll(() => h.close());

  const create = (who: Session, name: string) => h.http.post('/assets').set(who.auth).send({ name, type: 'PROP' }).expect(201);

  it('pages the studio\'s events in order with a cursor, and only to tokens whose scopes cover them', async () => {
    for (const n of ['one', 'two', 'three']) await create(a, `Paged ${n}`);
    // Events are logged right after the change is answered.
    await waitFor('three events', async () => (await h.http.get('/events').set(a.auth)).body.data.length === 3 || undefined, 10_000, 20);
    const first = await h.http.get('/events').set(a.auth).query({ limit: 2 });
    expect(first.status).toBe(200);
    expect(first.body.data.map((e: { seq: number }) => e.seq)).toEqual([1, 2]);
    expect(first.body.data[0]).toMatchObject({ type: 'asset.created', studioId: a.user.studioId, actorId: a.user.id, data: { asset: { name: 'Paged one' } } });
    expect(first.body.page).toEqual({ cursor: 2, hasMore: true });
    const rest = await h.http.get('/events').set(a.auth).query({ after: first.body.page.cursor });
    expect(rest.body.data.map((e: { data: { asset: { name: string } } }) => e.data.asset.name)).toEqual(['Paged three']);
    expect(rest.body.page.hasMore).toBe(false);
    // B sees none of A's.
    expect((await h.http.get('/events').set(b.auth)).body.data.every((e: { studioId: string }) => e.studioId === b.user.studioId)).toBe(true);

    const eventsOnly = (await givenToken(h, a, ['events:read'])).token;
    const withAssets = (await givenToken(h, a, ['events:read', 'assets:read'])).token;
    const assetsOnly = (await givenToken(h, a, ['assets:read'])).token;
    expect((await h.http.get('/events').set({ Authorization: `Bearer ${eventsOnly}` })).body.data).toEqual([]);
    expect((await h.http.get('/events').set({ Authorization: `Bearer ${withAssets}` })).body.data).toHaveLength(3);
    expect((await h.http.get('/events').set({ Authorization: `Bearer ${assetsOnly}` })).body.error.code).toBe('INSUFFICIENT_SCOPE');
  });

  it('streams live events; a client that reconnects with Last-Event-ID gets exactly what it missed, in order; B gets none of A\'s', async () => {
    const sa = await openStream(base, a.accessToken);
    const sb = await openStream(base, b.accessToken);
    expect(sa.res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    await create(a, 'Live 1');
    await create(a, 'Live 2');
    await waitFor('two live events', async () => sa.events.length >= 2 || undefined, 10_000, 20);
    const seen = sa.events.map((e) => JSON.parse(e.data!) as { seq: number; data: { asset: { name: string } } });
    expect(seen.map((e) => e.data.asset.name)).toEqual(['Live 1', 'Live 2']);
    expect(sa.events.map((e) => Number(e.id))).toEqual(seen.map((e) => e.seq));
    expect(sa.events.map((e) => e.event)).toEqual(['asset.created', 'asset.created']);
    const lastId = sa.events[sa.events.length - 1]!.id!;
    await sa.close();

    for (const n of [3, 4, 5]) await create(a, `Missed ${n}`);
    const again = await openStream(base, a.accessToken, { 'Last-Event-ID': lastId });
    await waitFor('the missed events', async () => again.events.length >= 3 || undefined, 10_000, 20);
    await create(a, 'After reconnect');
    await waitFor('the next live event', async () => again.events.length >= 4 || undefined, 10_000, 20);
    await new Promise((r) => setTimeout(r, 300));
    const names = again.events.map((e) => (JSON.parse(e.data!) as { data: { asset: { name: string } } }).data.asset.name);
    expect(names).toEqual(['Missed 3', 'Missed 4', 'Missed 5', 'After reconnect']);
    const seqs = again.events.map((e) => Number(e.id));
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(seqs[0]).toBe(Number(lastId) + 1);
    // Heartbeats keep idle proxies from closing the stream.
    expect(again.comments).toContain('heartbeat');
    await again.close();

    expect(sb.events).toEqual([]);
    await create(b, 'Only B');
    await waitFor('B\'s own event', async () => sb.events.length >= 1 || undefined, 10_000, 20);
    expect(JSON.parse(sb.events[0]!.data!).studioId).toBe(b.user.studioId);
    await sb.close();
  });

  it('ends the stream with an error event in the contract when the session ends', async () => {
    const who = await givenStudio(h, 'Events Ending');
    const s = await openStream(base, who.accessToken);
    await h.http.post('/auth/logout-all').set(who.auth).expect(204);
    await waitFor('the stream to end', async () => s.ended() || undefined, 10_000, 20);
    const last = s.events[s.events.length - 1]!;
    expect(last.event).toBe('error');
    expect(JSON.parse(last.data!).error.code).toBe('SESSION_REVOKED');
    await s.close();
  });

  it('refuses an empty cursor (?after=) with 400 instead of reading it as the start, for events and comments', async () => {
    const asset = (await create(a, 'Cursor asset')).body as { id: string };
    for (const path of ['/events', `/assets/${asset.id}/comments`]) {
      const res = await h.http.get(`${path}?after=`).set(a.auth);
      expect({ path, status: res.status, code: res.body.error?.code, field: res.body.error?.details?.[0]?.path }).toEqual({ path, status: 400, code: 'VALIDATION_FAILED', field: 'after' });
    }
  });

  it('refuses a malformed Last-Event-ID with 400 before streaming', async () => {
    const res = await fetch(`${base}/events/stream`, { headers: { Authorization: `Bearer ${a.accessToken}`, 'Last-Event-ID': 'abc' } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');
  });
});
