// Production tracking over HTTP and Socket.IO: projects (and the default project that keeps project-less
// asset clients working), sequences and shots whose versions live on a backing asset, tasks moved by
// submissions and review decisions, notifications live and in the list, casting, search, roles, scopes.
import { Types } from 'mongoose';
import { startHarness, type Harness } from './support/harness';
import { givenMember, givenStudio, givenToken, type Session } from './support/factories';
import { listen, type Listener } from './support/sockets';
import { waitFor } from './support/workers';

describe('production tracking', () => {
  let h: Harness;
  let url: string;
  let producer: Session;
  let director: Session;
  let artist: Session;
  const sockets: Listener[] = [];

  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '100000' });
    ({ url } = await h.listenRealtime());
    producer = await givenStudio(h);
    director = await givenMember(h, producer, 'DIRECTOR');
    artist = await givenMember(h, producer, 'ARTIST');
  });
  afterAll(async () => {
    for (const s of sockets) s.socket.disconnect();
    await h.close();
  });

  const taskTypeNamed = async (name: string) => ((await h.http.get('/task-types').set(producer.auth).expect(200)).body.data as Array<{ id: string; name: string }>).find((t) => t.name === name)!.id;

  it('keeps project-less asset clients working: a new asset lands in the studio\'s default project', async () => {
    const asset = (await h.http.post('/assets').set(artist.auth).send({ name: 'Teapot', type: 'PROP' }).expect(201)).body;
    const projects = (await h.http.get('/projects').set(artist.auth).expect(200)).body;
    expect(projects.data.map((p: { code: string; isDefault: boolean }) => [p.code, p.isDefault])).toEqual([['DEFAULT', true]]);
    expect(asset.projectId).toBe(projects.data[0].id);
    expect(asset.shotId).toBeNull();
    expect((await h.http.get('/assets').query({ projectId: asset.projectId }).set(artist.auth).expect(200)).body.data.map((a: { id: string }) => a.id)).toEqual([asset.id]);
  });

  it('stores a project\'s rate as a fraction, refuses a duplicate code, and only lets PRODUCERs create projects', async () => {
    const created = await h.http.post('/projects').set(producer.auth).send({ name: 'Night Shift', code: 'NS', fps: { num: 24000, den: 1001 }, resolution: { width: 2048, height: 858 }, handles: 8 }).expect(201);
    expect(created.body).toMatchObject({ code: 'NS', fps: { num: 24000, den: 1001 }, handles: 8, status: 'ACTIVE' });
    expect((await h.http.get(`/projects/${created.body.id}`).set(artist.auth).expect(200)).body.fps).toEqual({ num: 24000, den: 1001 });
    expect((await h.http.post('/projects').set(producer.auth).send({ name: 'Other', code: 'ns' })).body.error.code).toBe('PROJECT_CODE_TAKEN');
    expect((await h.http.post('/projects').set(director.auth).send({ name: 'Mine', code: 'MINE' })).status).toBe(403);
    expect((await h.http.post('/projects').set(producer.auth).send({ name: 'Float', code: 'FL', fps: 23.976 })).status).toBe(400);
  });

  it('lists a sequence\'s shots in cut order by cursor; a shot\'s versions live on its own asset, hidden from the asset list', async () => {
    const project = (await h.http.post('/projects').set(producer.auth).send({ name: 'Shots', code: 'SHOTS' }).expect(201)).body;
    const seq = (await h.http.post(`/projects/${project.id}/sequences`).set(director.auth).send({ code: 'SQ010' }).expect(201)).body;
    for (const [code, cutOrder] of [['SH030', 30], ['SH010', 10], ['SH020', 20]] as const) {
      await h.http.post(`/sequences/${seq.id}/shots`).set(director.auth).send({ code, cutOrder, frameIn: 1001, frameOut: 1048 }).expect(201);
    }
    expect((await h.http.post(`/sequences/${seq.id}/shots`).set(director.auth).send({ code: 'SH010', frameIn: 1, frameOut: 2 })).body.error.code).toBe('SHOT_CODE_TAKEN');
    expect((await h.http.post(`/sequences/${seq.id}/shots`).set(director.auth).send({ code: 'SH099', frameIn: 10, frameOut: 2 })).status).toBe(400);
    const first = (await h.http.get(`/sequences/${seq.id}/shots`).query({ limit: 2 }).set(artist.auth).expect(200)).body;
    const second = (await h.http.get(`/sequences/${seq.id}/shots`).query({ limit: 2, cursor: first.page.nextCursor }).set(artist.auth).expect(200)).body;
    expect([...first.data, ...second.data].map((s: { code: string }) => s.code)).toEqual(['SH010', 'SH020', 'SH030']);
    expect(second.page.hasMore).toBe(false);

    const shot = first.data[0];
    expect(shot).toMatchObject({ frames: 48, latestVersion: 0, thumbnailUrl: null });
    await h.http.post(`/assets/${shot.assetId}/versions`).set(artist.auth).attach('file', Buffer.from('; FBX 7.4.0 project file\n'), 'sh010.fbx').expect(201);
    const after = (await h.http.get(`/shots/${shot.id}`).set(artist.auth).expect(200)).body;
    expect(after).toMatchObject({ latestVersion: 1, thumbnailUrl: `/assets/${shot.assetId}/versions/1/thumbnail` });
    expect((await h.http.get(`/assets/${shot.assetId}`).set(artist.auth).expect(200)).body.shotId).toBe(shot.id);
    const listed = (await h.http.get('/assets').query({ limit: 100 }).set(artist.auth).expect(200)).body.data.map((a: { id: string }) => a.id);
    expect(listed).not.toContain(shot.assetId);
  });

  it('gives a shot\'s backing asset every field an asset has (issue 28: no tags crashed the web app\'s shot page)', async () => {
    const project = (await h.http.post('/projects').set(producer.auth).send({ name: 'Backing', code: 'BACK' }).expect(201)).body;
    const seq = (await h.http.post(`/projects/${project.id}/sequences`).set(director.auth).send({ code: 'SQ010' }).expect(201)).body;
    const shot = (await h.http.post(`/sequences/${seq.id}/shots`).set(director.auth).send({ code: 'SH010', frameIn: 1001, frameOut: 1048 }).expect(201)).body;
    expect(shot).toMatchObject({ recordIn: null, recordOut: null, handles: null, fps: null });
    const asset = (await h.http.get(`/assets/${shot.assetId}`).set(artist.auth).expect(200)).body;
    expect(asset).toMatchObject({ name: 'shot:BACK:SH010', type: 'SHOT', tags: [], currentVersion: null, latestVersion: 0, archivedAt: null, shotId: shot.id, projectId: project.id });
    // As stored, not only as answered: the model's every field is in the document.
    const stored = await h.container.models.Asset.collection.findOne({ _id: new Types.ObjectId(String(asset.id)) });
    expect(stored).toMatchObject({ tags: [], currentVersion: null, archivedAt: null });
    expect((await h.http.get(`/assets/${shot.assetId}/download`).set(artist.auth)).body.error.code).toBe('VERSION_NOT_FOUND');
    // Tagging and uploading to it work as on any asset.
    const tagged = (await h.http.patch(`/assets/${shot.assetId}`).set(director.auth).send({ tags: ['hero'] }).expect(200)).body;
    expect(tagged.tags).toEqual(['hero']);
    const uploaded = (await h.http.post(`/assets/${shot.assetId}/versions`).set(artist.auth).attach('file', Buffer.from('; FBX 7.4.0 project file\n'), 'sh010.fbx').expect(201)).body;
    expect(uploaded.asset).toMatchObject({ tags: ['hero'], currentVersion: 1 });
  });

  it('submission → WFA, changes requested → RETAKE with the artist told live and in the list, approval → DONE; all audited and logged', async () => {
    const project = (await h.http.post('/projects').set(producer.auth).send({ name: 'Workflow', code: 'WF' }).expect(201)).body;
    const seq = (await h.http.post(`/projects/${project.id}/sequences`).set(director.auth).send({ code: 'SQ001' }).expect(201)).body;
    const shot = (await h.http.post(`/sequences/${seq.id}/shots`).set(director.auth).send({ code: 'SH001', frameIn: 1, frameOut: 24 }).expect(201)).body;
    const live = await listen(url, artist.accessToken);
    sockets.push(live);

    const task = (await h.http.post('/tasks').set(director.auth).send({ entityType: 'SHOT', entityId: shot.id, taskTypeId: await taskTypeNamed('Animation'), assignees: [artist.user.id], dueDate: '2027-01-15' }).expect(201)).body;
    expect(task).toMatchObject({ name: 'SH001 Animation', status: 'TODO', assetId: shot.assetId, assignees: [artist.user.id] });
    await waitFor('the assignment notification', async () => (live.events['notification:new'] ?? []).some((n) => n.type === 'TASK_ASSIGNED' && n.taskId === task.id), 5000, 50);

    // The artist moves their own task along, within the moves the role allows.
    expect((await h.http.patch(`/tasks/${task.id}`).set(artist.auth).send({ status: 'DONE' })).body.error.code).toBe('TASK_TRANSITION_FORBIDDEN');
    expect((await h.http.patch(`/tasks/${task.id}`).set(artist.auth).send({ assignees: [] })).status).toBe(403);
    await h.http.patch(`/tasks/${task.id}`).set(artist.auth).send({ status: 'WIP' }).expect(200);
    await h.http.post(`/assets/${shot.assetId}/versions`).set(artist.auth).attach('file', Buffer.from('; FBX 7.4.0 project file\n'), 'anim.fbx').expect(201);
    expect((await h.http.post(`/tasks/${task.id}/submit`).set(artist.auth).send({ version: 9 })).body.error.code).toBe('VERSION_NOT_FOUND');
    const submitted = (await h.http.post(`/tasks/${task.id}/submit`).set(artist.auth).send({ version: 1 }).expect(200)).body;
    expect(submitted).toMatchObject({ status: 'WFA', submission: { version: 1, by: artist.user.id } });

    await h.http.post(`/assets/${shot.assetId}/versions/1/review`).set(director.auth).send({ decision: 'CHANGES_REQUESTED', note: 'more overlap on the arm' }).expect(201);
    await waitFor('RETAKE', async () => (await h.http.get(`/tasks/${task.id}`).set(artist.auth)).body.status === 'RETAKE', 5000, 50);
    const sentBack = await waitFor('the live notification', async () => (live.events['notification:new'] ?? []).find((n) => n.type === 'VERSION_CHANGES_REQUESTED'), 5000, 50);
    expect(sentBack).toMatchObject({ taskId: task.id, version: 1, read: false });
    const listed = (await h.http.get('/notifications').set(artist.auth).expect(200)).body.data;
    expect(listed.map((n: { type: string }) => n.type)).toEqual(['VERSION_CHANGES_REQUESTED', 'TASK_ASSIGNED']);
    expect((await h.http.get('/notifications/unread-count').set(artist.auth).expect(200)).body.unread).toBe(2);
    await h.http.post(`/notifications/${sentBack.id}/read`).set(artist.auth).expect(200);
    expect((await h.http.get('/notifications/unread-count').set(artist.auth).expect(200)).body.unread).toBe(1);
    // Someone else's notification is not found, not readable.
    expect((await h.http.post(`/notifications/${sentBack.id}/read`).set(director.auth)).status).toBe(404);

    await h.http.patch(`/tasks/${task.id}`).set(artist.auth).send({ status: 'WIP' }).expect(200);
    await h.http.post(`/tasks/${task.id}/submit`).set(artist.auth).send({ version: 1 }).expect(200);
    await h.http.post(`/assets/${shot.assetId}/versions/1/review`).set(director.auth).send({ decision: 'APPROVED' }).expect(201);
    await waitFor('DONE', async () => (await h.http.get(`/tasks/${task.id}`).set(artist.auth)).body.status === 'DONE', 5000, 50);
    await waitFor('the approval notification', async () => (live.events['notification:new'] ?? []).some((n) => n.type === 'VERSION_APPROVED'), 5000, 50);
    // Socket events and the stored state travel separately: wait for the broadcast of DONE itself.
    await waitFor('task:updated with DONE', async () => (live.events['task:updated'] ?? []).some((t) => t.id === task.id && t.status === 'DONE'), 5000, 50);
    expect((live.events['task:updated'] ?? []).filter((t) => t.id === task.id).map((t) => `${String(t.from)}→${String(t.status)}:${String(t.reason)}`)).toEqual(
      expect.arrayContaining(['TODO→WIP:edit', 'WIP→WFA:submission', 'WFA→RETAKE:review', 'RETAKE→WIP:edit', 'WFA→DONE:review']),
    );

    const audit = (await h.http.get(`/tasks/${task.id}/history`).query({ limit: 50 }).set(artist.auth).expect(200)).body.data as Array<{ action: string; actorId: string; details: Record<string, unknown> }>;
    expect(audit.map((a) => a.action).reverse()).toEqual(['task.created', 'task.updated', 'task.submitted', 'task.reviewed', 'task.updated', 'task.submitted', 'task.reviewed']);
    expect(audit[0]).toMatchObject({ actorId: director.user.id, details: { from: 'WFA', to: 'DONE', decision: 'APPROVED', version: 1 } });
    const events = await waitFor('the event log', async () => {
      const log = (await h.http.get('/events').query({ after: 0, limit: 200 }).set(producer.auth)).body.data as Array<{ type: string; data: { task?: { id: string; status: string } } }>;
      const statuses = log.filter((e) => e.type === 'task.updated' && e.data.task?.id === task.id).map((e) => e.data.task!.status);
      return statuses.includes('DONE') ? statuses : undefined;
    }, 5000, 100);
    expect(events).toEqual(['WIP', 'WFA', 'RETAKE', 'WIP', 'WFA', 'DONE']);
  });

  it('notifies the assignees of a version\'s task of comments on it, and anyone @mentioned', async () => {
    const project = (await h.http.post('/projects').set(producer.auth).send({ name: 'Comments', code: 'CM' }).expect(201)).body;
    const asset = (await h.http.post('/assets').set(director.auth).send({ name: 'Hero rig', type: 'RIG', projectId: project.id }).expect(201)).body;
    const task = (await h.http.post('/tasks').set(director.auth).send({ entityType: 'ASSET', entityId: asset.id, taskTypeId: await taskTypeNamed('Rigging'), assignees: [artist.user.id] }).expect(201)).body;
    await h.http.post(`/assets/${asset.id}/versions`).set(artist.auth).attach('file', Buffer.from('; FBX 7.4.0 project file\n'), 'rig.fbx').expect(201);
    await h.http.patch(`/tasks/${task.id}`).set(artist.auth).send({ status: 'WIP' }).expect(200);
    await h.http.post(`/tasks/${task.id}/submit`).set(artist.auth).send({ version: 1 }).expect(200);
    await h.http.post(`/assets/${asset.id}/comments`).set(director.auth).send({ body: 'Elbow pops at frame 12', version: 1 }).expect(201);
    await h.http.post(`/assets/${asset.id}/comments`).set(artist.auth).send({ body: 'fixed, @owner please check' }).expect(201);
    await waitFor('the comment notification', async () => ((await h.http.get('/notifications').set(artist.auth)).body.data as Array<{ type: string; taskId: string }>).some((n) => n.type === 'TASK_COMMENT' && n.taskId === task.id), 5000, 50);
    const owner = await waitFor('the mention', async () => ((await h.http.get('/notifications').set(producer.auth)).body.data as Array<{ type: string; text: string }>).find((n) => n.type === 'MENTION'), 5000, 50);
    expect(owner.text).toContain('@owner please check');
  });

  it('lists "my tasks" by due date (undated last) and refuses filter combinations no index serves', async () => {
    const project = (await h.http.post('/projects').set(producer.auth).send({ name: 'Mine', code: 'MY' }).expect(201)).body;
    const seq = (await h.http.post(`/projects/${project.id}/sequences`).set(director.auth).send({ code: 'SQ1' }).expect(201)).body;
    const due = ['2027-03-01', null, '2027-02-01'];
    for (const [i, dueDate] of due.entries()) {
      const shot = (await h.http.post(`/sequences/${seq.id}/shots`).set(director.auth).send({ code: `S${i}`, frameIn: 1, frameOut: 10 }).expect(201)).body;
      await h.http.post('/tasks').set(director.auth).send({ entityType: 'SHOT', entityId: shot.id, taskTypeId: await taskTypeNamed('Layout'), assignees: [director.user.id], dueDate }).expect(201);
    }
    const mine = (await h.http.get('/tasks').query({ assignee: 'me', limit: 2 }).set(director.auth).expect(200)).body;
    const rest = (await h.http.get('/tasks').query({ assignee: 'me', limit: 2, cursor: mine.page.nextCursor }).set(director.auth).expect(200)).body;
    expect([...mine.data, ...rest.data].map((t: { name: string; dueDate: string | null }) => [t.name, t.dueDate?.slice(0, 10) ?? null])).toEqual([
      ['S2 Layout', '2027-02-01'],
      ['S0 Layout', '2027-03-01'],
      ['S1 Layout', null],
    ]);
    const bad = await h.http.get('/tasks').query({ status: 'TODO', taskTypeId: '0123456789abcdef01234567' }).set(director.auth).expect(400);
    expect(bad.body.error.code).toBe('UNSUPPORTED_FILTER');
  });

  it('shows a project\'s assets by name with their tasks in the asset grid', async () => {
    const project = (await h.http.post('/projects').set(producer.auth).send({ name: 'Asset grid', code: 'AG' }).expect(201)).body;
    const [b, a] = [(await h.http.post('/assets').set(director.auth).send({ name: 'B tree', type: 'PROP', projectId: project.id }).expect(201)).body, (await h.http.post('/assets').set(director.auth).send({ name: 'A rock', type: 'PROP', projectId: project.id }).expect(201)).body];
    const modeling = await taskTypeNamed('Modeling');
    const task = (await h.http.post('/tasks').set(director.auth).send({ entityType: 'ASSET', entityId: b.id, taskTypeId: modeling, assignees: [artist.user.id] }).expect(201)).body;
    const grid = (await h.http.get(`/projects/${project.id}/asset-grid`).set(artist.auth).expect(200)).body;
    expect(grid.data.map((r: { asset: { id: string }; tasks: unknown[] }) => [r.asset.id, r.tasks])).toEqual([
      [a.id, []],
      [b.id, [{ id: task.id, taskTypeId: modeling, status: 'TODO', assignees: [artist.user.id], dueDate: null, revision: 1 }]],
    ]);
    expect(grid.taskTypes.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(['Modeling', 'Rigging']));
    expect(grid.taskTypes.map((t: { name: string }) => t.name)).not.toContain('Animation');
  });

  it('casts assets into shots and answers both directions', async () => {
    const project = (await h.http.post('/projects').set(producer.auth).send({ name: 'Casting', code: 'CAST' }).expect(201)).body;
    const seq = (await h.http.post(`/projects/${project.id}/sequences`).set(director.auth).send({ code: 'SQ1' }).expect(201)).body;
    const shot = (await h.http.post(`/sequences/${seq.id}/shots`).set(director.auth).send({ code: 'C1', frameIn: 1, frameOut: 10 }).expect(201)).body;
    const chair = (await h.http.post('/assets').set(director.auth).send({ name: 'Chair', type: 'PROP', projectId: project.id }).expect(201)).body;
    const fox = (await h.http.post('/assets').set(director.auth).send({ name: 'Fox', type: 'CHARACTER', projectId: project.id }).expect(201)).body;
    expect((await h.http.put(`/shots/${shot.id}/casting`).set(artist.auth).send({ items: [{ assetId: chair.id, count: 4 }] })).status).toBe(403);
    await h.http.put(`/shots/${shot.id}/casting`).set(director.auth).send({ items: [{ assetId: chair.id, count: 4 }, { assetId: fox.id, count: 1 }] }).expect(200);
    expect((await h.http.get(`/shots/${shot.id}/casting`).set(artist.auth).expect(200)).body.data.map((c: { assetName: string; count: number }) => [c.assetName, c.count]).sort()).toEqual([['Chair', 4], ['Fox', 1]]);
    expect((await h.http.get(`/assets/${chair.id}/casting`).set(artist.auth).expect(200)).body.data).toEqual([{ shotId: shot.id, assetId: chair.id, count: 4, shotCode: 'C1', sequenceId: seq.id }]);
    // A shot's own backing asset cannot be cast, nor an unknown one; nothing changes then.
    expect((await h.http.put(`/shots/${shot.id}/casting`).set(director.auth).send({ items: [{ assetId: shot.assetId, count: 1 }] })).status).toBe(404);
    await h.http.put(`/shots/${shot.id}/casting`).set(director.auth).send({ items: [{ assetId: fox.id, count: 2 }] }).expect(200);
    expect((await h.http.get(`/assets/${chair.id}/casting`).set(artist.auth).expect(200)).body.data).toEqual([]);
  });

  it('searches projects, assets, shots and tasks by prefix within the studio only', async () => {
    const project = (await h.http.post('/projects').set(producer.auth).send({ name: 'Zebra Crossing', code: 'ZC' }).expect(201)).body;
    const seq = (await h.http.post(`/projects/${project.id}/sequences`).set(director.auth).send({ code: 'ZSQ' }).expect(201)).body;
    const shot = (await h.http.post(`/sequences/${seq.id}/shots`).set(director.auth).send({ code: 'ZEB010', frameIn: 1, frameOut: 5 }).expect(201)).body;
    await h.http.post('/assets').set(director.auth).send({ name: 'Zebra', type: 'CHARACTER', projectId: project.id }).expect(201);
    await h.http.post('/tasks').set(director.auth).send({ entityType: 'SHOT', entityId: shot.id, taskTypeId: await taskTypeNamed('Lighting') }).expect(201);
    const other = await givenStudio(h);
    await h.http.post('/projects').set(other.auth).send({ name: 'Zebra elsewhere', code: 'ZE' }).expect(201);
    const found = (await h.http.get('/search').query({ q: 'ze' }).set(artist.auth).expect(200)).body;
    expect(found.projects.map((p: { code: string }) => p.code)).toEqual(['ZC']);
    expect(found.assets.map((a: { name: string }) => a.name)).toEqual(['Zebra']);
    expect(found.shots.map((s: { code: string }) => s.code)).toEqual(['ZEB010']);
    expect(found.tasks.map((t: { name: string }) => t.name)).toEqual(['ZEB010 Lighting']);
    expect((await h.http.get('/search').query({ q: 'ze', types: 'shots' }).set(artist.auth).expect(200)).body.projects).toEqual([]);
  });

  it('lets PRODUCERs configure task types and statuses; the workflow statuses keep their meaning', async () => {
    expect((await h.http.post('/task-types').set(director.auth).send({ name: 'Grooming', color: '#112233' })).status).toBe(403);
    const groom = (await h.http.post('/task-types').set(producer.auth).send({ name: 'Grooming', color: '#112233', for: 'ASSET' }).expect(201)).body;
    expect((await h.http.post('/task-types').set(producer.auth).send({ name: 'grooming', color: '#112233' })).body.error.code).toBe('TASK_TYPE_NAME_TAKEN');
    const hold = (await h.http.post('/task-statuses').set(producer.auth).send({ code: 'HOLD', name: 'On hold', color: '#999999' }).expect(201)).body;
    const statuses = (await h.http.get('/task-statuses').set(artist.auth).expect(200)).body.data as Array<{ id: string; code: string; isDone: boolean; system: boolean }>;
    expect(statuses.map((s) => s.code)).toEqual(['TODO', 'READY', 'WIP', 'WFA', 'RETAKE', 'DONE', 'HOLD']);
    expect(statuses.filter((s) => s.isDone).map((s) => s.code)).toEqual(['DONE']);
    const wfa = statuses.find((s) => s.code === 'WFA')!;
    expect((await h.http.patch(`/task-statuses/${wfa.id}`).set(producer.auth).send({ name: 'Pending review', color: '#aa00aa' }).expect(200)).body).toMatchObject({ code: 'WFA', name: 'Pending review', system: true });
    expect((await h.http.patch(`/task-statuses/${wfa.id}`).set(producer.auth).send({ isDone: true })).body.error.code).toBe('TASK_STATUS_SYSTEM');
    // A DIRECTOR may set any status, including a studio's own; an unknown code is refused.
    const asset = (await h.http.post('/assets').set(director.auth).send({ name: 'Yak', type: 'CHARACTER' }).expect(201)).body;
    const task = (await h.http.post('/tasks').set(director.auth).send({ entityType: 'ASSET', entityId: asset.id, taskTypeId: groom.id }).expect(201)).body;
    expect((await h.http.post('/tasks').set(artist.auth).send({ entityType: 'ASSET', entityId: asset.id, taskTypeId: groom.id })).status).toBe(403);
    expect((await h.http.post('/tasks').set(director.auth).send({ entityType: 'ASSET', entityId: asset.id, taskTypeId: groom.id })).body.error.code).toBe('TASK_EXISTS');
    expect((await h.http.patch(`/tasks/${task.id}`).set(director.auth).send({ status: hold.code }).expect(200)).body.status).toBe('HOLD');
    expect((await h.http.patch(`/tasks/${task.id}`).set(director.auth).send({ status: 'NOPE' })).status).toBe(400);
    // An artist may not move a task that is not theirs.
    expect((await h.http.patch(`/tasks/${task.id}`).set(artist.auth).send({ status: 'WIP' })).body.error.code).toBe('NOT_ASSIGNED');
  });

  it('holds API tokens to the production scopes', async () => {
    const token = async (scopes: string[]) => (await givenToken(h, producer, scopes)).token;
    const assetsOnly = await token(['assets:read']);
    const reader = await token(['production:read']);
    expect((await h.http.get('/projects').set({ Authorization: `Bearer ${assetsOnly}` })).body.error.code).toBe('INSUFFICIENT_SCOPE');
    await h.http.get('/projects').set({ Authorization: `Bearer ${reader}` }).expect(200);
    expect((await h.http.post('/projects').set({ Authorization: `Bearer ${reader}` }).send({ name: 'Bot', code: 'BOT' })).body.error.code).toBe('INSUFFICIENT_SCOPE');
  });
});
