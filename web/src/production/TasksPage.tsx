// A task's page (My tasks and the task board are in tracking/): its shot or asset, status with the
// moves this member may make, assignees, due date, the versions of its asset (those submitted for the task
// marked, each linking to the review page), submitting a version, and the task's audited history.
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { ApiError } from '../api/errors';
import { keys } from '../api/keys';
import { useAsset, useStudioMembers, useVersionList } from '../api/queries';
import { useSessionState } from '../auth/AuthContext';
import { Button, EmptyState, ErrorState, Select, Skeleton, TextField } from '../ui';
import { NotInThisStudio } from '../studios/NotInThisStudio';
import { useProductionLive, useProject, useStatuses, useTask } from './data';
import { allowedMoves, canAssign, type Task } from './model';
import { dueDay as day, StatusPill } from '../tracking/MyTasks';
import { DecisionList, useDecisions } from '../review/decisions';
import s from './production.module.css';

function useActor() {
  const state = useSessionState();
  return state.status === 'signed-in' ? { id: state.user.id, role: state.user.role } : { id: '', role: 'ARTIST' };
}

export function TaskPage() {
  const { taskId = '' } = useParams();
  useProductionLive();
  const actor = useActor();
  const client = useQueryClient();
  const task = useTask(taskId);
  const statuses = useStatuses();
  const members = useStudioMembers();
  const t = task.data;
  const project = useProject(t?.projectId ?? '', Boolean(t));
  const shot = useQuery({
    queryKey: keys.shots.detail(t?.entityId ?? ''),
    enabled: t?.entityType === 'SHOT',
    queryFn: async () => unwrap(await api.GET('/shots/{id}', { params: { path: { id: t!.entityId } } })),
  });
  const asset = useAsset(t?.entityId ?? '', t?.entityType === 'ASSET');
  const entity = t?.entityType === 'SHOT' ? (shot.data ? `Shot ${shot.data.code}` : null) : asset.data ? `Asset ${asset.data.name}` : null;
  const versions = useVersionList(t?.assetId ?? '', Boolean(t));
  const decisions = useDecisions(t?.assetId ?? '', Boolean(t));
  const history = useQuery({
    queryKey: keys.taskHistory.list(taskId),
    queryFn: async () => unwrap(await api.GET('/tasks/{id}/history', { params: { path: { id: taskId }, query: { limit: 100 } } })).data,
  });
  const onSaved = (next: Task) => { client.setQueryData(keys.tasks.detail(taskId), next); void client.invalidateQueries({ queryKey: keys.taskHistory.list(taskId) }); void client.invalidateQueries({ queryKey: keys.tasks.mine() }); };
  const patch = useMutation({
    mutationFn: async (body: { status?: string; assignees?: string[]; reviewers?: string[]; dueDate?: string | null }) => unwrap(await api.PATCH('/tasks/{id}', { params: { path: { id: taskId } }, body })),
    onSuccess: onSaved,
  });
  const submit = useMutation({
    mutationFn: async (v: { version: number; note: string }) => unwrap(await api.POST('/tasks/{id}/submit', { params: { path: { id: taskId } }, body: v })),
    onSuccess: (next) => { onSaved(next); setNote(''); },
  });
  const [move, setMove] = useState('');
  const [pick, setPick] = useState('');
  const [note, setNote] = useState('');

  if (task.isPending) return <div className={s.detail} aria-busy="true"><Skeleton width="40%" /><Skeleton width="60%" /></div>;
  if (task.error) {
    const err = task.error as ApiError;
    return err.status === 404 ? <NotInThisStudio kind="task" id={taskId}><EmptyState title="Task not found">It does not exist or belongs to another studio. <Link to="/tasks">My tasks</Link></EmptyState></NotInThisStudio> : <div className={s.detail}><ErrorState error={err} onRetry={() => void task.refetch()} /></div>;
  }
  const data = task.data;
  const moves = allowedMoves(actor, data, statuses.data ?? []);
  const nameOf = (id: string) => members.data?.find((m) => m.id === id)?.name ?? 'A member';
  const submitted = new Set((history.data ?? []).filter((e) => e.action === 'task.submitted').map((e) => Number(e.details.version)));
  const mayEdit = canAssign(actor);
  const maySubmit = mayEdit || data.assignees.includes(actor.id);
  const versionList = versions.data ?? [];
  const chosen = pick || String(versionList[0]?.version ?? '');

  return (
    <div className={s.detail}>
      <p className={s.muted} style={{ margin: 0 }}><Link to={`/projects/${data.projectId}`}>{project.data?.name ?? 'Project'}</Link> · {entity ?? '…'}</p>
      <h1>{data.name}</h1>
      <dl>
        <dt>Status</dt>
        <dd>
          <StatusPill code={data.status} statuses={statuses.data} />
          {moves.length > 0 && (
            <form className={s.row} onSubmit={(e) => { e.preventDefault(); if (move || moves[0]) patch.mutate({ status: move || moves[0]!.code }); }}>
              <Select label="Move to" value={move || moves[0]!.code} onChange={(e) => setMove(e.target.value)} options={moves.map((m) => ({ value: m.code, label: m.name }))} />
              <Button type="submit" disabled={patch.isPending}>Move</Button>
            </form>
          )}
        </dd>
        <dt>Assignees</dt>
        <dd>
          {mayEdit ? (
            <Select label="Assignee" value={data.assignees[0] ?? ''} onChange={(e) => patch.mutate({ assignees: e.target.value ? [e.target.value] : [] })}
              options={[{ value: '', label: 'Nobody' }, ...(members.data ?? []).map((m) => ({ value: m.id, label: m.name }))]} />
          ) : data.assignees.length ? data.assignees.map(nameOf).join(', ') : 'Nobody'}
        </dd>
        <dt>Reviewers</dt>
        <dd>
          {mayEdit ? (
            <Select label="Reviewer" value={data.reviewers[0] ?? ''} onChange={(e) => patch.mutate({ reviewers: e.target.value ? [e.target.value] : [] })}
              options={[{ value: '', label: 'The studio\'s directors' }, ...(members.data ?? []).map((m) => ({ value: m.id, label: m.name }))]} />
          ) : data.reviewers.length ? data.reviewers.map(nameOf).join(', ') : 'The studio\'s directors'}
        </dd>
        <dt>Due</dt>
        <dd>
          {mayEdit ? <TextField label="Due date" type="date" value={data.dueDate?.slice(0, 10) ?? ''} onChange={(e) => patch.mutate({ dueDate: e.target.value || null })} /> : <span className="tabular">{day(data.dueDate)}</span>}
        </dd>
        {data.estimateHours !== null && <><dt>Estimate</dt><dd className="tabular">{data.estimateHours} h</dd></>}
      </dl>
      {patch.error && <ErrorState error={patch.error as ApiError} />}

      <section aria-labelledby="versions-h" className={s.form}>
        <h2 id="versions-h">Versions</h2>
        {versions.isPending ? <Skeleton width="50%" /> : !versionList.length ? (
          <p className={s.muted}>No versions yet. Upload one on <Link to={`/assets/${data.assetId}`}>the {data.entityType === 'SHOT' ? 'shot' : 'asset'}'s page</Link>, then submit it here.</p>
        ) : (
          <ul className={s.list} aria-label="Versions">
            {versionList.map((v) => (
              <li key={v.version}>
                <Link to={`/assets/${data.assetId}/versions/${v.version}`}>v{v.version}</Link>{' '}
                <span className={s.muted}>{v.file.originalName}{submitted.has(v.version) ? ' · submitted for this task' : ''}{data.submission?.version === v.version ? ' (latest submission)' : ''}</span>
              </li>
            ))}
          </ul>
        )}
        {maySubmit && versionList.length > 0 && (
          <form className={s.row} onSubmit={(e) => { e.preventDefault(); submit.mutate({ version: Number(chosen), note }); }}>
            <Select label="Version to submit" value={chosen} onChange={(e) => setPick(e.target.value)} options={versionList.map((v) => ({ value: String(v.version), label: `v${v.version}` }))} />
            <TextField label="Note" value={note} onChange={(e) => setNote(e.target.value)} maxLength={2000} />
            <Button type="submit" variant="primary" disabled={submit.isPending}>Submit for review</Button>
          </form>
        )}
        {submit.error && <ErrorState error={submit.error as ApiError} />}
      </section>

      {(decisions.data ?? []).length > 0 && (
        <section aria-labelledby="decisions-h" className={s.form}>
          <h2 id="decisions-h">Review decisions</h2>
          <DecisionList decisions={decisions.data!} nameOf={nameOf} showVersion label="Review decisions" />
        </section>
      )}
      <section aria-labelledby="history-h" className={s.form}>
        <h2 id="history-h">History</h2>
        {history.isPending ? <Skeleton width="50%" /> : (
          <ol className={s.list} aria-label="History">
            {(history.data ?? []).map((e) => (
              <li key={e.id}>
                <time className="tabular" dateTime={e.at}>{new Date(e.at).toLocaleString()}</time>{' · '}
                {nameOf(e.actorId ?? '')} {describe(e.action, e.details)}
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}

function describe(action: string, d: Record<string, unknown>): string {
  const move = typeof d.from === 'string' && typeof d.to === 'string' ? ` (${d.from} → ${d.to})` : '';
  if (action === 'task.created') return 'created the task';
  if (action === 'task.submitted') return `submitted v${String(d.version)}${move}`;
  if (action === 'task.reviewed') return `reviewed it${move}`;
  const changes = Array.isArray(d.changes) ? d.changes.join(', ') : 'it';
  return `changed ${changes}${move}`;
}
