// Every query shape of production tracking has a declared index that serves it: the list shapes the
// repositories really build (first page and after a cursor), and the point/range reads (search prefixes,
// the grid's tasks of a page of shots, casting both ways, a review's submitted tasks, unread counts).
// `npm run test:plans` asks MongoDB's planner the same about the list shapes (tests/plans/production.plan.ts).
import { Types, type Schema } from 'mongoose';
import { projectListQuery, orderedChildrenQuery } from '../src/app/repositories/ProjectRepository';
import { GRID_SORTS, gridBeforeQuery, gridFilter, gridShotsQuery, gridWindowQuery, projectShotsQuery, sequenceShotsQuery, type GridSort, type GridView } from '../src/app/repositories/ShotRepository';
import type { ShotDoc } from '../src/app/repositories/models/Shot';
import { TASK_LIST_SHAPES, isServedTaskShape, taskListQuery, waitingForReviewQuery, type TaskListQuery } from '../src/app/repositories/TaskRepository';
import { decisionListQuery } from '../src/app/repositories/ReviewRepository';
import { reviewDecisionSchema } from '../src/app/repositories/models/ReviewDecision';
import { notificationListQuery } from '../src/app/repositories/NotificationRepository';
import { encodeCursor } from '../src/app/repositories/pagination';
import type { ListShape } from '../src/app/repositories/listing';
import { filterFields, indexKeys, servingIndex } from './support/indexCoverage';
import { projectSchema } from '../src/app/repositories/models/Project';
import { sequenceSchema } from '../src/app/repositories/models/Sequence';
import { episodeSchema } from '../src/app/repositories/models/Episode';
import { shotSchema } from '../src/app/repositories/models/Shot';
import { taskSchema } from '../src/app/repositories/models/Task';
import { taskStatusSchema, taskTypeSchema } from '../src/app/repositories/models/TaskConfig';
import { castingSchema } from '../src/app/repositories/models/Casting';
import { notificationSchema } from '../src/app/repositories/models/Notification';

const studioId = new Types.ObjectId();
const id = () => new Types.ObjectId();
const serving = (schema: Schema, equality: string[], then: string[], sort: Record<string, unknown>): boolean => servingIndex(indexKeys(schema), equality, then, sort) !== undefined;

/** The equality fields of a list shape (its first $and branch after a cursor) and whether anything else filters. */
function equalityOf<T>(shape: ListShape<T>): { equality: string[]; other: string[] } {
  const { equality, range } = filterFields(shape.filter as Record<string, unknown>);
  return { equality, other: range };
}

function expectServed<T>(schema: Schema, build: (cursor?: string) => ListShape<T>, cursorValue: string | number | Date) {
  for (const cursor of [undefined, 'x']) {
    const first = build();
    const shape = cursor ? build(encodeCursor(first.field, Object.values(first.sort)[0] === 1 ? 'asc' : 'desc', cursorValue, id())) : first;
    const { equality, other } = equalityOf(shape);
    expect(other).toEqual([]);
    expect(equality[0]).toBe('studioId');
    expect({ equality, sort: shape.sort, served: serving(schema, equality, [], shape.sort) }).toEqual({ equality, sort: shape.sort, served: true });
  }
}

