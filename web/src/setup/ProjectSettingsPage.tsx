// A project's set-up: its name, rate, resolution, handles and status; its sequences and each sequence's
// shots (code, range, cut order), each created and edited here.
import { useState } from 'react';
import { useParams } from 'react-router';
import { api, unwrap } from '../api/client';
import type { ApiError } from '../api/errors';
import { Button, EmptyState, ErrorState, Select, Skeleton, TextField } from '../ui';
import { useProject, useSequences } from '../production/data';
import { ProjectTabs, ProjectUnavailable } from '../production/ProjectPage';
import { useRefresh, useShots, type S } from './data';
import { FormProblem, formValues, useSetupForm } from './forms';
import { ProjectFields, projectBody, SequenceDialog, ShotDialog } from './ProjectDialogs';
import { useSetupRole } from './roles';
import s from './setup.module.css';

const LABELS = { name: 'Name', fps: 'Frame rate', resolution: 'Resolution', handles: 'Handles', status: 'Status' };

export function ProjectSettingsPage() {
  const { projectId = '' } = useParams();
  const project = useProject(projectId);
  if (project.error) return <ProjectUnavailable error={project.error as ApiError} onRetry={() => void project.refetch()} className={s.page} />;
  return (
    <div className={s.page}>
      <div className={s.toolbar}><h1>{project.data ? `${project.data.name} · settings` : <Skeleton width="200px" />}</h1></div>
      <ProjectTabs projectId={projectId} />
      {project.data ? <ProjectForm key={project.data.id} project={project.data} /> : <div aria-busy="true"><Skeleton width="60%" /><Skeleton width="40%" /></div>}
      <Sequences projectId={projectId} />
    </div>
  );
}

function ProjectForm({ project }: { project: S['Project'] }) {
  const { producer } = useSetupRole();
  const refresh = useRefresh();
  const [saved, setSaved] = useState(false);
  const form = useSetupForm(LABELS, ['name', 'width', 'height'], async (v) => {
    setSaved(false);
    unwrap(await api.PATCH('/projects/{id}', { params: { path: { id: project.id } }, body: { name: v.name!.trim(), status: v.status as S['Project']['status'], ...projectBody(v) } }));
    await refresh.projects(project.id);
    setSaved(true);
  });
  return (
    <section className={s.section} aria-labelledby="project-heading">
      <h2 id="project-heading">Project</h2>
      <form className={s.form} noValidate onSubmit={(e) => { e.preventDefault(); void form.submit(formValues(e.currentTarget)); }}>
        <FormProblem state={form} />
        <fieldset disabled={!producer} style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }} className={s.form}>
          <div className={s.row}>
            <TextField label="Name" name="name" required defaultValue={project.name} error={form.fields.name} />
            <TextField label="Code" name="code-shown" value={project.code} readOnly />
            <Select label="Status" name="status" defaultValue={project.status} options={[{ value: 'ACTIVE', label: 'active' }, { value: 'CLOSED', label: 'closed' }]} />
          </div>
          <ProjectFields project={project} fields={form.fields} />
        </fieldset>
        {producer
          ? <div className={s.actions}>{saved && <span role="status" className={s.muted}>Saved.</span>}<Button type="submit" variant="primary" disabled={form.busy}>{form.busy ? 'Saving…' : 'Save project'}</Button></div>
          : <p className={s.muted}>A producer changes a project&apos;s settings.</p>}
      </form>
    </section>
  );
}

