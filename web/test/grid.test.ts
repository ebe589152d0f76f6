// The shot grid's client logic: which pages of rows a scroll position needs (the grid sized by the total),
// "Go to" parsing, the roving focus model, row selection with shift-click ranges, and the bulk edit's plan
// and its words.
import { describe, expect, it } from 'vitest';
import { allPages, locate, pagesFor, parseGoTo } from '../src/grid/windows';
import { clampFocus, moveFocus } from '../src/grid/focus';
import { clickRow, emptySelection, refreshSelection } from '../src/grid/selection';
import { chunk, planBulk, summarise } from '../src/grid/bulk';
import { bulkStatuses } from '../src/grid/BulkBar';
import type { TaskStatus } from '../src/production/model';

describe('window math', () => {
  it('fetches only the pages on screen, wherever the scrollbar is, and never past the total', () => {
    expect(pagesFor(0, 40, null, 100)).toEqual([0]);
    expect(pagesFor(4980, 5010, 5000, 100)).toEqual([49]);
    expect(pagesFor(95, 130, 5000, 100)).toEqual([0, 1]);
    expect(pagesFor(0, 40, 0, 100)).toEqual([0]);
    expect(pagesFor(10, 5, 100, 100)).toEqual([]);
    expect(allPages(250, 100)).toEqual([0, 1, 2]);
    expect(locate(4999, 100)).toEqual({ page: 49, at: 99 });
  });

  it('reads the Go to box as a 1-based row (clamped to the view) or a code', () => {
    expect(parseGoTo('5000', 5000)).toEqual({ row: 4999 });
    expect(parseGoTo(' 99999 ', 5000)).toEqual({ row: 4999 });
    expect(parseGoTo('0', 5000)).toEqual({ row: 0 });
    expect(parseGoTo('S05000', 5000)).toEqual({ code: 'S05000' });
    expect(parseGoTo('   ', 5000)).toBeNull();
  });
});

describe('roving focus', () => {
  const shape = { rows: 11, cols: 6, pageRows: 4 };
  it('moves by arrows, stops at the edges, Home/End in the row and with Ctrl to the corners', () => {
    expect(moveFocus({ row: 1, col: 1 }, 'ArrowDown', shape)).toEqual({ row: 2, col: 1 });
    expect(moveFocus({ row: 0, col: 0 }, 'ArrowUp', shape)).toEqual({ row: 0, col: 0 });
    expect(moveFocus({ row: 3, col: 5 }, 'ArrowRight', shape)).toEqual({ row: 3, col: 5 });
    expect(moveFocus({ row: 3, col: 2 }, 'Home', shape)).toEqual({ row: 3, col: 0 });
    expect(moveFocus({ row: 3, col: 2 }, 'End', shape)).toEqual({ row: 3, col: 5 });
    expect(moveFocus({ row: 3, col: 2 }, 'End', shape, true)).toEqual({ row: 10, col: 5 });
    expect(moveFocus({ row: 3, col: 2 }, 'Home', shape, true)).toEqual({ row: 0, col: 0 });
    expect(moveFocus({ row: 1, col: 1 }, 'Tab', shape)).toBeNull();
  });

  it('pages among the data rows, not onto the header; from the header down into them', () => {
    expect(moveFocus({ row: 9, col: 1 }, 'PageDown', shape)).toEqual({ row: 10, col: 1 });
    expect(moveFocus({ row: 3, col: 1 }, 'PageUp', shape)).toEqual({ row: 1, col: 1 });
    expect(moveFocus({ row: 0, col: 1 }, 'PageDown', shape)).toEqual({ row: 4, col: 1 });
    expect(moveFocus({ row: 0, col: 1 }, 'PageUp', shape)).toEqual({ row: 0, col: 1 });
  });

  it('stays inside a grid that shrank', () => {
    expect(clampFocus({ row: 40, col: 9 }, { rows: 3, cols: 4, pageRows: 1 })).toEqual({ row: 2, col: 3 });
    expect(clampFocus({ row: 4, col: 1 }, { rows: 1, cols: 4, pageRows: 1 })).toEqual({ row: 0, col: 1 });
  });
});

