// My tasks' pure logic: which tasks a filter keeps, their order, their groups, and the done ones apart.
import type { components } from '../api/schema';

type Task = components['schemas']['Task'];
type TaskStatus = components['schemas']['TaskStatus'];

export type TaskSort = 'due' | 'project' | 'status' | 'name';
export type TaskGroup = 'none' | 'project' | 'status';
export interface TaskView { text: string; projectId: string; status: string; sort: TaskSort; group: TaskGroup }
export const DEFAULT_VIEW: TaskView = { text: '', projectId: '', status: '', sort: 'due', group: 'none' };

export interface TaskSection { key: string; title: string; tasks: Task[] }

const byDue = (a: Task, b: Task) => (a.dueDate && b.dueDate ? a.dueDate.localeCompare(b.dueDate) : a.dueDate ? -1 : b.dueDate ? 1 : 0);

/**
 * The open tasks a view keeps, in its order and its groups, and the done ones (statuses marked done) apart,
 * most recently due first. `projectName` names a project for sorting and group titles.
 */
export function arrangeTasks(tasks: readonly Task[], statuses: readonly TaskStatus[], view: TaskView, projectName: (id: string) => string): { open: TaskSection[]; done: Task[] } {
  const done = new Set(statuses.filter((s) => s.isDone).map((s) => s.code));
  const order = new Map(statuses.map((s) => [s.code, s.order]));
  const text = view.text.trim().toLowerCase();
  const kept = tasks.filter((t) => (!view.projectId || t.projectId === view.projectId) && (!view.status || t.status === view.status) && (!text || t.name.toLowerCase().includes(text)));
  const compare = (a: Task, b: Task): number => {
    const first = view.sort === 'project' ? projectName(a.projectId).localeCompare(projectName(b.projectId))
      : view.sort === 'status' ? (order.get(a.status) ?? 99) - (order.get(b.status) ?? 99)
      : view.sort === 'name' ? a.name.localeCompare(b.name)
      : 0;
    return first || byDue(a, b) || a.name.localeCompare(b.name);
  };
  const open = kept.filter((t) => !done.has(t.status)).sort(compare);
  const closed = kept.filter((t) => done.has(t.status)).sort((a, b) => -byDue(a, b) || a.name.localeCompare(b.name));
  if (view.group === 'none') return { open: open.length ? [{ key: 'all', title: 'Open tasks', tasks: open }] : [], done: closed };
  const sections = new Map<string, TaskSection>();
  for (const t of open) {
    const key = view.group === 'project' ? t.projectId : t.status;
    const title = view.group === 'project' ? projectName(t.projectId) : statuses.find((s) => s.code === t.status)?.name ?? t.status;
    const section = sections.get(key) ?? { key, title, tasks: [] };
    section.tasks.push(t);
    sections.set(key, section);
  }
  const list = [...sections.values()];
  if (view.group === 'project') list.sort((a, b) => a.title.localeCompare(b.title));
  else list.sort((a, b) => (order.get(a.key) ?? 99) - (order.get(b.key) ?? 99));
  return { open: list, done: closed };
}
