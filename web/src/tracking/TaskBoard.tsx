// The task board: a project's tasks in columns by status. A card is dragged to another column, or moved with
// its "Move to" list from the keyboard, only where GET /task-permissions says this member may move it (the
// rule PATCH /tasks/:id enforces); a refused move says why and the card stays where it was.
import { useMemo, useState, type DragEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { ApiError } from '../api/errors';
import { keys } from '../api/keys';
import { useStudioMembers } from '../api/queries';
import { useSessionState } from '../auth/AuthContext';
import { EmptyState, ErrorState, Select, Skeleton } from '../ui';
import { useProductionLive, useProjects, useStatuses, useTaskTypes } from '../production/data';
import type { Task } from '../production/model';
import { dueDay } from './MyTasks';
import s from '../production/production.module.css';
import t from './tracking.module.css';

type Permissions = { anyStatus: boolean; ownStatus: boolean; ownMoves: Array<{ from: string; to: string[] }> };

/** The statuses this member may move this task to (as the API decides it), other than its own. */
export function movesOf(perms: Permissions | undefined, userId: string, task: Pick<Task, 'status' | 'assignees'>, codes: readonly string[]): string[] {
  if (!perms) return [];
  if (perms.anyStatus) return codes.filter((c) => c !== task.status);
  if (!perms.ownStatus || !task.assignees.includes(userId)) return [];
  const to = perms.ownMoves.find((m) => m.from === task.status)?.to ?? [];
  return codes.filter((c) => to.includes(c));
}

export function TaskBoardPage() {
  useProductionLive();
  const client = useQueryClient();
  const state = useSessionState();
  const userId = state.status === 'signed-in' ? state.user.id : '';
  const projects = useProjects();
  const statuses = useStatuses();
  const types = useTaskTypes();
  const members = useStudioMembers();
  const [params, setParams] = useSearchParams();
  const projectId = params.get('project') ?? projects.data?.[0]?.id ?? '';
  const perms = useQuery({ queryKey: keys.taskPermissions.detail(), queryFn: async () => unwrap(await api.GET('/task-permissions')), staleTime: 300_000 });
  const tasks = useQuery({
    queryKey: keys.taskBoard.list(projectId),
    enabled: projectId !== '',
    queryFn: async () => unwrap(await api.GET('/tasks', { params: { query: { projectId, limit: 100 } } })).data,
  });
  const ordered = useMemo(() => [...(statuses.data ?? [])].sort((a, b) => a.order - b.order), [statuses.data]);
  const codes = ordered.map((x) => x.code);
  const [dragging, setDragging] = useState<Task | null>(null);
  const [over, setOver] = useState<string | null>(null);
  const move = useMutation({
    mutationFn: async ({ task, status }: { task: Task; status: string }) => unwrap(await api.PATCH('/tasks/{id}', { params: { path: { id: task.id } }, body: { status } })),
    onSuccess: (next) => {
      client.setQueryData(keys.taskBoard.list(projectId), (old) => old?.map((x) => (x.id === next.id ? next : x)));
      client.setQueryData(keys.tasks.detail(next.id), next);
      void client.invalidateQueries({ queryKey: keys.tasks.mine() });
    },
  });
  const nameOf = (id: string) => members.data?.find((m) => m.id === id)?.name ?? 'a member';
  const typeName = (id: string) => types.data?.find((x) => x.id === id)?.name ?? '';
  const allowed = (task: Task) => movesOf(perms.data, userId, task, codes);
  const drop = (e: DragEvent, status: string) => {
    e.preventDefault();
    setOver(null);
    if (dragging && allowed(dragging).includes(status)) move.mutate({ task: dragging, status });
    setDragging(null);
  };

  const project = projects.data?.find((p) => p.id === projectId);
  return (
    <div className={s.page}>
      <div className={s.toolbar}>
        <h1>Task board</h1>
        <Select label="Project" value={projectId} onChange={(e) => setParams({ project: e.target.value })}
          options={(projects.data ?? []).map((p) => ({ value: p.id, label: p.name }))} disabled={!projects.data?.length} />
        <Link to="/tasks">My tasks</Link>
      </div>
      {move.error && <div className={s.detail} role="alert"><ErrorState error={move.error as ApiError} /></div>}
      <div className={s.scroller}>
        {projects.isPending || (projectId && tasks.isPending) || statuses.isPending ? <div className={s.detail} aria-busy="true"><Skeleton width="60%" /><Skeleton width="40%" /></div>
          : projects.error || tasks.error || statuses.error ? <div className={s.detail}><ErrorState error={(projects.error ?? tasks.error ?? statuses.error) as ApiError} onRetry={() => { void projects.refetch(); void tasks.refetch(); void statuses.refetch(); }} /></div>
          : !projectId ? <EmptyState title="No projects yet">A producer creates a project on the Projects page; its tasks then show here by status.</EmptyState>
          : !tasks.data?.length ? <EmptyState title={`No tasks in ${project?.name ?? 'this project'} yet`}>A director or producer creates tasks from the project's shot grid (the + in a cell).</EmptyState>
          : (
            <div className={t.board} aria-label={`Tasks of ${project?.name ?? 'the project'} by status`} role="region">
              {ordered.map((col) => {
                const cards = tasks.data.filter((x) => x.status === col.code);
                const accepts = dragging !== null && allowed(dragging).includes(col.code);
                return (
                  <section key={col.code} aria-label={`${col.name}: ${cards.length} task${cards.length === 1 ? '' : 's'}`} className={[t.column, accepts && over === col.code ? t.dropOk : ''].join(' ')} data-status={col.code}
                    onDragOver={(e) => { if (accepts) { e.preventDefault(); setOver(col.code); } }} onDragLeave={() => setOver(null)} onDrop={(e) => drop(e, col.code)}>
                    <h2><span style={{ color: col.color }}>●</span> <span style={{ flex: 1 }}>{col.name}</span><span className="tabular">{cards.length}</span></h2>
                    <ul className={t.cards}>
                      {cards.map((task) => {
                        const moves = allowed(task);
                        return (
                          <li key={task.id} className={t.card} draggable={moves.length > 0} data-task={task.name}
                            onDragStart={(e) => { e.dataTransfer.setData('text/plain', task.id); e.dataTransfer.effectAllowed = 'move'; setDragging(task); }} onDragEnd={() => { setDragging(null); setOver(null); }}>
                            <Link to={`/tasks/${task.id}`}>{task.name}</Link>
                            <span className={t.cardMeta}>{typeName(task.taskTypeId)} · {task.assignees.length ? task.assignees.map(nameOf).join(', ') : 'unassigned'} · due <span className="tabular">{dueDay(task.dueDate)}</span></span>
                            {moves.length > 0 && (
                              <select aria-label={`Move ${task.name} to`} value="" disabled={move.isPending} onChange={(e) => { if (e.target.value) move.mutate({ task, status: e.target.value }); }}>
                                <option value="">Move to…</option>
                                {moves.map((c) => <option key={c} value={c}>{ordered.find((x) => x.code === c)?.name ?? c}</option>)}
                              </select>
                            )}
                          </li>
                        );
                      })}
                    </ul>
                  </section>
                );
              })}
            </div>
          )}
      </div>
      <div className={s.footer} role="status">{tasks.data ? `${tasks.data.length} task${tasks.data.length === 1 ? '' : 's'}${tasks.data.length >= 100 ? ' (the first 100 by due date)' : ''}` : ''}</div>
    </div>
  );
}
