// The dry run of a re-timed cut at 3,000 shots (security review, finding 4): every shot is reported with
// exactly its own tasks, versions and renders, and the reads behind it are `$in` batches of at most 1,000
// ids, a fixed few per thousand shots, whatever the cut's size. Its time at the 10,000-shot cap is
// bench:editorial's to measure.
import { Types } from 'mongoose';
import { startHarness, type Harness } from './support/harness';
import { givenStudio, type Session } from './support/factories';

const SHOTS = 3000;
const code = (i: number) => `SQ${Math.floor(i / 1000) + 1}_SH${String(i).padStart(4, '0')}`;

describe('the dry run of a re-timed cut', () => {
  let h: Harness;
  let producer: Session;
  let projectId: string;
  const expected = new Map<string, { tasks: Array<{ id: string; name: string; status: string }>; versions: number; renders: number }>();

  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '100000' });
    producer = await givenStudio(h);
    projectId = (await h.http.post('/projects').set(producer.auth).send({ name: 'Scale', code: 'SCALE', fps: { num: 24, den: 1 } }).expect(201)).body.id;
    const sequences = await Promise.all([1, 2, 3].map(async (n) => (await h.http.post(`/projects/${projectId}/sequences`).set(producer.auth).send({ code: `SQ${n}` }).expect(201)).body.id as string));
    const types = ((await h.http.get('/task-types').set(producer.auth).expect(200)).body.data as Array<{ id: string; for: string }>).filter((t) => t.for === 'SHOT').map((t) => new Types.ObjectId(t.id));

    // Seeded straight into the collections, in the shapes the API writes (3,000 shots through HTTP would take minutes).
    // Shot i has i % 3 tasks, latest version i % 4 and i % 5 renders, so a report that mixes shots up shows.
    const m = h.container.models;
    const studioId = new Types.ObjectId(producer.user.studioId);
    const user = new Types.ObjectId(producer.user.id);
    const pid = new Types.ObjectId(projectId);
    const now = new Date();
    const shots = Array.from({ length: SHOTS }, (_, i) => ({ i, _id: new Types.ObjectId(), assetId: new Types.ObjectId(), code: code(i) }));
    await m.Asset.collection.insertMany(shots.map((s) => ({ _id: s.assetId, studioId, name: `shot:SCALE:${s.code}`, nameLower: `shot:scale:${s.code.toLowerCase()}`, type: 'SHOT', description: '', tags: [], status: 'IN_PROGRESS', currentVersion: null, latestVersion: s.i % 4, createdBy: user, updatedBy: user, archivedAt: null, projectId: pid, shotId: s._id, revision: 1, createdAt: now, updatedAt: now })));
    await m.Shot.collection.insertMany(shots.map((s) => ({ _id: s._id, studioId, projectId: pid, sequenceId: new Types.ObjectId(sequences[Math.floor(s.i / 1000)]), episodeId: null, code: s.code, codeLower: s.code.toLowerCase(), cutOrder: (s.i + 1) * 10, frameIn: 1001, frameOut: 1048, recordIn: null, recordOut: null, handles: null, fps: null, description: '', status: 'ACTIVE', assetId: s.assetId, createdBy: user, revision: 1, createdAt: now, updatedAt: now })));
    const tasks = shots.flatMap((s) => Array.from({ length: s.i % 3 }, (_, k) => ({ _id: new Types.ObjectId(), studioId, projectId: pid, entityType: 'SHOT', entityId: s._id, assetId: s.assetId, taskTypeId: types[k]!, name: `${s.code} ${k}`, nameLower: `${s.code.toLowerCase()} ${k}`, status: k ? 'WIP' : 'TODO', assignees: [], dueDate: null, dueSort: new Date('9999-12-31'), estimateHours: null, priority: 0, submission: null, createdBy: user, revision: 1, createdAt: now, updatedAt: now })));
    await m.Task.collection.insertMany(tasks);
    const renders = shots.flatMap((s) => Array.from({ length: s.i % 5 }, (_, k) => ({ studioId, assetId: s.assetId, version: 1, engine: 'simulated', frames: { start: 1, end: 2 }, chunkSize: 1, chunkCount: 2, priority: 0, status: 'COMPLETED', maxAttempts: 1, chunkTimeoutMs: 1000, run: 1, requestedBy: user, idempotencyKey: `${s.code}-${k}`, queuedAt: now, createdAt: now, updatedAt: now })));
    await m.RenderJob.collection.insertMany(renders);
    const tasksOf = Map.groupBy(tasks, (t) => String(t.entityId));
    for (const s of shots) {
      expected.set(s.code, {
        tasks: (tasksOf.get(String(s._id)) ?? []).map((t) => ({ id: String(t._id), name: t.name, status: t.status })),
        versions: s.i % 4,
        renders: s.i % 5,
      });
    }
  }, 300_000);
  afterAll(async () => h.close());

  it('reports every shot of a 3,000-shot cut slipped by 3 frames with its own tasks, versions and renders, in batched reads', async () => {
    const csv = `sequence,shot,frame_in,frame_out\n${Array.from({ length: SHOTS }, (_, i) => `SQ${Math.floor(i / 1000) + 1},${code(i)},1004,1051`).join('\n')}\n`;
    const reads: Array<{ collection: string; ids: number }> = [];
    h.container.mongo.set('debug', (collection: string, method: string, query: Record<string, unknown>) => {
      if (method !== 'find') return;
      const inList = Object.values(query ?? {}).find((v): v is { $in: unknown[] } => typeof v === 'object' && v !== null && Array.isArray((v as { $in?: unknown }).$in));
      reads.push({ collection, ids: inList ? inList.$in.length : 0 });
    });
    let res;
    try {
      res = await h.http.post(`/projects/${projectId}/editorial/import`).query({ format: 'csv', dryRun: 'true' }).set(producer.auth).set('Content-Type', 'text/csv').send(csv).expect(200);
    } finally {
      h.container.mongo.set('debug', false);
    }
    const { shots } = res.body;
    expect(shots).toMatchObject({ new: [], removed: [], moved: [], unchanged: 0 });
    expect(shots.retimed).toHaveLength(SHOTS);
    for (const r of shots.retimed as Array<{ code: string; from: { frameIn: number }; to: { frameIn: number }; affects: unknown }>) {
      expect({ code: r.code, from: r.from.frameIn, to: r.to.frameIn, affects: r.affects }).toEqual({ code: r.code, from: 1001, to: 1004, affects: expected.get(r.code) });
    }
    // Tasks, backing assets and renders: three reads each, of at most 1,000 ids, for 3,000 shots.
    const batched = reads.filter((r) => ['tasks', 'assets', 'renderjobs'].includes(r.collection) && r.ids > 0);
    expect(batched.map((r) => r.collection).sort()).toEqual(['assets', 'assets', 'assets', 'renderjobs', 'renderjobs', 'renderjobs', 'tasks', 'tasks', 'tasks']);
    expect(Math.max(...batched.map((r) => r.ids))).toBe(1000);
    expect(await h.container.models.Shot.countDocuments({ projectId, frameIn: 1001 })).toBe(SHOTS);
  }, 120_000);
});
