// The assets page: a grid of thumbnails or a list, filters (type, status, tag), name-prefix search, sort,
// create, infinite scroll over the API's cursors (virtualised), live updates.
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { QueryClient } from '@tanstack/react-query';
import type { Session } from '../auth/session';
import { api, unwrap } from '../api/client';
import { assetPagesOptions, useAssetPages, type Asset, type AssetFilters, type AssetStatus, type AssetType, type FetchAssetPage } from '../assets/useAssetPages';
import { Badge, Button, EmptyState, ErrorState, Select, Skeleton, TextField } from '../ui';
import { AssetGrid } from '../assets/AssetGrid';
import { NewAssetDialog } from '../setup/NewAssetDialog';
import s from './pages.module.css';
import g from '../assets/assets.module.css';

const TYPES: AssetType[] = ['CHARACTER', 'PROP', 'ENVIRONMENT', 'SET', 'SHOT', 'ANIMATION', 'RIG', 'TEXTURE', 'AUDIO', 'OTHER'];
const STATUSES: AssetStatus[] = ['IN_PROGRESS', 'PENDING_REVIEW', 'APPROVED', 'CHANGES_REQUESTED'];
const SORTS = {
  newest: { sort: 'createdAt', order: 'desc', label: 'Newest first' },
  oldest: { sort: 'createdAt', order: 'asc', label: 'Oldest first' },
  name: { sort: 'name', order: 'asc', label: 'Name A–Z' },
  updated: { sort: 'updatedAt', order: 'desc', label: 'Recently updated' },
} as const;
type SortKey = keyof typeof SORTS;
const words = (v: string) => v.replaceAll('_', ' ').toLowerCase();
const ROW = 40;

export const fetchAssetPage: FetchAssetPage = async (f, cursor) =>
  unwrap(await api.GET('/assets', { params: { query: { limit: 50, sort: f.sort, order: f.order, ...(f.q ? { q: f.q } : {}), ...(f.type ? { type: f.type } : {}), ...(f.status ? { status: f.status } : {}), ...(f.tag ? { tag: f.tag } : {}), ...(cursor ? { cursor } : {}) } } }));

/** The list's filters from the page's query string (also what the start-up prefetch asks for). */
export function filtersFrom(params: URLSearchParams): AssetFilters {
  const sort = SORTS[(params.get('sort') ?? 'newest') as SortKey] ?? SORTS.newest;
  return {
    sort: sort.sort,
    order: sort.order,
    ...(params.get('q') ? { q: params.get('q')! } : {}),
    ...(params.get('type') ? { type: params.get('type') as AssetType } : {}),
    ...(params.get('status') ? { status: params.get('status') as AssetStatus } : {}),
    ...(params.get('tag') ? { tag: params.get('tag')!.toLowerCase() } : {}),
  };
}

/**
 * On a cold load of the assets page, asks for the first page as soon as the session is back from the
 * cookie, while React is still mounting the page (the page's query then finds it in flight).
 */
export function prefetchAssetsOnStart(session: Session, client: QueryClient): void {
  if (typeof window === 'undefined' || !/^\/app\/assets\/?$/.test(window.location.pathname)) return;
  const off = session.subscribe((state) => {
    if (state.status === 'unknown') return;
    off();
    if (state.status !== 'signed-in') return;
    const filters = filtersFrom(new URLSearchParams(window.location.search));
    void client.prefetchInfiniteQuery(assetPagesOptions(filters, fetchAssetPage));
  });
}

