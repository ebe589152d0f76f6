// MongoDB's own query planner on every production-tracking list shape (projects, sequences, shots of a
// sequence and the project grid in each of its orders, with its code search, count, row positions and jumps,
// every GET /tasks filter, notifications): an index scan, no collection scan, no in-memory sort, on the first
// page and after a cursor. Needs MongoDB in MONGO_URI (npm run test:plans);
// on FerretDB it fails at once, as tests/plans/assets.plan.ts does; tests/production.indexes.test.ts checks
// the same shapes statically.
import { Types, type Model } from 'mongoose';
import { loadConfig } from '../../src/config/env';
import { createLogger } from '../../src/infra/logging/logger';
import { connectMongo } from '../../src/infra/database/mongo';
import { createModels, syncIndexes, type Models } from '../../src/app/repositories/models';
import { projectListQuery, orderedChildrenQuery } from '../../src/app/repositories/ProjectRepository';
import { GRID_SORTS, gridBeforeQuery, gridFilter, gridShotsQuery, gridWindowQuery, projectShotsQuery, sequenceShotsQuery, type GridSort, type GridView } from '../../src/app/repositories/ShotRepository';
import type { ShotDoc } from '../../src/app/repositories/models/Shot';
import { TASK_LIST_SHAPES, taskListQuery, waitingForReviewQuery, type TaskListQuery } from '../../src/app/repositories/TaskRepository';
import { notificationListQuery } from '../../src/app/repositories/NotificationRepository';
import { encodeCursor } from '../../src/app/repositories/pagination';
import type { ListShape } from '../../src/app/repositories/listing';
import { withDatabase } from '../support/harness';

interface PlanStage {
  stage?: string;
  inputStage?: PlanStage;
  inputStages?: PlanStage[];
  queryPlan?: PlanStage;
}
const stagesOf = (plan: PlanStage | undefined): string[] =>
  plan ? [plan.stage ?? '', ...stagesOf(plan.inputStage), ...(plan.inputStages ?? []).flatMap(stagesOf), ...stagesOf(plan.queryPlan)].filter(Boolean) : [];

