import { describe, expect, it } from 'vitest';
import { arrangeTasks, DEFAULT_VIEW } from '../src/tracking/myTasks';

const st = (code: string, order: number, isDone = false) => ({ id: code, code, name: code.toLowerCase(), color: '#333333', order, isDone }) as never;
const statuses = [st('TODO', 0), st('WIP', 1), st('WFA', 2), st('DONE', 3, true)];
const task = (name: string, projectId: string, status: string, dueDate: string | null) => ({ id: name, name, projectId, status, dueDate }) as never;
const tasks = [task('b-anim', 'p2', 'WIP', '2027-01-10'), task('a-lay', 'p1', 'TODO', null), task('c-light', 'p1', 'DONE', '2027-01-01'), task('d-comp', 'p2', 'TODO', '2027-01-02'), task('e-fx', 'p1', 'DONE', '2027-02-01')];
const names: Record<string, string> = { p1: 'Zebra', p2: 'Apple' };
const ids = (xs: Array<{ id: string }>) => xs.map((x) => x.id);

describe('arrangeTasks', () => {
  it('keeps done tasks apart, latest due first, and orders open ones by due date, undated last', () => {
    const r = arrangeTasks(tasks, statuses, DEFAULT_VIEW, (id) => names[id]!);
    expect(r.open.map((s) => ids(s.tasks))).toEqual([['d-comp', 'b-anim', 'a-lay']]);
    expect(ids(r.done)).toEqual(['e-fx', 'c-light']);
  });
  it('groups by project by name, and by status in the studio\'s order', () => {
    const byProject = arrangeTasks(tasks, statuses, { ...DEFAULT_VIEW, group: 'project' }, (id) => names[id]!);
    expect(byProject.open.map((s) => [s.title, ids(s.tasks)])).toEqual([['Apple', ['d-comp', 'b-anim']], ['Zebra', ['a-lay']]]);
    const byStatus = arrangeTasks(tasks, statuses, { ...DEFAULT_VIEW, group: 'status' }, (id) => names[id]!);
    expect(byStatus.open.map((s) => s.key)).toEqual(['TODO', 'WIP']);
  });
  it('filters by project, status and words of the name, and sorts by name or project', () => {
    expect(ids(arrangeTasks(tasks, statuses, { ...DEFAULT_VIEW, projectId: 'p1' }, (id) => names[id]!).open[0]!.tasks)).toEqual(['a-lay']);
    expect(arrangeTasks(tasks, statuses, { ...DEFAULT_VIEW, text: 'ANIM' }, (id) => names[id]!).open.map((s) => ids(s.tasks))).toEqual([['b-anim']]);
    expect(ids(arrangeTasks(tasks, statuses, { ...DEFAULT_VIEW, sort: 'name' }, (id) => names[id]!).open[0]!.tasks)).toEqual(['a-lay', 'b-anim', 'd-comp']);
    expect(ids(arrangeTasks(tasks, statuses, { ...DEFAULT_VIEW, sort: 'project' }, (id) => names[id]!).open[0]!.tasks)).toEqual(['d-comp', 'b-anim', 'a-lay']);
    expect(arrangeTasks(tasks, statuses, { ...DEFAULT_VIEW, status: 'DONE' }, (id) => names[id]!).open).toEqual([]);
  });
});
