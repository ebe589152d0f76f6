// API tokens (/tokens): the caller's personal access tokens (list, create with their password, revoke) and,
// for PRODUCERs, the studio's bots' tokens. A token minted from a stolen session is exactly what the owner
// must be able to see and end here (issue 27, finding 6); the secret is shown once, right after creation.
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import type { components } from '../api/schema';
import { useSession, useSessionState } from '../auth/AuthContext';
import { WEB_CLIENT } from '../auth/session';
import { Badge, Button, CheckboxGroup, Dialog, EmptyState, ErrorState, Select, Skeleton, TextField } from '../ui';
import { useSubmit } from '../pages/forms';
import t from './tokens.module.css';

type Token = components['schemas']['ApiToken'];
type NewToken = components['schemas']['NewApiToken'];
type Policy = components['schemas']['ApiTokenPolicy'];
type Scope = Token['scopes'][number];

const DAY = 86_400_000;
const date = (iso: string) => new Date(iso).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const dateTime = (iso: string) => new Date(iso).toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
/** Whether the form shows one of the API's field errors next to its field (else the error is shown whole). */
const shownBy = (fields: Record<string, string>, known: string[]) => Object.keys(fields).some((k) => known.includes(k));
/** Lifetimes offered, never past the server's maximum (which is always offered itself). */
const lifetimes = (max: number) => [...new Set([7, 30, 60, 90, 180, 365].filter((d) => d < max).concat(max))];

export function TokensPage() {
  const state = useSessionState();
  const me = state.status === 'signed-in' ? state.user : null;
  const tokens = useQuery({ queryKey: keys.tokens.list(), queryFn: async () => unwrap(await api.GET('/tokens')) });
  const [creating, setCreating] = useState(false);
  return (
    <div className={t.page}>
      <div className={t.toolbar}>
        <h1>API tokens</h1>
        <Button variant="primary" onClick={() => setCreating(true)} disabled={!tokens.data}>New token</Button>
      </div>
      <p className={t.muted}>
        A token lets a script or tool (the Blender add-on, the studio command, a pipeline service) act as you, limited to the scopes you choose and
        to your role. {tokens.data && <>Every token expires, after at most {tokens.data.policy.maxExpiresInDays} days. </>}
        Changing your password or signing out everywhere revokes all of your tokens. You get a mail for every new one.
      </p>
      <section className={t.section} aria-labelledby="mine-h">
        <h2 id="mine-h">Your tokens</h2>
        {tokens.isPending && <div role="status" aria-busy="true" aria-label="Loading your tokens" className={t.skeletons}><Skeleton /><Skeleton width="80%" /><Skeleton width="60%" /></div>}
        {tokens.error && <ErrorState error={tokens.error} onRetry={() => void tokens.refetch()} />}
        {tokens.data && tokens.data.data.length === 0 && (
          <EmptyState title="No tokens yet">
            <p>Create one for a script or the Blender add-on: it is shown once, so copy it into the tool straight away.</p>
          </EmptyState>
        )}
        {tokens.data && tokens.data.data.length > 0 && <TokenTable tokens={tokens.data.data} caption="Your API tokens" />}
      </section>
      {me?.role === 'PRODUCER' && <BotTokens />}
      <Unexpected />
      {tokens.data && <CreateTokenDialog open={creating} policy={tokens.data.policy} onClose={() => setCreating(false)} />}
    </div>
  );
}

