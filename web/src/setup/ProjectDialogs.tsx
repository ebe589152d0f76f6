// The show's structure from the browser: a new project, a project's sequences and shots (created and
// edited), and the buttons a project's tabs show for them.
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, unwrap } from '../api/client';
import { Button, Select, TextField } from '../ui';
import { useSequences } from '../production/data';
import { useRefresh, type S } from './data';
import { FormDialog, num, useSetupForm } from './forms';
import { NewAssetDialog } from './NewAssetDialog';
import { useSetupRole } from './roles';
import s from './setup.module.css';

/** Frame rates a studio delivers at, as the API's rationals. */
export const RATES = [
  { value: '24000/1001', label: '23.976 fps' }, { value: '24/1', label: '24 fps' }, { value: '25/1', label: '25 fps' },
  { value: '30000/1001', label: '29.97 fps' }, { value: '30/1', label: '30 fps' }, { value: '48/1', label: '48 fps' },
  { value: '50/1', label: '50 fps' }, { value: '60000/1001', label: '59.94 fps' }, { value: '60/1', label: '60 fps' },
];
export const rateValue = (fps: { num: number; den: number }) => `${fps.num}/${fps.den}`;
export const rational = (v: string | undefined) => {
  const [n, d] = (v ?? '24/1').split('/').map(Number);
  return { num: n ?? 24, den: d ?? 1 };
};

const PROJECT_LABELS = { name: 'Name', code: 'Code', fps: 'Frame rate', resolution: 'Resolution', 'resolution.width': 'Width', 'resolution.height': 'Height', handles: 'Handles', status: 'Status' };

/** The project fields both the new-project dialog and the settings page edit. */
export function ProjectFields({ project, fields }: { project?: S['Project']; fields: Record<string, string> }) {
  return (
    <>
      <div className={s.row}>
        <TextField label="Width (px)" name="width" inputMode="numeric" defaultValue={project?.resolution.width ?? 1920} error={fields.resolution} />
        <TextField label="Height (px)" name="height" inputMode="numeric" defaultValue={project?.resolution.height ?? 1080} />
      </div>
      <div className={s.row}>
        <Select label="Frame rate" name="fps" defaultValue={project ? rateValue(project.fps) : '24/1'} options={RATES} />
        <TextField label="Handles (frames)" name="handles" inputMode="numeric" defaultValue={project?.handles ?? 8} error={fields.handles} />
      </div>
    </>
  );
}

export const projectBody = (v: Record<string, string>) => ({
  fps: rational(v.fps),
  resolution: { width: num(v.width) as number, height: num(v.height) as number },
  ...(num(v.handles) !== undefined ? { handles: num(v.handles) } : {}),
});

export function NewProjectButton() {
  const { producer } = useSetupRole();
  const [open, setOpen] = useState(false);
  const navigate = useNavigate();
  const refresh = useRefresh();
  const form = useSetupForm(PROJECT_LABELS, ['name', 'code', 'width', 'height'], async (v) => {
    const p = unwrap(await api.POST('/projects', { body: { name: v.name!.trim(), code: v.code!.trim(), ...projectBody(v) } }));
    await refresh.projects();
    setOpen(false);
    navigate(`/projects/${p.id}`);
  });
  if (!producer) return null;
  return (
    <>
      <Button variant="primary" onClick={() => setOpen(true)}>New project</Button>
      <FormDialog open={open} title="New project" onClose={() => setOpen(false)} form={form} submit="Create project" busyLabel="Creating…">
        <TextField label="Name" name="name" required autoFocus error={form.fields.name} />
        <TextField label="Code" name="code" required placeholder="e.g. RKT" error={form.fields.code} />
        <ProjectFields fields={form.fields} />
      </FormDialog>
    </>
  );
}

const SEQUENCE_LABELS = { code: 'Code', name: 'Name', description: 'Description', order: 'Order' };

/** A new sequence (no `sequence`) or an edit of one (its code is the cut's key and stays). */
export function SequenceDialog({ projectId, sequence, open, onClose }: { projectId: string; sequence?: S['Sequence']; open: boolean; onClose: () => void }) {
  const refresh = useRefresh();
  const form = useSetupForm(SEQUENCE_LABELS, sequence ? [] : ['code'], async (v) => {
    const fields = { name: v.name?.trim() ?? '', description: v.description ?? '', ...(num(v.order) !== undefined ? { order: num(v.order) } : {}) };
    if (sequence) unwrap(await api.PATCH('/sequences/{id}', { params: { path: { id: sequence.id } }, body: fields }));
    else unwrap(await api.POST('/projects/{id}/sequences', { params: { path: { id: projectId } }, body: { code: v.code!.trim(), ...fields } }));
    await refresh.sequences(projectId);
    onClose();
  });
  return (
    <FormDialog open={open} title={sequence ? `Edit sequence ${sequence.code}` : 'New sequence'} onClose={onClose} form={form} submit={sequence ? 'Save sequence' : 'Create sequence'}>
      {!sequence && <TextField label="Code" name="code" required autoFocus placeholder="e.g. SQ010" error={form.fields.code} />}
      <TextField label="Name (optional)" name="name" defaultValue={sequence?.name} error={form.fields.name} />
      <TextField label="Description (optional)" name="description" defaultValue={sequence?.description} error={form.fields.description} />
      <TextField label="Order (optional)" name="order" inputMode="numeric" defaultValue={sequence?.order} error={form.fields.order} />
    </FormDialog>
  );
}

