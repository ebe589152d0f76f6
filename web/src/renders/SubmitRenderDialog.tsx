// Submit a render of a .blend version: frame range and chunk size. The farm decides the priority itself
// (fair turns between studios, in submission order within one), so the form shows that rather than asking.
import { useNavigate } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import type { components } from '../api/schema';
import { Button, Dialog, ErrorState, TextField } from '../ui';
import { formValues, useSubmit } from '../pages/forms';
import r from './renders.module.css';

type Version = components['schemas']['AssetVersion'];
const int = (v: string | undefined) => (v === undefined || v.trim() === '' ? NaN : Number(v));

export function SubmitRenderDialog({ assetId, version, onClose }: { assetId: string; version: Version | null; onClose: () => void }) {
  const navigate = useNavigate();
  const client = useQueryClient();
  const { busy, error, fields, submit } = useSubmit(async (v: Record<string, string>) => {
    const start = int(v.start);
    const end = int(v.end);
    const chunkSize = int(v.chunkSize);
    const job = unwrap(await api.POST('/assets/{id}/render', {
      params: { path: { id: assetId } },
      body: { version: version!.version, frames: { start, end }, chunkSize },
    }));
    void client.invalidateQueries({ queryKey: keys.renders.all() });
    onClose();
    navigate(`/renders/${job.id}`);
  });
  return (
    <Dialog open={version !== null} title={`Render v${version?.version ?? ''}`} onClose={onClose}>
      <form className={r.form} noValidate onSubmit={(e) => { e.preventDefault(); void submit(formValues(e.currentTarget)); }}>
        <p className={r.muted}>{version?.file.originalName} is rendered with Blender on the farm, chunk by chunk; a preview video is made when all frames are done.</p>
        {error && <ErrorState error={error} />}
        <div className={r.fields}>
          <TextField label="First frame" name="start" type="number" inputMode="numeric" min={0} defaultValue={1} required error={fields.frames} />
          <TextField label="Last frame" name="end" type="number" inputMode="numeric" min={0} defaultValue={24} required />
        </div>
        <TextField label="Frames per chunk" name="chunkSize" type="number" inputMode="numeric" min={1} max={1000} defaultValue={8} required error={fields.chunkSize} />
        <p className={r.muted}>Priority: set by the farm. Renders run in fair turns between studios and in submission order within yours.</p>
        <div className={r.dialogActions}>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={busy}>{busy ? 'Submitting…' : 'Submit render'}</Button>
        </div>
      </form>
    </Dialog>
  );
}
