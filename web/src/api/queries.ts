// The queries more than one page needs, each fetched one way: the pages share the hook, so they share the
// cache entry and its shape (the asset page, the review page, a task and a render job all read one asset).
import { useCallback } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client';
import { ApiError } from './errors';
import { keys } from './keys';

export function useAsset(assetId: string, enabled = true) {
  return useQuery({ queryKey: keys.assets.detail(assetId), enabled, queryFn: async () => unwrap(await api.GET('/assets/{id}', { params: { path: { id: assetId } } })) });
}

/** The asset's newest 100 versions as one array (the review page's bar and compare, a task's versions). */
export function useVersionList(assetId: string, enabled = true) {
  return useQuery({
    queryKey: keys.versions.list(assetId),
    enabled,
    queryFn: async () => unwrap(await api.GET('/assets/{id}/versions', { params: { path: { id: assetId }, query: { limit: 100 } } })).data,
  });
}

/**
 * A version's pipeline, null when it has none (404); looked at again every few seconds until it is READY or
 * FAILED, beside the pipeline:update events that refetch it at once (realtime/liveCache.ts).
 */
export function usePipeline(assetId: string, version: number | null) {
  return useQuery({
    queryKey: keys.pipelines.detail(assetId, version),
    enabled: version !== null,
    queryFn: async () => {
      try {
        return unwrap(await api.GET('/assets/{id}/versions/{v}/pipeline', { params: { path: { id: assetId, v: version! } } }));
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }
    },
    refetchInterval: (q) => (q.state.data === null || q.state.data?.status === 'READY' || q.state.data?.status === 'FAILED' ? false : 5000),
  });
}

/** The studio's members (first 100): names for "who did this", assignee pickers and filters. */
export function useStudioMembers() {
  return useQuery({ queryKey: keys.users.list(), queryFn: async () => unwrap(await api.GET('/users', { params: { query: { limit: 100 } } })).data, staleTime: 60_000 });
}

/** A member's name by id: "The system" for none, "A member" for one beyond the first 100. */
export function useMemberNames() {
  const data = useStudioMembers().data;
  return useCallback((id: string | null) => {
    if (!id) return 'The system';
    return data?.find((u) => u.id === id)?.name ?? 'A member';
  }, [data]);
}
