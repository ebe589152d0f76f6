// The studio event log (issue 19): GET /events pages it, GET /events/stream follows it as Server-Sent
// Events with Last-Event-ID resume, each event checked against the caller's role and scopes (EventVisibility),
// studios kept apart; streams capped per token, fed by one poller per studio, and bounded in time (issue 27).
import { startHarness, type Harness } from './support/harness';
import { givenMember, givenStudio, givenToken, type Session } from './support/factories';
import { waitFor } from './support/workers';
import { openStream } from './support/sse';

describe('events: the log, paged and streamed', () => {
  let h: Harness;
  let base: string;
  let a: Session;
  let b: Session;
  beforeAll(async () => {
    h = await startHarness({ EVENTS_POLL_MS: '50', EVENTS_HEARTBEAT_MS: '300', EVENTS_RECHECK_MS: '300', RATE_LIMIT_MAX: '100000' });
    base = await h.listen();
    a = await givenStudio(h, 'Events A');
    b = await givenStudio(h, 'Events B');
  });
  afterAll(() => h.close());

  const create = (who: Session, name: string) => h.http.post('/assets').set(who.auth).send({ name, type: 'PROP' }).expect(201);
  const mint = async (who: Session, scopes: string[]) => (await givenToken(h, who, scopes, { name: `feed ${scopes.join(' ')}` })).token;
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const assetNames = (events: Array<{ event?: string; data?: string }>) => events.filter((e) => e.event === 'asset.created').map((e) => (JSON.parse(e.data!) as { data: { asset: { name: string } } }).data.asset.name);

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

  it('shows webhook.disabled to PRODUCERs and admin tokens with the endpoint id and reason only (an event stored with its URL too), and to no ARTIST', async () => {
    const artist = await givenMember(h, a, 'ARTIST');
    // An event as workers wrote it before issue 27: with the endpoint's URL, which for chat receivers is the credential.
    const legacy = await h.container.eventLogRepo.append(a.user.studioId, {
      type: 'webhook.disabled',
      actorId: null,
      data: { webhookId: '0123456789abcdef01234567', url: 'https://hooks.chat.example/services/T000/B000/s3cr3t', reason: 'every delivery failed for 1440 min; last: HTTP 503' },
    });
    const shown = { webhookId: '0123456789abcdef01234567', code: 'DELIVERIES_FAILING', reason: 'every delivery failed for 1440 min; last: HTTP 503' };
    const from = { after: legacy.seq - 1 };
    const typesFor = async (auth: Record<string, string>) => ((await h.http.get('/events').set(auth).query(from).expect(200)).body.data as Array<{ type: string }>).map((e) => e.type);

    const producerPage = (await h.http.get('/events').set(a.auth).query(from).expect(200)).body;
    expect(producerPage.data[0]).toMatchObject({ seq: legacy.seq, type: 'webhook.disabled' });
    expect(producerPage.data[0].data).toEqual(shown);
    expect(JSON.stringify(producerPage)).not.toContain('hooks.chat.example');
    expect(await typesFor(bearer(await mint(a, ['events:read', 'admin'])))).toContain('webhook.disabled');
    expect(await typesFor(artist.auth)).not.toContain('webhook.disabled');
    expect(await typesFor(bearer(await mint(a, ['events:read', 'assets:read', 'renders:read', 'production:read'])))).not.toContain('webhook.disabled');

    // The stream, resumed from before it, under the same rule; a later asset event is the sentinel for both.
    const headers = { 'Last-Event-ID': String(legacy.seq - 1) };
    const [ps, as] = [await openStream(base, a.accessToken, headers), await openStream(base, artist.accessToken, headers)];
    await create(a, 'Webhook sentinel');
    await waitFor('the sentinel on both streams', async () => [ps, as].every((s) => assetNames(s.events).includes('Webhook sentinel')) || undefined, 10_000, 20);
    expect(as.events.map((e) => e.event)).not.toContain('webhook.disabled');
    const disabled = ps.events.find((e) => e.event === 'webhook.disabled')!;
    expect(JSON.parse(disabled.data!).data).toEqual(shown);
    expect(disabled.data).not.toContain('hooks.chat.example');
    await Promise.all([ps.close(), as.close()]);
  });

  it('refuses a token\'s 6th open stream with 429 TOO_MANY_STREAMS before streaming, lets one in once a stream closes, and leaves other tokens alone', async () => {
    const token = await mint(a, ['events:read', 'assets:read']);
    const five = await Promise.all(Array.from({ length: 5 }, () => openStream(base, token)));
    expect(five.map((s) => s.res.status)).toEqual([200, 200, 200, 200, 200]);
    const sixth = await fetch(`${base}/events/stream`, { headers: bearer(token) });
    expect(sixth.status).toBe(429);
    expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await sixth.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('TOO_MANY_STREAMS');
    expect(body.error.message).toBe('This API token already has 5 event streams open, the most allowed is 5; close one, then try again');
    const other = await openStream(base, await mint(a, ['events:read', 'assets:read']));
    expect(other.res.status).toBe(200);

    await five[0]!.close();
    const again = await waitFor('a slot to come back', async () => {
      const s = await openStream(base, token);
      if (s.res.status === 200) return s;
      await s.close();
      return undefined;
    }, 10_000, 100);
    await Promise.all([...five.slice(1), other, again].map((s) => s.close()));
  });

  it('reads a studio\'s log once per poll interval on this instance with 50 streams open, and every stream gets each event', async () => {
    const studio = await givenStudio(h, 'Events Many');
    // One after another: a mint checks the password, and the login throttle counts parallel checks of one
    // account from one client as guesses until each is judged.
    const tokens: string[] = [];
    for (let i = 0; i < 10; i++) tokens.push(await mint(studio, ['events:read', 'assets:read']));
    const streams = await Promise.all(Array.from({ length: 50 }, (_, i) => openStream(base, tokens[i % 10]!)));
    expect(streams.every((s) => s.res.status === 200)).toBe(true);
    // Every read of this studio's log from now on: how many, and how many at once.
    const repo = h.container.eventLogRepo;
    const readAfter = repo.readAfter.bind(repo);
    let polls = 0;
    let inFlight = 0;
    let mostAtOnce = 0;
    const reads = jest.spyOn(repo, 'readAfter').mockImplementation(async (studioId, after, limit) => {
      if (studioId !== studio.user.studioId) return readAfter(studioId, after, limit);
      polls++;
      mostAtOnce = Math.max(mostAtOnce, ++inFlight);
      try {
        return await readAfter(studioId, after, limit);
      } finally {
        inFlight--;
      }
    });
    try {
      const windowMs = 1500;
      await new Promise((r) => setTimeout(r, windowMs));
      // One poller, one read at a time, about windowMs / EVENTS_POLL_MS (50 ms) of them (fewer on a busy
      // machine); a poll per stream would be up to 50 reads at once and 50 times as many.
      expect(mostAtOnce).toBe(1);
      expect(polls).toBeGreaterThan(0);
      expect(polls).toBeLessThanOrEqual(windowMs / 50 + 5);
    } finally {
      reads.mockRestore();
    }
    await create(studio, 'For all fifty');
    await waitFor('the event on every stream', async () => streams.every((s) => assetNames(s.events).includes('For all fifty')) || undefined, 10_000, 50);
    expect(streams.map((s) => assetNames(s.events))).toEqual(streams.map(() => ['For all fifty']));
    await Promise.all(streams.map((s) => s.close()));
  });
});

