// The studio's task types (Layout, Animation, Lighting…) and task statuses (their codes, colours, which
// count as done), created and edited by a producer; everyone else reads them here.
import { useState } from 'react';
import { api, unwrap } from '../api/client';
import { Button, EmptyState, ErrorState, Select, Skeleton, TextField } from '../ui';
import { useStatuses, useTaskTypes } from '../production/data';
import { useRefresh, type S } from './data';
import { FormDialog, num, useSetupForm } from './forms';
import { useSetupRole } from './roles';
import s from './setup.module.css';

const FOR = [{ value: 'BOTH', label: 'shots and assets' }, { value: 'SHOT', label: 'shots' }, { value: 'ASSET', label: 'assets' }];
const TYPE_LABELS = { name: 'Name', color: 'Colour', order: 'Order', for: 'Used for' };
const STATUS_LABELS = { code: 'Code', name: 'Name', color: 'Colour', order: 'Order', isDone: 'Counts as done' };

export function TrackingSettingsPage() {
  const { producer } = useSetupRole();
  const types = useTaskTypes();
  const statuses = useStatuses();
  const [type, setType] = useState<S['TaskType'] | 'new' | null>(null);
  const [status, setStatus] = useState<S['TaskStatus'] | 'new' | null>(null);
  return (
    <div className={s.page}>
      <div className={s.toolbar}><h1>Task types and statuses</h1></div>
      {!producer && <p className={s.muted}>A producer creates and changes these; they apply to every project of the studio.</p>}
      <section className={s.section} aria-labelledby="types-heading">
        <div className={s.toolbar}><h2 id="types-heading">Task types</h2><span className={s.spacer} />{producer && <Button onClick={() => setType('new')}>New task type</Button>}</div>
        {types.isPending ? <div aria-busy="true"><Skeleton width="50%" /></div>
          : types.error ? <ErrorState error={types.error} onRetry={() => void types.refetch()} />
          : !types.data.length ? <EmptyState title="No task types yet">{producer ? 'Create the steps your shots and assets go through (Layout, Animation, Lighting…).' : 'A producer creates them.'}</EmptyState>
          : (
            <div className={s.tableWrap}>
              <table className={s.table} aria-labelledby="types-heading">
                <thead><tr><th scope="col">Name</th><th scope="col">Used for</th><th scope="col">Order</th>{producer && <th scope="col"><span className="visually-hidden">Actions</span></th>}</tr></thead>
                <tbody>{types.data.map((t) => (
                  <tr key={t.id}>
                    <td><span className={s.swatch} style={{ background: t.color }} aria-hidden="true" />{t.name}</td>
                    <td>{FOR.find((f) => f.value === t.for)?.label}</td><td className="tabular">{t.order}</td>
                    {producer && <td><Button variant="ghost" aria-label={`Edit task type ${t.name}`} onClick={() => setType(t)}>Edit</Button></td>}
                  </tr>
                ))}</tbody>
              </table>
            </div>
          )}
      </section>
      <section className={s.section} aria-labelledby="statuses-heading">
        <div className={s.toolbar}><h2 id="statuses-heading">Task statuses</h2><span className={s.spacer} />{producer && <Button onClick={() => setStatus('new')}>New status</Button>}</div>
        {statuses.isPending ? <div aria-busy="true"><Skeleton width="50%" /></div>
          : statuses.error ? <ErrorState error={statuses.error} onRetry={() => void statuses.refetch()} />
          : (
            <div className={s.tableWrap}>
              <table className={s.table} aria-labelledby="statuses-heading">
                <thead><tr><th scope="col">Name</th><th scope="col">Code</th><th scope="col">Done</th><th scope="col">Order</th>{producer && <th scope="col"><span className="visually-hidden">Actions</span></th>}</tr></thead>
                <tbody>{statuses.data.map((st) => (
                  <tr key={st.id}>
                    <td><span className={s.swatch} style={{ background: st.color }} aria-hidden="true" />{st.name}{st.system && <span className={s.muted}> · built in</span>}</td>
                    <td className="tabular">{st.code}</td><td>{st.isDone ? 'yes' : 'no'}</td><td className="tabular">{st.order}</td>
                    {producer && <td><Button variant="ghost" aria-label={`Edit status ${st.name}`} onClick={() => setStatus(st)}>Edit</Button></td>}
                  </tr>
                ))}</tbody>
              </table>
            </div>
          )}
      </section>
      <TaskTypeDialog key={type === 'new' ? 'new' : type?.id ?? 'none'} type={type && type !== 'new' ? type : undefined} open={type !== null} onClose={() => setType(null)} />
      <StatusDialog key={status === 'new' ? 'new' : status?.id ?? 'none'} status={status && status !== 'new' ? status : undefined} open={status !== null} onClose={() => setStatus(null)} />
    </div>
  );
}

