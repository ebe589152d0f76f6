// One render job (/renders/:jobId): progress per chunk live from render:progress (the asset's room), cancel
// and retry, each failed chunk's error, and the preview playing once the job is done.
import { useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import { ApiError } from '../api/errors';
import { useAssetRoom, useSocketEvent } from '../realtime/SocketContext';
import type { RenderProgress } from '../realtime/liveCache';
import { Button, EmptyState, ErrorState, Skeleton } from '../ui';
import { ProgressBar } from '../ui/ProgressBar';
import { fetchBlob } from '../media/useBlobUrl';
import { useAsset, useMemberNames } from '../api/queries';
import { RenderStatus } from './RenderStatus';
import type { RenderJob } from './RenderJobsTable';
import r from './renders.module.css';

const running = (j: RenderJob) => j.status === 'QUEUED' || j.status === 'PROCESSING';

export function RenderJobPage() {
  const { jobId = '' } = useParams();
  const client = useQueryClient();
  const names = useMemberNames();
  const job = useQuery({
    queryKey: keys.renders.detail(jobId),
    queryFn: async () => unwrap(await api.GET('/render-jobs/{id}', { params: { path: { id: jobId } } })),
    // Events carry progress; a slow look now and then catches chunk state changes they do not carry.
    refetchInterval: (q) => (q.state.data && running(q.state.data) ? 4000 : false),
  });
  useAssetRoom(job.data?.assetId);
  const asset = useAsset(job.data?.assetId ?? '', Boolean(job.data?.assetId));
  const lastFetch = useRef(0);
  useSocketEvent<RenderProgress>('render:progress', (p) => {
    if (p.jobId !== jobId) return;
    client.setQueryData(keys.renders.detail(jobId), (old) => {
      if (!old) return old;
      // The event's progress is the job's: chunk c's own share is what lies beyond c full chunks.
      const n = old.chunks.length;
      const own = Math.max(0, Math.min(100, Math.round(p.progress * n - p.chunk * 100)));
      return {
        ...old,
        status: old.status === 'QUEUED' ? 'PROCESSING' : old.status,
        progress: Math.max(old.progress, Math.min(p.progress, 99)),
        chunks: old.chunks.map((c) => (c.index === p.chunk && c.status !== 'COMPLETED' ? { ...c, status: 'PROCESSING' as const, progress: Math.max(c.progress, own) } : c)),
      };
    });
    if (Date.now() - lastFetch.current > 1500) {
      lastFetch.current = Date.now();
      void client.invalidateQueries({ queryKey: keys.renders.detail(jobId) });
    }
  });
  const [actionError, setActionError] = useState<Error | null>(null);
  const act = async (what: 'cancel' | 'retry') => {
    setActionError(null);
    try {
      const next = what === 'cancel'
        ? unwrap(await api.POST('/render-jobs/{id}/cancel', { params: { path: { id: jobId } } }))
        : unwrap(await api.POST('/render-jobs/{id}/retry', { params: { path: { id: jobId } } }));
      client.setQueryData(keys.renders.detail(jobId), next);
      void client.invalidateQueries({ queryKey: keys.renders.all() });
    } catch (err) {
      setActionError(err as Error);
    }
  };

  if (job.isPending) return <div className={r.page} aria-busy="true"><Skeleton width="30%" /><Skeleton width="60%" /><Skeleton /></div>;
  if (job.error instanceof ApiError && (job.error.status === 404 || job.error.status === 400)) {
    return <EmptyState title="Render job not found"><p>It does not exist or is not in your studio.</p><Link to="/renders">All render jobs</Link></EmptyState>;
  }
  if (job.error) return <div className={r.page}><ErrorState error={job.error} onRetry={() => void job.refetch()} /></div>;
  const j = job.data;
  const failedChunks = j.chunks.filter((c) => c.error);
  return (
    <div className={r.page}>
      <nav aria-label="Breadcrumb"><Link to="/renders">← Render jobs</Link> · <Link to={`/assets/${j.assetId}`}>{asset.data?.name ?? 'Asset'}</Link></nav>
      <div className={r.head}>
        <h1>Render #{j.id.slice(-6)} · v{j.version}</h1>
        <RenderStatus status={j.status} />
        <span className={r.spacer} />
        {running(j) && <Button onClick={() => void act('cancel')}>Cancel render</Button>}
        {(j.status === 'FAILED' || j.status === 'CANCELLED') && <Button variant="primary" onClick={() => void act('retry')}>Retry render</Button>}
      </div>
      {actionError && <ErrorState error={actionError} />}
      <ProgressBar label="Render progress" value={j.progress} text={`${j.progress}% · ${j.chunks.filter((c) => c.status === 'COMPLETED').length} of ${j.chunks.length} chunks done`} tone={j.status === 'FAILED' ? 'failed' : j.status === 'COMPLETED' ? 'approved' : 'progress'} />
      {j.error && <div role="alert" className={r.chunkError}>{j.error.message} ({j.error.code})</div>}
      <dl className={r.facts}>
        <div><dt>Frames</dt><dd className="tabular">{j.frames.start}–{j.frames.end}</dd></div>
        <div><dt>Frames per chunk</dt><dd className="tabular">{j.chunkSize}</dd></div>
        <div><dt>Engine</dt><dd>{j.engine}</dd></div>
        <div><dt>Priority (farm lane)</dt><dd className="tabular">{j.priority}</dd></div>
        <div><dt>Requested by</dt><dd>{names(j.requestedBy)}</dd></div>
        <div><dt>Queued</dt><dd className="tabular">{new Date(j.queuedAt).toLocaleString()}</dd></div>
        <div><dt>Finished</dt><dd className="tabular">{j.finishedAt ? new Date(j.finishedAt).toLocaleString() : '—'}</dd></div>
        <div><dt>Run</dt><dd className="tabular">{j.attempts}</dd></div>
      </dl>
      <section className={r.section} aria-labelledby="chunks-h">
        <h2 id="chunks-h">Chunks</h2>
        <ul className={r.chunks}>
          {j.chunks.map((c) => (
            <li key={c.index} className={r.chunk}>
              <div className={r.chunkHead}>
                <span className="tabular">Chunk {c.index + 1} · frames {c.start}–{c.end}</span>
                <RenderStatus status={c.status} />
              </div>
              <ProgressBar label={`Chunk ${c.index + 1} progress`} value={c.status === 'COMPLETED' ? 100 : c.progress} text={`attempt ${c.attempts}`} tone={c.status === 'FAILED' ? 'failed' : c.status === 'COMPLETED' ? 'approved' : 'progress'} />
              {c.error && <p className={r.chunkError} role="alert">Chunk {c.index + 1} failed: {c.error.message} ({c.error.code})</p>}
            </li>
          ))}
        </ul>
        {failedChunks.length === 0 && j.status === 'FAILED' && !j.error && <p className={r.muted}>The job failed before its chunks ran.</p>}
      </section>
      <section className={r.section} aria-labelledby="preview-h">
        <h2 id="preview-h">Preview</h2>
        {j.status === 'COMPLETED' && j.outputs.preview
          ? <Preview jobId={j.id} />
          : <p className={r.muted}>{j.status === 'COMPLETED' ? 'This render has no preview.' : running(j) ? 'The preview plays here when every chunk is done.' : 'No preview: the render did not finish.'}</p>}
      </section>
    </div>
  );
}

function Preview({ jobId }: { jobId: string }) {
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    let made: string | null = null;
    const ctl = new AbortController();
    fetchBlob(`/render-jobs/${jobId}/preview`, ctl.signal).then((b) => { made = URL.createObjectURL(b); setUrl(made); }, (e: Error) => { if (!ctl.signal.aborted) setError(e); });
    return () => { ctl.abort(); if (made) URL.revokeObjectURL(made); };
  }, [jobId]);
  if (error) return <ErrorState error={error} />;
  if (!url) return <Skeleton width="60%" />;
  return <video className={r.preview} src={url} controls autoPlay muted loop playsInline aria-label="Render preview" data-testid="render-preview" />;
}
