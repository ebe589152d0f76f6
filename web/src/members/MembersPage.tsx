// Members (/members, PRODUCER): the studio's people with their roles, invitations by mail, role changes and
// deactivation, under the API's rules (a studio keeps at least one active PRODUCER: its refusal is shown).
import { useState } from 'react';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import type { components } from '../api/schema';
import { useSessionState } from '../auth/AuthContext';
import { Button, EmptyState, ErrorState, Select, Skeleton, TextField } from '../ui';
import { formValues, useSubmit } from '../pages/forms';
import m from './members.module.css';

type User = components['schemas']['User'];
type Role = User['role'];
const ROLES: Role[] = ['ARTIST', 'DIRECTOR', 'PRODUCER'];
const roleOptions = ROLES.map((r) => ({ value: r, label: r.toLowerCase() }));

export function MembersPage() {
  const state = useSessionState();
  const me = state.status === 'signed-in' ? state.user : null;
  if (me && me.role !== 'PRODUCER') {
    return <EmptyState title="Members are managed by producers"><p>Ask a producer of your studio to invite people or change roles.</p></EmptyState>;
  }
  return (
    <div className={m.page}>
      <h1>Members</h1>
      <p className={m.muted}>Invite people by mail, change their roles, deactivate those who left. A studio always keeps at least one active producer.</p>
      <InviteForm />
      <MemberList meId={me?.id ?? ''} />
      <Invitations />
    </div>
  );
}

function InviteForm() {
  const client = useQueryClient();
  const [sent, setSent] = useState<string | null>(null);
  const { busy, error, fields, submit } = useSubmit(async (v: Record<string, string>) => {
    setSent(null);
    const inv = unwrap(await api.POST('/invitations', { body: { email: v.email ?? '', role: (v.role ?? 'ARTIST') as Role } }));
    setSent(inv.email);
    void client.invalidateQueries({ queryKey: keys.invitations.all() });
  });
  return (
    <section className={m.section} aria-labelledby="invite-h">
      <h2 id="invite-h">Invite someone</h2>
      <form className={m.invite} noValidate onSubmit={(e) => { e.preventDefault(); const form = e.currentTarget; void submit(formValues(form)).then(() => form.reset()); }}>
        <TextField label="Email" name="email" type="email" autoComplete="off" required error={fields.email} />
        <Select label="Role" name="role" defaultValue="ARTIST" options={roleOptions} />
        <Button type="submit" variant="primary" disabled={busy}>{busy ? 'Sending…' : 'Send invitation'}</Button>
      </form>
      {error && !Object.keys(fields).length && <ErrorState error={error} />}
      {sent && <p role="status" className={m.ok}>Invitation mailed to {sent}. The link in it lets them join.</p>}
    </section>
  );
}

function MemberList({ meId }: { meId: string }) {
  const client = useQueryClient();
  const users = useInfiniteQuery({
    queryKey: keys.users.infinite(),
    queryFn: async ({ pageParam }) => unwrap(await api.GET('/users', { params: { query: { limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => (last.page.hasMore && last.page.nextCursor ? last.page.nextCursor : undefined),
  });
  const [error, setError] = useState<{ userId: string; error: Error } | null>(null);
  const change = async (u: User, body: { role?: Role; active?: boolean }) => {
    setError(null);
    try {
      unwrap(await api.PATCH('/users/{id}', { params: { path: { id: u.id } }, body }));
      // Every cached list of members (this table, the names and pickers of other pages).
      void client.invalidateQueries({ queryKey: keys.users.all() });
    } catch (err) {
      setError({ userId: u.id, error: err as Error });
      void client.invalidateQueries({ queryKey: keys.users.infinite() });
    }
  };
  const items = (users.data?.pages.flatMap((p) => p.data) ?? []).filter((u) => u.kind === 'PERSON');
  return (
    <section className={m.section} aria-labelledby="members-h">
      <h2 id="members-h">People</h2>
      {users.isPending && <div aria-busy="true"><Skeleton /><Skeleton /></div>}
      {users.error && <ErrorState error={users.error} onRetry={() => void users.refetch()} />}
      {users.isSuccess && items.length === 0 && <EmptyState title="No members yet" />}
      {items.length > 0 && (
        <div className={m.tableWrap} role="region" aria-labelledby="members-h" tabIndex={0}>
        <table className={m.table}>
          <thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">State</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {items.map((u) => (
              <tr key={u.id} className={u.active ? undefined : m.inactive}>
                <td>{u.name}{u.id === meId && <span className={m.you}> (you)</span>}</td>
                <td>{u.email}</td>
                <td>
                  <label className="visually-hidden" htmlFor={`role-${u.id}`}>Role of {u.name}</label>
                  <select id={`role-${u.id}`} className={m.select} value={u.role} disabled={!u.active} onChange={(e) => void change(u, { role: e.target.value as Role })}>
                    {roleOptions.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
                  </select>
                </td>
                <td>{u.active ? 'active' : 'deactivated'}</td>
                <td className={m.actions}>
                  {u.active
                    ? <Button variant="ghost" onClick={() => void change(u, { active: false })} aria-label={`Deactivate ${u.name}`}>Deactivate</Button>
                    : <Button variant="ghost" onClick={() => void change(u, { active: true })} aria-label={`Reactivate ${u.name}`}>Reactivate</Button>}
                  {error?.userId === u.id && <div role="alert" className={m.rowError}>{error.error.message}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
      {users.hasNextPage && <Button onClick={() => void users.fetchNextPage()}>More members</Button>}
    </section>
  );
}

function Invitations() {
  const client = useQueryClient();
  const invitations = useQuery({ queryKey: keys.invitations.list(), queryFn: async () => unwrap(await api.GET('/invitations', { params: { query: { limit: 50 } } })).data });
  const [error, setError] = useState<Error | null>(null);
  const revoke = async (id: string) => {
    setError(null);
    try {
      unwrap(await api.DELETE('/invitations/{id}', { params: { path: { id } } }));
      void client.invalidateQueries({ queryKey: keys.invitations.all() });
    } catch (err) {
      setError(err as Error);
    }
  };
  const pending = (invitations.data ?? []).filter((i) => i.status === 'PENDING');
  return (
    <section className={m.section} aria-labelledby="inv-h">
      <h2 id="inv-h">Pending invitations</h2>
      {invitations.isPending && <Skeleton />}
      {invitations.error && <ErrorState error={invitations.error} onRetry={() => void invitations.refetch()} />}
      {error && <ErrorState error={error} />}
      {invitations.isSuccess && pending.length === 0 && <p className={m.muted}>None waiting.</p>}
      {pending.length > 0 && (
        <ul className={m.invitations}>
          {pending.map((i) => (
            <li key={i.id}>
              <span>{i.email}</span><span className={m.muted}>{i.role.toLowerCase()} · expires {new Date(i.expiresAt).toLocaleDateString()}</span>
              <Button variant="ghost" onClick={() => void revoke(i.id)} aria-label={`Revoke the invitation of ${i.email}`}>Revoke</Button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
