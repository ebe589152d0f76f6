import r from './renders.module.css';

const tone: Record<string, string | undefined> = { COMPLETED: r.completed, FAILED: r.failed, PROCESSING: r.processing, QUEUED: r.queued, CANCELLED: r.cancelled };

export function RenderStatus({ status }: { status: string }) {
  return <span className={[r.pill, tone[status]].join(' ')}>{status.toLowerCase()}</span>;
}
