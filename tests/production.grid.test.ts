// The project shot grid at 2,000 shots × 6 task types: every page is a fixed number of database commands
// (counted with Mongoose's per-connection debug hook, which sees every collection call), whatever the page
// size or depth; pages follow the cut order by cursor without gaps or repeats; a jump to a row number or a
// code is as few commands, and a jump near the end skips from the end.
import { Types } from 'mongoose';
import { startHarness, type Harness } from './support/harness';
import { givenStudio, type Session } from './support/factories';

const SHOTS = 2000;

describe('shot grid', () => {
  let h: Harness;
  let producer: Session;
  let projectId: string;
  let typeIds: string[];

  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '100000' });
    producer = await givenStudio(h);
    const project = (await h.http.post('/projects').set(producer.auth).send({ name: 'Grid', code: 'GRID' }).expect(201)).body;
    projectId = project.id;
    const seq = (await h.http.post(`/projects/${projectId}/sequences`).set(producer.auth).send({ code: 'SQ' }).expect(201)).body;
    await h.http.post('/task-types').set(producer.auth).send({ name: 'FX', color: '#00ffff', for: 'SHOT' }).expect(201);
    await h.http.post('/task-types').set(producer.auth).send({ name: 'Matte painting', color: '#ff00ff', for: 'SHOT' }).expect(201);
    typeIds = ((await h.http.get('/task-types').set(producer.auth).expect(200)).body.data as Array<{ id: string; for: string }>).filter((t) => t.for === 'SHOT').map((t) => t.id);
    expect(typeIds).toHaveLength(6);

    // Seeded straight into the collections, in the shapes the API writes (2,000 shots through HTTP would take minutes).
    const m = h.container.models;
    const studioId = new Types.ObjectId(producer.user.studioId);
    const user = new Types.ObjectId(producer.user.id);
    const pid = new Types.ObjectId(projectId);
    const shots = Array.from({ length: SHOTS }, (_, i) => ({ _id: new Types.ObjectId(), code: `SH${String(i).padStart(5, '0')}`, assetId: new Types.ObjectId() }));
    const now = new Date();
    await m.Asset.insertMany(shots.map((s) => ({ _id: s.assetId, studioId, name: `shot:GRID:${s.code}`, nameLower: `shot:grid:${s.code.toLowerCase()}`, type: 'SHOT', createdBy: user, updatedBy: user, projectId: pid, shotId: s._id, latestVersion: 0 })));
    await m.Shot.insertMany(
      shots.map((s, i) => ({ _id: s._id, studioId, projectId: pid, sequenceId: new Types.ObjectId(seq.id), code: s.code, codeLower: s.code.toLowerCase(), cutOrder: (SHOTS - i) * 10, frameIn: 1001, frameOut: 1048, assetId: s.assetId, createdBy: user, createdAt: now, updatedAt: now })),
    );
    await m.Task.insertMany(
      shots.flatMap((s) =>
        typeIds.map((t, j) => ({ studioId, projectId: pid, entityType: 'SHOT', entityId: s._id, assetId: s.assetId, taskTypeId: new Types.ObjectId(t), name: `${s.code} ${j}`, nameLower: `${s.code.toLowerCase()} ${j}`, status: ['TODO', 'WIP', 'WFA', 'DONE'][j % 4], assignees: [user], dueSort: new Date('9999-12-31'), createdBy: user })),
      ),
    );
  }, 300_000);
  afterAll(async () => h.close());

  /** The database commands one request makes, but the session check's (a users read when its Redis cache entry lapsed). */
  async function counted(path: string, query: Record<string, string | number>) {
    const calls: string[] = [];
    const skips: number[] = [];
    h.container.mongo.set('debug', (collection: string, method: string, ...args: unknown[]) => {
      if (collection === 'users') return;
      calls.push(`${collection}.${method}`);
      if (collection === 'shots' && method === 'find') skips.push(Number((args[1] as { skip?: number } | undefined)?.skip ?? 0));
    });
    try {
      const res = await h.http.get(path).query(query).set(producer.auth).expect(200);
      return { body: res.body, calls, skips };
    } finally {
      h.container.mongo.set('debug', false);
    }
  }

  it('answers each page in the same few queries, at any page size and depth, and pages through all 2,000 shots in cut order', async () => {
    const path = `/projects/${projectId}/grid`;
    // The first request of a session may load it into the Redis cache; measure steady state.
    await counted(path, { limit: 1 });
    const small = await counted(path, { limit: 20 });
    const big = await counted(path, { limit: 200 });
    expect(small.body.data).toHaveLength(20);
    expect(big.body.data).toHaveLength(200);
    expect(big.body.data.every((r: { tasks: unknown[] }) => r.tasks.length === 6)).toBe(true);
    expect(big.body.taskTypes).toHaveLength(6);
    // project, the shots' count (a first page says the total), shots, tasks, backing assets, task types, task
    // statuses: seven, whatever the page size; a page continued by cursor takes no count.
    expect([...big.calls].sort()).toEqual(['assets.find', 'projects.findOne', 'shots.countDocuments', 'shots.find', 'task_statuses.find', 'task_types.find', 'tasks.find']);
    expect([...small.calls].sort()).toEqual([...big.calls].sort());
    const continued = [...big.calls].filter((c) => c !== 'shots.countDocuments').sort();

    const seen: string[] = [];
    let cursor: string | undefined;
    let deep;
    for (let page = 0; page < 20; page++) {
      deep = await counted(path, { limit: 200, ...(cursor ? { cursor } : {}) });
      seen.push(...deep.body.data.map((r: { shot: { code: string } }) => r.shot.code));
      expect([...deep.calls].sort()).toEqual(page === 0 ? [...big.calls].sort() : continued);
      cursor = deep.body.page.nextCursor ?? undefined;
      if (!cursor) break;
    }
    expect(seen).toHaveLength(SHOTS);
    // cutOrder runs backwards from the insertion order: the grid follows the cut, not the _id.
    expect(seen[0]).toBe(`SH${String(SHOTS - 1).padStart(5, '0')}`);
    expect(new Set(seen).size).toBe(SHOTS);
    expect(seen).toEqual([...seen].sort().reverse());
  }, 180_000);

  it('jumps to any row number or shot code in the same few queries as a first page; near the end it skips from the end', async () => {
    const path = `/projects/${projectId}/grid`;
    const first = await counted(path, { limit: 100 });
    const all: string[] = [];
    for (let cursor: string | undefined, i = 0; i < 20; i++) {
      const page = (await counted(path, { limit: 200, ...(cursor ? { cursor } : {}) })).body;
      all.push(...page.data.map((r: { shot: { code: string } }) => r.shot.code));
      cursor = page.page.nextCursor ?? undefined;
      if (!cursor) break;
    }
    for (const at of [150, 999, 1001, 1900, 1999]) {
      const jump = await counted(path, { limit: 100, at });
      expect({ at, calls: [...jump.calls].sort() }).toEqual({ at, calls: [...first.calls].sort() });
      expect(jump.body.data.map((r: { shot: { code: string } }) => r.shot.code)).toEqual(all.slice(at, at + 100));
      expect([jump.body.offset, jump.body.total]).toEqual([at, SHOTS]);
      // Never more index keys skipped than half the cut: from the end for a row past the middle.
      expect(jump.skips).toEqual([at <= SHOTS / 2 ? at : Math.max(0, SHOTS - at - 100)]);
    }
    for (const i of [0, 1000, 1999]) {
      const jump = await counted(path, { limit: 1, code: all[i]! });
      // project, the shot by its code, the count, its position (a count of the rows before it), tasks, asset, types, statuses.
      expect([...jump.calls].sort()).toEqual(['assets.find', 'projects.findOne', 'shots.countDocuments', 'shots.countDocuments', 'shots.findOne', 'task_statuses.find', 'task_types.find', 'tasks.find']);
      expect([jump.body.offset, jump.body.data[0].shot.code]).toEqual([i, all[i]]);
    }
  }, 180_000);
});
