// The production grid's model: columns per entity kind, rows across pages, filters, live task updates
// folded into loaded pages, the status moves each role may make (the API's rule), initials, due-date order.
import { describe, expect, it } from 'vitest';
import {
  allowedMoves, applyShotToPages, applyTaskToPages, byDueDate, canAssign, filterRows, gridColumns, gridRows, initials, textOn,
  type Shot, type ShotGridPage, type TaskStatus, type TaskType,
} from '../src/production/model';
import { notificationHref } from '../src/production/NotificationsBell';

const type = (id: string, order: number, f: TaskType['for']): TaskType => ({ id, name: id, color: '#888888', order, for: f });
const status = (code: string, order: number): TaskStatus => ({ id: code, code, name: code, color: '#58a6ff', isDone: code === 'DONE', order, system: true });
const STATUSES = ['TODO', 'READY', 'WIP', 'WFA', 'RETAKE', 'DONE'].map((c, i) => status(c, i));

const shot = (id: string, sequenceId = 'sq1'): Shot => ({
  id, projectId: 'p1', sequenceId, episodeId: null, code: id.toUpperCase(), cutOrder: 0, frameIn: 1001, frameOut: 1048, frames: 48, recordIn: null, recordOut: null,
  handles: null, fps: null, description: `shot ${id}`, status: 'ACTIVE', assetId: `asset-${id}`, latestVersion: 0, thumbnailUrl: null, revision: 1, createdAt: '', updatedAt: '',
});
const cell = (id: string, taskTypeId: string, st: string, assignees: string[] = []) => ({ id, taskTypeId, status: st, assignees, dueDate: null, revision: 1 });
const page = (items: ShotGridPage['data'], hasMore = false): ShotGridPage => ({ data: items, page: { limit: 2, nextCursor: hasMore ? 'c' : null, hasMore }, total: null, offset: null, taskTypes: [], statuses: STATUSES });

describe('grid columns and rows', () => {
  it('takes the task types for shots (and both) in the studio order, and rows from every page once, in order', () => {
    const cols = gridColumns([type('comp', 3, 'SHOT'), type('model', 0, 'ASSET'), type('anim', 1, 'SHOT'), type('notes', 2, 'BOTH')], 'SHOT');
    expect(cols.map((c) => c.id)).toEqual(['anim', 'notes', 'comp']);
    expect(gridColumns([type('model', 0, 'ASSET'), type('anim', 1, 'SHOT')], 'ASSET').map((c) => c.id)).toEqual(['model']);
    const rows = gridRows([
      page([{ shot: shot('a'), nextDueDate: null, tasks: [cell('t1', 'anim', 'WIP', ['u1'])] }, { shot: shot('b'), nextDueDate: null, tasks: [] }], true),
      page([{ shot: shot('b'), nextDueDate: null, tasks: [] }, { shot: shot('c', 'sq2'), nextDueDate: null, tasks: [] }]),
    ]);
    expect(rows.map((r) => r.code)).toEqual(['A', 'B', 'C']);
    expect(rows[0]!.tasks.anim?.status).toBe('WIP');
    expect(rows[0]!.href).toBe('/assets/asset-a');
  });
});

