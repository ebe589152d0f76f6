// Thumbnails, previews and downloads are behind the bearer check, which <img>/<video> cannot send: they are
// fetched with the session's token and shown through object URLs (revoked when the query leaves the cache).
import { useQuery, type QueryClient } from '@tanstack/react-query';
import { session } from '../api/client';
import { ApiError } from '../api/errors';
import { keys } from '../api/keys';

/** GET a bearer-protected path as a Blob; an API error (404 while the pipeline has not made it) as ApiError. */
export async function fetchBlob(path: string, signal?: AbortSignal): Promise<Blob> {
  const res = await session.authFetch(new Request(`${window.location.origin}${path}`, { signal }));
  if (!res.ok) {
    const text = await res.text().catch(() => '');
    let body: unknown;
    try { body = text ? JSON.parse(text) : undefined; } catch { body = undefined; }
    throw new ApiError(res.status, body, res.headers);
  }
  return res.blob();
}

/**
 * An object URL for a version's thumbnail or preview; null while loading or when there is none (404: not made
 * yet, or the type has none). pipeline:update invalidates it, so it appears without reload.
 */
export function useMediaUrl(assetId: string, version: number | null | undefined, which: 'thumbnail' | 'preview', enabled = true) {
  return useQuery({
    queryKey: keys.media.detail(assetId, version ?? 0, which),
    enabled: enabled && Boolean(version),
    staleTime: Infinity,
    gcTime: 5 * 60_000,
    retry: false,
    queryFn: async ({ signal }) => {
      try {
        return URL.createObjectURL(await fetchBlob(`/assets/${assetId}/versions/${version}/${which}`, signal));
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }
    },
  });
}

/** Revokes object URLs of media queries that leave the cache; call once with the app's QueryClient. */
export function revokeMediaOnEviction(client: QueryClient): () => void {
  return client.getQueryCache().subscribe((e) => {
    if (e.type === 'removed' && e.query.queryKey[0] === keys.media.all()[0] && typeof e.query.state.data === 'string') URL.revokeObjectURL(e.query.state.data);
  });
}

/** Saves a bearer-protected file under its name (the browser's download, after fetching it). */
export async function downloadFile(path: string, fileName: string): Promise<void> {
  const blob = await fetchBlob(path);
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
