// Folds studio-wide socket events into TanStack Query's cache, so every page shows them without reload.
import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import type { Socket } from 'socket.io-client';
import { keys, type AssetListPage } from '../api/keys';
import type { components } from '../api/schema';

type Version = components['schemas']['AssetVersion'];
export interface PipelineUpdate { assetId: string; version: number; status: string; step?: string; error?: { code: string; message: string } | null }
export interface RenderProgress { jobId: string; assetId: string; progress: number; frame: number; chunk: number }

/**
 * Fetch again now. A query whose first fetch is still in flight would otherwise swallow the invalidation
 * (TanStack Query joins the running fetch rather than cancel one that has no data yet), and that fetch may
 * answer from before the change: a fast pipeline makes the thumbnail while its 404 is on the way back.
 */
async function refetchNow(client: QueryClient, queryKey: readonly unknown[]) {
  await client.cancelQueries({ queryKey });
  await client.invalidateQueries({ queryKey });
}

export function attachLiveCache(socket: Socket, client: QueryClient): () => void {
  const onVersion = (v: Version) => {
    // The new version becomes the current one: lists show its thumbnail once the pipeline has made it.
    for (const [key, data] of client.getQueriesData<InfiniteData<AssetListPage, string | undefined>>({ queryKey: keys.assets.infinites() })) {
      if (!data) continue;
      client.setQueryData(key, { ...data, pages: data.pages.map((p) => ({ ...p, data: p.data.map((a) => (a.id === v.assetId ? { ...a, currentVersion: v.version, latestVersion: Math.max(a.latestVersion, v.version) } : a)) })) });
    }
    void client.invalidateQueries({ queryKey: keys.assets.detail(v.assetId) });
    void client.invalidateQueries(keys.versions.ofAsset(v.assetId));
  };
  const onPipeline = (p: PipelineUpdate) => {
    client.setQueryData(keys.pipelines.detail(p.assetId, p.version), (old) => (old ? { ...old, status: p.status as typeof old.status, error: p.error ? { ...p.error, step: p.step ?? old.error?.step ?? '' } : old.error } : old));
    void refetchNow(client, keys.pipelines.detail(p.assetId, p.version));
    // A thumbnail or preview may exist now: ask again (a 404 is cached as "none yet").
    void refetchNow(client, keys.media.ofVersion(p.assetId, p.version));
    if (p.status === 'READY' || p.status === 'FAILED') void client.invalidateQueries({ queryKey: keys.assets.detail(p.assetId) });
  };
  const onRenderDone = (p: { jobId: string; assetId: string }) => {
    void client.invalidateQueries({ queryKey: keys.renders.detail(p.jobId) });
    void client.invalidateQueries({ queryKey: keys.renders.all() });
  };
  socket.on('asset:version:created', onVersion);
  socket.on('pipeline:update', onPipeline);
  socket.on('render:completed', onRenderDone);
  socket.on('render:failed', onRenderDone);
  return () => {
    socket.off('asset:version:created', onVersion);
    socket.off('pipeline:update', onPipeline);
    socket.off('render:completed', onRenderDone);
    socket.off('render:failed', onRenderDone);
  };
}