describe('MongoDB plans every production list shape as an index scan', () => {
  let models: Models;
  let close: () => Promise<void>;
  const studioId = new Types.ObjectId();
  const other = new Types.ObjectId();
  const projectId = new Types.ObjectId();
  const sequenceId = new Types.ObjectId();
  const user = new Types.ObjectId();
  const type = new Types.ObjectId();

  beforeAll(async () => {
    const uri = process.env.MONGO_URI;
    if (!uri) throw new Error('MONGO_URI is not set');
    const config = loadConfig({ NODE_ENV: 'test', MONGO_URI: withDatabase(uri, `plans_prod_${Date.now()}`) });
    const conn = await connectMongo({ uri: config.MONGO_URI!, logger: createLogger({ level: 'error', service: 'plans' }) });
    close = async () => {
      await conn.dropDatabase().catch(() => undefined);
      await conn.close();
    };
    const info = (await conn.db!.admin().command({ buildInfo: 1 })) as { ferretdbVersion?: string };
    if (info.ferretdbVersion) throw new Error(`query plans need MongoDB, and MONGO_URI points at FerretDB ${info.ferretdbVersion}; run MONGO_URI=mongodb://127.0.0.1:27017 npm run test:plans`);
    models = createModels(conn);
    await syncIndexes(models);
    // Enough documents, half of them another studio's, that a collection scan could never win on cost.
    const n = 10_000;
    const mine = (i: number) => (i % 2 ? studioId : other);
    await models.Project.collection.insertMany(Array.from({ length: 2000 }, (_, i) => ({ studioId: mine(i), name: `P${i}`, nameLower: `p${i}`, code: `P${i}`, codeLower: `p${i}`, status: i % 3 ? 'ACTIVE' : 'CLOSED' })));
    await models.Sequence.collection.insertMany(Array.from({ length: 2000 }, (_, i) => ({ studioId: mine(i), projectId: i % 4 ? projectId : new Types.ObjectId(), code: `S${i}`, codeLower: `s${i}`, order: i })));
    await models.Episode.collection.insertMany(Array.from({ length: 2000 }, (_, i) => ({ studioId: mine(i), projectId: i % 4 ? projectId : new Types.ObjectId(), code: `E${i}`, codeLower: `e${i}`, order: i })));
    await models.Shot.collection.insertMany(Array.from({ length: n }, (_, i) => ({ studioId: mine(i), projectId, sequenceId: i % 5 ? sequenceId : new Types.ObjectId(), code: `SH${i}`, codeLower: `sh${i}`, cutOrder: i, latestVersion: i % 7, dueSort: new Date(Date.now() + (i % 50) * 86_400_000) })));
    await models.Task.collection.insertMany(
      Array.from({ length: n }, (_, i) => ({ studioId: mine(i), projectId: i % 3 ? projectId : new Types.ObjectId(), entityId: new Types.ObjectId(), taskTypeId: i % 6 ? type : new Types.ObjectId(), status: ['TODO', 'WIP', 'DONE'][i % 3], assignees: i % 4 ? [user] : [], nameLower: `t${i}`, dueSort: new Date(Date.now() + i * 60_000) })),
    );
    await models.Notification.collection.insertMany(Array.from({ length: n }, (_, i) => ({ studioId: mine(i), userId: i % 3 ? user : new Types.ObjectId(), read: i % 2 === 0 })));
  }, 120_000);
  afterAll(async () => close?.());

  async function expectIndexed<T>(model: Model<T>, build: (cursor?: string) => ListShape<T>, cursorValue: string | number | Date) {
    const first = build();
    const order = Object.values(first.sort)[0] === 1 ? 'asc' : 'desc';
    for (const shape of [first, build(encodeCursor(first.field, order, cursorValue, new Types.ObjectId()))]) {
      const explained = (await model.find(shape.filter).sort(shape.sort).limit(51).explain('queryPlanner')) as unknown as { queryPlanner: { winningPlan: PlanStage } };
      const stages = stagesOf(explained.queryPlanner.winningPlan);
      expect(stages).toContain('IXSCAN');
      expect(stages).not.toContain('COLLSCAN');
      expect(stages).not.toContain('SORT');
    }
  }

  it('projects, by name and by status', async () => {
    await expectIndexed(models.Project, (cursor) => projectListQuery(studioId, { limit: 50, cursor }), 'p500');
    await expectIndexed(models.Project, (cursor) => projectListQuery(studioId, { limit: 50, cursor, status: 'ACTIVE' }), 'p500');
  });
  it('sequences and episodes in order', async () => {
    await expectIndexed(models.Sequence, (cursor) => orderedChildrenQuery(studioId, projectId, cursor), 500);
    await expectIndexed(models.Episode, (cursor) => orderedChildrenQuery(studioId, projectId, cursor), 500);
  });
  it('shots of a sequence and the project grid, in cut order', async () => {
    await expectIndexed(models.Shot, (cursor) => sequenceShotsQuery(studioId, sequenceId, cursor), 5000);
    await expectIndexed(models.Shot, (cursor) => projectShotsQuery(studioId, projectId, cursor), 5000);
  });
  const views: GridView[] = (Object.keys(GRID_SORTS) as GridSort[]).flatMap((sort) => (['asc', 'desc'] as const).map((order) => ({ sort, order })));
  const cursorValues: Record<GridSort, string | number | Date> = { cutOrder: 5000, code: 'sh5000', latestVersion: 3, due: new Date(Date.now() + 20 * 86_400_000) };
  /** The stages of the winning plan of an aggregation's explain (countDocuments is a $match and a $group). */
  const aggregateStages = (explained: unknown): string[] => {
    const plans: PlanStage[] = [];
    const visit = (x: unknown) => {
      if (!x || typeof x !== 'object') return;
      for (const [k, v] of Object.entries(x)) {
        if (k === 'winningPlan') plans.push(v as PlanStage);
        else visit(v);
      }
    };
    visit(explained);
    return plans.flatMap(stagesOf);
  };
  async function expectCountIndexed(filter: Record<string, unknown>) {
    const explained = await models.Shot.collection.aggregate([{ $match: filter }, { $group: { _id: 1, n: { $sum: 1 } } }]).explain('queryPlanner');
    const stages = aggregateStages(explained);
    expect(stages.some((st) => st === 'IXSCAN' || st === 'COUNT_SCAN')).toBe(true);
    expect(stages).not.toContain('COLLSCAN');
  }
  it.each(views.map((v) => [`${v.sort} ${v.order}`, v] as const))('the shot grid by %s: pages, its count, a row\'s position, jumps from either end', async (_name, view) => {
    await expectIndexed(models.Shot, (cursor) => gridShotsQuery(studioId, projectId, view, cursor), cursorValues[view.sort]);
    await expectCountIndexed(gridFilter(studioId, projectId, view) as Record<string, unknown>);
    const row = (await models.Shot.findOne({ studioId, projectId, cutOrder: 5001 }).lean<ShotDoc>())!;
    await expectCountIndexed(gridBeforeQuery(studioId, projectId, view, row) as Record<string, unknown>);
    for (const at of [100, 4900]) {
      const w = gridWindowQuery(studioId, projectId, view, at, 100, 5000);
      const explained = (await models.Shot.find(w.filter).sort(w.sort).skip(w.skip).limit(w.limit).explain('queryPlanner')) as unknown as { queryPlanner: { winningPlan: PlanStage } };
      const stages = stagesOf(explained.queryPlanner.winningPlan);
      expect(stages).toContain('IXSCAN');
      expect(stages).not.toContain('COLLSCAN');
      expect(stages).not.toContain('SORT');
    }
  });
  it('the shot grid\'s code search, both ways, and its count', async () => {
    for (const order of ['asc', 'desc'] as const) await expectIndexed(models.Shot, (cursor) => gridShotsQuery(studioId, projectId, { sort: 'code', order, q: 'SH12' }, cursor), 'sh1250');
    await expectCountIndexed(gridFilter(studioId, projectId, { sort: 'code', order: 'asc', q: 'SH12' }) as Record<string, unknown>);
  });
  it.each(TASK_LIST_SHAPES.map((s) => [s.join('+') || 'no filter', s] as const))('tasks by %s', async (_name, fields) => {
    const values: Record<string, string> = { assignee: user.toHexString(), status: 'WIP', taskTypeId: type.toHexString(), projectId: projectId.toHexString() };
    const q = Object.fromEntries(fields.map((f) => [f, values[f]])) as Partial<TaskListQuery>;
    await expectIndexed(models.Task, (cursor) => taskListQuery(studioId, { limit: 50, cursor, ...q }), new Date(Date.now() + 3_000_000));
  });
  it('the review queue, oldest submission first', async () => {
    await expectIndexed(models.Task, (cursor) => waitingForReviewQuery(studioId, cursor), new Date(Date.now() - 3_000_000));
  });
  it('notifications, all and unread', async () => {
    await expectIndexed(models.Notification, (cursor) => notificationListQuery(studioId, user.toHexString(), { cursor }), new Types.ObjectId().toHexString());
    await expectIndexed(models.Notification, (cursor) => notificationListQuery(studioId, user.toHexString(), { cursor, unread: true }), new Types.ObjectId().toHexString());
  });
});