/** Tokens newest first, revocable while active. */
function TokenTable({ tokens, caption }: { tokens: Token[]; caption: string }) {
  const [revoking, setRevoking] = useState<Token | null>(null);
  const rows = [...tokens].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return (
    <>
      <table className={t.table}>
        <caption className="visually-hidden">{caption}</caption>
        <colgroup><col className={t.colName} /><col className={t.colScopes} /><col /><col className={t.colUsed} /><col /><col /><col className={t.colActions} /></colgroup>
        <thead>
          <tr><th scope="col">Name</th><th scope="col">Scopes</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Expires</th><th scope="col">State</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr>
        </thead>
        <tbody>
          {rows.map((tk) => (
            <tr key={tk.id} className={tk.status === 'ACTIVE' ? undefined : t.inactive}>
              <td><span className={t.name}>{tk.name}</span><span className={t.hint}>{tk.hint}</span></td>
              <td><ul className={t.scopes} aria-label={`Scopes of ${tk.name}`}>{tk.scopes.map((s) => <li key={s}>{s}</li>)}</ul></td>
              <td className="tabular">{date(tk.createdAt)}</td>
              <td className="tabular">{tk.lastUsedAt ? <>{dateTime(tk.lastUsedAt)}{tk.lastUsedIp && <span className={t.hint}>from {tk.lastUsedIp}</span>}</> : <span className={t.muted}>never</span>}</td>
              <td className="tabular">{date(tk.expiresAt)}</td>
              <td><Badge status={tk.status} /></td>
              <td className={t.actions}>
                {tk.status === 'ACTIVE' && <Button variant="ghost" onClick={() => setRevoking(tk)} aria-label={`Revoke ${tk.name}`}>Revoke</Button>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <RevokeDialog token={revoking} onClose={() => setRevoking(null)} />
    </>
  );
}

function RevokeDialog({ token, onClose }: { token: Token | null; onClose: () => void }) {
  const client = useQueryClient();
  const { busy, error, submit } = useSubmit(async () => {
    unwrap(await api.DELETE('/tokens/{id}', { params: { path: { id: token!.id } } }));
    await client.invalidateQueries({ queryKey: keys.tokens.all() });
    await client.invalidateQueries({ queryKey: keys.botTokens.all() });
    onClose();
  });
  return (
    <Dialog open={token !== null} title={`Revoke “${token?.name ?? ''}”?`} onClose={onClose}>
      <div className={t.form}>
        <p>Anything using this token ({token?.hint}) is refused from its next request on. This cannot be undone: to carry on, create a new token.</p>
        {error && <ErrorState error={error} />}
        <div className={t.dialogActions}>
          <Button onClick={onClose}>Keep it</Button>
          <Button variant="primary" className={t.danger} disabled={busy} onClick={() => void submit(undefined)}>{busy ? 'Revoking…' : 'Revoke token'}</Button>
        </div>
      </div>
    </Dialog>
  );
}

function CreateTokenDialog({ open, policy, onClose }: { open: boolean; policy: Policy; onClose: () => void }) {
  const client = useQueryClient();
  const [created, setCreated] = useState<NewToken | null>(null);
  const [missing, setMissing] = useState<string | null>(null);
  const { busy, error, fields, submit } = useSubmit(async (form: HTMLFormElement) => {
    const data = new FormData(form);
    const scopes = data.getAll('scopes').map(String) as Scope[];
    if (scopes.length === 0) {
      setMissing('Choose at least one scope');
      return;
    }
    setMissing(null);
    const token = unwrap(await api.POST('/tokens', {
      body: { name: String(data.get('name') ?? ''), scopes, expiresInDays: Number(data.get('expiresInDays')), currentPassword: String(data.get('currentPassword') ?? '') },
    }));
    setCreated(token);
    void client.invalidateQueries({ queryKey: keys.tokens.all() });
  });
  const close = () => {
    setCreated(null);
    setMissing(null);
    onClose();
  };
  const days = lifetimes(policy.maxExpiresInDays);
  const defaultDays = days.includes(30) ? 30 : days[days.length - 1]!;
  return (
    <Dialog open={open} title={created ? 'Copy your new token' : 'New API token'} onClose={close} wide>
      {created ? (
        <Secret token={created} onDone={close} />
      ) : (
        <form className={t.form} noValidate onSubmit={(e) => { e.preventDefault(); void submit(e.currentTarget); }}>
          {error && !shownBy(fields, ['name', 'scopes', 'currentPassword']) && <ErrorState error={error} />}
          <TextField label="Name" name="name" required maxLength={120} placeholder="e.g. Blender add-on on my workstation" error={fields.name} />
          <CheckboxGroup
            legend="What it may do (within your role)"
            name="scopes"
            options={policy.scopes.map((s) => ({ value: s.scope, label: sentence(s.description), hint: s.scope }))}
            error={missing ?? fields.scopes}
          />
          <Select
            label="Expires after"
            name="expiresInDays"
            defaultValue={String(defaultDays)}
            options={days.map((d) => ({ value: String(d), label: `${d} days (${date(new Date(Date.now() + d * DAY).toISOString())})` }))}
          />
          <TextField label="Your password (asked again: a token outlives this session)" name="currentPassword" type="password" autoComplete="current-password" required error={fields.currentPassword} />
          <div className={t.dialogActions}>
            <Button onClick={close}>Cancel</Button>
            <Button type="submit" variant="primary" disabled={busy}>{busy ? 'Creating…' : 'Create token'}</Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

/** The secret, once: a read-only field to select and a copy button that says whether it worked. */
function Secret({ token, onDone }: { token: NewToken; onDone: () => void }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(token.token);
      setCopied('yes');
    } catch {
      setCopied('no');
    }
  };
  return (
    <div className={t.form}>
      <p>This is the only time “{token.name}” is shown. Copy it into your tool now; only a hash of it is kept.</p>
      <div className={t.secretRow}>
        <label className="visually-hidden" htmlFor="new-token-secret">The new token</label>
        <input id="new-token-secret" className={t.secret} readOnly value={token.token} onFocus={(e) => e.currentTarget.select()} />
        <Button variant="primary" onClick={() => void copy()}>Copy</Button>
      </div>
      <p role="status" className={copied === 'no' ? t.warn : t.ok}>
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'no' ? 'The browser would not copy it: select the field and copy by hand.' : ''}
      </p>
      <p className={t.muted}>It expires on {date(token.expiresAt)}. A notice was mailed to you.</p>
      <div className={t.dialogActions}>
        <Button onClick={onDone}>Done</Button>
      </div>
    </div>
  );
}

/** PRODUCERs: every bot's tokens, to see what acts for the studio and to revoke what nobody expected. */
function BotTokens() {
  const bots = useQuery({ queryKey: keys.bots.list(), queryFn: async () => unwrap(await api.GET('/bots')).data });
  const tokens = useQueries({
    queries: (bots.data ?? []).map((b) => ({
      queryKey: keys.botTokens.list(b.id),
      queryFn: async () => unwrap(await api.GET('/bots/{id}/tokens', { params: { path: { id: b.id } } })).data,
    })),
  });
  return (
    <section className={t.section} aria-labelledby="bots-h">
      <h2 id="bots-h">Bots’ tokens</h2>
      <p className={t.muted}>Bots are the studio’s, not a person’s: their tokens stay when the producer who made them changes their password. Every producer is mailed when one is created.</p>
      {bots.isPending && <div role="status" aria-busy="true" aria-label="Loading the bots" className={t.skeletons}><Skeleton /><Skeleton width="70%" /></div>}
      {bots.error && <ErrorState error={bots.error} onRetry={() => void bots.refetch()} />}
      {bots.data && bots.data.length === 0 && <p className={t.muted}>The studio has no bots.</p>}
      {(bots.data ?? []).map((b, i) => {
        const q = tokens[i]!;
        return (
          <div key={b.id} className={t.bot}>
            <h3>{b.name} <span className={t.muted}>· {b.role.toLowerCase()}{b.active ? '' : ' · deactivated'}</span></h3>
            {q.isPending && <Skeleton width="60%" />}
            {q.error && <ErrorState error={q.error} onRetry={() => void q.refetch()} />}
            {q.data && q.data.length === 0 && <p className={t.muted}>No tokens.</p>}
            {q.data && q.data.length > 0 && <TokenTable tokens={q.data} caption={`Tokens of the bot ${b.name}`} />}
          </div>
        );
      })}
    </section>
  );
}

/**
 * What the mailed notice of a token one did not make tells one to do, here where the link lands: a new
 * password (which also revokes every personal token and ends every other session) or sign-out everywhere.
 */
function Unexpected() {
  const session = useSession();
  const client = useQueryClient();
  const navigate = useNavigate();
  const [dialog, setDialog] = useState<'password' | 'everywhere' | null>(null);
  const [done, setDone] = useState(false);
  const password = useSubmit(async (form: HTMLFormElement) => {
    const data = new FormData(form);
    const body = { currentPassword: String(data.get('currentPassword') ?? ''), newPassword: String(data.get('newPassword') ?? '') };
    await session.replaceSession(async () => unwrap(await api.POST('/auth/password', { headers: WEB_CLIENT, body })));
    await client.invalidateQueries({ queryKey: keys.tokens.all() });
    setDialog(null);
    setDone(true);
  });
  const everywhere = useSubmit(async () => {
    unwrap(await api.POST('/auth/logout-all', { headers: WEB_CLIENT }));
    await session.logout().catch(() => undefined);
    client.clear();
    navigate('/signin');
  });
  return (
    <section className={t.section} aria-labelledby="unexpected-h">
      <h2 id="unexpected-h">A token you did not make?</h2>
      <p className={t.muted}>Someone who could make one knows your password. Change it: that revokes every token of yours, in every studio, and ends every other session.</p>
      <div className={t.row}>
        <Button onClick={() => setDialog('password')}>Change password…</Button>
        <Button variant="ghost" onClick={() => setDialog('everywhere')}>Sign out everywhere…</Button>
      </div>
      {done && <p role="status" className={t.ok}>Password changed. Every token of yours was revoked and your other sessions ended.</p>}
      <Dialog open={dialog === 'password'} title="Change your password" onClose={() => setDialog(null)}>
        <form className={t.form} noValidate onSubmit={(e) => { e.preventDefault(); void password.submit(e.currentTarget); }}>
          {password.error && !shownBy(password.fields, ['currentPassword', 'newPassword']) && <ErrorState error={password.error} />}
          <TextField label="Current password" name="currentPassword" type="password" autoComplete="current-password" required error={password.fields.currentPassword} />
          <TextField label="New password (at least 10 characters)" name="newPassword" type="password" autoComplete="new-password" required minLength={10} error={password.fields.newPassword} />
          <div className={t.dialogActions}>
            <Button onClick={() => setDialog(null)}>Cancel</Button>
            <Button type="submit" variant="primary" disabled={password.busy}>{password.busy ? 'Changing…' : 'Change password'}</Button>
          </div>
        </form>
      </Dialog>
      <Dialog open={dialog === 'everywhere'} title="Sign out everywhere?" onClose={() => setDialog(null)}>
        <div className={t.form}>
          <p>Every session of yours ends, on every device and in every studio, and every token of yours is revoked. You sign in again with your password.</p>
          {everywhere.error && <ErrorState error={everywhere.error} />}
          <div className={t.dialogActions}>
            <Button onClick={() => setDialog(null)}>Cancel</Button>
            <Button variant="primary" className={t.danger} disabled={everywhere.busy} onClick={() => void everywhere.submit(undefined)}>{everywhere.busy ? 'Signing out…' : 'Sign out everywhere'}</Button>
          </div>
        </div>
      </Dialog>
    </section>
  );
}