describe('events: a stream\'s life is bounded', () => {
  let h: Harness;
  let base: string;
  beforeAll(async () => {
    h = await startHarness({ EVENTS_POLL_MS: '50', EVENTS_HEARTBEAT_MS: '300', EVENTS_STREAM_MAX_SECONDS: '1', RATE_LIMIT_MAX: '100000' });
    base = await h.listen();
  });
  afterAll(() => h.close());

  it('ends a stream at EVENTS_STREAM_MAX_SECONDS with a retry hint and its position; resuming with Last-Event-ID loses and repeats nothing', async () => {
    const who = await givenStudio(h, 'Events Life');
    let stream = await openStream(base, who.accessToken);
    const created: string[] = [];
    const producing = (async () => {
      for (let i = 0; i < 24; i++) {
        const name = `Life ${i}`;
        await h.http.post('/assets').set(who.auth).send({ name, type: 'PROP' }).expect(201);
        created.push(name);
        await new Promise((r) => setTimeout(r, 120));
      }
    })();
    const seen: string[] = [];
    let ends = 0;
    const deadline = Date.now() + 60_000;
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const ended = await Promise.race([stream.done.then(() => true), new Promise<false>((r) => (timer = setTimeout(() => r(false), 10_000)))]);
      clearTimeout(timer);
      if (!ended) throw new Error('the stream did not end at its life bound (EVENTS_STREAM_MAX_SECONDS=1)');
      ends++;
      expect(stream.comments).toContain('this stream reached its time limit (EVENTS_STREAM_MAX_SECONDS); reconnect with Last-Event-ID');
      expect(stream.retryMs()).toBe(3000);
      seen.push(...stream.events.filter((e) => e.event === 'asset.created').map((e) => (JSON.parse(e.data!) as { data: { asset: { name: string } } }).data.asset.name));
      if ((created.length === 24 && seen.length >= 24) || Date.now() > deadline) break;
      // As EventSource does: reconnect with the last event ID the server gave (the end's `id:` included).
      stream = await openStream(base, who.accessToken, { 'Last-Event-ID': stream.lastEventId()! });
      expect(stream.res.status).toBe(200);
    }
    await producing;
    expect(ends).toBeGreaterThanOrEqual(2);
    expect(seen).toEqual(created);
  });
});