export function AssetsPage() {
  const [params, setParams] = useSearchParams();
  const sortKey = (params.get('sort') ?? 'newest') as SortKey;
  const [search, setSearch] = useState(params.get('q') ?? '');
  const [tagText, setTagText] = useState(params.get('tag') ?? '');
  const view = params.get('view') === 'list' ? 'list' : 'grid';
  const filters: AssetFilters = useMemo(() => filtersFrom(params), [params]);
  const setParam = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  // The search box filters a moment after typing stops, not on every key.
  useEffect(() => {
    const t = setTimeout(() => {
      if ((params.get('q') ?? '') !== search.trim()) setParam('q', search.trim());
      else if ((params.get('tag') ?? '') !== tagText.trim()) setParam('tag', tagText.trim());
    }, 250);
    return () => clearTimeout(t);
  });

  const list = useAssetPages(filters, fetchAssetPage);
  const [creating, setCreating] = useState(false);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const knownIds = useRef<Set<string> | null>(null);
  const shownFor = useRef('');
  useEffect(() => {
    // Rows that arrive after the first load (live events, a new asset) get a short highlight; a change of
    // filters is a first load again.
    const key = JSON.stringify(filters);
    if (shownFor.current !== key) {
      shownFor.current = key;
      knownIds.current = null;
    }
    if (list.status !== 'success') return;
    const ids = new Set(list.items.map((a) => a.id));
    if (knownIds.current) {
      const added = [...ids].filter((id) => !knownIds.current!.has(id));
      if (added.length && list.items.findIndex((a) => a.id === added[0]) < 3) setFresh(new Set(added));
    }
    knownIds.current = ids;
  }, [list.items, list.status, filters]);

  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: view === 'list' ? list.items.length : 0, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 12 });
  const rows = virtual.getVirtualItems();
  const lastIndex = rows.at(-1)?.index ?? -1;
  useEffect(() => {
    if (view === 'list' && lastIndex >= list.items.length - 10 && list.hasNextPage && !list.isFetchingNextPage) void list.fetchNextPage();
  }, [lastIndex, list, view]);
  const nearEnd = () => { if (list.hasNextPage && !list.isFetchingNextPage) void list.fetchNextPage(); };

  const filtered = Boolean(filters.q || filters.type || filters.status || filters.tag);
  return (
    <>
      <div className={s.toolbar}>
        <h1>Assets</h1>
        <TextField label="Search by name" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Start of any word…" />
        <Select label="Type" value={filters.type ?? ''} onChange={(e) => setParam('type', e.target.value)} options={[{ value: '', label: 'All types' }, ...TYPES.map((t) => ({ value: t, label: words(t) }))]} />
        <Select label="Status" value={filters.status ?? ''} onChange={(e) => setParam('status', e.target.value)} options={[{ value: '', label: 'All statuses' }, ...STATUSES.map((t) => ({ value: t, label: words(t) }))]} />
        <div className={g.tagInput}><TextField label="Tag" value={tagText} onChange={(e) => setTagText(e.target.value)} placeholder="Any tag" /></div>
        <Select label="Sort" value={sortKey} onChange={(e) => setParam('sort', e.target.value === 'newest' ? '' : e.target.value)} options={Object.entries(SORTS).map(([value, o]) => ({ value, label: o.label }))} />
        <div className={g.viewToggle} role="group" aria-label="View">
          <Button aria-pressed={view === 'grid'} onClick={() => setParam('view', '')}>Grid</Button>
          <Button aria-pressed={view === 'list'} onClick={() => setParam('view', 'list')}>List</Button>
        </div>
        <Button variant="primary" onClick={() => setCreating(true)}>New asset</Button>
      </div>
      {view === 'grid' && (list.isPending || list.items.length > 0) && <AssetGrid items={list.items} pending={list.isPending} fresh={fresh} onNearEnd={nearEnd} />}
      <div ref={scroller} className={view === 'list' ? s.list : g.below}>
        {view === 'list' && (list.isPending || list.items.length > 0) && (
          <div role="table" aria-label="Assets" aria-rowcount={list.items.length + 1} aria-busy={list.isPending}>
            <div role="rowgroup" className={s.header}>
              <div role="row" className={s.headerRow}>
                <span role="columnheader">Name</span><span role="columnheader">Type</span><span role="columnheader">Status</span><span role="columnheader">Version</span><span role="columnheader">Updated</span>
              </div>
            </div>
            {list.isPending && (
              <div role="rowgroup" aria-hidden="true">
                {Array.from({ length: 8 }, (_, i) => (
                  <div key={i} className={s.row}><Skeleton width="60%" /><Skeleton width="70%" /><Skeleton width="60%" /><Skeleton width="30%" /><Skeleton width="80%" /></div>
                ))}
              </div>
            )}
            {list.items.length > 0 && (
              <div style={{ height: virtual.getTotalSize(), position: 'relative' }} role="rowgroup">
                {rows.map((r) => {
                  const a = list.items[r.index]!;
                  return <AssetRow key={a.id} asset={a} index={r.index} top={r.start} fresh={fresh.has(a.id)} />;
                })}
              </div>
            )}
          </div>
        )}
        {list.isError && <div className={s.pad}><ErrorState error={list.error} onRetry={() => void list.refetch()} /></div>}
        {list.isSuccess && list.items.length === 0 && (
          filtered
            ? <EmptyState title="No assets match these filters">Change the search or the filters.</EmptyState>
            : <EmptyState title="No assets yet"><p>Create the first one; artists then upload its versions.</p><Button variant="primary" onClick={() => setCreating(true)}>New asset</Button></EmptyState>
        )}
      </div>
      <div className={s.footer} aria-live="polite">
        {list.isSuccess && `${list.items.length}${list.hasNextPage ? '+' : ''} asset${list.items.length === 1 ? '' : 's'}`}
        {list.isFetchingNextPage && ' · loading more…'}
      </div>
      <NewAssetDialog open={creating} onClose={() => setCreating(false)} />
    </>
  );
}

function AssetRow({ asset, index, top, fresh }: { asset: Asset; index: number; top: number; fresh: boolean }) {
  return (
    <div className={[s.row, fresh ? s.fresh : ''].join(' ')} role="row" aria-rowindex={index + 2} style={{ position: 'absolute', top, left: 0, right: 0 }}>
      <span role="cell"><Link to={`/assets/${asset.id}`}>{asset.name}</Link></span>
      <span role="cell" className={s.muted}>{words(asset.type)}</span>
      <span role="cell"><Badge status={asset.status} /></span>
      <span role="cell" className="tabular">{asset.currentVersion ? `v${asset.currentVersion}` : '—'}</span>
      <span role="cell" className={`${s.muted} tabular`}>{new Date(asset.updatedAt).toLocaleString()}</span>
    </div>
  );
}
