// The spreadsheet-like grid of a project: rows are shots (in the chosen order) or assets (by name), columns a
// selection box, the shot's own facts (thumbnail, frame range, latest version, next due date) and the task
// types, a task cell its status colour and its assignees' initials. Virtualised by rows and sized by the
// view's total, so the scrollbar is the whole cut and only the rows on screen exist (and fetch thumbnails).
// One tab stop (a roving tabindex over role=grid): the arrow keys, Home/End, PageUp/PageDown move between
// cells, Enter opens what a cell holds, Space selects the row (Shift+Space a range) for the bulk edit.
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { Link } from 'react-router';
import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { keys, type GridView } from '../api/keys';
import type { ApiError } from '../api/errors';
import { Button, Dialog, ErrorState, Select, Skeleton, TextField } from '../ui';
import { useMediaUrl } from '../media/useBlobUrl';
import { allowedMoves, canAssign, initials, textOn, type Actor, type GridKind, type GridRow, type GridTask, type TaskStatus, type TaskType } from './model';
import { clampFocus, moveFocus, type CellPos } from '../grid/focus';
import { clickRow, emptySelection, refreshSelection, type Selection } from '../grid/selection';
import { parseGoTo } from '../grid/windows';
import { BulkBar } from '../grid/BulkBar';
import type { useTaskPermissions } from '../grid/data';
import s from './production.module.css';

const ROW = 36;
const HEAD = 34;

interface Member { id: string; name: string }
type Perms = NonNullable<ReturnType<typeof useTaskPermissions>['data']>;
export interface SortControl { view: GridView; onSort: (sort: GridView['sort']) => void }

interface Column {
  key: string;
  label: ReactNode;
  width: number;
  sort?: GridView['sort'];
  sticky?: number;
  /** What the cell shows for a loaded row. */
  cell: (row: GridRow, index: number) => ReactNode;
}

const dueFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });

