// The review loop (issue 28): a version submitted for a task tells the studio's DIRECTORs (stored and live,
// never another studio's people), waits in the review queue oldest first, and the decision's words are
// listed on the asset for the review and task pages; notifications are marked read in bulk, capped.
import { startHarness, type Harness } from './support/harness';
import { givenMember, givenStudio, type Session } from './support/factories';
import { listen, type Listener } from './support/sockets';
import { waitFor } from './support/workers';

interface Note { id: string; type: string; taskId: string | null; assetId: string | null; version: number | null; text: string; read: boolean }

describe('the review loop', () => {
  let h: Harness;
  let url: string;
  let producer: Session;
  let director: Session;
  let director2: Session;
  let artist: Session;
  let otherDirector: Session;
  const sockets: Listener[] = [];

  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '100000' });
    ({ url } = await h.listenRealtime());
    producer = await givenStudio(h);
    director = await givenMember(h, producer, 'DIRECTOR');
    director2 = await givenMember(h, producer, 'DIRECTOR');
    artist = await givenMember(h, producer, 'ARTIST');
    const other = await givenStudio(h);
    otherDirector = await givenMember(h, other, 'DIRECTOR');
  });
  afterAll(async () => {
    for (const s of sockets) s.socket.disconnect();
    await h.close();
  });

  const notes = async (s: Session): Promise<Note[]> => (await h.http.get('/notifications').query({ limit: 100 }).set(s.auth).expect(200)).body.data;
  const animation = async () => ((await h.http.get('/task-types').set(producer.auth).expect(200)).body.data as Array<{ id: string; name: string }>).find((t) => t.name === 'Animation')!.id;

  /** A shot with a task assigned to the artist and `versions` versions uploaded by the artist. */
  async function givenShotTask(code: string, versions = 1) {
    const project = (await h.http.post('/projects').set(producer.auth).send({ name: `Show ${code}`, code: `P${code}` }).expect(201)).body;
    const seq = (await h.http.post(`/projects/${project.id}/sequences`).set(director.auth).send({ code: 'SQ010' }).expect(201)).body;
    const shot = (await h.http.post(`/sequences/${seq.id}/shots`).set(director.auth).send({ code, frameIn: 1001, frameOut: 1024 }).expect(201)).body;
    const task = (await h.http.post('/tasks').set(director.auth).send({ entityType: 'SHOT', entityId: shot.id, taskTypeId: await animation(), assignees: [artist.user.id] }).expect(201)).body;
    for (let i = 0; i < versions; i++) await h.http.post(`/assets/${shot.assetId}/versions`).set(artist.auth).attach('file', Buffer.from('; FBX 7.4.0 project file\n'), `${code}.fbx`).expect(201);
    await h.http.patch(`/tasks/${task.id}`).set(artist.auth).send({ status: 'WIP' }).expect(200);
    return { project, shot, task };
  }

  it('tells every DIRECTOR of the studio, stored and live, when an artist submits a version; not the artist, not a PRODUCER, not another studio', async () => {
    const live = await listen(url, director.accessToken);
    const foreign = await listen(url, otherDirector.accessToken);
    sockets.push(live, foreign);
    const { task, shot } = await givenShotTask('SH0010');
    await h.http.post(`/tasks/${task.id}/submit`).set(artist.auth).send({ version: 1 }).expect(200);

    const pushed = await waitFor('the live review request', async () => (live.events['notification:new'] ?? []).find((n) => n.type === 'REVIEW_REQUESTED' && n.taskId === task.id), 5000, 50);
    expect(pushed).toMatchObject({ assetId: shot.assetId, version: 1, read: false, text: 'SH0010 Animation v1 is waiting for your review' });
    for (const d of [director, director2]) {
      const stored = await waitFor('the stored review request', async () => (await notes(d)).find((n) => n.type === 'REVIEW_REQUESTED' && n.taskId === task.id), 5000, 50);
      expect(stored).toMatchObject({ assetId: shot.assetId, version: 1 });
    }
    // The others had time to be told if they were going to be (the directors' were stored after the same event).
    expect((await notes(artist)).filter((n) => n.type === 'REVIEW_REQUESTED')).toEqual([]);
    expect((await notes(producer)).filter((n) => n.type === 'REVIEW_REQUESTED')).toEqual([]);
    expect(await notes(otherDirector)).toEqual([]);
    expect(foreign.events['notification:new'] ?? []).toEqual([]);
  });

  it('tells the task\'s own reviewers instead, when it names some; refuses a reviewer from another studio', async () => {
    const { task } = await givenShotTask('SH0030');
    expect((await h.http.patch(`/tasks/${task.id}`).set(director.auth).send({ reviewers: [otherDirector.user.id] })).body.error.details).toEqual([{ path: 'reviewers', message: `${otherDirector.user.id} is not a member of your studio` }]);
    expect((await h.http.patch(`/tasks/${task.id}`).set(artist.auth).send({ reviewers: [artist.user.id] })).status).toBe(403);
    const named = (await h.http.patch(`/tasks/${task.id}`).set(director.auth).send({ reviewers: [producer.user.id] }).expect(200)).body;
    expect(named.reviewers).toEqual([producer.user.id]);
    await h.http.post(`/tasks/${task.id}/submit`).set(artist.auth).send({ version: 1 }).expect(200);
    await waitFor('the reviewer is told', async () => (await notes(producer)).some((n) => n.type === 'REVIEW_REQUESTED' && n.taskId === task.id), 5000, 50);
    for (const d of [director, director2]) expect((await notes(d)).filter((n) => n.taskId === task.id && n.type === 'REVIEW_REQUESTED')).toEqual([]);
  });

  it('tells the DIRECTORs when a task is moved to WFA by its status too, but not the director who moved it', async () => {
    const { task } = await givenShotTask('SH0020');
    await h.http.patch(`/tasks/${task.id}`).set(director2.auth).send({ status: 'WFA' }).expect(200);
    await waitFor('the review request', async () => (await notes(director)).some((n) => n.type === 'REVIEW_REQUESTED' && n.taskId === task.id && n.text === 'SH0020 Animation is waiting for your review'), 5000, 50);
    expect((await notes(director2)).filter((n) => n.taskId === task.id && n.type === 'REVIEW_REQUESTED')).toEqual([]);
  });

  it('lists the versions waiting for review oldest first, by cursor, with project, shot, artist and version; only to those who decide; never another studio\'s', async () => {
    const a = await givenShotTask('SH0100', 2);
    const b = await givenShotTask('SH0110');
    await h.http.post(`/tasks/${a.task.id}/submit`).set(artist.auth).send({ version: 1 }).expect(200);
    await h.http.post(`/tasks/${b.task.id}/submit`).set(artist.auth).send({ version: 1 }).expect(200);

    const seen: Array<Record<string, unknown>> = [];
    let cursor: string | undefined;
    do {
      const page = (await h.http.get('/review-queue').query({ limit: 1, ...(cursor ? { cursor } : {}) }).set(director.auth).expect(200)).body;
      seen.push(...page.data);
      cursor = page.page.nextCursor ?? undefined;
    } while (cursor);
    const mine = seen.filter((r) => [a.task.id, b.task.id].includes((r.task as { id: string }).id));
    expect(mine).toEqual([
      expect.objectContaining({ project: { id: a.project.id, name: 'Show SH0100' }, entity: { type: 'SHOT', id: a.shot.id, label: 'SH0100' }, assetId: a.shot.assetId, version: 1, latestVersion: 2, submittedBy: { id: artist.user.id, name: artist.user.name } }),
      expect.objectContaining({ entity: expect.objectContaining({ label: 'SH0110' }), version: 1, latestVersion: 1 }),
    ]);
    const at = seen.map((r) => String(r.submittedAt));
    expect([...at].sort()).toEqual(at);
    // A task moved to WFA without a submitted version has nothing to open: it is not in the queue.
    expect(seen.every((r) => typeof r.version === 'number')).toBe(true);

    // Decided, it leaves the queue.
    await h.http.post(`/assets/${a.shot.assetId}/versions/1/review`).set(director.auth).send({ decision: 'APPROVED' }).expect(201);
    await waitFor('the task leaves the queue', async () => !((await h.http.get('/review-queue').query({ limit: 100 }).set(director.auth)).body.data as Array<{ task: { id: string } }>).some((r) => r.task.id === a.task.id), 5000, 50);

    expect((await h.http.get('/review-queue').set(artist.auth)).status).toBe(403);
    expect((await h.http.get('/review-queue').set(producer.auth)).status).toBe(200);
    expect((await h.http.get('/review-queue').set(otherDirector.auth).expect(200)).body.data).toEqual([]);
  });

  it('lists an asset\'s decisions with their words, newest first, for one version or all; another studio\'s asset is not found', async () => {
    const { shot, task } = await givenShotTask('SH0200', 2);
    await h.http.post(`/tasks/${task.id}/submit`).set(artist.auth).send({ version: 1 }).expect(200);
    await h.http.post(`/assets/${shot.assetId}/versions/1/review`).set(director.auth).send({ decision: 'CHANGES_REQUESTED', note: 'Hold the pose two frames longer' }).expect(201);
    await h.http.post(`/assets/${shot.assetId}/versions/2/review`).set(director.auth).send({ decision: 'APPROVED' }).expect(201);

    const all = (await h.http.get(`/assets/${shot.assetId}/reviews`).set(artist.auth).expect(200)).body;
    expect(all.data.map((d: { version: number; decision: string; note: string }) => [d.version, d.decision, d.note])).toEqual([[2, 'APPROVED', ''], [1, 'CHANGES_REQUESTED', 'Hold the pose two frames longer']]);
    expect(all.data[1]).toMatchObject({ decidedBy: director.user.id, assetId: shot.assetId });
    const v1 = (await h.http.get(`/assets/${shot.assetId}/reviews`).query({ version: 1 }).set(artist.auth).expect(200)).body;
    expect(v1.data.map((d: { note: string }) => d.note)).toEqual(['Hold the pose two frames longer']);
    const first = (await h.http.get(`/assets/${shot.assetId}/reviews`).query({ limit: 1 }).set(artist.auth).expect(200)).body;
    const next = (await h.http.get(`/assets/${shot.assetId}/reviews`).query({ limit: 1, cursor: first.page.nextCursor }).set(artist.auth).expect(200)).body;
    expect([...first.data, ...next.data].map((d: { version: number }) => d.version)).toEqual([2, 1]);
    expect((await h.http.get(`/assets/${shot.assetId}/reviews`).set(otherDirector.auth)).status).toBe(404);
  });

  it('marks many notifications read at once, only the caller\'s own, and refuses more than 100 in words', async () => {
    const { task } = await givenShotTask('SH0300');
    await h.http.post(`/tasks/${task.id}/submit`).set(artist.auth).send({ version: 1 }).expect(200);
    await waitFor('both directors told', async () => (await notes(director2)).some((n) => n.taskId === task.id) && (await notes(director)).some((n) => n.taskId === task.id), 5000, 50);
    const mine = (await notes(director)).filter((n) => !n.read);
    const theirs = (await notes(director2)).find((n) => n.taskId === task.id)!;
    expect(mine.length).toBeGreaterThan(1);

    const res = await h.http.post('/notifications/read').set(director.auth).send({ ids: [...mine.map((n) => n.id), theirs.id] }).expect(200);
    expect(res.body).toEqual({ marked: mine.length });
    expect((await h.http.get('/notifications/unread-count').set(director.auth).expect(200)).body.unread).toBe(0);
    // Another member's notification named in the list stays unread.
    expect((await notes(director2)).find((n) => n.id === theirs.id)!.read).toBe(false);
    // Marking again marks nothing.
    expect((await h.http.post('/notifications/read').set(director.auth).send({ ids: [mine[0]!.id] }).expect(200)).body).toEqual({ marked: 0 });

    const tooMany = await h.http.post('/notifications/read').set(director.auth).send({ ids: Array.from({ length: 101 }, () => theirs.id) });
    expect(tooMany.status).toBe(400);
    expect(JSON.stringify(tooMany.body.error)).toContain('at most 100 notifications at once');
    expect((await h.http.post('/notifications/read').set(director.auth).send({ ids: [] })).status).toBe(400);
  });
});