describe('filterRows', () => {
  const rows = gridRows([page([
    { shot: shot('a'), nextDueDate: null, tasks: [cell('t1', 'anim', 'WIP', ['ann']), cell('t2', 'comp', 'TODO', ['bob'])] },
    { shot: shot('b'), nextDueDate: null, tasks: [cell('t3', 'anim', 'WIP', ['bob'])] },
    { shot: shot('c', 'sq2'), nextDueDate: null, tasks: [cell('t4', 'anim', 'DONE', ['ann'])] },
  ])]);
  it('keeps the sequence\'s shots, and rows with one task matching status AND assignee together', () => {
    expect(filterRows(rows, {}).map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(filterRows(rows, { sequenceId: 'sq2' }).map((r) => r.id)).toEqual(['c']);
    expect(filterRows(rows, { status: 'WIP' }).map((r) => r.id)).toEqual(['a', 'b']);
    expect(filterRows(rows, { assignee: 'ann' }).map((r) => r.id)).toEqual(['a', 'c']);
    // Shot a has a WIP task (Ann's) and a task of Bob's, but Bob's is not WIP there: only b matches.
    expect(filterRows(rows, { status: 'WIP', assignee: 'bob' }).map((r) => r.id)).toEqual(['b']);
    expect(filterRows(rows, { sequenceId: 'sq1', status: 'DONE' })).toEqual([]);
  });
});

describe('live updates into loaded pages', () => {
  const pages = [page([{ shot: shot('a'), nextDueDate: null, tasks: [cell('t1', 'anim', 'WIP', ['ann'])] }], true), page([{ shot: shot('b'), nextDueDate: null, tasks: [] }])];
  it('replaces a known task, adds a new task to its row, and leaves pages without the row alone', () => {
    const moved = applyTaskToPages(pages, { id: 't1', entityId: 'a', taskTypeId: 'anim', status: 'WFA', assignees: ['ann'], dueDate: null, revision: 1 })!;
    expect(moved[0]!.data[0]!.tasks).toEqual([cell('t1', 'anim', 'WFA', ['ann'])]);
    expect(pages[0]!.data[0]!.tasks[0]!.status).toBe('WIP');
    const added = applyTaskToPages(pages, { id: 't9', entityId: 'b', taskTypeId: 'comp', status: 'TODO', assignees: [], dueDate: null, revision: 1 })!;
    expect(added[1]!.data[0]!.tasks.map((t) => t.id)).toEqual(['t9']);
    expect(applyTaskToPages(pages, { id: 't8', entityId: 'zzz', taskTypeId: 'comp', status: 'TODO', assignees: [], dueDate: null, revision: 1 })).toBeNull();
    expect(applyShotToPages(pages, { ...shot('b'), description: 'new cut' })![1]!.data[0]!.shot.description).toBe('new cut');
    expect(applyShotToPages(pages, shot('zzz'))).toBeNull();
  });
});

describe('allowedMoves', () => {
  const codes = (xs: TaskStatus[]) => xs.map((s) => s.code);
  it('gives DIRECTORs and PRODUCERs every other status, and assigned ARTISTs only TODO/READY/RETAKE → WIP → WFA', () => {
    expect(codes(allowedMoves({ id: 'd', role: 'DIRECTOR' }, { status: 'WFA', assignees: [] }, STATUSES))).toEqual(['TODO', 'READY', 'WIP', 'RETAKE', 'DONE']);
    expect(codes(allowedMoves({ id: 'p', role: 'PRODUCER' }, { status: 'DONE', assignees: [] }, STATUSES))).toHaveLength(5);
    const me = { id: 'ann', role: 'ARTIST' };
    for (const from of ['TODO', 'READY', 'RETAKE']) expect(codes(allowedMoves(me, { status: from, assignees: ['ann'] }, STATUSES))).toEqual(['WIP']);
    expect(codes(allowedMoves(me, { status: 'WIP', assignees: ['ann'] }, STATUSES))).toEqual(['WFA']);
    expect(codes(allowedMoves(me, { status: 'WFA', assignees: ['ann'] }, STATUSES))).toEqual([]);
    expect(codes(allowedMoves(me, { status: 'DONE', assignees: ['ann'] }, STATUSES))).toEqual([]);
    // Someone else's task: nothing.
    expect(codes(allowedMoves(me, { status: 'TODO', assignees: ['bob'] }, STATUSES))).toEqual([]);
    expect(canAssign(me)).toBe(false);
    expect(canAssign({ id: 'd', role: 'DIRECTOR' })).toBe(true);
  });
});

describe('small helpers', () => {
  it('initials, readable text on a status colour, due-date order (undated last), notification links', () => {
    expect(initials('Ann Lee')).toBe('AL');
    expect(initials('  bob ')).toBe('BO');
    expect(initials('Jean Claude Van')).toBe('JV');
    expect(initials('')).toBe('?');
    expect(textOn('#3fb950')).toBe('#111318');
    expect(textOn('#1a1d24')).toBe('#ffffff');
    const t = (name: string, dueDate: string | null) => ({ name, dueDate });
    expect(byDueDate([t('c', null), t('b', '2026-03-02'), t('a', '2026-03-01'), t('a2', null)]).map((x) => x.name)).toEqual(['a', 'b', 'a2', 'c']);
    expect(notificationHref({ taskId: 't1', assetId: 'a1', version: 2 })).toBe('/tasks/t1');
    expect(notificationHref({ taskId: null, assetId: 'a1', version: 2 })).toBe('/assets/a1/versions/2');
    expect(notificationHref({ taskId: null, assetId: 'a1', version: null })).toBe('/assets/a1');
    expect(notificationHref({ taskId: null, assetId: null, version: null })).toBeNull();
  });
});
