import jwt from 'jsonwebtoken';
import { io as connect, type Socket } from 'socket.io-client';
import { startHarness, type Harness } from './support/harness';
import { givenMember, givenStudio, type Session } from './support/factories';
import { waitFor } from './support/workers';

type Reply = { data?: Record<string, unknown>; error?: { code: string; message: string; details?: unknown[] } };

describe('real-time review over Socket.IO', () => {
  let h: Harness;
  let url: string;
  let a: Session;
  let aArtist: Session;
  let aDirector: Session;
  let b: Session;
  let assetId: string;
  /** Studio B's own asset: B's events on it are the sentinels that nothing of A reached B's clients. */
  let bAssetId: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '100000' });
    ({ url } = await h.listenRealtime({ sweepIntervalMs: 200, commentLimit: { points: 30, windowMs: 10_000 } }));
    a = await givenStudio(h, 'Realtime A');
    aArtist = await givenMember(h, a, 'ARTIST');
    aDirector = await givenMember(h, a, 'DIRECTOR');
    b = await givenStudio(h, 'Realtime B');
    assetId = (await h.http.post('/assets').set(a.auth).send({ name: 'Shot 020', type: 'SHOT' })).body.id;
    await h.http.post(`/assets/${assetId}/versions`).set(a.auth).attach('file', Buffer.from('; FBX 7.4.0 project file\n'), 'sh020.fbx').expect(201);
    bAssetId = (await h.http.post('/assets').set(b.auth).send({ name: 'Shot B', type: 'SHOT' }).expect(201)).body.id;
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await h.close();
  });

  function client(base: string, token: string | undefined): Socket {
    const s = connect(base, { auth: token === undefined ? {} : { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    sockets.push(s);
    return s;
  }
  const connected = (s: Socket) =>
    new Promise<void>((resolve, reject) => {
      s.once('connect', () => resolve());
      s.once('connect_error', reject);
    });
  const refused = (s: Socket) => new Promise<{ message: string; data?: { error: { code: string } } }>((resolve) => s.once('connect_error', (err) => resolve(err as never)));
  const emit = (s: Socket, event: string, payload: unknown) => s.timeout(5000).emitWithAck(event, payload) as Promise<Reply>;
  const collect = (s: Socket, event: string) => {
    const got: Array<Record<string, unknown>> = [];
    s.on(event, (p: Record<string, unknown>) => got.push(p));
    return got;
  };

  it('refuses a connection without a token, with an expired token or with a tampered token', async () => {
    expect((await refused(client(url, undefined))).data?.error.code).toBe('UNAUTHENTICATED');
    const expired = jwt.sign({ studioId: a.user.studioId, role: 'PRODUCER', exp: Math.floor(Date.now() / 1000) - 5 }, h.config.JWT_ACCESS_SECRET, { subject: a.user.id, issuer: h.config.JWT_ISSUER, audience: h.config.JWT_AUDIENCE, jwtid: 'x' });
    expect((await refused(client(url, expired))).data?.error.code).toBe('TOKEN_EXPIRED');
    const [head, body] = a.accessToken.split('.');
    expect((await refused(client(url, `${head}.${body}.forged-signature`))).data?.error.code).toBe('TOKEN_INVALID');
  });

  it('delivers a studio-A comment to every studio-A client and no studio-B client, then lists it with its seq', async () => {
    const c1 = client(url, a.accessToken);
    const c2 = client(url, aDirector.accessToken);
    const cb = client(url, b.accessToken);
    const sender = client(url, aArtist.accessToken);
    await Promise.all([c1, c2, cb, sender].map(connected));
    const [got1, got2, gotB] = [collect(c1, 'asset:commented'), collect(c2, 'asset:commented'), collect(cb, 'asset:commented')];

    const reply = await emit(sender, 'asset:comment', { assetId, version: 1, body: 'Arm pops at the end', frame: 1031, fps: 24 });
    expect(reply.error).toBeUndefined();
    expect(reply.data).toMatchObject({ seq: 1, frame: 1031, fps: 24, timecode: '00:00:42:23', version: 1, authorId: aArtist.user.id });
    await waitFor('delivery', async () => got1.length === 1 && got2.length === 1, 5000, 20);
    expect(got1[0]).toMatchObject({ id: reply.data!.id, body: 'Arm pops at the end' });
    // Sentinel: a comment of B's own, made after A's, reaches cb from the same server by the same path
    // (comment.created -> studio room) over cb's one connection, so A's, had it been sent to cb, came first.
    const sentinel = await h.http.post(`/assets/${bAssetId}/comments`).set(b.auth).send({ body: 'B sentinel' }).expect(201);
    await waitFor('B\'s own comment', async () => gotB.length >= 1, 5000, 20);
    expect(gotB.map((c) => c.id)).toEqual([sentinel.body.id]);

    await emit(sender, 'asset:comment', { assetId, body: 'Timecode given instead', timecode: '00:00:01:12', fps: 24 });
    const listed = await h.http.get(`/assets/${assetId}/comments`).set(aDirector.auth);
    expect(listed.body.data.map((c: { seq: number; frame: number | null }) => [c.seq, c.frame])).toEqual([[1, 1031], [2, 36]]);
    const missed = await h.http.get(`/assets/${assetId}/comments`).set(aDirector.auth).query({ after: 1 });
    expect(missed.body.data.map((c: { seq: number }) => c.seq)).toEqual([2]);
    expect((await h.http.get(`/assets/${assetId}/comments`).set(b.auth)).status).toBe(404);
  });

  it('refuses an ARTIST\'s approval with FORBIDDEN, storing and sending nothing; a DIRECTOR\'s is stored, broadcast and sets the status', async () => {
    const artist = client(url, aArtist.accessToken);
    const watcher = client(url, a.accessToken);
    await Promise.all([artist, watcher].map(connected));
    const approvals = collect(watcher, 'asset:approved');

    const denied = await emit(artist, 'asset:approve', { assetId, version: 1, decision: 'APPROVED' });
    expect(denied.error?.code).toBe('FORBIDDEN');
    expect(await h.container.models.ReviewDecision.countDocuments({ assetId })).toBe(0);

    const director = client(url, aDirector.accessToken);
    await connected(director);
    const ok = await emit(director, 'asset:approve', { assetId, version: 1, decision: 'APPROVED', note: 'Final' });
    expect(ok.data).toMatchObject({ decision: 'APPROVED', version: 1, decidedBy: aDirector.user.id, asset: { status: 'APPROVED' } });
    // The DIRECTOR's approval is also the sentinel for the refused one: both would reach the watcher by the
    // same path over its one connection, the refused one first, so it is the only one there.
    await waitFor('broadcast', async () => approvals.some((x) => x.id === ok.data!.id), 5000, 20);
    expect(approvals.map((x) => x.decidedBy)).toEqual([aDirector.user.id]);
    expect((await h.http.get(`/assets/${assetId}`).set(a.auth)).body.status).toBe('APPROVED');
    expect(await h.container.models.ReviewDecision.countDocuments({ assetId })).toBe(1);
    const history = await h.http.get(`/assets/${assetId}/history`).set(a.auth);
    expect(history.body.data[0]).toMatchObject({ action: 'review.decided', actorId: aDirector.user.id });

    const rest = await h.http.post(`/assets/${assetId}/versions/1/review`).set(aDirector.auth).send({ decision: 'CHANGES_REQUESTED', note: 'Actually, the arm' });
    expect(rest.status).toBe(201);
    expect((await h.http.get(`/assets/${assetId}`).set(a.auth)).body.status).toBe('CHANGES_REQUESTED');
    expect((await h.http.post(`/assets/${assetId}/versions/9/review`).set(aDirector.auth).send({ decision: 'APPROVED' })).status).toBe(404);
  });

  it('answers malformed payloads with error acks and keeps serving, and refuses a 1 MB payload at the transport', async () => {
    const s = client(url, aArtist.accessToken);
    await connected(s);
    for (const bad of [{ assetId }, { assetId, body: 42 }, { assetId: { $gt: '' }, body: 'x' }, 'not an object', { assetId, body: 'x', extra: true }]) {
      const reply = await emit(s, 'asset:comment', bad);
      expect(reply.error?.code).toBe('VALIDATION_FAILED');
    }
    expect((await emit(s, 'asset:comment', { assetId, body: 'x', frame: 10, fps: 24, timecode: '00:00:00:11' })).error?.code).toBe('VALIDATION_FAILED');
    expect((await emit(s, 'asset:join', { assetId: '0123456789abcdef01234567' })).error?.code).toBe('ASSET_NOT_FOUND');

    const big = client(url, aArtist.accessToken);
    await connected(big);
    const gone = new Promise<string>((resolve) => big.once('disconnect', (reason) => resolve(reason)));
    big.emit('asset:comment', { assetId, body: 'x'.repeat(1024 * 1024) });
    expect(await gone).toMatch(/transport/);

    const after = client(url, aArtist.accessToken);
    await connected(after);
    expect((await emit(after, 'asset:comment', { assetId, body: 'still here' })).data).toMatchObject({ body: 'still here' });
  });

  it('numbers 20 simultaneous comments on one asset 1..n without duplicates', async () => {
    const fresh = (await h.http.post('/assets').set(a.auth).send({ name: 'Busy Shot', type: 'SHOT' })).body.id;
    const s = client(url, a.accessToken);
    await connected(s);
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => emit(s, 'asset:comment', { assetId: fresh, body: `note ${i}` })));
    const seqs = replies.map((r) => r.data!.seq as number).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('rate limits a flooding socket with RATE_LIMITED acks', async () => {
    const s = client(url, aArtist.accessToken);
    await connected(s);
    // 30 comments are stored one after another (per-asset numbering): a generous ack deadline for a busy machine.
    const replies = await Promise.all(Array.from({ length: 35 }, (_, i) => s.timeout(30_000).emitWithAck('asset:comment', { assetId, body: `flood ${i}` }) as Promise<Reply>));
    expect(replies.filter((r) => r.error?.code === 'RATE_LIMITED').length).toBe(5);
  });

  it('lets a client join an asset room of its own studio only, and hears asset events', async () => {
    const s = client(url, a.accessToken);
    const other = client(url, b.accessToken);
    await Promise.all([s, other].map(connected));
    expect((await emit(s, 'asset:join', { assetId })).data).toEqual({ room: `asset:${assetId}` });
    expect((await emit(other, 'asset:join', { assetId })).error?.code).toBe('ASSET_NOT_FOUND');
    const updates = collect(s, 'asset:updated');
    const created = collect(s, 'asset:created');
    const versions = collect(s, 'asset:version:created');
    const [otherUpdates, otherVersions] = [collect(other, 'asset:updated'), collect(other, 'asset:version:created')];
    await h.http.patch(`/assets/${assetId}`).set(a.auth).send({ description: 'live' }).expect(200);
    await h.http.post('/assets').set(a.auth).send({ name: 'Brand New', type: 'PROP' }).expect(201);
    await h.http.post(`/assets/${assetId}/versions`).set(a.auth).attach('file', Buffer.from('; FBX 7.4.0 project file\n'), 'v2.fbx').expect(201);
    await waitFor('events', async () => updates.length >= 1 && created.length === 1 && versions.length === 1, 5000, 20);
    expect(updates[0]).toMatchObject({ id: assetId, changes: ['description'] });
    expect(versions[0]).toMatchObject({ assetId, version: 2 });
    // Sentinel: an update of B's own asset, made after A's events, reaches `other` from the same server by the
    // same path (domain event -> studio room) over its one connection, so any of A's would have come first.
    await h.http.patch(`/assets/${bAssetId}`).set(b.auth).send({ description: 'B sentinel' }).expect(200);
    await waitFor('B\'s own update', async () => otherUpdates.length >= 1, 5000, 20);
    expect(otherUpdates.map((u) => u.id)).toEqual([bAssetId]);
    expect(otherVersions).toEqual([]);
  });

  it('tells the viewers of an asset who joins and leaves it, and no one else', async () => {
    const first = client(url, a.accessToken);
    const second = client(url, aDirector.accessToken);
    const notWatching = client(url, aArtist.accessToken);
    const otherStudio = client(url, b.accessToken);
    await Promise.all([first, second, notWatching, otherStudio].map(connected));
    const seen = collect(first, 'asset:presence');
    const leaks = [collect(notWatching, 'asset:presence'), collect(otherStudio, 'asset:presence')];
    await emit(first, 'asset:join', { assetId });
    await emit(second, 'asset:join', { assetId });
    expect((await emit(otherStudio, 'asset:join', { assetId })).error?.code).toBe('ASSET_NOT_FOUND');
    await emit(second, 'asset:leave', { assetId });
    await waitFor('presence', async () => seen.filter((p) => p.userId === aDirector.user.id).length === 2, 5000, 20);
    expect(seen.filter((p) => p.userId === aDirector.user.id).map((p) => p.action)).toEqual(['joined', 'left']);
    // Sentinel: a studio-wide event sent after the presence events reaches the non-watchers over the same
    // connection, so had presence reached them it would already be here.
    const sentinels = [collect(notWatching, 'asset:updated'), collect(otherStudio, 'asset:created')];
    await h.http.patch(`/assets/${assetId}`).set(a.auth).send({ description: 'presence sentinel' }).expect(200);
    await h.http.post('/assets').set(b.auth).send({ name: 'B sentinel', type: 'PROP' }).expect(201);
    await waitFor('sentinels', async () => sentinels.every((x) => x.length >= 1), 5000, 20);
    expect(leaks.flat()).toEqual([]);
  });

  it('disconnects a socket whose token expires, and one whose user is deactivated', async () => {
    const shortLived = jwt.sign({ studioId: a.user.studioId, role: 'PRODUCER', sv: 0 }, h.config.JWT_ACCESS_SECRET, { subject: a.user.id, issuer: h.config.JWT_ISSUER, audience: h.config.JWT_AUDIENCE, jwtid: 'short', expiresIn: 2 });
    const s = client(url, shortLived);
    await connected(s);
    const dropped = new Promise<string>((resolve) => s.once('disconnect', (reason) => resolve(reason)));
    expect(await dropped).toBe('io server disconnect');

    const member = await givenMember(h, a, 'ARTIST');
    const m = client(url, member.accessToken);
    await connected(m);
    const cut = new Promise<string>((resolve) => m.once('disconnect', (reason) => resolve(reason)));
    await h.http.patch(`/users/${member.user.id}`).set(a.auth).send({ active: false }).expect(200);
    expect(await cut).toBe('io server disconnect');
  });

  it('shares rooms across two API instances through Redis', async () => {
    const second = await startHarness({ RATE_LIMIT_MAX: '100000' }, {}, h.identity);
    try {
      const { url: url2 } = await second.listenRealtime();
      const onFirst = client(url, a.accessToken);
      const onSecond = client(url2, aArtist.accessToken);
      const bOnFirst = client(url, b.accessToken);
      await Promise.all([onFirst, onSecond, bOnFirst].map(connected));
      const got = collect(onFirst, 'asset:commented');
      const gotB = collect(bOnFirst, 'asset:commented');
      const reply = await emit(onSecond, 'asset:comment', { assetId, body: 'sent through instance 2' });
      await waitFor('cross-instance delivery', async () => got.some((c) => c.id === reply.data!.id), 5000, 20);
      const viaRest = await second.http.post(`/assets/${assetId}/comments`).set(aArtist.auth).send({ body: 'REST on instance 2' });
      expect(viaRest.status).toBe(201);
      await waitFor('REST comment delivery', async () => got.some((c) => c.id === viaRest.body.id), 5000, 20);
      // Sentinel: a comment of B's own, made on instance 2 after A's two, takes their path (instance 2's
      // adapter publishes, instance 1's subscriber relays in order) to bOnFirst over its one connection.
      const sentinel = await second.http.post(`/assets/${bAssetId}/comments`).set(b.auth).send({ body: 'B sentinel via instance 2' }).expect(201);
      await waitFor('B\'s own comment across instances', async () => gotB.length >= 1, 5000, 20);
      expect(gotB.map((c) => c.id)).toEqual([sentinel.body.id]);
    } finally {
      await second.close();
    }
  });

  it('counts sockets and events on /metrics', async () => {
    const text = (await h.http.get('/metrics')).text;
    expect(text).toMatch(/socketio_connected_sockets \d+/);
    expect(text).toMatch(/socketio_events_received_total\{event="asset:comment"\} [1-9]/);
    expect(text).toMatch(/socketio_events_emitted_total\{event="asset:commented"\} [1-9]/);
  });
});
