// The production pages' pure logic: the grid's columns and rows, its filters, live updates folded into
// loaded pages, and which status moves a member may make (the same rule the API enforces in TaskService).
import type { components } from '../api/schema';

export type TaskType = components['schemas']['TaskType'];
export type TaskStatus = components['schemas']['TaskStatus'];
export type Task = components['schemas']['Task'];
export type Shot = components['schemas']['Shot'];
export type ShotGridPage = components['schemas']['ShotGridPage'];
export type AssetGridPage = components['schemas']['AssetGridPage'];
export type GridTask = ShotGridPage['data'][number]['tasks'][number];
export type Role = 'ARTIST' | 'DIRECTOR' | 'PRODUCER';
export type GridKind = 'SHOT' | 'ASSET';

/** One row of the grid, whatever it is over: a shot (in cut order) or an asset (by name). */
export interface GridRow {
  id: string;
  code: string;
  label: string;
  sequenceId: string | null;
  /** The entity's own page, when it has one. */
  href: string | null;
  tasks: Record<string, GridTask>;
  /** A shot's own columns: its frame range, latest version (0: none yet), the asset carrying it, next due date. */
  shot?: { frameIn: number; frameOut: number; latestVersion: number; assetId: string | null; due: string | null };
}

/** The columns: the task types that apply to this kind of entity, in the studio's order. */
export function gridColumns(taskTypes: readonly TaskType[], kind: GridKind): TaskType[] {
  return taskTypes.filter((t) => t.for === kind || t.for === 'BOTH').sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
}

const byType = (tasks: readonly GridTask[]) => Object.fromEntries(tasks.map((t) => [t.taskTypeId, t]));

/** The rows of every loaded page in the server's order; a row repeated across pages (a re-fetch) appears once. */
export function gridRows(pages: ReadonlyArray<ShotGridPage | AssetGridPage>): GridRow[] {
  const seen = new Set<string>();
  const rows: GridRow[] = [];
  for (const page of pages) {
    for (const item of page.data) {
      const row: GridRow = 'shot' in item
        ? {
          id: item.shot.id, code: item.shot.code, label: item.shot.status === 'OMITTED' ? ['Omitted', item.shot.description].filter(Boolean).join(' · ') : item.shot.description, sequenceId: item.shot.sequenceId, href: item.shot.assetId ? `/assets/${item.shot.assetId}` : null, tasks: byType(item.tasks),
          shot: { frameIn: item.shot.frameIn, frameOut: item.shot.frameOut, latestVersion: item.shot.latestVersion, assetId: item.shot.assetId, due: item.nextDueDate },
        }
        : { id: item.asset.id, code: item.asset.name, label: item.asset.type, sequenceId: null, href: `/assets/${item.asset.id}`, tasks: byType(item.tasks) };
      if (seen.has(row.id)) continue;
      seen.add(row.id);
      rows.push(row);
    }
  }
  return rows;
}

export interface GridFilter { sequenceId?: string; status?: string; assignee?: string }

export const isFiltered = (f: GridFilter) => Boolean(f.sequenceId || f.status || f.assignee);

/**
 * The rows a filter keeps: a shot of the sequence; with a status and/or an assignee, a row with at least one
 * task that matches both (so "WIP" + "Ann" is Ann's work in progress, not any WIP task on a shot Ann is on).
 */
export function filterRows(rows: readonly GridRow[], f: GridFilter): GridRow[] {
  if (!isFiltered(f)) return [...rows];
  return rows.filter((r) => {
    if (f.sequenceId && r.sequenceId !== f.sequenceId) return false;
    if (!f.status && !f.assignee) return true;
    return Object.values(r.tasks).some((t) => (!f.status || t.status === f.status) && (!f.assignee || t.assignees.includes(f.assignee)));
  });
}

/**
 * A `task:updated` folded into loaded grid pages. Returns the new pages, or null when no loaded row holds
 * the task's entity in this page set (nothing to change) — the caller leaves the cache alone then.
 */
export function applyTaskToPages<P extends ShotGridPage | AssetGridPage>(pages: readonly P[], task: Pick<Task, 'id' | 'entityId' | 'taskTypeId' | 'status' | 'assignees' | 'dueDate' | 'revision'>): P[] | null {
  let hit = false;
  const next = pages.map((page) => {
    const data = page.data.map((item) => {
      const id = 'shot' in item ? item.shot.id : item.asset.id;
      if (id !== task.entityId) return item;
      hit = true;
      const cell: GridTask = { id: task.id, taskTypeId: task.taskTypeId, status: task.status, assignees: task.assignees, dueDate: task.dueDate, revision: task.revision };
      const tasks = item.tasks.some((t) => t.id === task.id) ? item.tasks.map((t) => (t.id === task.id ? cell : t)) : [...item.tasks, cell];
      return { ...item, tasks };
    });
    return { ...page, data } as P;
  });
  return hit ? next : null;
}

/** A `shot:updated` folded into loaded shot-grid pages (its code, description, sequence). */
export function applyShotToPages(pages: readonly ShotGridPage[], shot: Shot): ShotGridPage[] | null {
  let hit = false;
  const next = pages.map((page) => ({ ...page, data: page.data.map((item) => (item.shot.id === shot.id ? ((hit = true), { ...item, shot: { ...item.shot, ...shot } }) : item)) }));
  return hit ? next : null;
}

/** The statuses an assignee without "any status" rights may move their own task to (TaskService.OWN_MOVES). */
const OWN_MOVES: Record<string, readonly string[]> = { TODO: ['WIP'], READY: ['WIP'], RETAKE: ['WIP'], WIP: ['WFA'] };

export interface Actor { id: string; role: Role | string }

/** The status codes this member may set on this task, other than its current one, in the studio's order. */
export function allowedMoves(actor: Actor, task: Pick<GridTask, 'status' | 'assignees'>, statuses: readonly TaskStatus[]): TaskStatus[] {
  const ordered = [...statuses].sort((a, b) => a.order - b.order);
  if (actor.role === 'DIRECTOR' || actor.role === 'PRODUCER') return ordered.filter((s) => s.code !== task.status);
  if (!task.assignees.includes(actor.id)) return [];
  const moves = OWN_MOVES[task.status] ?? [];
  return ordered.filter((s) => moves.includes(s.code));
}

/** Only DIRECTORs and PRODUCERs assign, plan and create tasks. */
export const canAssign = (actor: Actor) => actor.role === 'DIRECTOR' || actor.role === 'PRODUCER';

/** "Ann Lee" → "AL", "ann" → "AN", "" → "?". */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (!words.length) return '?';
  const letters = words.length === 1 ? [...words[0]!].slice(0, 2) : [[...words[0]!][0], [...words.at(-1)!][0]];
  return letters.join('').toUpperCase();
}

/** Black or white text, whichever reads better on a status colour (#rrggbb). */
export function textOn(color: string): string {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (!m) return '#fff';
  const [r, g, b] = [m[1], m[2], m[3]].map((h) => parseInt(h!, 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  const lum = 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  return lum > 0.179 ? '#111318' : '#ffffff';
}

/** Tasks by due date, undated last, then by name (the API's "my tasks" order, kept after live updates). */
export function byDueDate<T extends Pick<Task, 'dueDate' | 'name'>>(tasks: readonly T[]): T[] {
  return [...tasks].sort((a, b) => (a.dueDate && b.dueDate ? a.dueDate.localeCompare(b.dueDate) : a.dueDate ? -1 : b.dueDate ? 1 : 0) || a.name.localeCompare(b.name));
}
