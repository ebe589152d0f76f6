// TanStack Query hooks of the production pages over the typed client, and the socket events that keep them live.
import { useInfiniteQuery, useQuery, useQueryClient, type InfiniteData, type QueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { useSocketEvent } from '../realtime/SocketContext';
import { applyShotToPages, applyTaskToPages, type AssetGridPage, type GridKind, type Shot, type ShotGridPage, type Task } from './model';

export const GRID_PAGE = 200;

type GridPage = ShotGridPage | AssetGridPage;
export const gridKey = (projectId: string, kind: GridKind) => ['grid', projectId, kind] as const;

export function useGrid(projectId: string, kind: GridKind) {
  return useInfiniteQuery({
    queryKey: gridKey(projectId, kind),
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }): Promise<GridPage> => {
      const params = { path: { id: projectId }, query: { limit: GRID_PAGE, ...(pageParam ? { cursor: pageParam } : {}) } };
      return kind === 'SHOT' ? unwrap(await api.GET('/projects/{id}/grid', { params })) : unwrap(await api.GET('/projects/{id}/asset-grid', { params }));
    },
    getNextPageParam: (last) => (last.page.hasMore ? last.page.nextCursor ?? undefined : undefined),
  });
}

export const useProjects = () => useQuery({ queryKey: ['projects'], queryFn: async () => unwrap(await api.GET('/projects', { params: { query: { limit: 100 } } })).data });
export const useProject = (id: string, enabled = true) => useQuery({ queryKey: ['project', id], enabled, queryFn: async () => unwrap(await api.GET('/projects/{id}', { params: { path: { id } } })) });
export const useSequences = (projectId: string) => useQuery({ queryKey: ['sequences', projectId], queryFn: async () => unwrap(await api.GET('/projects/{id}/sequences', { params: { path: { id: projectId }, query: { limit: 100 } } })).data });
export const useStatuses = () => useQuery({ queryKey: ['task-statuses'], queryFn: async () => unwrap(await api.GET('/task-statuses')).data, staleTime: 300_000 });
export const useTaskTypes = () => useQuery({ queryKey: ['task-types'], queryFn: async () => unwrap(await api.GET('/task-types')).data, staleTime: 300_000 });
/** The studio's members (first 100), shared with useMemberNames' cache entry. */
export const useMembers = () => useQuery({ queryKey: ['users'], queryFn: async () => unwrap(await api.GET('/users', { params: { query: { limit: 100 } } })).data, staleTime: 60_000 });
export const useTask = (id: string) => useQuery({ queryKey: ['task', id], queryFn: async () => unwrap(await api.GET('/tasks/{id}', { params: { path: { id } } })) });
export const useMyTasks = () => useQuery({ queryKey: ['tasks', 'me'], queryFn: async () => unwrap(await api.GET('/tasks', { params: { query: { assignee: 'me', limit: 100 } } })).data });

function foldIntoGrids(client: QueryClient, fold: (pages: GridPage[]) => GridPage[] | null, projectId: string): boolean {
  let hit = false;
  for (const [key, data] of client.getQueriesData<InfiniteData<GridPage, string | undefined>>({ queryKey: ['grid', projectId] })) {
    if (!data) continue;
    const pages = fold(data.pages);
    if (pages) { hit = true; client.setQueryData(key, { ...data, pages }); }
  }
  return hit;
}

/** Keeps every production query live: task and shot changes patch the grids in place, the rest refetch. */
export function useProductionLive() {
  const client = useQueryClient();
  const onTask = (t: Task) => {
    client.setQueryData(['task', t.id], (old: Task | undefined) => (old ? { ...old, ...t } : old));
    void client.invalidateQueries({ queryKey: ['task-history', t.id] });
    void client.invalidateQueries({ queryKey: ['tasks'] });
    // A task whose row is loaded is patched; one on a row not yet loaded arrives with its page.
    foldIntoGrids(client, (pages) => applyTaskToPages(pages, t), t.projectId);
  };
  useSocketEvent<Task>('task:updated', onTask);
  useSocketEvent<Task>('task:created', onTask);
  useSocketEvent<Shot>('shot:updated', (s) => { foldIntoGrids(client, (pages) => ('shot' in (pages[0]?.data[0] ?? {}) ? applyShotToPages(pages as ShotGridPage[], s) : null), s.projectId); });
  useSocketEvent<Shot>('shot:created', (s) => { void client.invalidateQueries({ queryKey: gridKey(s.projectId, 'SHOT') }); });
  useSocketEvent<{ shotId: string }>('casting:updated', (c) => { void client.invalidateQueries({ queryKey: ['casting', c.shotId] }); });
}
