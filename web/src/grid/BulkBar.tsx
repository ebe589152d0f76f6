// The bulk edit of the grid's selected rows: one task type's tasks on them set to a status and/or assigned,
// as far as this member may (GET /task-permissions: any status, or only the moves of their own tasks; assigning
// for directors and producers), and what happened said in words — including the tasks someone else changed
// meanwhile, which are refused by their revision rather than overwritten.
import { useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import type { ApiError } from '../api/errors';
import { Button, ErrorState, Select } from '../ui';
import type { GridKind, GridRow, TaskStatus, TaskType } from '../production/model';
import { planBulk, summarise, type BulkSummary } from './bulk';
import { bulkUpdate, type BulkSet, type useTaskPermissions } from './data';
import s from '../production/production.module.css';

type Perms = NonNullable<ReturnType<typeof useTaskPermissions>['data']>;
const KEEP = '';
const NOBODY = '-';

/** The statuses this member may set in bulk: any with anyStatus, else the targets of their own moves. */
export function bulkStatuses(perms: Perms | undefined, statuses: readonly TaskStatus[]): TaskStatus[] {
  if (!perms) return [];
  const ordered = [...statuses].sort((a, b) => a.order - b.order);
  if (perms.anyStatus) return ordered;
  if (!perms.ownStatus) return [];
  const targets = new Set(perms.ownMoves.flatMap((m) => m.to));
  return ordered.filter((st) => targets.has(st.code));
}

export function BulkBar({ kind, selected, columns, statuses, members, perms, onClear, onReload }: {
  kind: GridKind; selected: GridRow[]; columns: TaskType[]; statuses: TaskStatus[]; members: Array<{ id: string; name: string }>;
  perms: Perms | undefined; onClear: () => void; onReload: () => void;
}) {
  const [typeId, setTypeId] = useState('');
  const [status, setStatus] = useState(KEEP);
  const [assignee, setAssignee] = useState(KEEP);
  const [summary, setSummary] = useState<BulkSummary | null>(null);
  const type = columns.find((c) => c.id === typeId) ?? columns[0];
  const settable = bulkStatuses(perms, statuses);
  const noun = kind === 'SHOT' ? 'shot' : 'asset';
  const apply = useMutation({
    mutationFn: async () => {
      const plan = planBulk(selected, type!.id);
      const set: BulkSet = {};
      if (status !== KEEP) set.status = status;
      if (assignee !== KEEP) set.assignees = assignee === NOBODY ? [] : [assignee];
      const results = plan.tasks.length ? await bulkUpdate(plan.tasks, set, perms?.bulkLimit ?? 200) : [];
      const changes = [
        set.status !== undefined ? `set to ${statuses.find((st) => st.code === set.status)?.name ?? set.status}` : '',
        set.assignees !== undefined ? (set.assignees.length ? `assigned to ${members.find((m) => m.id === set.assignees![0])?.name ?? 'the member'}` : 'unassigned') : '',
      ].filter(Boolean).join(' and ');
      return summarise(results, plan, { typeName: type!.name, change: changes, noun });
    },
    onMutate: () => setSummary(null),
    onSuccess: (result) => {
      setSummary(result);
      // The socket patches the rows too; a reload also brings the tasks changed meanwhile as they are now.
      onReload();
    },
  });

  if (!perms) return null;
  const mayStatus = settable.length > 0;
  if (!mayStatus && !perms.assign) return <p className={s.bulkNote}>Your role changes no tasks in bulk.</p>;
  if (!selected.length) {
    return <p className={s.bulkNote} role="status">{summary ? summary.text : `Select ${noun}s (the boxes, Shift for a range, or Space) to change their tasks together.`}</p>;
  }
  const nothing = status === KEEP && assignee === KEEP;
  return (
    <form className={s.bulk} aria-label="Bulk edit" onSubmit={(e) => { e.preventDefault(); if (type && !nothing) apply.mutate(); }}>
      <span className={s.bulkCount}>{selected.length} {noun}{selected.length === 1 ? '' : 's'} selected</span>
      <Select label="Task type" value={type?.id ?? ''} onChange={(e) => setTypeId(e.target.value)} options={columns.map((c) => ({ value: c.id, label: c.name }))} />
      {mayStatus && (
        <Select label="Change to" value={status} onChange={(e) => setStatus(e.target.value)}
          options={[{ value: KEEP, label: 'Keep' }, ...settable.map((st) => ({ value: st.code, label: st.name }))]} />
      )}
      {perms.assign && (
        <Select label="Assign to" value={assignee} onChange={(e) => setAssignee(e.target.value)}
          options={[{ value: KEEP, label: 'Keep' }, { value: NOBODY, label: 'Nobody' }, ...members.map((m) => ({ value: m.id, label: m.name }))]} />
      )}
      <Button type="submit" variant="primary" disabled={nothing || apply.isPending || !type}>{apply.isPending ? 'Applying…' : 'Apply'}</Button>
      <Button onClick={() => { onClear(); setSummary(null); }}>Clear selection</Button>
      <p className={s.bulkResult} role="status">
        {summary?.text}
      </p>
      {apply.error && <ErrorState error={apply.error as ApiError} />}
    </form>
  );
}