const SHOT_LABELS = { sequenceId: 'Sequence', code: 'Code', frameIn: 'First frame', frameOut: 'Last frame', cutOrder: 'Cut order', handles: 'Handles', description: 'Description', status: 'Status', '(root)': '' };

/** A new shot in a picked sequence, or an edit of one: range 1001-based by default, cut order. */
export function ShotDialog({ projectId, shot, sequenceId, open, onClose }: { projectId: string; shot?: S['Shot']; sequenceId?: string; open: boolean; onClose: () => void }) {
  const refresh = useRefresh();
  const sequences = useSequences(projectId);
  const form = useSetupForm(SHOT_LABELS, shot ? ['frameIn', 'frameOut'] : ['sequenceId', 'code', 'frameIn', 'frameOut'], async (v) => {
    const fields = {
      frameIn: num(v.frameIn) as number, frameOut: num(v.frameOut) as number,
      ...(num(v.cutOrder) !== undefined ? { cutOrder: num(v.cutOrder) } : {}),
      description: v.description ?? '',
    };
    if (shot) unwrap(await api.PATCH('/shots/{id}', { params: { path: { id: shot.id } }, body: { ...fields, ...(v.status ? { status: v.status as S['Shot']['status'] } : {}) } }));
    else unwrap(await api.POST('/sequences/{id}/shots', { params: { path: { id: v.sequenceId! } }, body: { code: v.code!.trim(), ...fields } }));
    await refresh.shots(projectId, shot?.sequenceId ?? v.sequenceId!);
    onClose();
  });
  const list = sequences.data ?? [];
  return (
    <FormDialog open={open} title={shot ? `Edit shot ${shot.code}` : 'New shot'} onClose={onClose} form={form} submit={shot ? 'Save shot' : 'Create shot'}>
      {!shot && (
        list.length || sequences.isPending
          ? <Select key={list.length} label="Sequence" name="sequenceId" defaultValue={sequenceId ?? list[0]?.id} options={list.map((q) => ({ value: q.id, label: q.name ? `${q.code} · ${q.name}` : q.code }))} />
          : <p className={s.problem} role="alert">This project has no sequence yet: create one first with “New sequence”.</p>
      )}
      {!shot && <TextField label="Code" name="code" required autoFocus placeholder="e.g. SH0010" error={form.fields.code} />}
      <div className={s.row}>
        <TextField label="First frame" name="frameIn" inputMode="numeric" required defaultValue={shot?.frameIn ?? 1001} error={form.fields.frameIn} />
        <TextField label="Last frame" name="frameOut" inputMode="numeric" required defaultValue={shot?.frameOut ?? ''} error={form.fields.frameOut} />
        <TextField label="Cut order (optional)" name="cutOrder" inputMode="numeric" defaultValue={shot?.cutOrder} error={form.fields.cutOrder} />
      </div>
      {shot && <Select label="Status" name="status" defaultValue={shot.status} options={[{ value: 'ACTIVE', label: 'active' }, { value: 'OMITTED', label: 'omitted' }]} />}
      <TextField label="Description (optional)" name="description" defaultValue={shot?.description} error={form.fields.description} />
    </FormDialog>
  );
}

/** The create buttons of a project's Shots and Assets tabs, for the people who may use them. */
export function ProjectSetupActions({ projectId, kind }: { projectId: string; kind: 'SHOT' | 'ASSET' }) {
  const { lead } = useSetupRole();
  const [open, setOpen] = useState<'sequence' | 'shot' | 'asset' | null>(null);
  const close = () => setOpen(null);
  if (kind === 'ASSET') {
    return <><Button variant="primary" onClick={() => setOpen('asset')}>New asset</Button><NewAssetDialog open={open === 'asset'} onClose={close} projectId={projectId} /></>;
  }
  if (!lead) return null;
  return (
    <>
      <Button onClick={() => setOpen('sequence')}>New sequence</Button>
      <Button variant="primary" onClick={() => setOpen('shot')}>New shot</Button>
      <SequenceDialog projectId={projectId} open={open === 'sequence'} onClose={close} />
      <ShotDialog projectId={projectId} open={open === 'shot'} onClose={close} />
    </>
  );
}
