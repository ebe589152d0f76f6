// The projects list and a project's dashboard: the shot grid (or, on the Assets tab, the asset grid). The
// shot grid is sized by the view's total and fetches the pages on screen by row offset; its order (by column)
// and code search are the server's. Filters by sequence, status and assignee apply in the browser: while one
// is set every page of the view loads, so a filter never hides a match further down the cut.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link, NavLink, useParams } from 'react-router';
import { useSessionState } from '../auth/AuthContext';
import type { ApiError } from '../api/errors';
import { EmptyState, ErrorState, Select, Skeleton, TextField } from '../ui';
import { NotInThisStudio } from '../studios/NotInThisStudio';
import { useStudioMembers } from '../api/queries';
import { useQueryClient } from '@tanstack/react-query';
import { keys, type GridView } from '../api/keys';
import { useGrid, useProject, useProjects, useProductionLive, useSequences, useStatuses, useTaskTypes } from './data';
import { rowOfCode, useShotWindows, useTaskPermissions } from '../grid/data';
import { allPages, locate, pagesFor, parseGoTo } from '../grid/windows';
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
  const sequences = useSequences(projectId);
  const statuses = useStatuses();
  const members = useStudioMembers();
  const taskTypes = useTaskTypes();
  const perms = useTaskPermissions();
  const [filter, setFilter] = useState<GridFilter>({});
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  useSocketEvent<Task>('task:updated', (t) => {
    if (t.projectId !== projectId) return;
    setFresh(new Set([t.entityId]));
  });
  const [order, setOrder] = useState<Pick<GridView, 'sort' | 'order'>>({ sort: 'cutOrder', order: 'asc' });
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim(), 250);
  // A code search lists its matches in code order (the API's rule); the chosen order returns when it is cleared.
  const view = useMemo<GridView>(() => (q ? { sort: 'code', order: order.sort === 'code' ? order.order : 'asc', q } : order), [q, order]);
  const onSort = useCallback((sort: GridView['sort']) => setOrder((o) => ({ sort, order: o.sort === sort && o.order === 'asc' ? 'desc' : 'asc' })), []);

  const filtered = isFiltered(filter);
  const [range, setRange] = useState<[number, number]>([0, 40]);
  const onRange = useCallback((start: number, end: number) => setRange((r) => (r[0] === start && r[1] === end ? r : [start, end])), []);
  const [knownTotal, setKnownTotal] = useState<number | null>(null);
  // The shot grid fetches the pages on screen; a client-side filter (sequence, status, assignee) needs every row.
  const wanted = useMemo(() => (kind !== 'SHOT' ? [] : filtered ? (knownTotal === null ? [0] : allPages(knownTotal)) : pagesFor(range[0], range[1], knownTotal)), [kind, filtered, knownTotal, range]);
  const windows = useShotWindows(projectId, view, wanted);
  useEffect(() => { setKnownTotal(windows.total); }, [windows.total]);
  const assetGrid = useGrid(projectId, 'ASSET', kind === 'ASSET');

  const assetRows = useMemo(() => gridRows(assetGrid.data?.pages ?? []), [assetGrid.data?.pages]);
  const firstPage = kind === 'SHOT' ? windows.pages.values().next().value : assetGrid.data?.pages[0];
  // The page's own task types; the studio's list shapes the loading skeleton before the first page.
  const columns = useMemo(() => gridColumns(firstPage?.taskTypes ?? taskTypes.data ?? [], kind), [firstPage, taskTypes.data, kind]);
  const windowRows = useCallback((index: number) => {
    const where = locate(index);
    const page = windows.pages.get(where.page);
    return page?.data[where.at] ? gridRows([{ ...page, data: [page.data[where.at]!] }])[0] : undefined;
  }, [windows.pages]);
  const allShotRows = useMemo(() => (kind === 'SHOT' && filtered ? gridRows([...windows.pages.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p)) : []), [kind, filtered, windows.pages]);
  const listRows = useMemo(() => filterRows(kind === 'SHOT' ? allShotRows : assetRows, filter), [kind, allShotRows, assetRows, filter]);
  const windowed = kind === 'SHOT' && !filtered;
  const count = windowed ? windows.total : kind === 'SHOT' ? (windows.total === null ? null : listRows.length) : assetGrid.isPending ? null : listRows.length;
  const rowAt = useCallback((index: number) => (windowed ? windowRows(index) : listRows[index]), [windowed, windowRows, listRows]);
  const findLoaded = useCallback((id: string) => {
    if (kind === 'ASSET') return assetRows.find((r) => r.id === id);
    for (const page of windows.pages.values()) {
      const item = page.data.find((d) => d.shot.id === id);
      if (item) return gridRows([{ ...page, data: [item] }])[0];
    }
    return undefined;
  }, [kind, assetRows, windows.pages]);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = assetGrid;
  const more = useCallback(() => { if (hasNextPage && !isFetchingNextPage) void fetchNextPage(); }, [hasNextPage, isFetchingNextPage, fetchNextPage]);
  useEffect(() => { if (kind === 'ASSET' && (filtered || range[1] >= assetRows.length - 20)) more(); }, [kind, filtered, more, range, assetRows.length]);
  const client = useQueryClient();
  const reload = useCallback(() => {
    void client.invalidateQueries({ queryKey: keys.gridWindows.ofProject(projectId) });
    void client.invalidateQueries({ queryKey: keys.grids.ofProject(projectId) });
  }, [client, projectId]);

  const goTo = useCallback(async (text: string): Promise<number> => {
    const noun = kind === 'SHOT' ? 'shot' : 'asset';
    const target = parseGoTo(text, count ?? 0);
    if (!target) throw new Error(`Type a row number or a ${noun} code.`);
    if ('row' in target) return target.row;
    if (windowed) {
      try { return await rowOfCode(projectId, view, target.code); } catch (err) {
        if ((err as ApiError).status === 404) throw new Error(`No shot ${target.code} in this project${view.q ? ` matches “${view.q}”` : ''}: check the code, or clear the search.`, { cause: err });
        throw err;
      }
    }
    const index = listRows.findIndex((r) => r.code.toLowerCase() === target.code.toLowerCase());
    if (index < 0) throw new Error(`No ${noun} ${target.code} among the ${noun}s shown${filtered ? ': clear the filters to look in all of them' : ''}.`);
    return index;
  }, [kind, count, windowed, projectId, view, listRows, filtered]);

  const error = project.error ?? (kind === 'SHOT' ? windows.error : assetGrid.error);
  if (error) {
    const err = error as ApiError;
    return err.status === 404
      ? <NotInThisStudio kind="project" id={projectId}><EmptyState title="Project not found">It does not exist or belongs to another studio. <Link to="/projects">All projects</Link></EmptyState></NotInThisStudio>
      : <div className={s.detail}><ErrorState error={err} onRetry={() => { void project.refetch(); reload(); }} /></div>;
  }
  const statusList = statuses.data ?? firstPage?.statuses ?? [];
  const noun = kind === 'SHOT' ? 'shots' : 'assets';
  const empty = kind === 'SHOT' ? windows.total === 0 && !q : !assetGrid.isPending && !assetRows.length;
  const loadingMore = kind === 'SHOT' ? filtered && windows.pages.size < wanted.length : assetGrid.isFetchingNextPage;
  const loaded = kind === 'SHOT' ? windows.total : assetRows.length;
  return (
    <div className={[s.page, s.gridPage].join(' ')}>
      <div className={s.toolbar}>
        <h1>{project.data ? `${project.data.name} · ${noun}` : <Skeleton width="200px" />}</h1>
        {kind === 'SHOT' && (
          <TextField label="Shot code starts with" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="e.g. SH01" />
        )}
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
      {empty ? (
        <EmptyState title={kind === 'SHOT' ? 'No shots yet' : 'No assets yet'}>
          {kind === 'SHOT' ? 'Create a sequence and its shots with “New sequence” and “New shot”, or import a cut.' : 'Create the first with “New asset”; artists then upload its versions.'}
        </EmptyState>
      ) : kind === 'SHOT' && q && windows.total === 0 ? (
        <EmptyState title={`No shot code starts with “${q}”`}>Check the code, or clear the search to see every shot.</EmptyState>
      ) : (
        <ProductionGrid projectId={projectId} kind={kind} count={count} rowAt={rowAt} columns={columns} statuses={statusList} members={members.data ?? []} actor={actor}
          perms={perms.data} fresh={fresh} onRange={onRange} resetKey={JSON.stringify([filter, view])} sort={kind === 'SHOT' ? { view, onSort } : undefined}
          goTo={goTo} findLoaded={findLoaded} onReload={reload} />
      )}
      <div className={s.footer} role="status">
        {count === null ? 'Loading…'
          : filtered ? `${listRows.length} of ${loaded}${kind === 'ASSET' && assetGrid.hasNextPage ? '+' : ''} ${noun} match${loadingMore ? ' · loading more…' : ''}`
          : `${count}${kind === 'ASSET' && assetGrid.hasNextPage ? '+' : ''} ${noun}${q ? ` with a code starting “${q}”` : ''}`}
      </div>
    </div>
  );
}

/** The value once it has stopped changing for `ms` (a search box's text, so each key press is not a request). */
function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => { const t = setTimeout(() => setSettled(value), ms); return () => clearTimeout(t); }, [value, ms]);
  return settled;
}
