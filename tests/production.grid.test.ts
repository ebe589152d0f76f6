// The project shot grid at 2,000 shots × 6 task types: every page is a fixed number of database commands
// (counted with Mongoose's per-connection debug hook, which sees every collection call), whatever the page
// size or depth; pages follow the cut order by cursor without gaps or repeats.
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
    h.container.mongo.set('debug', (collection: string, method: string) => void (collection === 'users' || calls.push(`${collection}.${method}`)));
    try {
      const res = await h.http.get(path).query(query).set(producer.auth).expect(200);
      return { body: res.body, calls };
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
    // project, shots, tasks, backing assets, task types, task statuses: six, whatever the page size.
    expect([...big.calls].sort()).toEqual(['assets.find', 'projects.findOne', 'shots.find', 'task_statuses.find', 'task_types.find', 'tasks.find']);
    expect([...small.calls].sort()).toEqual([...big.calls].sort());

    const seen: string[] = [];
    let cursor: string | undefined;
    let deep;
    for (let page = 0; page < 20; page++) {
      deep = await counted(path, { limit: 200, ...(cursor ? { cursor } : {}) });
      seen.push(...deep.body.data.map((r: { shot: { code: string } }) => r.shot.code));
      expect([...deep.calls].sort()).toEqual([...big.calls].sort());
      cursor = deep.body.page.nextCursor ?? undefined;
      if (!cursor) break;
    }
    expect(seen).toHaveLength(SHOTS);
    // cutOrder runs backwards from the insertion order: the grid follows the cut, not the _id.
    expect(seen[0]).toBe(`SH${String(SHOTS - 1).padStart(5, '0')}`);
    expect(new Set(seen).size).toBe(SHOTS);
    expect(seen).toEqual([...seen].sort().reverse());
  }, 180_000);
});
