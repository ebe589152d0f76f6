// Render jobs as a table (the studio's, or one asset's), newest first, with cursor paging; live through
// render:completed / render:failed (realtime/liveCache.ts invalidates ['renders']).
import { useInfiniteQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import { keys, type RenderFilters } from '../api/keys';
import type { components } from '../api/schema';
import { Button, EmptyState, ErrorState, Skeleton } from '../ui';
import { ProgressBar } from '../ui/ProgressBar';
import { RenderStatus } from './RenderStatus';
import r from './renders.module.css';

export type RenderJob = components['schemas']['RenderJob'];
export type RenderJobStatus = RenderJob['status'];
export type { RenderFilters };

export function RenderJobsTable({ filters, names, compact, empty }: { filters: RenderFilters; names: (id: string | null) => string; compact?: boolean; empty: string }) {
  const jobs = useInfiniteQuery({
    queryKey: keys.renders.infinite(filters),
    queryFn: async ({ pageParam }) => unwrap(await api.GET('/render-jobs', { params: { query: { limit: 25, ...(filters.status ? { status: filters.status } : {}), ...(filters.assetId ? { assetId: filters.assetId } : {}), ...(pageParam ? { cursor: pageParam } : {}) } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => (last.page.hasMore && last.page.nextCursor ? last.page.nextCursor : undefined),
    // Running jobs move without studio-wide events for progress: look again every few seconds while any runs.
    refetchInterval: (q) => (q.state.data?.pages.some((p) => p.data.some((j) => j.status === 'QUEUED' || j.status === 'PROCESSING')) ? 3000 : false),
  });
  const items = jobs.data?.pages.flatMap((p) => p.data) ?? [];
  if (jobs.isPending) return <div aria-busy="true" className={r.skeletons}><Skeleton /><Skeleton /><Skeleton /></div>;
  if (jobs.error) return <ErrorState error={jobs.error} onRetry={() => void jobs.refetch()} />;
  if (items.length === 0) return <EmptyState title={filters.status ? 'No render jobs with this status' : 'No render jobs'}>{empty}</EmptyState>;
  return (
    <>
      <table className={r.table} aria-label="Render jobs">
        <thead>
          <tr>
            <th scope="col">Job</th>{!compact && <th scope="col">Asset</th>}<th scope="col">Frames</th><th scope="col">Status</th><th scope="col">Progress</th><th scope="col">By</th><th scope="col">Queued</th>
          </tr>
        </thead>
        <tbody>
          {items.map((j) => (
            <tr key={j.id}>
              <td><Link to={`/renders/${j.id}`} aria-label={`Render job ${j.id.slice(-6)} of v${j.version}`}>#{j.id.slice(-6)}</Link></td>
              {!compact && <td><Link to={`/assets/${j.assetId}`}>Asset · v{j.version}</Link></td>}
              <td className="tabular">{j.frames.start}–{j.frames.end} <span className={r.muted}>({j.chunks.length} chunk{j.chunks.length === 1 ? '' : 's'})</span></td>
              <td><RenderStatus status={j.status} /></td>
              <td className={r.progressCell}><ProgressBar label={`Progress of render ${j.id.slice(-6)}`} value={j.progress} tone={j.status === 'FAILED' ? 'failed' : j.status === 'COMPLETED' ? 'approved' : 'progress'} /></td>
              <td>{names(j.requestedBy)}</td>
              <td className="tabular">{new Date(j.queuedAt).toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {jobs.hasNextPage && <Button onClick={() => void jobs.fetchNextPage()} disabled={jobs.isFetchingNextPage}>{jobs.isFetchingNextPage ? 'Loading…' : 'Older jobs'}</Button>}
    </>
  );
}
