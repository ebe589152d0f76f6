// The spreadsheet-like grid of a project: rows are shots in cut order (or assets by name), columns the
// task types, cells a task's status colour and its assignees' initials. Virtualised by rows, so 5,000 shots
// scroll like 50; the next page of the grid loads as the last loaded rows come into view.
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import type { ApiError } from '../api/errors';
import { Button, Dialog, ErrorState, Select, Skeleton } from '../ui';
import { allowedMoves, canAssign, initials, textOn, type Actor, type GridKind, type GridRow, type GridTask, type TaskStatus, type TaskType } from './model';
import s from './production.module.css';

const ROW = 36;
const HEAD_COL = 220;
const COL = 150;

interface Member { id: string; name: string }

export function ProductionGrid({ projectId, kind, rows, columns, statuses, members, actor, pending, fresh, onNearEnd, resetKey }: {
  projectId: string; kind: GridKind; rows: GridRow[]; columns: TaskType[]; statuses: TaskStatus[]; members: Member[]; actor: Actor;
  pending: boolean; fresh: Set<string>; onNearEnd: () => void; resetKey: string;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  // A new filter shows its first matches, not whatever sits at the old scroll position.
  useEffect(() => { scroller.current?.scrollTo({ top: 0 }); }, [resetKey]);
  const count = pending ? 12 : rows.length;
  const virtual = useVirtualizer({ count, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 8 });
  const items = virtual.getVirtualItems();
  const last = items.at(-1)?.index ?? -1;
  useEffect(() => { if (!pending && last >= rows.length - 20) onNearEnd(); }, [last, rows.length, pending, onNearEnd]);
  const [editing, setEditing] = useState<{ row: GridRow; type: TaskType } | null>(null);
  const template = `${HEAD_COL}px repeat(${columns.length}, ${COL}px)`;
  const statusOf = useMemo(() => new Map(statuses.map((st) => [st.code, st])), [statuses]);
  const nameOf = useMemo(() => new Map(members.map((m) => [m.id, m.name])), [members]);
  const noun = kind === 'SHOT' ? 'Shot' : 'Asset';

  return (
    <div ref={scroller} className={s.scroller}>
      <div role="table" aria-label={kind === 'SHOT' ? 'Shot grid' : 'Asset grid'} aria-rowcount={rows.length + 1} aria-busy={pending} className={s.grid} style={{ height: virtual.getTotalSize() + 34 }}>
        <div role="row" aria-rowindex={1} className={s.gridHead} style={{ gridTemplateColumns: template }}>
          <div role="columnheader" className={s.rowHead}>{noun}</div>
          {columns.map((c) => <div role="columnheader" key={c.id}>{c.name}</div>)}
        </div>
        {items.map((v) => {
          const row = rows[v.index];
          if (pending || !row) {
            return (
              <div key={`s${v.index}`} aria-hidden="true" className={s.gridRow} style={{ top: v.start + 34, gridTemplateColumns: template }}>
                <div className={s.rowHead}><Skeleton width="60%" /></div>
                {columns.map((c) => <div key={c.id}><Skeleton /></div>)}
              </div>
            );
          }
          return (
            <div role="row" aria-rowindex={v.index + 2} key={row.id} className={[s.gridRow, fresh.has(row.id) ? s.fresh : ''].join(' ')} style={{ top: v.start + 34, gridTemplateColumns: template }}>
              <div role="rowheader" className={s.rowHead}>
                {row.href ? <Link to={row.href}>{row.code}</Link> : <span>{row.code}</span>}
                <span>{row.label}</span>
              </div>
              {columns.map((c) => {
                const task = row.tasks[c.id];
                return (
                  <div role="cell" key={c.id}>
                    <Cell row={row} type={c} task={task} status={task ? statusOf.get(task.status) : undefined} nameOf={nameOf} actor={actor} statuses={statuses} onEdit={() => setEditing({ row, type: c })} />
                  </div>
                );
              })}
            </div>
          );
        })}
      </div>
      {editing && (
        <CellDialog key={`${editing.row.id}:${editing.type.id}`} projectId={projectId} kind={kind} row={editing.row} type={editing.type} task={editing.row.tasks[editing.type.id]}
          statuses={statuses} members={members} actor={actor} onClose={() => setEditing(null)} />
      )}
    </div>
  );
}

function Cell({ row, type, task, status, nameOf, actor, statuses, onEdit }: {
  row: GridRow; type: TaskType; task: GridTask | undefined; status: TaskStatus | undefined; nameOf: Map<string, string>; actor: Actor; statuses: TaskStatus[]; onEdit: () => void;
}) {
  if (!task) {
    if (!canAssign(actor)) return <span className={s.muted}>—<span className="visually-hidden">{`no ${type.name} task`}</span></span>;
    return <button type="button" className={[s.cell, s.cellEmpty].join(' ')} aria-label={`Create task: ${row.code} ${type.name}`} onClick={onEdit}>+</button>;
  }
  const names = task.assignees.map((a) => nameOf.get(a) ?? 'a member');
  const editable = canAssign(actor) || allowedMoves(actor, task, statuses).length > 0;
  const color = status?.color ?? '#6e7681';
  const label = `${row.code} ${type.name}: ${task.status}${status && status.name !== task.status ? `, ${status.name}` : ''}${names.length ? `, assigned to ${names.join(', ')}` : ', unassigned'}${editable ? '. Change' : ''}`;
  return (
    // The initials sit over the button, outside it: its accessible name (the label) holds the full names.
    <span className={s.cellWrap}>
      <button type="button" className={s.cell} style={{ background: color, color: textOn(color) }} aria-label={label} disabled={!editable} onClick={onEdit} data-status={task.status}>
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
    onSuccess: () => { void client.invalidateQueries({ queryKey: keys.grids.infinite(projectId, kind) }); onClose(); },
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
