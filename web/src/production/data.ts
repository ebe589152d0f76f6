// TanStack Query hooks of the production pages over the typed client, and the socket events that keep them live.
import { useInfiniteQuery, useQuery, useQueryClient, type InfiniteData, type QueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { keys, type GridPage } from '../api/keys';
import { useSocketEvent } from '../realtime/SocketContext';
import { applyShotToPages, applyTaskToPages, type GridKind, type Shot, type ShotGridPage, type Task } from './model';

export const GRID_PAGE = 200;

export function useGrid(projectId: string, kind: GridKind, enabled = true) {
  return useInfiniteQuery({
    queryKey: keys.grids.infinite(projectId, kind),
    enabled,
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }): Promise<GridPage> => {
      const params = { path: { id: projectId }, query: { limit: GRID_PAGE, ...(pageParam ? { cursor: pageParam } : {}) } };
      return kind === 'SHOT' ? unwrap(await api.GET('/projects/{id}/grid', { params })) : unwrap(await api.GET('/projects/{id}/asset-grid', { params }));
    },
    getNextPageParam: (last) => (last.page.hasMore ? last.page.nextCursor ?? undefined : undefined),
  });
}

export const useProjects = () => useQuery({ queryKey: keys.projects.list(), queryFn: async () => unwrap(await api.GET('/projects', { params: { query: { limit: 100 } } })).data });
export const useProject = (id: string, enabled = true) => useQuery({ queryKey: keys.projects.detail(id), enabled, queryFn: async () => unwrap(await api.GET('/projects/{id}', { params: { path: { id } } })) });
export const useSequences = (projectId: string) => useQuery({ queryKey: keys.sequences.list(projectId), queryFn: async () => unwrap(await api.GET('/projects/{id}/sequences', { params: { path: { id: projectId }, query: { limit: 100 } } })).data });
export const useStatuses = () => useQuery({ queryKey: keys.taskStatuses.list(), queryFn: async () => unwrap(await api.GET('/task-statuses')).data, staleTime: 300_000 });
export const useTaskTypes = () => useQuery({ queryKey: keys.taskTypes.list(), queryFn: async () => unwrap(await api.GET('/task-types')).data, staleTime: 300_000 });
export const useTask = (id: string) => useQuery({ queryKey: keys.tasks.detail(id), queryFn: async () => unwrap(await api.GET('/tasks/{id}', { params: { path: { id } } })) });
export const useMyTasks = () => useQuery({ queryKey: keys.tasks.mine(), queryFn: async () => unwrap(await api.GET('/tasks', { params: { query: { assignee: 'me', limit: 100 } } })).data });

function foldIntoGrids(client: QueryClient, fold: (pages: GridPage[]) => GridPage[] | null, projectId: string): boolean {
  let hit = false;
  for (const [key, data] of client.getQueriesData<InfiniteData<GridPage, string | undefined>>({ queryKey: keys.grids.ofProject(projectId) })) {
    if (!data) continue;
    const pages = fold(data.pages);
    if (pages) { hit = true; client.setQueryData(key, { ...data, pages }); }
  }
  // The shot grid's row windows: each one page, folded the same way.
  for (const [key, page] of client.getQueriesData<ShotGridPage>({ queryKey: keys.gridWindows.ofProject(projectId) })) {
    if (!page) continue;
    const pages = fold([page]);
    if (pages?.[0]) { hit = true; client.setQueryData(key as unknown as ReturnType<typeof keys.gridWindows.detail>, pages[0] as ShotGridPage); }
  }
  return hit;
}

/** Keeps every production query live: task and shot changes patch the grids in place, the rest refetch. */
export function useProductionLive() {
  const client = useQueryClient();
  const onTask = (t: Task) => {
    client.setQueryData(keys.tasks.detail(t.id), (old) => (old ? { ...old, ...t } : old));
    void client.invalidateQueries({ queryKey: keys.taskHistory.list(t.id) });
    void client.invalidateQueries({ queryKey: keys.tasks.mine() });
    // A task whose row is loaded is patched; one on a row not yet loaded arrives with its page.
    foldIntoGrids(client, (pages) => applyTaskToPages(pages, t), t.projectId);
  };
  useSocketEvent<Task>('task:updated', onTask);
  useSocketEvent<Task>('task:created', onTask);
  useSocketEvent<Shot>('shot:updated', (s) => { foldIntoGrids(client, (pages) => ('shot' in (pages[0]?.data[0] ?? {}) ? applyShotToPages(pages as ShotGridPage[], s) : null), s.projectId); });
  useSocketEvent<Shot>('shot:created', (s) => {
    void client.invalidateQueries({ queryKey: keys.grids.infinite(s.projectId, 'SHOT') });
    void client.invalidateQueries({ queryKey: keys.gridWindows.ofProject(s.projectId) });
  });
  useSocketEvent<{ shotId: string }>('casting:updated', (c) => { void client.invalidateQueries({ queryKey: keys.casting.list(c.shotId) }); });
}
