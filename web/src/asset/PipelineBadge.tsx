// A version's pipeline state (UPLOADED → VALIDATING → PROCESSING_PREVIEW → RENDER_QUEUED → READY | FAILED),
// kept live by pipeline:update (realtime/liveCache.ts refetches it), with the failure's message.
import { usePipeline } from '../api/queries';
import a from './asset.module.css';

const tone: Record<string, string | undefined> = { READY: a.ready, FAILED: a.failed };

export function PipelineBadge({ assetId, version }: { assetId: string; version: number }) {
  const q = usePipeline(assetId, version);
  if (q.isPending) return <span className={a.muted}>…</span>;
  if (q.error) return <span className={a.muted}>unknown</span>;
  if (!q.data) return <span className={a.muted}>not processed</span>;
  const p = q.data;
  return (
    <span className={a.pipeline}>
      <span className={[a.pill, tone[p.status] ?? a.working].join(' ')} data-testid={`pipeline-v${version}`}>{p.status.replaceAll('_', ' ').toLowerCase()}</span>
      {p.error && <span className={a.pipelineError}>{p.error.message}</span>}
    </span>
  );
}
