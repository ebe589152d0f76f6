// A first asset page: what the asset is. Another studio's asset answers 404 and looks exactly like a missing one.
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../api/client';
import { ApiError } from '../api/errors';
import { Badge, EmptyState, ErrorState, Skeleton } from '../ui';
import s from './pages.module.css';

export function AssetDetail() {
  const { id = '' } = useParams();
  const q = useQuery({
    queryKey: ['asset', id],
    queryFn: async () => unwrap(await api.GET('/assets/{id}', { params: { path: { id } } })),
    retry: (n, err) => !(err instanceof ApiError && err.status < 500) && n < 2,
  });
  if (q.isPending) return <div className={s.detail}><Skeleton width="30%" /><Skeleton width="50%" /></div>;
  if (q.error instanceof ApiError && (q.error.status === 404 || q.error.status === 400)) {
    return <EmptyState title="Asset not found"><p>It does not exist or is not in your studio.</p><Link to="/assets">Back to assets</Link></EmptyState>;
  }
  if (q.error) return <div className={s.pad}><ErrorState error={q.error} onRetry={() => void q.refetch()} /></div>;
  const a = q.data;
  return (
    <section className={s.detail}>
      <Link to="/assets">← Assets</Link>
      <h1>{a.name}</h1>
      <dl>
        <dt>Type</dt><dd>{a.type.toLowerCase()}</dd>
        <dt>Status</dt><dd><Badge status={a.status} /></dd>
        <dt>Current version</dt><dd className="tabular">{a.currentVersion ? `v${a.currentVersion}` : 'none yet'}</dd>
        <dt>Description</dt><dd>{a.description || '—'}</dd>
        <dt>Tags</dt><dd>{a.tags.length ? a.tags.join(', ') : '—'}</dd>
      </dl>
    </section>
  );
}