export function ProductionGrid({ projectId, kind, count, rowAt, columns, statuses, members, actor, perms, fresh, onRange, resetKey, sort, goTo, findLoaded, onReload }: {
  projectId: string; kind: GridKind; count: number | null; rowAt: (index: number) => GridRow | undefined; columns: TaskType[]; statuses: TaskStatus[];
  members: Member[]; actor: Actor; perms: Perms | undefined; fresh: Set<string>; onRange: (start: number, end: number) => void; resetKey: string;
  sort?: SortControl; goTo: (text: string) => Promise<number>; findLoaded: (id: string) => GridRow | undefined; onReload: () => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const gridRef = useRef<HTMLDivElement>(null);
  const pending = count === null;
  const rows = pending ? 12 : count;
  const [focus, setFocus] = useState<CellPos>({ row: 1, col: 1 });
  const wantFocus = useRef(false);
  const [selection, setSelection] = useState<Selection<GridRow>>(emptySelection);
  const [editing, setEditing] = useState<{ row: GridRow; type: TaskType } | null>(null);
  const [goToText, setGoToText] = useState('');
  const [goToError, setGoToError] = useState('');
  // A new view shows its first rows, not whatever sits at the old scroll position; the selection stays (by id).
  useEffect(() => { scroller.current?.scrollTo({ top: 0 }); setFocus((f) => ({ ...f, row: Math.min(f.row, 1) })); }, [resetKey]);

  const statusOf = useMemo(() => new Map(statuses.map((st) => [st.code, st])), [statuses]);
  const nameOf = useMemo(() => new Map(members.map((m) => [m.id, m.name])), [members]);
  const noun = kind === 'SHOT' ? 'Shot' : 'Asset';

  const toggle = useCallback((index: number, range: boolean) => setSelection((sel) => clickRow(sel, index, rowAt, range)), [rowAt]);
  const cols = useMemo<Column[]>(() => {
    const out: Column[] = [{
      key: 'select', width: 40, sticky: 0, label: <span className="visually-hidden">Selected</span>,
      cell: (row, index) => (
        <input type="checkbox" tabIndex={-1} aria-label={`Select ${row.code}`} checked={selection.rows.has(row.id)} onChange={() => undefined}
          onClick={(e) => { e.preventDefault(); toggle(index, e.shiftKey); }} />
      ),
    }, {
      key: 'code', width: 200, sticky: 40, label: noun, sort: kind === 'SHOT' ? 'code' : undefined,
      cell: (row) => (
        <>
          {row.href ? <Link to={row.href} tabIndex={-1}>{row.code}</Link> : <span>{row.code}</span>}
          <span>{row.label}</span>
        </>
      ),
    }];
    if (kind === 'SHOT') {
      out.push(
        { key: 'row', width: 72, label: 'Cut #', sort: 'cutOrder', cell: (_row, index) => <span className="tabular">{index + 1}</span> },
        { key: 'thumb', width: 84, label: 'Thumbnail', cell: (row) => <Thumb row={row} /> },
        { key: 'frames', width: 110, label: 'Frames', cell: (row) => row.shot && <span className="tabular" title={`${row.shot.frameOut - row.shot.frameIn + 1} frames`}>{row.shot.frameIn}–{row.shot.frameOut}</span> },
        {
          key: 'latest', width: 84, label: 'Latest', sort: 'latestVersion',
          cell: (row) => (row.shot?.latestVersion && row.shot.assetId
            ? <Link to={`/assets/${row.shot.assetId}/versions/${row.shot.latestVersion}`} tabIndex={-1} aria-label={`Review ${row.code} v${row.shot.latestVersion}`}>v{row.shot.latestVersion}</Link>
            : <span className={s.muted}>—<span className="visually-hidden">no version yet</span></span>),
        },
        { key: 'due', width: 120, label: 'Due', sort: 'due', cell: (row) => (row.shot?.due ? <span className="tabular">{dueFormat.format(new Date(row.shot.due))}</span> : <span className={s.muted}>—<span className="visually-hidden">no due date</span></span>) },
      );
    }
    for (const c of columns) {
      out.push({
        key: c.id, width: 150, label: c.name,
        cell: (row) => {
          const task = row.tasks[c.id];
          return <Cell row={row} type={c} task={task} status={task ? statusOf.get(task.status) : undefined} nameOf={nameOf} actor={actor} statuses={statuses} onEdit={() => setEditing({ row, type: c })} />;
        },
      });
    }
    return out;
  }, [kind, noun, columns, selection, toggle, statusOf, nameOf, actor, statuses]);

  const shape = { rows: rows + 1, cols: cols.length, pageRows: Math.max(1, Math.floor(((scroller.current?.clientHeight ?? 400) - HEAD) / ROW) - 1) };
  const at = clampFocus(focus, shape);
  // The focused row is always rendered, so the grid keeps its one tab stop when that row scrolls away.
  const focusedIndex = at.row - 1;
  const rangeExtractor = useCallback((range: Range) => {
    const list = defaultRangeExtractor(range);
    return focusedIndex >= 0 && focusedIndex < range.count && !list.includes(focusedIndex) ? [...list, focusedIndex].sort((a, b) => a - b) : list;
  }, [focusedIndex]);
  const virtual = useVirtualizer({ count: rows, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 8, rangeExtractor });
  const items = virtual.getVirtualItems();
  const first = virtual.range?.startIndex ?? 0;
  const last = virtual.range?.endIndex ?? 0;
  useEffect(() => { if (!pending) onRange(Math.max(0, first - 8), last + 8); }, [first, last, pending, onRange]);

  useLayoutEffect(() => {
    if (!wantFocus.current) return;
    const el = gridRef.current?.querySelector<HTMLElement>(`[data-r="${at.row}"][data-c="${at.col}"]`);
    if (el) { wantFocus.current = false; el.focus({ preventScroll: at.row === 0 }); }
  });

  const moveTo = (next: CellPos) => {
    wantFocus.current = true;
    setFocus(next);
    if (next.row > 0) virtual.scrollToIndex(next.row - 1, { align: 'auto' });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const cellEl = (e.target as HTMLElement).closest<HTMLElement>('[data-r]');
    if (!cellEl) return;
    const pos = { row: Number(cellEl.dataset.r), col: Number(cellEl.dataset.c) };
    const onCell = e.target === cellEl;
    const next = moveFocus(pos, e.key, shape, e.ctrlKey || e.metaKey);
    if (next && !(e.target instanceof HTMLSelectElement)) {
      e.preventDefault();
      moveTo(next);
      return;
    }
    if (!onCell) return; // a control inside the cell handles its own Enter and Space
    if (e.key === 'Enter') {
      const control = cellEl.querySelector<HTMLElement>('a[href], button:not(:disabled), input');
      if (control) { e.preventDefault(); control.click(); }
    } else if (e.key === ' ' && pos.row > 0) {
      e.preventDefault();
      toggle(pos.row - 1, e.shiftKey);
    }
  };

  const submitGoTo = async () => {
    setGoToError('');
    const target = parseGoTo(goToText, rows);
    if (!target) { setGoToError(`Type a row number (1 to ${rows}) or a ${noun.toLowerCase()} code.`); return; }
    try {
      const index = await goTo(goToText);
      moveTo({ row: index + 1, col: 1 });
      virtual.scrollToIndex(index, { align: 'start' });
    } catch (err) {
      setGoToError((err as Error).message);
    }
  };

  const template = cols.map((c) => `${c.width}px`).join(' ');
  const selected = refreshSelection(selection, findLoaded);
  return (
    <>
      <div className={s.gridBar}>
        <form className={s.goTo} onSubmit={(e) => { e.preventDefault(); void submitGoTo(); }}>
          <TextField label="Go to" value={goToText} onChange={(e) => { setGoToText(e.target.value); setGoToError(''); }} placeholder={kind === 'SHOT' ? 'row number or shot code' : 'row number or name'} error={goToError || undefined} />
          <Button type="submit">Go</Button>
        </form>
        <BulkBar kind={kind} selected={selected} columns={columns} statuses={statuses} members={members} perms={perms} onClear={() => setSelection(emptySelection())} onReload={onReload} />
      </div>
      <div ref={scroller} className={[s.scroller, s.gridScroller].join(' ')} role="region" aria-label={`${noun} grid, scrollable`} tabIndex={-1}>
        <div ref={gridRef} role="grid" aria-label={kind === 'SHOT' ? 'Shot grid' : 'Asset grid'} aria-rowcount={rows + 1} aria-colcount={cols.length} aria-busy={pending}
          aria-multiselectable="true" className={s.grid} style={{ height: virtual.getTotalSize() + HEAD }} onKeyDown={onKeyDown}
          onFocus={(e) => { const c = (e.target as HTMLElement).closest<HTMLElement>('[data-r]'); if (c) setFocus({ row: Number(c.dataset.r), col: Number(c.dataset.c) }); }}>
          <div role="row" aria-rowindex={1} className={s.gridHead} style={{ gridTemplateColumns: template }}>
            {cols.map((c, ci) => {
              const sorted = sort && c.sort && sort.view.sort === c.sort;
              return (
                <div role="columnheader" key={c.key} data-r={0} data-c={ci} tabIndex={at.row === 0 && at.col === ci ? 0 : -1} aria-colindex={ci + 1}
                  aria-sort={sorted ? (sort.view.order === 'asc' ? 'ascending' : 'descending') : undefined}
                  className={c.sticky !== undefined ? s.sticky : undefined} style={c.sticky !== undefined ? { left: c.sticky } : undefined}>
                  {sort && c.sort ? (
                    <button type="button" tabIndex={-1} className={s.sortButton} data-dir={sorted ? sort.view.order : undefined} onClick={() => sort.onSort(c.sort!)}>{c.label}</button>
                  ) : c.label}
                </div>
              );
            })}
          </div>
          {items.map((v) => {
            const row = pending ? undefined : rowAt(v.index);
            const r = v.index + 1;
            return (
              <div role="row" aria-rowindex={v.index + 2} key={v.index} aria-selected={row ? selection.rows.has(row.id) : undefined}
                className={[s.gridRow, row && fresh.has(row.id) ? s.fresh : '', row && selection.rows.has(row.id) ? s.selected : ''].join(' ')}
                style={{ top: v.start + HEAD, gridTemplateColumns: template }}>
                {cols.map((c, ci) => (
                  <div role={c.key === 'code' ? 'rowheader' : 'gridcell'} key={c.key} data-r={r} data-c={ci} aria-colindex={ci + 1} tabIndex={at.row === r && at.col === ci ? 0 : -1}
                    className={[c.key === 'code' ? s.rowHead : '', c.sticky !== undefined ? s.sticky : ''].join(' ')} style={c.sticky !== undefined ? { left: c.sticky } : undefined}>
                    {row ? c.cell(row, v.index) : <Skeleton width={c.key === 'code' ? '60%' : '80%'} />}
                  </div>
                ))}
              </div>
            );
          })}
        </div>
      </div>
      {editing && (
        <CellDialog key={`${editing.row.id}:${editing.type.id}`} projectId={projectId} kind={kind} row={editing.row} type={editing.type} task={editing.row.tasks[editing.type.id]}
          statuses={statuses} members={members} actor={actor} onClose={() => setEditing(null)} />
      )}
    </>
  );
}

/** The latest version's thumbnail, fetched only once its row has stayed on screen a moment (not while flung past). */
function Thumb({ row }: { row: GridRow }) {
  const [settled, setSettled] = useState(false);
  useEffect(() => { const t = setTimeout(() => setSettled(true), 150); return () => clearTimeout(t); }, []);
  const version = row.shot?.latestVersion ?? 0;
  const thumb = useMediaUrl(row.shot?.assetId ?? '', version, 'thumbnail', settled && Boolean(row.shot?.assetId));
  if (!version) return <span className={s.muted}>—<span className="visually-hidden">no version yet</span></span>;
  return thumb.data ? <img className={s.thumb} src={thumb.data} alt={`${row.code} v${version}`} /> : <span className={s.thumbEmpty} aria-label={thumb.isFetching || !settled ? 'Loading thumbnail' : 'No thumbnail yet'} role="img" />;
}

function Cell({ row, type, task, status, nameOf, actor, statuses, onEdit }: {
  row: GridRow; type: TaskType; task: GridTask | undefined; status: TaskStatus | undefined; nameOf: Map<string, string>; actor: Actor; statuses: TaskStatus[]; onEdit: () => void;
}) {
  if (!task) {
    if (!canAssign(actor)) return <span className={s.muted}>—<span className="visually-hidden">{`no ${type.name} task`}</span></span>;
    return <button type="button" tabIndex={-1} className={[s.cell, s.cellEmpty].join(' ')} aria-label={`Create task: ${row.code} ${type.name}`} onClick={onEdit}>+</button>;
  }
  const names = task.assignees.map((a) => nameOf.get(a) ?? 'a member');
  const editable = canAssign(actor) || allowedMoves(actor, task, statuses).length > 0;
  const color = status?.color ?? '#6e7681';
  const label = `${row.code} ${type.name}: ${task.status}${status && status.name !== task.status ? `, ${status.name}` : ''}${names.length ? `, assigned to ${names.join(', ')}` : ', unassigned'}${editable ? '. Change' : ''}`;
  return (
    // The initials sit over the button, outside it: its accessible name (the label) holds the full names.
    <span className={s.cellWrap}>
      <button type="button" tabIndex={-1} className={s.cell} style={{ background: color, color: textOn(color) }} aria-label={label} disabled={!editable} onClick={onEdit} data-status={task.status}>
        {status?.code ?? task.status}
      </button>
      <span className={s.avatars} aria-hidden="true" data-testid="assignee-initials">{names.slice(0, 3).map((n, i) => <span key={i} className={s.avatar} title={n}>{initials(n)}</span>)}</span>
    </span>
  );
}

/** Status change (the moves allowed to this member) and assignment (DIRECTOR/PRODUCER) of one cell. */
function CellDialog({ projectId, kind, row, type, task, statuses, members, actor, onClose }: {
  projectId: string; kind: GridKind; row: GridRow; type: TaskType; task: GridTask | undefined; statuses: TaskStatus[]; members: Member[]; actor: Actor; onClose: () => void;
}) {
  const client = useQueryClient();
  const moves = task ? allowedMoves(actor, task, statuses) : [];
  const [status, setStatus] = useState(task?.status ?? '');
  const [assignee, setAssignee] = useState(task?.assignees[0] ?? '');
  const assign = canAssign(actor);
  const save = useMutation({
    mutationFn: async () => {
      const assignees = assignee ? [assignee] : [];
      if (!task) {
        return unwrap(await api.POST('/tasks', { body: { entityType: kind, entityId: row.id, taskTypeId: type.id, assignees } }));
      }
      const body: { status?: string; assignees?: string[] } = {};
      if (status !== task.status) body.status = status;
      if (assign && (assignees[0] ?? '') !== (task.assignees[0] ?? '')) body.assignees = assignees;
      if (!Object.keys(body).length) return null;
      return unwrap(await api.PATCH('/tasks/{id}', { params: { path: { id: task.id } }, body }));
    },
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: keys.grids.infinite(projectId, kind) });
      void client.invalidateQueries({ queryKey: keys.gridWindows.ofProject(projectId) });
      onClose();
    },
  });
  const statusOptions = task ? [{ value: task.status, label: `${statuses.find((x) => x.code === task.status)?.name ?? task.status} (now)` }, ...moves.map((m) => ({ value: m.code, label: m.name }))] : [];
  return (
    <Dialog open title={`${row.code} · ${type.name}`} onClose={onClose}>
      <form className={s.form} onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
        {task && <Select label="Status" value={status} onChange={(e) => setStatus(e.target.value)} options={statusOptions} disabled={!moves.length} />}
        {assign && (
          <Select label="Assignee" value={assignee} onChange={(e) => setAssignee(e.target.value)}
            options={[{ value: '', label: 'Nobody' }, ...members.map((m) => ({ value: m.id, label: m.name }))]} />
        )}
        {task && <Link to={`/tasks/${task.id}`}>Open the task</Link>}
        {save.error && <ErrorState error={save.error as ApiError} />}
        <div className={s.actions}>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={save.isPending}>{task ? 'Save' : 'Create task'}</Button>
        </div>
      </form>
    </Dialog>
  );
}
