// Socket.IO fan-out under the one visibility rule (issue 27 #5, #10): a socket is in the studio sub-rooms of
// the classes its actor may see (EventVisibility), so a token hears what its scopes read over REST and a
// role hears what it may read, for events from this API process and from workers (through Redis) alike.
import { startHarness, type Harness } from './support/harness';
import { givenMember, givenStudio, givenToken, type Session } from './support/factories';
import { listen, type Listener } from './support/sockets';
import { waitFor } from './support/workers';
import { StudioEmitter } from '../src/infra/realtime/emitter';
import type { RealtimeHandle } from '../src/infra/realtime/socket';

describe('real-time: who hears which event', () => {
  let h: Harness;
  let url: string;
  let realtime: RealtimeHandle;
  let producer: Session;
  let director: Session;
  let studioId: string;
  let worker: StudioEmitter;
  const listeners: Listener[] = [];

  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '100000' });
    ({ url, realtime } = await h.listenRealtime());
    producer = await givenStudio(h, 'Visibility');
    director = await givenMember(h, producer, 'DIRECTOR');
    studioId = producer.user.studioId;
    // What the render, pipeline and webhook workers use: events through Redis, not this process.
    worker = new StudioEmitter(h.container.redis, h.config.REDIS_KEY_PREFIX);
  });
  afterAll(async () => {
    for (const l of listeners) l.socket.disconnect();
    await h.close();
  });

  const mint = async (who: Session, scopes: string[]) => (await givenToken(h, who, scopes, { name: scopes.join(' ') })).token;
  const connect = async (token: string) => {
    const l = await listen(url, token);
    listeners.push(l);
    return l;
  };
  /** The rooms the server put the socket in (after its first session check has run). */
  const roomsOf = (l: Listener, settled: (rooms: string[]) => boolean) =>
    waitFor('the socket\'s rooms', async () => {
      const rooms = [...(realtime.io.of('/').sockets.get(l.socket.id!)?.rooms ?? [])].filter((r) => r !== l.socket.id).sort();
      return settled(rooms) ? rooms : undefined;
    }, 5000, 20);
  const heard = (l: Listener) => Object.keys(l.events).sort();
  const webhookDisabled = { webhookId: '0123456789abcdef01234567', code: 'DELIVERIES_FAILING' as const, reason: 'every delivery failed for 1440 min; last: HTTP 503' };

  it('a renders:read token hears render events only (no asset, comment, task, webhook or notification event, no member room); the member and a full-scope token hear them all', async () => {
    const rendersOnly = await connect(await mint(producer, ['renders:read']));
    const person = await connect(producer.accessToken);
    const full = await connect(await mint(producer, ['assets:read', 'renders:read', 'production:read', 'admin']));
    // Events are sent once every socket has joined its studio rooms (that happens just after connecting).
    for (const l of [rendersOnly, person, full]) await roomsOf(l, (r) => r.some((room) => room.startsWith('studio:')));
    // From this process: an asset, a comment on it, a task assigned to the member (and its notification).
    const asset = (await h.http.post('/assets').set(producer.auth).send({ name: 'Secret Prop', type: 'PROP' }).expect(201)).body;
    await h.http.post(`/assets/${asset.id}/comments`).set(director.auth).send({ body: 'the comment body' }).expect(201);
    const project = (await h.http.post('/projects').set(producer.auth).send({ name: 'Hidden', code: 'HID' }).expect(201)).body;
    const seq = (await h.http.post(`/projects/${project.id}/sequences`).set(director.auth).send({ code: 'SQ1' }).expect(201)).body;
    const shot = (await h.http.post(`/sequences/${seq.id}/shots`).set(director.auth).send({ code: 'SH1', frameIn: 1, frameOut: 24 }).expect(201)).body;
    const taskTypeId = ((await h.http.get('/task-types').set(producer.auth).expect(200)).body.data as Array<{ id: string; name: string }>).find((t) => t.name === 'Animation')!.id;
    await h.http.post('/tasks').set(director.auth).send({ entityType: 'SHOT', entityId: shot.id, taskTypeId, assignees: [producer.user.id] }).expect(201);
    // From a worker: a webhook disabled, a render finished.
    worker.toStudio(studioId, 'webhook:disabled', webhookDisabled);
    worker.toStudio(studioId, 'render:completed', { jobId: 'job-1', assetId: asset.id, frames: 10, preview: false });

    const all = ['asset:commented', 'asset:created', 'notification:new', 'render:completed', 'task:created', 'webhook:disabled'];
    for (const l of [person, full]) await waitFor('every event for the full-scope listeners', async () => all.every((e) => l.events[e]?.length), 10_000, 20);
    expect(person.events['webhook:disabled']).toEqual([webhookDisabled]);
    expect(full.events['asset:commented']![0]).toMatchObject({ body: 'the comment body' });
    // Sentinels on both paths, after everything else: each reaches rendersOnly over its one connection, so
    // anything sent to it earlier by the same path would be there already.
    realtime.toStudio(studioId, 'render:failed', { jobId: 'sentinel-api', assetId: asset.id, error: { code: 'X', message: 'sentinel' } });
    worker.toStudio(studioId, 'render:failed', { jobId: 'sentinel-worker', assetId: asset.id, error: { code: 'X', message: 'sentinel' } });
    await waitFor('both sentinels', async () => (rendersOnly.events['render:failed']?.length ?? 0) === 2, 5000, 20);
    expect(heard(rendersOnly)).toEqual(['render:completed', 'render:failed']);
    expect(JSON.stringify(rendersOnly.events)).not.toMatch(/Secret Prop|the comment body|SH1 Animation/);
    // Why: the rooms each socket is in.
    expect(await roomsOf(rendersOnly, (r) => r.length === 3)).toEqual([`member:${producer.user.id}`, `studio:${studioId}:renders`, expect.stringMatching(/^token:/)]);
    expect(await roomsOf(person, (r) => r.length === 6)).toEqual([
      `member:${producer.user.id}`,
      `studio:${studioId}:assets`,
      `studio:${studioId}:production`,
      `studio:${studioId}:renders`,
      `studio:${studioId}:webhooks`,
    ].concat(`user:${producer.user.id}`).sort());
  });

  it('a member demoted while connected has their token\'s socket ended; connected again it hears no webhook event and is in no webhook room', async () => {
    const second = await givenMember(h, producer, 'PRODUCER');
    const token = await mint(second, ['assets:read', 'admin']);
    const before = await connect(token);
    await roomsOf(before, (r) => r.some((room) => room.startsWith('studio:')));
    worker.toStudio(studioId, 'webhook:disabled', webhookDisabled);
    await waitFor('the webhook event while a PRODUCER', async () => before.events['webhook:disabled']?.length, 5000, 20);
    const ended = new Promise<string>((resolve) => before.socket.once('disconnect', resolve));
    await h.http.patch(`/users/${second.user.id}`).set(producer.auth).send({ role: 'ARTIST' }).expect(200);
    expect(await ended).toBe('io server disconnect');

    const after = await connect(token);
    await roomsOf(after, (r) => r.some((room) => room.startsWith('studio:')));
    worker.toStudio(studioId, 'webhook:disabled', webhookDisabled);
    await h.http.post('/assets').set(producer.auth).send({ name: 'After demotion', type: 'PROP' }).expect(201);
    // The webhook event went first by the worker path; a sentinel by the same path comes after it.
    worker.toStudio(studioId, 'pipeline:update', { assetId: 'sentinel', version: 1, status: 'READY' });
    await waitFor('the sentinels', async () => after.events['asset:created']?.length && after.events['pipeline:update']?.length, 5000, 20);
    expect(heard(after)).toEqual(['asset:created', 'pipeline:update']);
    expect(await roomsOf(after, (r) => r.length === 3)).toEqual([`member:${second.user.id}`, `studio:${studioId}:assets`, expect.stringMatching(/^token:/)]);
  });
});
