// Tracking from the web app's side (issue 28): what a member may do with tasks (GET /task-permissions) is what
// PATCH /tasks/:id enforces; a bulk edit changes many tasks in one request, each checked and answered on its
// own; the shot grid sorts by code, latest version and next due date (sort keys kept on the shot), searches
// codes, counts its rows and jumps to a row number or a code, every page matching a walk of the whole order.
import { Types } from 'mongoose';
import { startHarness, type Harness } from './support/harness';
import { givenMember, givenStudio, type Session } from './support/factories';
import { listen, type Listener } from './support/sockets';
import { waitFor } from './support/workers';
import { MIGRATIONS_DIR } from '../src/infra/database/migrations';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const sortKeysMigration = require(`${MIGRATIONS_DIR}/20261208000000-shot-grid-sort-keys.js`) as { up(db: unknown): Promise<void> };

interface Task { id: string; status: string; assignees: string[]; revision: number; dueDate: string | null; entityId: string }
interface GridPage {
  data: Array<{ shot: { id: string; code: string; latestVersion: number }; tasks: Array<{ id: string; revision: number }>; nextDueDate: string | null }>;
  page: { nextCursor: string | null; hasMore: boolean };
  total: number | null;
  offset: number | null;
}
const STATUSES = ['TODO', 'READY', 'WIP', 'WFA', 'RETAKE', 'DONE'];

