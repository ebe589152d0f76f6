// The shot grid's data by row window: the pages of rows around what is on screen, each fetched by its
// offset (GET /projects/:id/grid?at=…), the view's total from whichever page arrived, a shot code's row for
// "Go to", the caller's task permissions, and the bulk edit.
import { useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useRef } from 'react';
import { api, unwrap } from '../api/client';
import { keys, type GridView } from '../api/keys';
import type { ShotGridPage } from '../production/model';
import { chunk } from './bulk';
import { WINDOW_PAGE } from './windows';

export interface ShotWindows {
  /** Fetched pages by index. */
  pages: ReadonlyMap<number, ShotGridPage>;
  /** How many shots the view has; null before any page of it arrived. */
  total: number | null;
  error: Error | null;
  pending: boolean;
  refetch: () => void;
}

export function useShotWindows(projectId: string, view: GridView, wanted: readonly number[]): ShotWindows {
  const results = useQueries({
    queries: wanted.map((index) => ({
      queryKey: keys.gridWindows.detail(projectId, view, index),
      staleTime: 30_000,
      queryFn: async (): Promise<ShotGridPage> => unwrap(await api.GET('/projects/{id}/grid', {
        params: { path: { id: projectId }, query: { limit: WINDOW_PAGE, at: index * WINDOW_PAGE, sort: view.sort, order: view.order, ...(view.q ? { q: view.q } : {}) } },
      })),
    })),
  });
  const client = useQueryClient();
  // A page already cached for this view (scrolled past earlier) also says the total before the wanted ones land.
  const cachedTotal = client.getQueriesData<ShotGridPage>({ queryKey: keys.gridWindows.ofView(projectId, view) }).find(([, d]) => typeof d?.total === 'number')?.[1]?.total ?? null;
  // A new Map only when a page arrived or changed, so the rows derived from it keep their identity otherwise.
  const signature = results.map((r) => r.dataUpdatedAt).join();
  const pagesRef = useRef<{ signature: string; wanted: readonly number[]; pages: Map<number, ShotGridPage> }>(null);
  if (!pagesRef.current || pagesRef.current.signature !== signature || pagesRef.current.wanted !== wanted) {
    pagesRef.current = { signature, wanted, pages: new Map(wanted.flatMap((index, i) => (results[i]?.data ? [[index, results[i].data] as const] : []))) };
  }
  const pages = pagesRef.current.pages;
  const total = [...pages.values()].find((p) => p.total !== null)?.total ?? cachedTotal;
  const error = (results.find((r) => r.error)?.error as Error | undefined) ?? null;
  const refetch = useCallback(() => { void client.invalidateQueries({ queryKey: keys.gridWindows.ofProject(projectId) }); }, [client, projectId]);
  return { pages, total, error, pending: total === null && !error, refetch };
}

/** The row (0 is the first) of the shot with this code in the view; a 404 says there is none, in words. */
export async function rowOfCode(projectId: string, view: GridView, code: string): Promise<number> {
  const page = unwrap(await api.GET('/projects/{id}/grid', { params: { path: { id: projectId }, query: { limit: 1, code, sort: view.sort, order: view.order, ...(view.q ? { q: view.q } : {}) } } }));
  return page.offset ?? 0;
}

export const useTaskPermissions = () => useQuery({ queryKey: keys.taskPermissions.detail(), queryFn: async () => unwrap(await api.GET('/task-permissions')), staleTime: 300_000 });

export type BulkSet = { status?: string; assignees?: string[] };

/** One change to many tasks, in requests of at most the API's limit, one after another; the results in order. */
export async function bulkUpdate(tasks: Array<{ id: string; revision: number }>, set: BulkSet, limit: number) {
  const results = [];
  for (const part of chunk(tasks, limit)) results.push(...unwrap(await api.POST('/tasks/bulk', { body: { tasks: part, set } })).results);
  return results;
}
