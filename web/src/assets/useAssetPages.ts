// The assets list as pages over the API's keyset cursors, plus the live updates that fold socket events into them.
import { infiniteQueryOptions, useInfiniteQuery, type InfiniteData, type QueryClient } from '@tanstack/react-query';
import { keys, type AssetFilters, type AssetListPage } from '../api/keys';
import type { components } from '../api/schema';

export type Asset = components['schemas']['Asset'];
export type AssetType = Asset['type'];
export type AssetStatus = Asset['status'];
export type AssetPage = AssetListPage;
export type { AssetFilters };
export type FetchAssetPage = (filters: AssetFilters, cursor: string | undefined) => Promise<AssetPage>;

/** The list's query, for the hook and for a prefetch that must land in the same cache entry. */
export const assetPagesOptions = (filters: AssetFilters, fetchPage: FetchAssetPage) => infiniteQueryOptions({
  queryKey: keys.assets.infinite(filters),
  queryFn: ({ pageParam }) => fetchPage(filters, pageParam),
  initialPageParam: undefined as string | undefined,
  getNextPageParam: (last: AssetPage) => (last.page.hasMore && last.page.nextCursor ? last.page.nextCursor : undefined),
});

export function useAssetPages(filters: AssetFilters, fetchPage: FetchAssetPage) {
  const query = useInfiniteQuery(assetPagesOptions(filters, fetchPage));
  const items = query.data?.pages.flatMap((p) => p.data) ?? [];
  return { ...query, items };
}

/** Whether an asset belongs in a list with these filters (for events, which arrive unfiltered). */
export function matches(asset: Asset, f: AssetFilters): boolean {
  if (asset.archivedAt) return false;
  if (f.type && asset.type !== f.type) return false;
  if (f.status && asset.status !== f.status) return false;
  if (f.tag && !asset.tags.some((t) => t.toLowerCase() === f.tag!.toLowerCase())) return false;
  if (f.q && !asset.name.toLowerCase().startsWith(f.q.toLowerCase())) return false;
  return true;
}

/**
 * Folds a created or updated asset into every cached assets list: replaced where it is, a new one put at
 * the top of lists sorted newest first (elsewhere its place is unknown until the next fetch, so those refetch).
 */
export function applyAssetEvent(client: QueryClient, asset: Asset, kind: 'created' | 'updated') {
  for (const [key, data] of client.getQueriesData<InfiniteData<AssetPage, string | undefined>>({ queryKey: keys.assets.infinites() })) {
    if (!data) continue;
    const filters = key[2] as AssetFilters;
    const present = data.pages.some((p) => p.data.some((a) => a.id === asset.id));
    const fits = matches(asset, filters);
    let pages = data.pages;
    if (present) {
      pages = pages.map((p) => ({ ...p, data: fits ? p.data.map((a) => (a.id === asset.id ? asset : a)) : p.data.filter((a) => a.id !== asset.id) }));
    } else if (kind === 'created' && fits && filters.sort === 'createdAt' && filters.order === 'desc') {
      const [first, ...rest] = pages;
      pages = first ? [{ ...first, data: [asset, ...first.data] }, ...rest] : [{ data: [asset], page: { limit: 50, nextCursor: null, hasMore: false } }];
    } else if (fits) {
      void client.invalidateQueries({ queryKey: key, exact: true });
      continue;
    } else continue;
    client.setQueryData(key, { ...data, pages });
  }
}
