// The asset list's paging hook: pages over the cursors until hasMore is false, and live events folded into the cache.
import { describe, expect, it, vi } from 'vitest';
import { act, renderHook, waitFor } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { applyAssetEvent, matches, useAssetPages, type Asset, type AssetFilters, type FetchAssetPage } from '../src/assets/useAssetPages';

const asset = (n: number, over: Partial<Asset> = {}): Asset => ({
  id: `id${n}`, studioId: 's', name: `Asset ${n}`, type: 'PROP', description: '', tags: [], status: 'IN_PROGRESS', currentVersion: null, latestVersion: 0,
  createdBy: 'u', updatedBy: 'u', archivedAt: null, revision: 1, createdAt: '', updatedAt: '', ...over,
});
const newest: AssetFilters = { sort: 'createdAt', order: 'desc' };

function setup(fetchPage: FetchAssetPage, filters = newest) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const wrapper = ({ children }: { children: ReactNode }) => <QueryClientProvider client={client}>{children}</QueryClientProvider>;
  return { client, ...renderHook(() => useAssetPages(filters, fetchPage), { wrapper }) };
}

describe('useAssetPages', () => {
  it('follows nextCursor page by page and stops when hasMore is false', async () => {
    const fetchPage = vi.fn<FetchAssetPage>(async (_f, cursor) =>
      cursor === undefined
        ? { data: [asset(1), asset(2)], page: { limit: 2, nextCursor: 'c2', hasMore: true } }
        : { data: [asset(3)], page: { limit: 2, nextCursor: null, hasMore: false } },
    );
    const { result } = setup(fetchPage);
    await waitFor(() => expect(result.current.isSuccess).toBe(true));
    expect(result.current.items.map((a) => a.id)).toEqual(['id1', 'id2']);
    expect(result.current.hasNextPage).toBe(true);
    await act(() => result.current.fetchNextPage());
    await waitFor(() => expect(result.current.items.map((a) => a.id)).toEqual(['id1', 'id2', 'id3']));
    expect(result.current.hasNextPage).toBe(false);
    expect(fetchPage.mock.calls.map((c) => c[1])).toEqual([undefined, 'c2']);
  });

  it('passes the filters to every page and surfaces an error', async () => {
    const filters: AssetFilters = { sort: 'name', order: 'asc', type: 'RIG', q: 'He' };
    const fetchPage = vi.fn<FetchAssetPage>(async () => { throw new Error('boom'); });
    const { result } = setup(fetchPage, filters);
    await waitFor(() => expect(result.current.isError).toBe(true));
    expect(fetchPage.mock.calls[0]![0]).toEqual(filters);
    expect(result.current.error?.message).toBe('boom');
  });

  it('puts a live asset:created at the top of a newest-first list, replaces an asset:updated in place, and drops one that no longer matches', async () => {
    const { client, result } = setup(async () => ({ data: [asset(1), asset(2)], page: { limit: 50, nextCursor: null, hasMore: false } }));
    await waitFor(() => expect(result.current.isSuccess).toBe(true));
    act(() => applyAssetEvent(client, asset(9), 'created'));
    await waitFor(() => expect(result.current.items.map((a) => a.id)).toEqual(['id9', 'id1', 'id2']));
    act(() => applyAssetEvent(client, asset(9), 'created'));
    await waitFor(() => expect(result.current.items).toHaveLength(3));
    act(() => applyAssetEvent(client, asset(1, { name: 'Renamed' }), 'updated'));
    await waitFor(() => expect(result.current.items[1]!.name).toBe('Renamed'));
    act(() => applyAssetEvent(client, asset(2, { archivedAt: '2026-01-01' }), 'updated'));
    await waitFor(() => expect(result.current.items.map((a) => a.id)).toEqual(['id9', 'id1']));
  });

  it('matches by type, status and name prefix (case-insensitive)', () => {
    expect(matches(asset(1, { name: 'Hero' }), { ...newest, q: 'he' })).toBe(true);
    expect(matches(asset(1, { name: 'The Hero' }), { ...newest, q: 'he' })).toBe(false);
    expect(matches(asset(1), { ...newest, type: 'RIG' })).toBe(false);
    expect(matches(asset(1), { ...newest, status: 'IN_PROGRESS' })).toBe(true);
  });
});
