// The projects list and a project's dashboard: the shot grid (or, on the Assets tab, the asset grid) with
// filters by sequence, status and assignee. Filters apply to the rows loaded so far; while one is set the
// remaining pages load in the background, so a filter never hides a match that is further down the cut.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link, NavLink, useParams } from 'react-router';
import { useSessionState } from '../auth/AuthContext';
import type { ApiError } from '../api/errors';
import { EmptyState, ErrorState, Select, Skeleton } from '../ui';
import { NotInThisStudio } from '../studios/NotInThisStudio';
import { useStudioMembers } from '../api/queries';
import { useGrid, useProject, useProjects, useProductionLive, useSequences, useStatuses, useTaskTypes } from './data';
import { filterRows, gridColumns, gridRows, isFiltered, type GridFilter, type GridKind, type Task } from './model';
import { useSocketEvent } from '../realtime/SocketContext';
import { ProductionGrid } from './ProductionGrid';
import s from './production.module.css';
import { NewProjectButton, ProjectSetupActions } from '../setup/ProjectDialogs';
import { useSetupRole } from '../setup/roles';

export function ProjectsPage() {
  const projects = useProjects();
  return (
    <div className={s.page}>
      <div className={s.toolbar}><h1>Projects</h1><NewProjectButton /></div>
      <div className={s.scroller}>
        {projects.isPending ? <div className={s.detail} aria-busy="true"><Skeleton width="50%" /><Skeleton width="40%" /></div>
          : projects.error ? <div className={s.detail}><ErrorState error={projects.error as ApiError} onRetry={() => void projects.refetch()} /></div>
          : !projects.data.length ? <EmptyState title="No projects yet">A producer creates one with “New project”; its sequences, shots and assets follow from its page.</EmptyState>
          : (
            <table className={s.table}>
              <thead><tr><th scope="col">Project</th><th scope="col">Code</th><th scope="col">Frame rate</th><th scope="col">Resolution</th><th scope="col">Status</th></tr></thead>
              <tbody>
                {projects.data.map((p) => (
                  <tr key={p.id}>
                    <td><Link to={`/projects/${p.id}`}>{p.name}</Link></td>
                    <td className="tabular">{p.code}</td>
                    <td className="tabular">{p.fps.den === 1 ? p.fps.num : `${p.fps.num}/${p.fps.den}`} fps</td>
                    <td className="tabular">{p.resolution.width}×{p.resolution.height}</td>
                    <td>{p.status.toLowerCase()}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
      </div>
    </div>
  );
}

export function ProjectTabs({ projectId }: { projectId: string }) {
  const { lead } = useSetupRole();
  return (
    <nav className={s.tabs} aria-label="Project">
      <NavLink end to={`/projects/${projectId}`}>Shots</NavLink>
      <NavLink to={`/projects/${projectId}/assets`}>Assets</NavLink>
      <NavLink to={`/projects/${projectId}/breakdown`}>Breakdown</NavLink>
      <NavLink to={`/projects/${projectId}/settings`}>Settings</NavLink>
      {lead && <NavLink to={`/projects/${projectId}/editorial`}>Editorial</NavLink>}
    </nav>
  );
}

/** A project page's answer when the project cannot be read: not found (missing or another studio's), or the error with a retry. */
export function ProjectUnavailable({ error, onRetry, className }: { error: ApiError; onRetry: () => void; className?: string }) {
  return error.status === 404
    ? <EmptyState title="Project not found">It does not exist or belongs to another studio. <Link to="/projects">All projects</Link></EmptyState>
    : <div className={className}><ErrorState error={error} onRetry={onRetry} /></div>;
}

export function ProjectPage({ kind }: { kind: GridKind }) {
  const { projectId = '' } = useParams();
  useProductionLive();
  const state = useSessionState();
  const actor = state.status === 'signed-in' ? { id: state.user.id, role: state.user.role } : { id: '', role: 'ARTIST' };
  const project = useProject(projectId);
  const grid = useGrid(projectId, kind);
  const sequences = useSequences(projectId);
  const statuses = useStatuses();
  const members = useStudioMembers();
  const taskTypes = useTaskTypes();
  const [filter, setFilter] = useState<GridFilter>({});
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  useSocketEvent<Task>('task:updated', (t) => {
    if (t.projectId !== projectId) return;
    setFresh(new Set([t.entityId]));
  });

  const pages = grid.data?.pages;
  const rows = useMemo(() => gridRows(pages ?? []), [pages]);
  // The page's own task types; the studio's list shapes the loading skeleton before the first page.
  const columns = useMemo(() => gridColumns(pages?.[0]?.taskTypes ?? taskTypes.data ?? [], kind), [pages, taskTypes.data, kind]);
  const shown = useMemo(() => filterRows(rows, filter), [rows, filter]);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = grid;
  const more = useCallback(() => { if (hasNextPage && !isFetchingNextPage) void fetchNextPage(); }, [hasNextPage, isFetchingNextPage, fetchNextPage]);
  useEffect(() => { if (isFiltered(filter)) more(); }, [filter, more, rows.length]);

  if (project.error || grid.error) {
    const err = (project.error ?? grid.error) as ApiError;
    return err.status === 404
      ? <NotInThisStudio kind="project" id={projectId}><EmptyState title="Project not found">It does not exist or belongs to another studio. <Link to="/projects">All projects</Link></EmptyState></NotInThisStudio>
      : <div className={s.detail}><ErrorState error={err} onRetry={() => { void project.refetch(); void grid.refetch(); }} /></div>;
  }
  const statusList = statuses.data ?? pages?.[0]?.statuses ?? [];
  return (
    <div className={s.page}>
      <div className={s.toolbar}>
        <h1>{project.data ? `${project.data.name} · ${kind === 'SHOT' ? 'shots' : 'assets'}` : <Skeleton width="200px" />}</h1>
        {kind === 'SHOT' && (
          <Select label="Sequence" value={filter.sequenceId ?? ''} onChange={(e) => setFilter({ ...filter, sequenceId: e.target.value || undefined })}
            options={[{ value: '', label: 'All sequences' }, ...(sequences.data ?? []).map((q) => ({ value: q.id, label: q.code }))]} />
        )}
        <Select label="Status" value={filter.status ?? ''} onChange={(e) => setFilter({ ...filter, status: e.target.value || undefined })}
          options={[{ value: '', label: 'Any status' }, ...statusList.map((st) => ({ value: st.code, label: st.name }))]} />
        <Select label="Assignee" value={filter.assignee ?? ''} onChange={(e) => setFilter({ ...filter, assignee: e.target.value || undefined })}
          options={[{ value: '', label: 'Anyone' }, ...(members.data ?? []).map((m) => ({ value: m.id, label: m.name }))]} />
        <ProjectSetupActions projectId={projectId} kind={kind} />
      </div>
      <ProjectTabs projectId={projectId} />
      {!grid.isPending && !rows.length ? (
        <EmptyState title={kind === 'SHOT' ? 'No shots yet' : 'No assets yet'}>
          {kind === 'SHOT' ? 'Create a sequence and its shots with “New sequence” and “New shot”, or import a cut.' : 'Create the first with “New asset”; artists then upload its versions.'}
        </EmptyState>
      ) : (
        <ProductionGrid projectId={projectId} kind={kind} rows={shown} columns={columns} statuses={statusList} members={members.data ?? []} actor={actor}
          pending={grid.isPending} fresh={fresh} onNearEnd={more} resetKey={JSON.stringify(filter)} />
      )}
      <div className={s.footer} role="status">
        {grid.isPending ? 'Loading…' : `${shown.length} of ${rows.length}${grid.hasNextPage ? '+' : ''} ${kind === 'SHOT' ? 'shots' : 'assets'}${isFiltered(filter) ? ' match' : ''}${grid.isFetchingNextPage ? ' · loading more…' : ''}`}
      </div>
    </div>
  );
}