describe('tracking: task permissions, bulk edits and the shot grid\'s orders and jumps', () => {
  let h: Harness;
  let url: string;
  let producer: Session;
  let director: Session;
  let artist: Session;
  let other: Session;
  let projectId: string;
  let sequenceId: string;
  const types: Record<string, string> = {};
  const shots: Array<{ id: string; code: string; assetId: string }> = [];
  const sockets: Listener[] = [];

  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '100000' });
    ({ url } = await h.listenRealtime());
    producer = await givenStudio(h);
    director = await givenMember(h, producer, 'DIRECTOR');
    artist = await givenMember(h, producer, 'ARTIST');
    other = await givenStudio(h);
    projectId = (await h.http.post('/projects').set(producer.auth).send({ name: 'Tracking', code: 'TRK' }).expect(201)).body.id;
    sequenceId = (await h.http.post(`/projects/${projectId}/sequences`).set(producer.auth).send({ code: 'SQ010' }).expect(201)).body.id;
    for (const t of (await h.http.get('/task-types').set(producer.auth).expect(200)).body.data as Array<{ id: string; name: string }>) types[t.name] = t.id;
    // 30 shots whose codes do not follow the cut: the cut runs SH300, SH290, … SH010 is the last.
    for (let i = 0; i < 30; i++) {
      const code = `SH${String((30 - i) * 10).padStart(3, '0')}`;
      const shot = (await h.http.post(`/sequences/${sequenceId}/shots`).set(producer.auth).send({ code, frameIn: 1001, frameOut: 1001 + i, cutOrder: (i + 1) * 10 }).expect(201)).body;
      shots.push({ id: shot.id, code, assetId: shot.assetId });
    }
  }, 120_000);
  afterAll(async () => {
    for (const s of sockets) s.socket.disconnect();
    await h.close();
  });

  const createTask = async (shot: { id: string }, type: string, body: Record<string, unknown> = {}): Promise<Task> =>
    (await h.http.post('/tasks').set(producer.auth).send({ entityType: 'SHOT', entityId: shot.id, taskTypeId: types[type], ...body }).expect(201)).body;
  const getTask = async (id: string): Promise<Task> => (await h.http.get(`/tasks/${id}`).set(producer.auth).expect(200)).body;
  const setStatus = async (id: string, status: string) => {
    const t = await getTask(id);
    if (t.status !== status) await h.http.patch(`/tasks/${id}`).set(producer.auth).send({ status }).expect(200);
  };

  describe('GET /task-permissions', () => {
    it('says for each role which moves PATCH /tasks/:id then allows, pair by pair', async () => {
      const task = await createTask(shots[0]!, 'Layout', { assignees: [artist.user.id] });
      const unassigned = await createTask(shots[0]!, 'Lighting');
      const cases: Array<[string, Session, string]> = [['artist on their task', artist, task.id], ['artist on another\'s task', artist, unassigned.id], ['director', director, task.id]];
      for (const [who, member, id] of cases) {
        const perms = (await h.http.get('/task-permissions').set(member.auth).expect(200)).body as { anyStatus: boolean; ownStatus: boolean; ownMoves: Array<{ from: string; to: string[] }>; assign: boolean; create: boolean; bulkLimit: number };
        expect(perms.bulkLimit).toBe(200);
        expect({ who, assign: perms.assign, create: perms.create }).toEqual({ who, assign: member !== artist, create: member !== artist });
        const assigned = (await getTask(id)).assignees.includes(member.user.id);
        const predicted = (from: string, to: string) => perms.anyStatus || (perms.ownStatus && assigned && (perms.ownMoves.find((m) => m.from === from)?.to ?? []).includes(to));
        const seen: string[] = [];
        const expected: string[] = [];
        for (const from of STATUSES) {
          for (const to of STATUSES.filter((s) => s !== from)) {
            await setStatus(id, from);
            const res = await h.http.patch(`/tasks/${id}`).set(member.auth).send({ status: to });
            expect([200, 403]).toContain(res.status);
            seen.push(`${from}→${to}: ${res.status === 200 ? 'allowed' : 'refused'}`);
            expected.push(`${from}→${to}: ${predicted(from, to) ? 'allowed' : 'refused'}`);
          }
        }
        expect({ who, moves: seen }).toEqual({ who, moves: expected });
      }
      // The artist's own moves are the documented ones, not "nothing" (which would also agree above).
      expect((await h.http.get('/task-permissions').set(artist.auth).expect(200)).body.ownMoves).toEqual([{ from: 'TODO', to: ['WIP'] }, { from: 'READY', to: ['WIP'] }, { from: 'RETAKE', to: ['WIP'] }, { from: 'WIP', to: ['WFA'] }]);
    }, 120_000);
  });

  describe('POST /tasks/bulk', () => {
    let animation: Task[];
    beforeAll(async () => {
      animation = [];
      for (const shot of shots.slice(0, 12)) animation.push(await createTask(shot, 'Animation'));
    });

    it('sets the status and assignee of 10 tasks in one request: each stored, audited and announced', async () => {
      const live = await listen(url, director.accessToken);
      sockets.push(live);
      const ten = animation.slice(0, 10);
      const res = await h.http.post('/tasks/bulk').set(producer.auth).send({ tasks: ten.map((t) => ({ id: t.id, revision: t.revision })), set: { status: 'WIP', assignees: [artist.user.id] } }).expect(200);
      expect(res.body.updated).toBe(10);
      expect(res.body.failed).toBe(0);
      expect(res.body.results.map((r: { id: string; ok: boolean; error?: unknown; task?: Task }) => [r.id, r.ok, r.error ?? null, r.task?.status])).toEqual(ten.map((t) => [t.id, true, null, 'WIP']));
      for (const t of ten) {
        const stored = await getTask(t.id);
        expect([stored.status, stored.assignees, stored.revision]).toEqual(['WIP', [artist.user.id], t.revision + 1]);
      }
      const history = (await h.http.get(`/tasks/${ten[3]!.id}/history`).set(producer.auth).expect(200)).body.data as Array<{ action: string; details: { from?: string; to?: string } }>;
      expect(history[0]).toMatchObject({ action: 'task.updated', details: { from: 'TODO', to: 'WIP' } });
      await waitFor('ten task:updated events', async () => (live.events['task:updated'] ?? []).filter((e) => ten.some((t) => t.id === e.id)).length === 10, 10_000, 50);
      // The artist is told of each assignment (their notifications come from task.assigned).
      await waitFor('the artist\'s notifications', async () => (await h.http.get('/notifications').query({ limit: 50 }).set(artist.auth)).body.data.filter((n: { type: string }) => n.type === 'TASK_ASSIGNED').length >= 10, 10_000, 100);
    });

    it('answers each task on its own: one changed since it was read is refused, the others done', async () => {
      const [a, b, c] = await Promise.all(animation.slice(0, 3).map((t) => getTask(t.id)));
      await h.http.patch(`/tasks/${b!.id}`).set(producer.auth).send({ dueDate: '2027-01-15' }).expect(200);
      const res = await h.http.post('/tasks/bulk').set(producer.auth).send({ tasks: [a, b, c].map((t) => ({ id: t!.id, revision: t!.revision })), set: { status: 'WFA' } }).expect(200);
      expect(res.body.results.map((r: { ok: boolean; error?: { code: string; message: string } }) => [r.ok, r.error?.code ?? null])).toEqual([[true, null], [false, 'TASK_CHANGED'], [true, null]]);
      expect(res.body.results[1].error.message).toMatch(/changed since you read it/);
      expect([res.body.updated, res.body.failed]).toEqual([2, 1]);
      expect((await getTask(b!.id)).status).toBe('WIP');
      expect((await getTask(a!.id)).status).toBe('WFA');
    });

    it('lets an artist move their own tasks along, refusing the moves their role may not make and others\' tasks, in words', async () => {
      const own = await getTask(animation[4]!.id); // WIP, assigned to the artist
      await setStatus(animation[5]!.id, 'DONE');
      const done = await getTask(animation[5]!.id);
      const notMine = await getTask(animation[11]!.id); // TODO, nobody's
      const res = await h.http.post('/tasks/bulk').set(artist.auth).send({ tasks: [own, done, notMine].map((t) => ({ id: t.id, revision: t.revision })), set: { status: 'WFA' } }).expect(200);
      expect(res.body.results.map((r: { ok: boolean; error?: { code: string } }) => r.error?.code ?? 'ok')).toEqual(['ok', 'TASK_TRANSITION_FORBIDDEN', 'NOT_ASSIGNED']);
      expect(res.body.results[1].error.message).toBe('Your role may not move a task from DONE to WFA');
      expect(res.body.results[2].error.message).toBe('You may only move tasks assigned to you');
      expect([(await getTask(own.id)).status, (await getTask(done.id)).status, (await getTask(notMine.id)).status]).toEqual(['WFA', 'DONE', 'TODO']);
    });

    it('refuses a request that is wrong as a whole before changing anything: assigning without the right, another studio\'s task, bad input', async () => {
      const before = await Promise.all(animation.map((t) => getTask(t.id)));
      const some = before.slice(6, 9).map((t) => ({ id: t.id, revision: t.revision }));
      const byArtist = await h.http.post('/tasks/bulk').set(artist.auth).send({ tasks: some, set: { assignees: [artist.user.id] } });
      expect([byArtist.status, byArtist.body.error.code]).toEqual([403, 'FORBIDDEN']);

      const foreignProject = (await h.http.post('/projects').set(other.auth).send({ name: 'Other', code: 'OTH' }).expect(201)).body;
      const foreignSeq = (await h.http.post(`/projects/${foreignProject.id}/sequences`).set(other.auth).send({ code: 'SQ' }).expect(201)).body;
      const foreignShot = (await h.http.post(`/sequences/${foreignSeq.id}/shots`).set(other.auth).send({ code: 'X', frameIn: 1, frameOut: 2 }).expect(201)).body;
      const otherTypes = (await h.http.get('/task-types').set(other.auth).expect(200)).body.data as Array<{ id: string; name: string }>;
      const foreign = (await h.http.post('/tasks').set(other.auth).send({ entityType: 'SHOT', entityId: foreignShot.id, taskTypeId: otherTypes.find((t) => t.name === 'Layout')!.id }).expect(201)).body;
      const mixed = await h.http.post('/tasks/bulk').set(producer.auth).send({ tasks: [...some, { id: foreign.id, revision: foreign.revision }], set: { status: 'DONE' } });
      expect([mixed.status, mixed.body.error.code, mixed.body.error.message]).toEqual([404, 'TASK_NOT_FOUND', 'One of the tasks was not found: nothing was changed']);
      expect((await h.http.get(`/tasks/${foreign.id}`).set(other.auth).expect(200)).body.status).toBe('TODO');

      const bad: Array<[object, string, RegExp]> = [
        [{ tasks: Array.from({ length: 201 }, () => ({ id: new Types.ObjectId().toHexString(), revision: 1 })), set: { status: 'WIP' } }, 'tasks', /at most 200 tasks at once/],
        [{ tasks: [some[0], some[0]], set: { status: 'WIP' } }, 'tasks', /name each task once/],
        [{ tasks: some, set: {} }, 'set', /at least one field/],
        [{ tasks: [], set: { status: 'WIP' } }, 'tasks', /at least one task/],
      ];
      for (const [body, path, message] of bad) {
        const res = await h.http.post('/tasks/bulk').set(producer.auth).send(body);
        expect(res.status).toBe(400);
        expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.stringContaining(path), message: expect.stringMatching(message) })]));
      }
      const unknown = await h.http.post('/tasks/bulk').set(producer.auth).send({ tasks: some, set: { status: 'NOPE' } });
      expect([unknown.status, unknown.body.error.details[0].message]).toEqual([400, 'NOPE is not one of your studio\'s task statuses']);
      expect(await Promise.all(animation.map((t) => getTask(t.id)))).toEqual(before);
    });

    it('answers GET /tasks/bulk with 405, not as a task id', async () => {
      const res = await h.http.get('/tasks/bulk').set(producer.auth);
      expect([res.status, res.headers.allow, res.body.error.code]).toEqual([405, 'OPTIONS, POST', 'METHOD_NOT_ALLOWED']);
    });
  });

  describe('the shot grid\'s orders', () => {
    const grid = async (query: Record<string, string | number>, who: Session = producer): Promise<GridPage> => (await h.http.get(`/projects/${projectId}/grid`).query(query).set(who.auth).expect(200)).body;
    /** The project's shots as stored, in a view's order (its key, then _id), as codes. */
    const expected = async (field: 'cutOrder' | 'codeLower' | 'latestVersion' | 'dueSort', order: 'asc' | 'desc', prefix?: string) => {
      const docs = await h.container.models.Shot.find({ projectId: new Types.ObjectId(projectId) }).lean();
      const dir = order === 'asc' ? 1 : -1;
      const key = (d: (typeof docs)[number]) => { const v = d[field] as unknown; return v instanceof Date ? v.getTime() : (v as string | number); };
      return docs
        .filter((d) => !prefix || d.codeLower.startsWith(prefix))
        .sort((x, y) => (key(x) < key(y) ? -dir : key(x) > key(y) ? dir : String(x._id) < String(y._id) ? -dir : dir))
        .map((d) => d.code);
    };
    const walk = async (query: Record<string, string | number>) => {
      const codes: string[] = [];
      let first: GridPage | undefined;
      let cursor: string | null = null;
      for (let i = 0; i < 20; i++) {
        const page = await grid({ ...query, limit: 7, ...(cursor ? { cursor } : {}) });
        first ??= page;
        if (cursor) expect([page.total, page.offset]).toEqual([null, null]);
        codes.push(...page.data.map((r) => r.shot.code));
        cursor = page.page.nextCursor;
        if (!cursor) break;
      }
      return { codes, total: first!.total, offset: first!.offset };
    };

    beforeAll(async () => {
      // Versions on three shots (the sort key follows each new version), due dates on some of the tasks.
      for (const [i, count] of [[3, 2], [17, 1], [25, 3]] as const) {
        for (let v = 0; v < count; v++) await h.http.post(`/assets/${shots[i]!.assetId}/versions`).set(producer.auth).attach('file', Buffer.from(`; FBX 7.4.0 project file ${i} ${v}\n`), `s${i}_v${v}.fbx`).expect(201);
      }
      for (const [i, due] of [[2, '2027-03-01'], [9, '2027-02-01'], [20, '2027-02-15'], [28, '2027-01-20']] as const) await createTask(shots[i]!, 'Compositing', { dueDate: due });
      await waitFor('the sort keys', async () => {
        const stored = await h.container.models.Shot.find({ _id: { $in: [shots[25]!.id, shots[28]!.id].map((id) => new Types.ObjectId(id)) } }).lean();
        return stored.some((s) => s.latestVersion === 3) && stored.some((s) => s.dueSort.toISOString().startsWith('2027-01-20'));
      }, 10_000, 50);
    }, 60_000);

    it.each([
      ['cutOrder', 'cutOrder'],
      ['code', 'codeLower'],
      ['latestVersion', 'latestVersion'],
      ['due', 'dueSort'],
    ] as const)('walks every shot sorted by %s, both ways, by cursor; the first page says the count and that it starts at row 0', async (sort, field) => {
      for (const order of ['asc', 'desc'] as const) {
        const walked = await walk({ sort, order });
        expect({ sort, order, codes: walked.codes }).toEqual({ sort, order, codes: await expected(field, order) });
        expect([walked.total, walked.offset]).toEqual([30, 0]);
      }
    });

    it('shows the latest version and next due date it sorts by: a DONE task\'s date no longer counts, an open one\'s change does', async () => {
      // Shot 1's task got its due date in the bulk tests above.
      const byDue = await grid({ sort: 'due', limit: 6 });
      expect(byDue.data.slice(0, 5).map((r) => [r.shot.code, r.nextDueDate?.slice(0, 10)])).toEqual([[shots[1]!.code, '2027-01-15'], [shots[28]!.code, '2027-01-20'], [shots[9]!.code, '2027-02-01'], [shots[20]!.code, '2027-02-15'], [shots[2]!.code, '2027-03-01']]);
      expect(byDue.data[5]!.nextDueDate).toBeNull();
      const byVersion = await grid({ sort: 'latestVersion', order: 'desc', limit: 3 });
      expect(byVersion.data.map((r) => [r.shot.code, r.shot.latestVersion])).toEqual([[shots[25]!.code, 3], [shots[3]!.code, 2], [shots[17]!.code, 1]]);

      // Shot 28's dated task is done, and an open one due later is added: the shot moves behind the March one.
      const dated = (await h.http.get('/tasks').query({ projectId, limit: 100 }).set(producer.auth).expect(200)).body.data.find((t: Task) => t.entityId === shots[28]!.id && t.dueDate) as Task;
      await h.http.patch(`/tasks/${dated.id}`).set(producer.auth).send({ status: 'DONE' }).expect(200);
      await createTask(shots[28]!, 'Animation', { dueDate: '2027-04-01' });
      const at = async () => (await grid({ sort: 'due', limit: 6 })).data.map((r) => [r.shot.code, r.nextDueDate?.slice(0, 10) ?? null]);
      await waitFor('shot 28 behind the March one', async () => JSON.stringify((await at())[4]) === JSON.stringify([shots[28]!.code, '2027-04-01']), 10_000, 50);
      expect((await at()).slice(0, 5)).toEqual([[shots[1]!.code, '2027-01-15'], [shots[9]!.code, '2027-02-01'], [shots[20]!.code, '2027-02-15'], [shots[2]!.code, '2027-03-01'], [shots[28]!.code, '2027-04-01']]);
      expect((await walk({ sort: 'due' })).codes).toEqual(await expected('dueSort', 'asc'));
    });

    it('jumps to a row number: the rows from there, the same as a walk, from either end of the order', async () => {
      for (const [sort, field] of [['cutOrder', 'cutOrder'], ['due', 'dueSort']] as const) {
        for (const order of ['asc', 'desc'] as const) {
          const all = await expected(field, order);
          for (const at of [0, 1, 13, 15, 16, 23, 29, 30, 45]) {
            const page = await grid({ sort, order, at, limit: 7 });
            expect({ sort, order, at, codes: page.data.map((r) => r.shot.code), offset: page.offset, total: page.total, hasMore: page.page.hasMore }).toEqual({ sort, order, at, codes: all.slice(at, at + 7), offset: at, total: 30, hasMore: at + 7 < 30 });
            if (page.page.nextCursor) expect((await grid({ sort, order, cursor: page.page.nextCursor, limit: 7 })).data.map((r) => r.shot.code)).toEqual(all.slice(at + 7, at + 14));
          }
        }
      }
    });

    it('jumps to a shot by its code (any case): its row number, and the rows from it', async () => {
      for (const [sort, field] of [['cutOrder', 'cutOrder'], ['code', 'codeLower'], ['latestVersion', 'latestVersion']] as const) {
        const all = await expected(field, 'desc');
        for (const code of [all[0]!, all[11]!, all[29]!]) {
          const page = await grid({ sort, order: 'desc', code: code.toLowerCase(), limit: 4 });
          expect({ sort, code, offset: page.offset, total: page.total, codes: page.data.map((r) => r.shot.code) }).toEqual({ sort, code, offset: all.indexOf(code), total: 30, codes: all.slice(all.indexOf(code), all.indexOf(code) + 4) });
          const one = await grid({ sort, order: 'desc', code, limit: 1 });
          expect([one.offset, one.data.map((r) => r.shot.code), one.page.hasMore]).toEqual([all.indexOf(code), [code], all.indexOf(code) < 29]);
          if (one.page.nextCursor) expect((await grid({ sort, order: 'desc', cursor: one.page.nextCursor, limit: 2 })).data.map((r) => r.shot.code)).toEqual(all.slice(all.indexOf(code) + 1, all.indexOf(code) + 3));
        }
      }
      const missing = await h.http.get(`/projects/${projectId}/grid`).query({ code: 'SH999' }).set(producer.auth);
      expect([missing.status, missing.body.error.message]).toEqual([404, 'No shot with the code SH999 in this project']);
    });

    it('searches codes by prefix, in code order, with the count of matches; says what to do when asked otherwise', async () => {
      const found = await walk({ sort: 'code', q: 'SH1' });
      expect(found.codes).toEqual(await expected('codeLower', 'asc', 'sh1'));
      expect(found.codes).toEqual(['SH100', 'SH110', 'SH120', 'SH130', 'SH140', 'SH150', 'SH160', 'SH170', 'SH180', 'SH190']);
      expect(found.total).toBe(10);
      expect((await grid({ sort: 'code', q: 'sh1', at: 8, limit: 5 })).data.map((r) => r.shot.code)).toEqual(['SH180', 'SH190']);
      expect((await grid({ sort: 'code', q: 'sh1', code: 'SH150', limit: 1 })).offset).toBe(5);
      expect((await h.http.get(`/projects/${projectId}/grid`).query({ sort: 'code', q: 'sh1', code: 'SH250' }).set(producer.auth)).status).toBe(404);
      expect((await grid({ sort: 'code', q: 'SH1%' })).data).toEqual([]);

      for (const [query, path, message] of [
        [{ q: 'SH1' }, 'q', 'a code search lists the matching shots in code order: add sort=code'],
        [{ at: 3, code: 'SH010' }, 'code', 'give one place to start: at or code, not both'],
        [{ at: -1 }, 'at', ''],
        [{ sort: 'frames' }, 'sort', ''],
      ] as const) {
        const res = await h.http.get(`/projects/${projectId}/grid`).query(query).set(producer.auth);
        expect(res.status).toBe(400);
        expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path, ...(message ? { message } : {}) })]));
      }
      // Another studio's member finds no such project, whatever the order or jump.
      for (const query of [{ sort: 'due' }, { code: 'SH010' }, { at: 5 }]) expect((await h.http.get(`/projects/${projectId}/grid`).query(query).set(other.auth)).status).toBe(404);
    });

    it('fills in the sort keys of shots stored before them (the migration), from their asset and open tasks', async () => {
      const m = h.container.models;
      const ids = [shots[3]!.id, shots[9]!.id, shots[12]!.id].map((id) => new Types.ObjectId(id));
      const before = await m.Shot.find({ _id: { $in: ids } }).sort({ _id: 1 }).lean();
      await m.Shot.collection.updateMany({ _id: { $in: ids } }, { $unset: { latestVersion: '', dueSort: '' } });
      await sortKeysMigration.up(h.container.mongo.db);
      const after = await m.Shot.find({ _id: { $in: ids } }).sort({ _id: 1 }).lean();
      expect(after.map((s) => [s.code, s.latestVersion, s.dueSort.toISOString()])).toEqual(before.map((s) => [s.code, s.latestVersion, s.dueSort.toISOString()]));
      expect(after.map((s) => s.latestVersion).sort()).toEqual([0, 0, 2]);
    });
  });
});