function Sequences({ projectId }: { projectId: string }) {
  const { lead } = useSetupRole();
  const sequences = useSequences(projectId);
  const [editing, setEditing] = useState<S['Sequence'] | 'new' | null>(null);
  const [picked, setPicked] = useState<string>('');
  const list = sequences.data ?? [];
  const current = list.find((q) => q.id === picked) ?? list[0];
  return (
    <>
      <section className={s.section} aria-labelledby="sequences-heading">
        <div className={s.toolbar}>
          <h2 id="sequences-heading">Sequences</h2><span className={s.spacer} />
          {lead && <Button onClick={() => setEditing('new')}>New sequence</Button>}
        </div>
        {sequences.isPending ? <div aria-busy="true"><Skeleton width="50%" /></div>
          : sequences.error ? <ErrorState error={sequences.error} onRetry={() => void sequences.refetch()} />
          : !list.length ? <EmptyState title="No sequences yet">{lead ? 'Create the first with “New sequence”, then add its shots.' : 'A director or producer creates them.'}</EmptyState>
          : (
            <div className={s.tableWrap}>
              <table className={s.table} aria-labelledby="sequences-heading">
                <thead><tr><th scope="col">Code</th><th scope="col">Name</th><th scope="col">Order</th>{lead && <th scope="col"><span className="visually-hidden">Actions</span></th>}</tr></thead>
                <tbody>
                  {list.map((q) => (
                    <tr key={q.id}>
                      <td className="tabular">{q.code}</td><td>{q.name || <span className={s.muted}>—</span>}</td><td className="tabular">{q.order}</td>
                      {lead && <td><Button variant="ghost" aria-label={`Edit sequence ${q.code}`} onClick={() => setEditing(q)}>Edit</Button></td>}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
      </section>
      <SequenceDialog key={editing === 'new' ? 'new' : editing?.id ?? 'none'} projectId={projectId} sequence={editing && editing !== 'new' ? editing : undefined} open={editing !== null} onClose={() => setEditing(null)} />
      {current && <Shots projectId={projectId} sequences={list} sequence={current} onPick={setPicked} />}
    </>
  );
}

function Shots({ projectId, sequences, sequence, onPick }: { projectId: string; sequences: S['Sequence'][]; sequence: S['Sequence']; onPick: (id: string) => void }) {
  const { lead } = useSetupRole();
  const shots = useShots(sequence.id);
  const [editing, setEditing] = useState<S['Shot'] | 'new' | null>(null);
  return (
    <section className={s.section} aria-labelledby="shots-heading">
      <div className={s.toolbar}>
        <h2 id="shots-heading">Shots of {sequence.code}</h2>
        <Select label="Sequence" value={sequence.id} onChange={(e) => onPick(e.target.value)} options={sequences.map((q) => ({ value: q.id, label: q.code }))} />
        <span className={s.spacer} />
        {lead && <Button onClick={() => setEditing('new')}>New shot</Button>}
      </div>
      {shots.isPending ? <div aria-busy="true"><Skeleton width="50%" /></div>
        : shots.error ? <ErrorState error={shots.error} onRetry={() => void shots.refetch()} />
        : !shots.data.length ? <EmptyState title={`No shots in ${sequence.code} yet`}>{lead ? 'Add them with “New shot”, or import the cut.' : 'A director or producer adds them.'}</EmptyState>
        : (
          <div className={s.tableWrap}>
            <table className={s.table} aria-labelledby="shots-heading">
              <thead><tr><th scope="col">Code</th><th scope="col">Frames</th><th scope="col">Length</th><th scope="col">Cut order</th><th scope="col">Status</th>{lead && <th scope="col"><span className="visually-hidden">Actions</span></th>}</tr></thead>
              <tbody>
                {shots.data.map((sh) => (
                  <tr key={sh.id}>
                    <td className="tabular">{sh.code}</td><td className="tabular">{sh.frameIn}–{sh.frameOut}</td><td className="tabular">{sh.frames}</td>
                    <td className="tabular">{sh.cutOrder}</td><td>{sh.status.toLowerCase()}</td>
                    {lead && <td><Button variant="ghost" aria-label={`Edit shot ${sh.code}`} onClick={() => setEditing(sh)}>Edit</Button></td>}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      <ShotDialog key={editing === 'new' ? 'new' : editing?.id ?? 'none'} projectId={projectId} sequenceId={sequence.id} shot={editing && editing !== 'new' ? editing : undefined} open={editing !== null} onClose={() => setEditing(null)} />
    </section>
  );
}