function TaskTypeDialog({ type, open, onClose }: { type?: S['TaskType']; open: boolean; onClose: () => void }) {
  const refresh = useRefresh();
  const form = useSetupForm(TYPE_LABELS, ['name'], async (v) => {
    const body = { name: v.name!.trim(), color: v.color ?? '#58a6ff', for: (v.for ?? 'BOTH') as S['TaskType']['for'], ...(num(v.order) !== undefined ? { order: num(v.order) } : {}) };
    if (type) unwrap(await api.PATCH('/task-types/{id}', { params: { path: { id: type.id } }, body }));
    else unwrap(await api.POST('/task-types', { body }));
    await refresh.taskConfig();
    onClose();
  });
  return (
    <FormDialog open={open} title={type ? `Edit task type ${type.name}` : 'New task type'} onClose={onClose} form={form} submit={type ? 'Save task type' : 'Create task type'}>
      <TextField label="Name" name="name" required autoFocus defaultValue={type?.name} placeholder="e.g. Animation" error={form.fields.name} />
      <div className={s.row}>
        <TextField label="Colour" name="color" type="color" defaultValue={type?.color ?? '#58a6ff'} error={form.fields.color} />
        <Select label="Used for" name="for" defaultValue={type?.for ?? 'BOTH'} options={FOR} />
        <TextField label="Order (optional)" name="order" inputMode="numeric" defaultValue={type?.order} error={form.fields.order} />
      </div>
    </FormDialog>
  );
}

function StatusDialog({ status, open, onClose }: { status?: S['TaskStatus']; open: boolean; onClose: () => void }) {
  const refresh = useRefresh();
  const form = useSetupForm(STATUS_LABELS, status ? ['name'] : ['code', 'name'], async (v) => {
    const fields = { name: v.name!.trim(), color: v.color ?? '#9aa1b2', isDone: v.isDone === 'on', ...(num(v.order) !== undefined ? { order: num(v.order) } : {}) };
    if (status) unwrap(await api.PATCH('/task-statuses/{id}', { params: { path: { id: status.id } }, body: fields }));
    else unwrap(await api.POST('/task-statuses', { body: { code: v.code!.trim(), ...fields } }));
    await refresh.taskConfig();
    onClose();
  });
  return (
    <FormDialog open={open} title={status ? `Edit status ${status.name}` : 'New status'} onClose={onClose} form={form} submit={status ? 'Save status' : 'Create status'}>
      {!status && <TextField label="Code" name="code" required autoFocus placeholder="e.g. HOLD" error={form.fields.code} />}
      <TextField label="Name" name="name" required defaultValue={status?.name} placeholder="e.g. On hold" error={form.fields.name} />
      <div className={s.row}>
        <TextField label="Colour" name="color" type="color" defaultValue={status?.color ?? '#9aa1b2'} error={form.fields.color} />
        <TextField label="Order (optional)" name="order" inputMode="numeric" defaultValue={status?.order} error={form.fields.order} />
      </div>
      <label className={s.check}><input type="checkbox" name="isDone" defaultChecked={status?.isDone} /> Counts as done (the task leaves people&apos;s open work)</label>
    </FormDialog>
  );
}
