// "New asset": the project it belongs to (picked, or fixed on a project's Assets tab), its name, type and
// description; the new asset opens once made.
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { api, unwrap } from '../api/client';
import { applyAssetEvent, type AssetType } from '../assets/useAssetPages';
import { keys } from '../api/keys';
import { Select, TextField } from '../ui';
import { useProjects } from '../production/data';
import { FormDialog, useSetupForm } from './forms';

export const ASSET_TYPES: AssetType[] = ['CHARACTER', 'PROP', 'ENVIRONMENT', 'SET', 'SHOT', 'ANIMATION', 'RIG', 'TEXTURE', 'AUDIO', 'OTHER'];
const words = (v: string) => v.replaceAll('_', ' ').toLowerCase();
const LABELS = { projectId: 'Project', name: 'Name', type: 'Type', description: 'Description' };

export function NewAssetDialog({ open, onClose, projectId }: { open: boolean; onClose: () => void; projectId?: string }) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const projects = useProjects();
  const active = (projects.data ?? []).filter((p) => p.status === 'ACTIVE' || p.id === projectId);
  // A studio whose default project was never made lists none: the API files the asset there when none is named.
  const listedDefault = active.find((p) => p.isDefault);
  const options = [...(listedDefault ? [] : [{ value: '', label: 'The studio\'s default project' }]), ...active.map((p) => ({ value: p.id, label: `${p.name} (${p.code})` }))];
  const initial = projectId ?? listedDefault?.id ?? '';
  const form = useSetupForm(LABELS, ['name'], async (v) => {
    const asset = unwrap(await api.POST('/assets', { body: { ...(v.projectId ? { projectId: v.projectId } : {}), name: v.name!.trim(), type: (v.type ?? 'PROP') as AssetType, ...(v.description?.trim() ? { description: v.description.trim() } : {}) } }));
    applyAssetEvent(client, asset, 'created');
    if (v.projectId) void client.invalidateQueries({ queryKey: keys.grids.infinite(v.projectId, 'ASSET') });
    onClose();
    navigate(`/assets/${asset.id}`);
  });
  return (
    <FormDialog open={open} title="New asset" onClose={onClose} form={form} submit="Create asset" busyLabel="Creating…" disabled={!projectId && projects.isPending}>
      {projectId
        ? <input type="hidden" name="projectId" value={projectId} />
        : <Select key={initial} label="Project" name="projectId" defaultValue={initial} aria-busy={projects.isPending}
            options={projects.isPending ? [{ value: '', label: 'Loading projects…' }] : options} />}
      <TextField label="Name" name="name" required autoFocus error={form.fields.name} />
      <Select label="Type" name="type" defaultValue="PROP" options={ASSET_TYPES.map((t) => ({ value: t, label: words(t) }))} />
      <TextField label="Description (optional)" name="description" error={form.fields.description} />
    </FormDialog>
  );
}
