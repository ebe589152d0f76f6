// "Waiting for review": the versions submitted for tasks that wait for a decision, oldest first, for those who
// decide (DIRECTORs, PRODUCERs). Each row opens the review page on that version; live as tasks move.
import { Link } from 'react-router';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { ApiError } from '../api/errors';
import { keys } from '../api/keys';
import { useSocketEvent } from '../realtime/SocketContext';
import { Button, EmptyState, ErrorState, Skeleton } from '../ui';
import { waited, when } from './when';
import s from './inbox.module.css';

export function ReviewQueuePage() {
  const client = useQueryClient();
  const queue = useInfiniteQuery({
    queryKey: keys.reviewQueue.infinite(),
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) => unwrap(await api.GET('/review-queue', { params: { query: { limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.page.nextCursor ?? undefined,
    // What waits changes while the page is away (decisions on the review page, others' submissions): read it again on every visit.
    staleTime: 0,
  });
  // A submission joins the queue, a decision takes it out: any task move may change it.
  useSocketEvent('task:updated', () => void client.invalidateQueries({ queryKey: keys.reviewQueue.infinite() }));
  const rows = queue.data?.pages.flatMap((p) => p.data) ?? [];

  return (
    <div className={s.page}>
      <h1>Waiting for review</h1>
      <p className={s.muted} style={{ margin: 0 }}>Versions submitted for a task and not yet decided, the longest waiting first.</p>
      {queue.isPending ? (
        <div aria-busy="true"><Skeleton width="80%" /><br /><Skeleton width="70%" /></div>
      ) : queue.error ? (
        <ErrorState error={queue.error as ApiError} onRetry={() => void queue.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState title="Nothing is waiting for review">
          <p>When an artist submits a version for a task, it lands here and you are notified.</p>
        </EmptyState>
      ) : (
        <ol className={s.queue} aria-label="Versions waiting for review">
          {rows.map((r) => {
            const href = `/assets/${r.assetId}/versions/${r.version}`;
            return (
              <li key={r.task.id} className={s.queueRow} data-testid="waiting-review">
                <span className={s.cell}>
                  <span className={s.cellLabel}>{r.entity.type === 'SHOT' ? 'Shot' : 'Asset'}</span>
                  <Link to={href}>{r.entity.label} · v{r.version}</Link>
                  {r.latestVersion !== null && r.latestVersion > r.version && <span className={s.stale}>v{r.latestVersion} has been uploaded since</span>}
                </span>
                <span className={s.cell}><span className={s.cellLabel}>Task</span><Link to={`/tasks/${r.task.id}`} style={{ fontWeight: 400 }}>{r.task.name}</Link></span>
                <span className={s.cell}><span className={s.cellLabel}>Project</span>{r.project?.name ?? 'Unknown project'}</span>
                <span className={s.cell}><span className={s.cellLabel}>Artist</span>{r.submittedBy?.name ?? 'A former member'}</span>
                <span className={s.cell}>
                  <span className={s.cellLabel}>Waiting since</span>
                  <time dateTime={r.submittedAt} className={s.tabular}>{when(r.submittedAt)}</time>
                  <span className={s.cellLabel}>{waited(r.submittedAt)}</span>
                </span>
              </li>
            );
          })}
        </ol>
      )}
      {queue.hasNextPage && <Button onClick={() => void queue.fetchNextPage()} disabled={queue.isFetchingNextPage}>{queue.isFetchingNextPage ? 'Loading…' : 'Show more'}</Button>}
    </div>
  );
}
