// Bots (/admin/bots, PRODUCERs): the studio's non-human members (a farm bridge, a tracker sync) that act only
// through API tokens. A producer makes one with a role, gives it tokens (scopes, expiry, their own password;
// every producer is mailed), revokes a token, and deactivates a bot, which stops all of its tokens at once.
// The API: /bots, /bots/{id}/tokens, DELETE /tokens/{id}, PATCH /users/{id} { active }.
import { useState } from 'react';
import { useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import type { components } from '../api/schema';
import { Badge, Button, CheckboxGroup, Dialog, EmptyState, ErrorState, Select, Skeleton, TextField } from '../ui';
import { FormDialog, FormProblem, useSetupForm } from '../setup/forms';
import { date, dateTime } from './format';
import { NotAllowed, OneTimeSecret, useRole } from './shared';
import a from './admin.module.css';

type Bot = components['schemas']['User'];
type Token = components['schemas']['ApiToken'];
type NewToken = components['schemas']['NewApiToken'];
type Policy = components['schemas']['ApiTokenPolicy'];
type Scope = Token['scopes'][number];

const ROLES: Array<{ value: Bot['role']; label: string }> = [
  { value: 'ARTIST', label: 'Artist: uploads and comments' },
  { value: 'DIRECTOR', label: 'Director: also reviews and decides' },
  { value: 'PRODUCER', label: 'Producer: also manages the studio' },
];
const BOT_LABELS = { name: 'Name', role: 'Role' };
const TOKEN_LABELS = { name: 'Token name', scopes: 'At least one scope', expiresInDays: 'Expiry', currentPassword: 'Your password' };
const DAY = 86_400_000;
const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
/** Lifetimes offered, never past the server's maximum (which is always offered itself). */
const lifetimes = (max: number) => [...new Set([7, 30, 60, 90, 180, 365].filter((d) => d < max).concat(max))];

export function BotsPage() {
  const role = useRole();
  if (role && role !== 'PRODUCER') {
    return <NotAllowed title="Bots" who="producers" what="Bots are the studio’s scripts and services with their own API tokens, so only producers make them and their tokens." />;
  }
  return <Bots />;
}

function Bots() {
  const client = useQueryClient();
  const bots = useQuery({ queryKey: keys.bots.list(), queryFn: async () => unwrap(await api.GET('/bots')).data });
  const [creating, setCreating] = useState(false);
  const create = useSetupForm(BOT_LABELS, ['name'], async (values) => {
    unwrap(await api.POST('/bots', { body: { name: (values.name ?? '').trim(), role: (values.role ?? 'ARTIST') as Bot['role'] } }));
    await client.invalidateQueries({ queryKey: keys.bots.list() });
    setCreating(false);
  });
  return (
    <div className={a.page}>
      <div className={a.toolbar}>
        <h1>Bots</h1>
        <Button variant="primary" onClick={() => setCreating(true)}>New bot</Button>
      </div>
      <p className={a.muted}>
        A bot is a member of the studio for a script or service (a render-farm bridge, a tracker sync). It cannot sign in; it acts only through its API
        tokens, within its role and each token’s scopes. Bots are the studio’s, not a person’s: their tokens stay when the producer who made them leaves
        or changes their password. Every producer is mailed when a bot gets a token.
      </p>
      {bots.isPending && <div role="status" aria-busy="true" aria-label="Loading the bots" className={a.skeletons}><Skeleton /><Skeleton width="70%" /></div>}
      {bots.error && <ErrorState error={bots.error} onRetry={() => void bots.refetch()} />}
      {bots.data && bots.data.length === 0 && (
        <EmptyState title="No bots yet">
          <p>Create one for each script or service that talks to the studio, so each has its own tokens you can revoke on their own.</p>
        </EmptyState>
      )}
      {bots.data && bots.data.length > 0 && <BotList bots={bots.data} />}
      <FormDialog title="New bot" open={creating} onClose={() => setCreating(false)} form={create} submit="Create bot" busyLabel="Creating…">
        <TextField label="Name" name="name" required maxLength={120} placeholder="e.g. Farm bridge" error={create.fields.name} />
        <Select label="Role" name="role" defaultValue="ARTIST" options={ROLES} />
        <p className={a.muted}>Give a bot the smallest role its work needs; its tokens’ scopes narrow it further.</p>
      </FormDialog>
    </div>
  );
}

function BotList({ bots }: { bots: Bot[] }) {
  const tokens = useQueries({
    queries: bots.map((b) => ({
      queryKey: keys.botTokens.list(b.id),
      queryFn: async () => unwrap(await api.GET('/bots/{id}/tokens', { params: { path: { id: b.id } } })).data,
    })),
  });
  // The token policy (scopes in words, longest lifetime) is the same for every token of the studio.
  const policy = useQuery({ queryKey: keys.tokens.list(), queryFn: async () => unwrap(await api.GET('/tokens')) });
  const sorted = [...bots].sort((x, y) => Number(y.active) - Number(x.active) || x.name.localeCompare(y.name));
  return (
    <ul className={a.cards} aria-label="The studio’s bots">
      {sorted.map((b) => <BotCard key={b.id} bot={b} tokens={tokens[bots.indexOf(b)]!} policy={policy.data?.policy ?? null} />)}
    </ul>
  );
}

function BotCard({ bot, tokens, policy }: { bot: Bot; tokens: { data?: Token[]; error: Error | null; isPending: boolean; refetch: () => unknown }; policy: Policy | null }) {
  const client = useQueryClient();
  const [dialog, setDialog] = useState<'token' | 'deactivate' | null>(null);
  const [revoking, setRevoking] = useState<Token | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const setActive = async (active: boolean) => {
    setBusy(true);
    setError(null);
    try {
      unwrap(await api.PATCH('/users/{id}', { params: { path: { id: bot.id } }, body: { active } }));
      await client.invalidateQueries({ queryKey: keys.bots.list() });
      await client.invalidateQueries({ queryKey: keys.botTokens.all() });
      setDialog(null);
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy(false);
    }
  };
  const active = (tokens.data ?? []).filter((t) => t.status === 'ACTIVE').length;
  return (
    <li className={a.card} aria-labelledby={`bot-${bot.id}`}>
      <h2 id={`bot-${bot.id}`}>{bot.name}</h2>
      <dl className={a.facts}>
        <div><dt>Role</dt><dd>{bot.role.toLowerCase()}</dd></div>
        <div><dt>State</dt><dd>{bot.active ? 'active' : 'deactivated: none of its tokens work'}</dd></div>
        <div><dt>Created</dt><dd>{date(bot.createdAt)}</dd></div>
        {tokens.data && <div><dt>Tokens</dt><dd>{active} active of {tokens.data.length}</dd></div>}
      </dl>
      <div className={a.row}>
        {bot.active && <Button onClick={() => setDialog('token')} disabled={!policy} aria-label={`New token for ${bot.name}`}>New token</Button>}
        {bot.active
          ? <Button variant="ghost" onClick={() => setDialog('deactivate')} aria-label={`Deactivate ${bot.name}`}>Deactivate</Button>
          : <Button variant="ghost" disabled={busy} onClick={() => void setActive(true)} aria-label={`Reactivate ${bot.name}`}>{busy ? 'Reactivating…' : 'Reactivate'}</Button>}
      </div>
      {error && dialog === null && <ErrorState error={error} />}
      {tokens.isPending && <Skeleton width="60%" />}
      {tokens.error && <ErrorState error={tokens.error} onRetry={() => void tokens.refetch()} />}
      {tokens.data && tokens.data.length === 0 && <p className={a.muted}>No tokens yet: make one to let the bot call the API.</p>}
      {tokens.data && tokens.data.length > 0 && (
        <table className={a.table}>
          <caption className="visually-hidden">Tokens of the bot {bot.name}</caption>
          <thead>
            <tr><th scope="col">Name</th><th scope="col">Scopes</th><th scope="col">Last used</th><th scope="col">Expires</th><th scope="col">State</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr>
          </thead>
          <tbody>
            {[...tokens.data].sort((x, y) => y.createdAt.localeCompare(x.createdAt)).map((t) => (
              <tr key={t.id} className={t.status === 'ACTIVE' ? undefined : a.inactive}>
                <td data-label="Name">{t.name} <span className={`${a.muted} ${a.url}`}>{t.hint}</span></td>
                <td data-label="Scopes"><ul className={a.tags} aria-label={`Scopes of ${t.name}`}>{t.scopes.map((s) => <li key={s}>{s}</li>)}</ul></td>
                <td data-label="Last used" className="tabular">{t.lastUsedAt ? <>{dateTime(t.lastUsedAt)}{t.lastUsedIp && <span className={a.muted}> from {t.lastUsedIp}</span>}</> : <span className={a.muted}>never</span>}</td>
                <td data-label="Expires" className="tabular">{date(t.expiresAt)}</td>
                <td data-label="State"><Badge status={t.status} /></td>
                <td>{t.status === 'ACTIVE' && <Button variant="ghost" onClick={() => setRevoking(t)} aria-label={`Revoke ${t.name} of ${bot.name}`}>Revoke</Button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {policy && <TokenDialog bot={bot} policy={policy} open={dialog === 'token'} onClose={() => setDialog(null)} />}
      <RevokeDialog token={revoking} onClose={() => setRevoking(null)} />
      <Dialog open={dialog === 'deactivate'} title={`Deactivate “${bot.name}”?`} onClose={() => setDialog(null)}>
        <div className={a.form}>
          <p>Every token of this bot is refused from its next request on, and whatever uses them stops. You can reactivate it later; its tokens that have not expired or been revoked then work again.</p>
          {error && <ErrorState error={error} />}
          <div className={a.dialogActions}>
            <Button onClick={() => setDialog(null)}>Keep it active</Button>
            <Button variant="primary" className={a.danger} disabled={busy} onClick={() => void setActive(false)}>{busy ? 'Deactivating…' : 'Deactivate bot'}</Button>
          </div>
        </div>
      </Dialog>
    </li>
  );
}

function RevokeDialog({ token, onClose }: { token: Token | null; onClose: () => void }) {
  const client = useQueryClient();
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const revoke = async () => {
    setBusy(true);
    setError(null);
    try {
      unwrap(await api.DELETE('/tokens/{id}', { params: { path: { id: token!.id } } }));
      await client.invalidateQueries({ queryKey: keys.botTokens.all() });
      onClose();
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={token !== null} title={`Revoke “${token?.name ?? ''}”?`} onClose={() => { setError(null); onClose(); }}>
      <div className={a.form}>
        <p>Anything using this token ({token?.hint}) is refused from its next request on. This cannot be undone: to carry on, make a new token.</p>
        {error && <ErrorState error={error} />}
        <div className={a.dialogActions}>
          <Button onClick={onClose}>Keep it</Button>
          <Button variant="primary" className={a.danger} disabled={busy} onClick={() => void revoke()}>{busy ? 'Revoking…' : 'Revoke token'}</Button>
        </div>
      </div>
    </Dialog>
  );
}

function TokenDialog({ bot, policy, open, onClose }: { bot: Bot; policy: Policy; open: boolean; onClose: () => void }) {
  const client = useQueryClient();
  const [created, setCreated] = useState<NewToken | null>(null);
  const form = useSetupForm(TOKEN_LABELS, ['name', 'scopes', 'currentPassword'], async (values) => {
    const token = unwrap(await api.POST('/bots/{id}/tokens', {
      params: { path: { id: bot.id } },
      body: { name: (values.name ?? '').trim(), scopes: (values.scopes ?? '').split(',').filter(Boolean) as Scope[], expiresInDays: Number(values.expiresInDays), currentPassword: values.currentPassword ?? '' },
    }));
    setCreated(token);
    void client.invalidateQueries({ queryKey: keys.botTokens.list(bot.id) });
  });
  const close = () => {
    setCreated(null);
    onClose();
  };
  const days = lifetimes(policy.maxExpiresInDays);
  const submit = (el: HTMLFormElement) => {
    const data = new FormData(el);
    void form.submit({
      name: String(data.get('name') ?? ''), scopes: data.getAll('scopes').map(String).join(','),
      expiresInDays: String(data.get('expiresInDays') ?? ''), currentPassword: String(data.get('currentPassword') ?? ''),
    });
  };
  return (
    <Dialog open={open} title={created ? `Copy the token for ${bot.name}` : `New token for ${bot.name}`} onClose={close} wide>
      {created ? (
        <OneTimeSecret label="The bot’s new token" value={created.token} onDone={close}>
          <p>This is the only time “{created.name}” is shown. Put it in the bot’s configuration now; only a hash of it is kept. It expires on {date(created.expiresAt)}.</p>
        </OneTimeSecret>
      ) : (
        <form className={a.form} noValidate onSubmit={(e) => { e.preventDefault(); submit(e.currentTarget); }}>
          <FormProblem state={form} />
          <TextField label="Token name" name="name" required maxLength={120} placeholder="e.g. Farm bridge on render-01" error={form.fields.name} />
          <CheckboxGroup
            legend={`What it may do (within the bot’s role, ${bot.role.toLowerCase()})`}
            name="scopes"
            options={policy.scopes.map((s) => ({ value: s.scope, label: sentence(s.description), hint: s.scope }))}
            error={form.fields.scopes}
          />
          <Select
            label="Expires after"
            name="expiresInDays"
            defaultValue={String(days.includes(90) ? 90 : days[days.length - 1]!)}
            options={days.map((d) => ({ value: String(d), label: `${d} days (${date(new Date(Date.now() + d * DAY).toISOString())})` }))}
          />
          <TextField label="Your password (asked again: a token outlives this session)" name="currentPassword" type="password" autoComplete="current-password" required error={form.fields.currentPassword} />
          <div className={a.dialogActions}>
            <Button onClick={close}>Cancel</Button>
            <Button type="submit" variant="primary" disabled={form.busy}>{form.busy ? 'Creating…' : 'Create token'}</Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