describe('selection', () => {
  const rows = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id }));
  const at = (i: number) => rows[i];
  it('toggles a row and extends a shift range from the anchor (either direction), skipping rows not loaded', () => {
    let sel = clickRow(emptySelection<{ id: string }>(), 1, at, false);
    expect([...sel.rows.keys()]).toEqual(['b']);
    sel = clickRow(sel, 3, at, true);
    expect([...sel.rows.keys()].sort()).toEqual(['b', 'c', 'd']);
    expect(sel.anchor).toBe(1);
    sel = clickRow(sel, 0, at, true);
    expect([...sel.rows.keys()].sort()).toEqual(['a', 'b', 'c', 'd']);
    sel = clickRow(sel, 2, at, false);
    expect([...sel.rows.keys()].sort()).toEqual(['a', 'b', 'd']);
    expect(sel.anchor).toBe(2);
    const sparse = (i: number) => (i === 3 ? undefined : rows[i]);
    const ranged = clickRow(clickRow(emptySelection<{ id: string }>(), 2, sparse, false), 4, sparse, true);
    expect([...ranged.rows.keys()].sort()).toEqual(['c', 'e']);
  });

  it('a shift-click with no anchor is a plain click; a click on a row not loaded changes nothing', () => {
    const sel = clickRow(emptySelection<{ id: string }>(), 2, at, true);
    expect([...sel.rows.keys()]).toEqual(['c']);
    expect(clickRow(sel, 9, at, false)).toBe(sel);
  });

  it('sends the freshest copy of each selected row that is loaded', () => {
    const sel = clickRow(clickRow(emptySelection<{ id: string; v: number }>(), 0, () => ({ id: 'a', v: 1 }), false), 1, () => ({ id: 'b', v: 1 }), false);
    expect(refreshSelection(sel, (id) => (id === 'a' ? { id, v: 2 } : undefined))).toEqual([{ id: 'a', v: 2 }, { id: 'b', v: 1 }]);
  });
});

describe('bulk edit', () => {
  const row = (code: string, tasks: Record<string, { id: string; revision: number }>) => ({ id: code.toLowerCase(), code, tasks });
  const plan = planBulk([row('SH010', { anim: { id: 't1', revision: 3 } }), row('SH020', {}), row('SH030', { anim: { id: 't3', revision: 1 }, light: { id: 't4', revision: 1 } })], 'anim');

  it('names the tasks of one type with the revision shown, and the rows without one', () => {
    expect(plan.tasks).toEqual([{ id: 't1', revision: 3 }, { id: 't3', revision: 1 }]);
    expect(plan.without).toEqual(['SH020']);
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('says what happened: done, changed meanwhile, refused with the reason, and what had no task', () => {
    const out = summarise([
      { id: 't1', ok: true },
      { id: 't3', ok: false, error: { code: 'TASK_CHANGED', message: 'Task changed since you read it; reload and retry' } },
    ], plan, { typeName: 'Animation', change: 'set to In progress', noun: 'shot' });
    expect(out.text).toBe('1 Animation task set to In progress; 1 changed by someone else meanwhile, so left as they were (SH030): the grid now shows it as it is; apply again to change it; 1 selected shot has no Animation task (SH020).');
    expect(out.changedMeanwhile).toBe(1);
    expect(out.ok).toBe(false);
    const refused = summarise([
      { id: 't1', ok: false, error: { code: 'NOT_ASSIGNED', message: 'You may only move tasks assigned to you' } },
      { id: 't3', ok: false, error: { code: 'NOT_ASSIGNED', message: 'You may only move tasks assigned to you' } },
    ], { ...plan, without: [] }, { typeName: 'Animation', change: 'set to Done', noun: 'shot' });
    expect(refused.text).toBe('No Animation task set to Done; 2 not changed: You may only move tasks assigned to you (SH010, SH030).');
  });

  it('offers the statuses this member may set: all with anyStatus, the own-move targets without, none without either', () => {
    const st = (code: string, order: number): TaskStatus => ({ id: code, code, name: code, color: '#888888', isDone: false, order, system: true });
    const statuses = [st('WFA', 3), st('TODO', 0), st('WIP', 2), st('DONE', 5)];
    const perms = { create: false, assign: false, anyStatus: false, ownStatus: true, ownMoves: [{ from: 'TODO', to: ['WIP'] }, { from: 'WIP', to: ['WFA'] }], bulkLimit: 200 };
    expect(bulkStatuses(perms, statuses).map((s) => s.code)).toEqual(['WIP', 'WFA']);
    expect(bulkStatuses({ ...perms, anyStatus: true }, statuses).map((s) => s.code)).toEqual(['TODO', 'WIP', 'WFA', 'DONE']);
    expect(bulkStatuses({ ...perms, ownStatus: false }, statuses)).toEqual([]);
    expect(bulkStatuses(undefined, statuses)).toEqual([]);
  });
});
