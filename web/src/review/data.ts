// The review page's server state beyond the shared queries (api/queries.ts: the asset, its versions, a
// version's pipeline with the preview's exact rate and frame count, the members for author names): one
// version, comments kept live over Socket.IO (and caught up with ?after=<seq> after a drop), and media
// fetched with the bearer token as blob: URLs.
import { useEffect, useState } from 'react';
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { Socket } from 'socket.io-client';
import { api, session, unwrap } from '../api/client';
import { ApiError } from '../api/errors';
import { keys } from '../api/keys';
import type { components } from '../api/schema';
import { joinAsset, onResync } from '../realtime/socket';

export type Asset = components['schemas']['Asset'];
export type Version = components['schemas']['AssetVersion'];
export type Pipeline = components['schemas']['AssetPipeline'];
export type Comment = components['schemas']['Comment'];
export type Member = components['schemas']['User'];

export function useVersion(assetId: string, v: number | null) {
  return useQuery({
    queryKey: keys.versions.detail(assetId, v),
    enabled: v !== null,
    queryFn: async () => unwrap(await api.GET('/assets/{id}/versions/{v}', { params: { path: { id: assetId, v: v! } } })),
  });
}

/** Comments sorted by seq, each once: what a fetch and live events both feed. */
export function mergeComments(current: Comment[], incoming: Comment[]): Comment[] {
  if (!incoming.length) return current;
  const byId = new Map(current.map((c) => [c.id, c]));
  for (const c of incoming) byId.set(c.id, c);
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

/** Every comment after `after` (all pages). */
async function fetchComments(assetId: string, after?: number): Promise<Comment[]> {
  const out: Comment[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = unwrap(await api.GET('/assets/{id}/comments', { params: { path: { id: assetId }, query: { limit: 100, ...(cursor ? { cursor } : after !== undefined ? { after } : {}) } } }));
    out.push(...page.data);
    if (!page.page.hasMore || !page.page.nextCursor) return out;
    cursor = page.page.nextCursor;
  }
}

export function addComment(client: QueryClient, c: Comment) {
  client.setQueryData(keys.comments.list(c.assetId), (old) => mergeComments(old ?? [], [c]));
}

/** The asset's comments, live: joins the asset's room, folds in asset:commented, catches up after a reconnect. */
export function useComments(assetId: string, socket: Socket | null) {
  const client = useQueryClient();
  const query = useQuery({ queryKey: keys.comments.list(assetId), queryFn: () => fetchComments(assetId), staleTime: Infinity });
  useEffect(() => {
    if (!socket) return;
    const leave = joinAsset(socket, assetId);
    const onComment = (c: Comment) => { if (c.assetId === assetId) addComment(client, c); };
    socket.on('asset:commented', onComment);
    const stopResync = onResync(socket, () => {
      // What was said while the socket was away: everything after the highest seq this page has.
      const have = client.getQueryData(keys.comments.list(assetId));
      if (!have) return void client.invalidateQueries({ queryKey: keys.comments.list(assetId) });
      const after = have.reduce((m, c) => Math.max(m, c.seq), 0);
      fetchComments(assetId, after).then((missed) => client.setQueryData(keys.comments.list(assetId), (old) => mergeComments(old ?? [], missed)), () => undefined);
    });
    return () => {
      socket.off('asset:commented', onComment);
      stopResync();
      leave();
    };
  }, [socket, assetId, client]);
  return query;
}

/** Keeps the asset's status (decisions, edits) and the version's pipeline live. */
export function useLiveAsset(assetId: string, socket: Socket | null) {
  const client = useQueryClient();
  useEffect(() => {
    if (!socket) return;
    const onApproved = (r: { assetId: string; asset: Asset }) => {
      if (r.assetId !== assetId) return;
      client.setQueryData(keys.assets.detail(assetId), r.asset);
      // The decision's words too, for the artist watching the version.
      void client.invalidateQueries({ queryKey: keys.reviewDecisions.list(assetId) });
    };
    const onUpdated = (a: Asset) => { if (a.id === assetId) client.setQueryData(keys.assets.detail(assetId), a); };
    const onPipeline = (p: { assetId: string; version: number }) => { if (p.assetId === assetId) void client.invalidateQueries({ queryKey: keys.pipelines.detail(assetId, p.version) }); };
    const onVersion = (v: { assetId: string }) => { if (v.assetId === assetId) void client.invalidateQueries(keys.versions.ofAsset(assetId)); };
    socket.on('asset:approved', onApproved);
    socket.on('asset:updated', onUpdated);
    socket.on('pipeline:update', onPipeline);
    socket.on('asset:version:created', onVersion);
    const stopResync = onResync(socket, () => void client.invalidateQueries({ queryKey: keys.assets.detail(assetId) }));
    return () => {
      socket.off('asset:approved', onApproved);
      socket.off('asset:updated', onUpdated);
      socket.off('pipeline:update', onPipeline);
      socket.off('asset:version:created', onVersion);
      stopResync();
    };
  }, [socket, assetId, client]);
}

/** Types a browser shows in an <img> at full resolution; others are reviewed through their thumbnail. */
const BROWSER_IMAGES = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/gif', 'image/avif', 'image/bmp']);

export type MediaSource = { kind: 'video' | 'image'; path: string } | null;

export function mediaSourceOf(assetId: string, version: Version | undefined, pipeline: Pipeline | undefined): MediaSource {
  if (!version) return null;
  const base = `/assets/${assetId}/versions/${version.version}`;
  if (pipeline?.outputs.preview) return { kind: 'video', path: `${base}/preview` };
  if (BROWSER_IMAGES.has(version.file.mimeType)) return { kind: 'image', path: `${base}/download` };
  if (version.file.mimeType.startsWith('image/') && pipeline?.outputs.thumbnail) return { kind: 'image', path: `${base}/thumbnail` };
  return null;
}

/**
 * A blob: URL of a media file fetched with the bearer token (a <video> or <img> cannot send it), revoked
 * when the page no longer needs it.
 */
export function useMediaUrl(path: string | null): { url: string | null; error: Error | null; loading: boolean } {
  const [state, setState] = useState<{ path: string | null; url: string | null; error: Error | null }>({ path: null, url: null, error: null });
  useEffect(() => {
    if (!path) return;
    let url: string | null = null;
    const abort = new AbortController();
    (async () => {
      const res = await session.authFetch(new Request(`${window.location.origin}${path}`, { signal: abort.signal }));
      if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => undefined), res.headers);
      url = URL.createObjectURL(await res.blob());
      setState({ path, url, error: null });
    })().catch((err: unknown) => {
      if (!abort.signal.aborted) setState({ path, url: null, error: err instanceof Error ? err : new Error(String(err)) });
    });
    return () => {
      abort.abort();
      if (url) URL.revokeObjectURL(url);
    };
  }, [path]);
  const current = state.path === path;
  return { url: current ? state.url : null, error: current ? state.error : null, loading: Boolean(path) && (!current || (!state.url && !state.error)) };
}