describe('production list shapes have an index that filters and sorts them', () => {
  it.each([[{}], [{ status: 'ACTIVE' as const }]])('projects %j', (q) => expectServed(projectSchema, (cursor) => projectListQuery(studioId, { limit: 20, cursor, ...q }), 'night shift'));
  it('sequences and episodes of a project, in order', () => {
    expectServed(sequenceSchema, (cursor) => orderedChildrenQuery(studioId, id(), cursor), 10);
    expectServed(episodeSchema, (cursor) => orderedChildrenQuery(studioId, id(), cursor), 10);
  });
  it('shots of a sequence and of a project (the grid), in cut order', () => {
    expectServed(shotSchema, (cursor) => sequenceShotsQuery(studioId, id(), cursor), 1040);
    expectServed(shotSchema, (cursor) => projectShotsQuery(studioId, id(), cursor), 1040);
  });
  const views: GridView[] = (Object.keys(GRID_SORTS) as GridSort[]).flatMap((sort) => (['asc', 'desc'] as const).map((order) => ({ sort, order })));
  const cursorValues: Record<GridSort, string | number | Date> = { cutOrder: 1040, code: 'sh0100', latestVersion: 3, due: new Date() };
  it.each(views.map((v) => [`${v.sort} ${v.order}`, v] as const))('the shot grid by %s: a page, first and after a cursor', (_name, view) => {
    expectServed(shotSchema, (cursor) => gridShotsQuery(studioId, id(), view, cursor), cursorValues[view.sort]);
  });
  it.each(views.map((v) => [`${v.sort} ${v.order}`, v] as const))('the shot grid by %s: its count, a row\'s position, a jump to a row number from either end', (_name, view) => {
    const field = GRID_SORTS[view.sort];
    const sort = { [field]: 1, _id: 1 };
    // The count: the view's equality, served by the view's own index.
    expect(filterFields(gridFilter(studioId, id(), view) as Record<string, unknown>)).toEqual({ equality: ['studioId', 'projectId'], range: [] });
    expect(serving(shotSchema, ['studioId', 'projectId'], [], sort)).toBe(true);
    // A row's position: the rows before it, a keyset range on the same index.
    const row = { _id: id(), cutOrder: 1040, codeLower: 'sh0100', latestVersion: 3, dueSort: new Date() } as unknown as ShotDoc;
    const before = filterFields(gridBeforeQuery(studioId, id(), view, row) as Record<string, unknown>);
    expect(before).toEqual({ equality: ['studioId', 'projectId'], range: [] });
    // A jump: the view's filter and sort (or its reverse), skipped on the index.
    for (const at of [10, 4990]) {
      const w = gridWindowQuery(studioId, id(), view, at, 100, 5000);
      expect(w.reversed).toBe(at > 2500);
      expect(w.skip).toBeLessThanOrEqual(2500);
      expect(serving(shotSchema, ['studioId', 'projectId'], [], w.sort)).toBe(true);
    }
  });
  it('the shot grid\'s code search: a prefix range on the code, in code order, first page and after a cursor', () => {
    for (const order of ['asc', 'desc'] as const) {
      for (const cursor of [undefined, encodeCursor('codeLower', order, 'sh01', id())]) {
        const shape = gridShotsQuery(studioId, id(), { sort: 'code', order, q: 'SH01' }, cursor);
        expect(filterFields(shape.filter as Record<string, unknown>)).toEqual({ equality: ['studioId', 'projectId'], range: ['codeLower'] });
        expect(Object.keys(shape.sort)).toEqual(['codeLower', '_id']);
        expect(serving(shotSchema, ['studioId', 'projectId'], [], shape.sort)).toBe(true);
      }
    }
  });

  it.each(TASK_LIST_SHAPES.map((s) => [s.join('+') || 'no filter', s] as const))('tasks by %s, by due date', (_name, fields) => {
    const values: Record<string, string> = { assignee: id().toHexString(), status: 'WIP', taskTypeId: id().toHexString(), projectId: id().toHexString() };
    const q = Object.fromEntries(fields.map((f) => [f, values[f]])) as Partial<TaskListQuery>;
    expectServed(taskSchema, (cursor) => taskListQuery(studioId, { limit: 20, cursor, ...q }), new Date());
  });
  it.each([[false], [true]])('notifications (unread only: %s), newest first', (unread) => {
    expectServed(notificationSchema, (cursor) => notificationListQuery(studioId, id().toHexString(), { cursor, unread }), '');
  });

  it('the review queue: tasks in WFA by submission time, the range on the index\'s sort key, first page and after a cursor', () => {
    for (const cursor of [undefined, encodeCursor('submission.at', 'asc', new Date(), id())]) {
      const shape = waitingForReviewQuery(studioId, cursor);
      const { equality, range } = filterFields(shape.filter as Record<string, unknown>);
      expect({ equality: [...equality].sort(), range }).toEqual({ equality: ['status', 'studioId'], range: ['submission.at'] });
      expect(shape.sort).toEqual({ 'submission.at': 1, _id: 1 });
      expect(indexKeys(taskSchema)).toContainEqual([['studioId', 1], ['status', 1], ['submission.at', 1], ['_id', 1]]);
      expect(serving(taskSchema, equality, [], shape.sort)).toBe(true);
    }
  });
  it.each([[undefined], [3]])('an asset\'s review decisions (version %p), newest first', (version) => {
    expectServed(reviewDecisionSchema, (cursor) => decisionListQuery(studioId, id(), { cursor, version }), '');
  });

  it('refuses task filter combinations it has no index for', () => {
    expect(isServedTaskShape({ status: 'WIP', taskTypeId: id().toHexString() })).toBe(false);
    expect(isServedTaskShape({ assignee: id().toHexString(), projectId: id().toHexString() })).toBe(false);
    expect(isServedTaskShape({ projectId: id().toHexString(), status: 'WIP' })).toBe(true);
  });

  it.each([
    ['search projects by name words', projectSchema, ['studioId'], ['nameWords'], {}],
    ['search projects by code prefix', projectSchema, ['studioId'], ['codeLower'], {}],
    ['search shots by code prefix', shotSchema, ['studioId'], ['codeLower'], {}],
    ['the grid\'s jump to a code: a shot of a project by code', shotSchema, ['studioId', 'projectId', 'codeLower'], [], {}],
    ['search tasks by name words', taskSchema, ['studioId'], ['nameWords'], {}],
    ['the grid: tasks of a page of shots', taskSchema, ['studioId', 'entityId'], [], {}],
    ['a review decision: tasks its version was submitted for', taskSchema, ['studioId', 'submission.assetId', 'submission.version'], [], {}],
    ['casting of a shot', castingSchema, ['studioId', 'shotId'], [], { assetId: 1 }],
    ['casting of an asset', castingSchema, ['studioId', 'assetId'], [], { shotId: 1 }],
    ['unread count', notificationSchema, ['studioId', 'userId', 'read'], [], {}],
    ['editorial: the whole cut of a project', shotSchema, ['studioId', 'projectId'], [], { cutOrder: 1, _id: 1 }],
    ['task types in order', taskTypeSchema, ['studioId'], [], { order: 1, _id: 1 }],
    ['task statuses in order', taskStatusSchema, ['studioId'], [], { order: 1, _id: 1 }],
  ] as Array<[string, Schema, string[], string[], Record<string, number>]>)('%s', (_name, schema, equality, then, sort) => {
    expect(serving(schema, equality, then, sort)).toBe(true);
  });

  it('finds no serving index for a shape that has none (the check can fail)', () => {
    expect(serving(taskSchema, ['studioId', 'status', 'taskTypeId'], [], { dueSort: 1, _id: 1 })).toBe(false);
    expect(serving(shotSchema, ['studioId', 'sequenceId'], [], { code: 1 })).toBe(false);
  });
});
