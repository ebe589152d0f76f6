// My tasks: every task assigned to me across projects, with a project column, a filter (words of the name,
// project, status), a sort, a grouping, and the done tasks apart in a section of their own. Artists land here.
import { useMemo, useState } from 'react';
import { Link, Navigate } from 'react-router';
import type { ApiError } from '../api/errors';
import { useSessionState } from '../auth/AuthContext';
import { EmptyState, ErrorState, Select, Skeleton, TextField } from '../ui';
import { useMyTasks, useProductionLive, useProjects, useStatuses, useTaskTypes } from '../production/data';
import { textOn, type Task, type TaskStatus } from '../production/model';
import { arrangeTasks, DEFAULT_VIEW, type TaskGroup, type TaskSort, type TaskView } from './myTasks';
import s from '../production/production.module.css';
import t from './tracking.module.css';

export const dueDay = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }) : '—');

export function StatusPill({ code, statuses }: { code: string; statuses: readonly TaskStatus[] | undefined }) {
  const st = statuses?.find((x) => x.code === code);
  const color = st?.color ?? '#6e7681';
  return <span className={s.status} style={{ background: color, color: textOn(color) }} data-status={code}>{st?.name ?? code}</span>;
}

/** The signed-in landing page: artists start on their tasks, everyone else on the assets. */
export function Landing() {
  const state = useSessionState();
  return <Navigate to={state.status === 'signed-in' && state.user.role === 'ARTIST' ? '/tasks' : '/assets'} replace />;
}

function TaskTable({ label, tasks, statuses, projectName, typeName }: { label: string; tasks: Task[]; statuses: TaskStatus[]; projectName: (id: string) => string; typeName: (id: string) => string }) {
  return (
    <div className={t.tableWrap}>
      <table className={s.table} aria-label={label}>
        <thead><tr><th scope="col">Task</th><th scope="col">Project</th><th scope="col">Type</th><th scope="col">On</th><th scope="col">Status</th><th scope="col">Due</th></tr></thead>
        <tbody>
          {tasks.map((task) => (
            <tr key={task.id}>
              <td><Link to={`/tasks/${task.id}`}>{task.name}</Link></td>
              <td><Link to={`/projects/${task.projectId}`}>{projectName(task.projectId)}</Link></td>
              <td>{typeName(task.taskTypeId)}</td>
              <td>{task.entityType === 'SHOT' ? 'shot' : 'asset'}</td>
              <td><StatusPill code={task.status} statuses={statuses} /></td>
              <td className="tabular">{dueDay(task.dueDate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function MyTasksPage() {
  useProductionLive();
  const tasks = useMyTasks();
  const statuses = useStatuses();
  const types = useTaskTypes();
  const projects = useProjects();
  const [view, setView] = useState<TaskView>(DEFAULT_VIEW);
  const projectName = useMemo(() => {
    const names = new Map((projects.data ?? []).map((p) => [p.id, p.name]));
    return (id: string) => names.get(id) ?? 'A project';
  }, [projects.data]);
  const typeName = (id: string) => types.data?.find((x) => x.id === id)?.name ?? '';
  const statusList = statuses.data ?? [];
  const arranged = useMemo(() => arrangeTasks(tasks.data ?? [], statusList, view, projectName), [tasks.data, statusList, view, projectName]);
  const mine = new Set((tasks.data ?? []).map((x) => x.projectId));
  const set = (patch: Partial<TaskView>) => setView({ ...view, ...patch });
  const filtered = view.text.trim() !== '' || view.projectId !== '' || view.status !== '';

  return (
    <div className={s.page}>
      <div className={s.toolbar}>
        <h1>My tasks</h1>
        <TextField label="Find a task" type="search" value={view.text} onChange={(e) => set({ text: e.target.value })} maxLength={200} placeholder="Words of its name" />
        <Select label="Project" value={view.projectId} onChange={(e) => set({ projectId: e.target.value })}
          options={[{ value: '', label: 'All projects' }, ...(projects.data ?? []).filter((p) => mine.has(p.id)).map((p) => ({ value: p.id, label: p.name }))]} />
        <Select label="Status" value={view.status} onChange={(e) => set({ status: e.target.value })} options={[{ value: '', label: 'Any status' }, ...statusList.map((x) => ({ value: x.code, label: x.name }))]} />
        <Select label="Sort by" value={view.sort} onChange={(e) => set({ sort: e.target.value as TaskSort })}
          options={[{ value: 'due', label: 'Due date' }, { value: 'project', label: 'Project' }, { value: 'status', label: 'Status' }, { value: 'name', label: 'Name' }]} />
        <Select label="Group by" value={view.group} onChange={(e) => set({ group: e.target.value as TaskGroup })}
          options={[{ value: 'none', label: 'No grouping' }, { value: 'project', label: 'Project' }, { value: 'status', label: 'Status' }]} />
        <Link to="/tasks/board">Task board</Link>
      </div>
      <div className={s.scroller}>
        {tasks.isPending ? <div className={s.detail} aria-busy="true"><Skeleton width="60%" /><Skeleton width="50%" /></div>
          : tasks.error ? <div className={s.detail}><ErrorState error={tasks.error as ApiError} onRetry={() => void tasks.refetch()} /></div>
          : !tasks.data.length ? <EmptyState title="No tasks assigned to you">When a director assigns you a task it appears here, and the bell tells you.</EmptyState>
          : (
            <div className={s.detail}>
              {arranged.open.length === 0 && (
                filtered ? <p className={s.muted}>No open task matches. Clear the search or pick another project or status.</p> : <p className={s.muted}>All your tasks are done.</p>
              )}
              {arranged.open.map((section) => (
                <section key={section.key} aria-label={view.group === 'none' ? 'Open tasks' : section.title}>
                  {view.group !== 'none' && <h2 className={t.groupTitle}>{section.title} <span className={s.muted}>({section.tasks.length})</span></h2>}
                  <TaskTable label={view.group === 'none' ? 'My tasks' : `My tasks: ${section.title}`} tasks={section.tasks} statuses={statusList} projectName={projectName} typeName={typeName} />
                </section>
              ))}
              {arranged.done.length > 0 && (
                <details className={t.done}>
                  <summary>Done ({arranged.done.length})</summary>
                  <TaskTable label="Done tasks" tasks={arranged.done} statuses={statusList} projectName={projectName} typeName={typeName} />
                </details>
              )}
            </div>
          )}
      </div>
      <div className={s.footer} role="status">{tasks.data ? `${tasks.data.length} task${tasks.data.length === 1 ? '' : 's'} assigned to you${tasks.data.length >= 100 ? ' (the first 100 by due date)' : ''}` : ''}</div>
    </div>
  );
}
