// The studio's render jobs (/renders), filtered by status, newest first.
import { useSearchParams } from 'react-router';
import { Select } from '../ui';
import { useMemberNames } from '../api/queries';
import { RenderJobsTable, type RenderJobStatus } from './RenderJobsTable';
import r from './renders.module.css';

const STATUSES: RenderJobStatus[] = ['QUEUED', 'PROCESSING', 'COMPLETED', 'FAILED', 'CANCELLED'];

export function RendersPage() {
  const [params, setParams] = useSearchParams();
  const status = (params.get('status') ?? '') as RenderJobStatus | '';
  const names = useMemberNames();
  return (
    <div className={r.page}>
      <div className={r.toolbar}>
        <h1>Render jobs</h1>
        <Select label="Status" value={status} onChange={(e) => { const next = new URLSearchParams(params); if (e.target.value) next.set('status', e.target.value); else next.delete('status'); setParams(next, { replace: true }); }}
          options={[{ value: '', label: 'All statuses' }, ...STATUSES.map((s) => ({ value: s, label: s.toLowerCase() }))]} />
      </div>
      <RenderJobsTable filters={status ? { status } : {}} names={names} empty="Renders start from a .blend version on its asset's page." />
    </div>
  );
}
