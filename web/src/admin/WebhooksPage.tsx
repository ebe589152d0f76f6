// Webhooks (/admin/webhooks, PRODUCERs): the studio's endpoints with their state (the circuit breaker's pause,
// failing, turned off), a new one with its secret shown once, a test delivery, the delivery log page by page
// with redelivery, turning off/on and deleting. Everything here is the API's /webhooks; URLs the server's
// guard refuses (loopback, private ranges) come back as its words under the URL field.
import { useState } from 'react';
import { useInfiniteQuery, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import type { components } from '../api/schema';
import { Button, CheckboxGroup, Dialog, EmptyState, ErrorState, Skeleton, TextField } from '../ui';
import { FormProblem, useSetupForm } from '../setup/forms';
import { dateTime, duration } from './format';
import { stateOf } from './webhookState';
import { NotAllowed, OneTimeSecret, useRole } from './shared';
import a from './admin.module.css';

type Webhook = components['schemas']['Webhook'];
type NewWebhook = components['schemas']['NewWebhook'];
type Delivery = components['schemas']['WebhookDelivery'];
type EventType = Webhook['events'][number];

/** Every event a webhook can subscribe to, in words; a PRODUCER signed in as a person may read them all. */
const EVENTS: Record<EventType, string> = {
  'asset.created': 'An asset is created',
  'asset.updated': 'An asset is changed',
  'version.created': 'A version is uploaded',
  'comment.created': 'A note is written on a version',
  'review.decided': 'A version is approved or sent back',
  'pipeline.updated': 'A version’s previews and thumbnails progress',
  'render.progress': 'A render progresses',
  'render.completed': 'A render finishes',
  'render.failed': 'A render fails',
  'webhook.disabled': 'A webhook is turned off after failing',
  'project.created': 'A project is created',
  'project.updated': 'A project is changed',
  'shot.created': 'A shot is created',
  'shot.updated': 'A shot is changed',
  'task.created': 'A task is created',
  'task.updated': 'A task is changed',
  'casting.updated': 'A shot’s casting changes',
  'editorial.imported': 'A cut is imported',
};
const LABELS = { url: 'URL', events: 'At least one event', description: 'Description' };

const STATUS_WORDS: Record<Delivery['status'], string> = {
  PENDING: 'waiting to be sent',
  RETRYING: 'failed, will try again',
  SUCCEEDED: 'delivered',
  FAILED: 'failed',
  DROPPED: 'not sent (too many waiting)',
};

export function WebhooksPage() {
  const role = useRole();
  if (role && role !== 'PRODUCER') {
    return <NotAllowed title="Webhooks" who="producers" what="Webhooks send the studio’s events (new versions, decisions, renders) to other systems, so only producers set them up." />;
  }
  return <Webhooks />;
}

function Webhooks() {
  const hooks = useQuery({ queryKey: keys.webhooks.list(), queryFn: async () => unwrap(await api.GET('/webhooks')).data });
  const [creating, setCreating] = useState(false);
  return (
    <div className={a.page}>
      <div className={a.toolbar}>
        <h1>Webhooks</h1>
        <Button variant="primary" onClick={() => setCreating(true)}>New webhook</Button>
      </div>
      <p className={a.muted}>
        A webhook sends each of the studio’s events you choose to another system’s URL, signed with a secret the receiver checks. A delivery that fails is
        tried again with growing waits; after two failures in a row the webhook pauses before the next try, and one that keeps failing for a day is turned off.
      </p>
      {hooks.isPending && <div role="status" aria-busy="true" aria-label="Loading the webhooks" className={a.skeletons}><Skeleton /><Skeleton width="80%" /><Skeleton width="60%" /></div>}
      {hooks.error && <ErrorState error={hooks.error} onRetry={() => void hooks.refetch()} />}
      {hooks.data && hooks.data.length === 0 && (
        <EmptyState title="No webhooks yet">
          <p>Create one to send events such as new versions or review decisions to your pipeline, chat or tracker.</p>
        </EmptyState>
      )}
      {hooks.data && hooks.data.length > 0 && <WebhookList hooks={hooks.data} />}
      <CreateDialog open={creating} onClose={() => setCreating(false)} />
    </div>
  );
}

function WebhookList({ hooks }: { hooks: Webhook[] }) {
  const latest = useQueries({
    queries: hooks.map((h) => ({
      queryKey: keys.webhookDeliveries.latest(h.id),
      queryFn: async () => unwrap(await api.GET('/webhooks/{id}/deliveries', { params: { path: { id: h.id }, query: { limit: 1 } } })).data[0] ?? null,
      // Asked again while the last delivery still waits or retries, so "last delivery" turns to its outcome.
      refetchInterval: (q: { state: { data?: Delivery | null } }) => (q.state.data?.status === 'PENDING' || q.state.data?.status === 'RETRYING' ? 2000 : false),
    })),
  });
  return (
    <ul className={a.cards} aria-label="The studio’s webhooks">
      {hooks.map((h, i) => <WebhookCard key={h.id} hook={h} latest={latest[i]!} />)}
    </ul>
  );
}

function WebhookCard({ hook, latest }: { hook: Webhook; latest: { data?: Delivery | null; error: Error | null; isPending: boolean } }) {
  const client = useQueryClient();
  const [showLog, setShowLog] = useState(false);
  const [dialog, setDialog] = useState<'delete' | 'off' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const state = stateOf(hook);
  const tone = { bad: a.bad, warn: a.warn, good: a.good }[state.tone];
  const refresh = async () => {
    await client.invalidateQueries({ queryKey: keys.webhooks.all() });
    await client.invalidateQueries({ queryKey: keys.webhookDeliveries.all() });
  };
  const run = async (what: () => Promise<string | null>) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      setNotice(await what());
      await refresh();
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy(false);
    }
  };
  const sendTest = () => run(async () => {
    unwrap(await api.POST('/webhooks/{id}/test', { params: { path: { id: hook.id } } }));
    setShowLog(true);
    return 'A test delivery is on its way; it appears in the delivery log below.';
  });
  const setActive = (active: boolean) => run(async () => {
    unwrap(await api.PATCH('/webhooks/{id}', { params: { path: { id: hook.id } }, body: { active } }));
    setDialog(null);
    return active ? 'Turned on again; its record of failures was cleared.' : 'Turned off: nothing more is sent to it.';
  });
  const remove = () => run(async () => {
    unwrap(await api.DELETE('/webhooks/{id}', { params: { path: { id: hook.id } } }));
    setDialog(null);
    return null;
  });
  const title = hook.description || hook.url;
  return (
    <li className={a.card} aria-labelledby={`hook-${hook.id}`}>
      <h2 id={`hook-${hook.id}`}>{hook.description ? hook.description : <span className={a.url}>{hook.url}</span>}</h2>
      <dl className={a.facts}>
        {hook.description && <div><dt>URL</dt><dd className={a.url}>{hook.url}</dd></div>}
        <div><dt>Created</dt><dd>{dateTime(hook.createdAt)}</dd></div>
        <div>
          <dt>Last delivery</dt>
          <dd>
            {latest.isPending ? <span className={a.muted}>loading…</span>
              : latest.error ? <span className={a.muted}>could not be loaded</span>
              : latest.data ? <>{latest.data.eventType}, {STATUS_WORDS[latest.data.status]}{latest.data.lastStatusCode !== null && ` (answered ${latest.data.lastStatusCode})`}, {dateTime(latest.data.createdAt)}</>
              : <span className={a.muted}>none yet</span>}
          </dd>
        </div>
      </dl>
      <ul className={a.tags} aria-label={`Events sent to ${title}`}>{hook.events.map((e) => <li key={e} title={EVENTS[e]}>{e}</li>)}</ul>
      <p className={`${a.state} ${tone}`}>{state.text}</p>
      {hook.lastDroppedAt && <p className={`${a.state} ${a.warn}`}>Some events were not sent on {dateTime(hook.lastDroppedAt)} because too many deliveries were waiting; they stay in the studio’s event log.</p>}
      <div className={a.row}>
        <Button onClick={() => void sendTest()} disabled={busy || !hook.active} aria-label={`Send test to ${title}`}>Send test</Button>
        <Button onClick={() => setShowLog((v) => !v)} aria-expanded={showLog} aria-controls={`log-${hook.id}`}>{showLog ? 'Hide delivery log' : 'Delivery log'}</Button>
        {hook.active
          ? <Button variant="ghost" disabled={busy} onClick={() => setDialog('off')} aria-label={`Turn off ${title}`}>Turn off</Button>
          : <Button variant="ghost" disabled={busy} onClick={() => void setActive(true)} aria-label={`Turn on ${title}`}>Turn on</Button>}
        <Button variant="ghost" disabled={busy} onClick={() => setDialog('delete')} aria-label={`Delete ${title}`}>Delete</Button>
      </div>
      {notice && <p role="status" className={a.ok}>{notice}</p>}
      {error && dialog === null && <ErrorState error={error} />}
      {showLog && <DeliveryLog hook={hook} />}
      <Dialog open={dialog === 'off'} title="Turn this webhook off?" onClose={() => setDialog(null)}>
        <div className={a.form}>
          <p>Nothing more is sent to {hook.url}. Deliveries waiting for it are marked failed. You can turn it on again later.</p>
          {error && <ErrorState error={error} />}
          <div className={a.dialogActions}>
            <Button onClick={() => setDialog(null)}>Keep it on</Button>
            <Button variant="primary" disabled={busy} onClick={() => void setActive(false)}>{busy ? 'Turning off…' : 'Turn off'}</Button>
          </div>
        </div>
      </Dialog>
      <Dialog open={dialog === 'delete'} title="Delete this webhook?" onClose={() => setDialog(null)}>
        <div className={a.form}>
          <p>{hook.url} receives nothing more, and its delivery log goes with it. This cannot be undone.</p>
          {error && <ErrorState error={error} />}
          <div className={a.dialogActions}>
            <Button onClick={() => setDialog(null)}>Keep it</Button>
            <Button variant="primary" className={a.danger} disabled={busy} onClick={() => void remove()}>{busy ? 'Deleting…' : 'Delete webhook'}</Button>
          </div>
        </div>
      </Dialog>
    </li>
  );
}

/** The endpoint's deliveries, newest first, 20 at a time; refreshed every few seconds while some still wait. */
function DeliveryLog({ hook }: { hook: Webhook }) {
  const client = useQueryClient();
  const log = useInfiniteQuery({
    queryKey: keys.webhookDeliveries.infinite(hook.id),
    queryFn: async ({ pageParam }) => unwrap(await api.GET('/webhooks/{id}/deliveries', { params: { path: { id: hook.id }, query: { limit: 20, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.page.nextCursor ?? undefined,
    refetchInterval: (q) => (q.state.data?.pages.some((p) => p.data.some((d) => d.status === 'PENDING' || d.status === 'RETRYING')) ? 2000 : false),
  });
  const [again, setAgain] = useState<{ id: string; error: Error | null; done: boolean } | null>(null);
  const redeliver = async (d: Delivery) => {
    setAgain({ id: d.id, error: null, done: false });
    try {
      unwrap(await api.POST('/webhooks/{id}/deliveries/{deliveryId}/redeliver', { params: { path: { id: hook.id, deliveryId: d.id } } }));
      setAgain({ id: d.id, error: null, done: true });
      await client.invalidateQueries({ queryKey: keys.webhookDeliveries.all() });
    } catch (err) {
      setAgain({ id: d.id, error: err instanceof Error ? err : new Error(String(err)), done: false });
    }
  };
  const rows = log.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <section id={`log-${hook.id}`} className={a.log} aria-label={`Delivery log of ${hook.description || hook.url}`}>
      <div className={a.row}>
        <h3>Delivery log</h3>
        <Button variant="ghost" onClick={() => void log.refetch()} disabled={log.isFetching}>{log.isFetching ? 'Refreshing…' : 'Refresh'}</Button>
      </div>
      {log.isPending && <div role="status" aria-busy="true" aria-label="Loading the deliveries" className={a.skeletons}><Skeleton /><Skeleton width="70%" /></div>}
      {log.error && <ErrorState error={log.error} onRetry={() => void log.refetch()} />}
      {log.data && rows.length === 0 && <p className={a.muted}>Nothing has been sent yet. Send a test to see a delivery here.</p>}
      {again?.error && <ErrorState error={again.error} />}
      {again?.done && <p role="status" className={a.ok}>Sent again as a new delivery; it is at the top of the log.</p>}
      {rows.length > 0 && (
        <table className={a.table}>
          <caption className="visually-hidden">Deliveries, newest first</caption>
          <thead>
            <tr><th scope="col">Time</th><th scope="col">Event</th><th scope="col">Status</th><th scope="col" className={a.num}>Response</th><th scope="col" className={a.num}>Took</th><th scope="col" className={a.num}>Attempts</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr>
          </thead>
          <tbody>
            {rows.map((d) => (
              <tr key={d.id}>
                <td data-label="Time" className="tabular">{dateTime(d.createdAt)}</td>
                <td data-label="Event"><span className={a.url}>{d.eventType}</span>{d.eventSeq > 0 && <span className={a.muted}> · event {d.eventSeq}</span>}</td>
                <td data-label="Status">
                  <span className={`${a.state} ${d.status === 'SUCCEEDED' ? a.good : d.status === 'FAILED' || d.status === 'DROPPED' ? a.bad : a.warn}`}>{STATUS_WORDS[d.status]}</span>
                  {d.lastError && <span className={a.error}>{d.lastError}</span>}
                  {d.nextAttemptAt && d.status === 'RETRYING' && <span className={a.muted}> next try {dateTime(d.nextAttemptAt)}</span>}
                </td>
                <td data-label="Response" className={`${a.num} tabular`}>{d.lastStatusCode ?? <span className={a.muted}>none</span>}</td>
                <td data-label="Took" className={`${a.num} tabular`}>{d.lastDurationMs !== null ? duration(d.lastDurationMs) : <span className={a.muted}>–</span>}</td>
                <td data-label="Attempts" className={`${a.num} tabular`}>{d.attempts}</td>
                <td>
                  {(d.status === 'SUCCEEDED' || d.status === 'FAILED' || d.status === 'DROPPED') && (
                    <Button variant="ghost" disabled={again?.id === d.id && !again.done && !again.error} onClick={() => void redeliver(d)} aria-label={`Send again: ${d.eventType} of ${dateTime(d.createdAt)}`}>Send again</Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {log.hasNextPage && <Button onClick={() => void log.fetchNextPage()} disabled={log.isFetchingNextPage}>{log.isFetchingNextPage ? 'Loading…' : 'Show older deliveries'}</Button>}
    </section>
  );
}

function CreateDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const client = useQueryClient();
  const [created, setCreated] = useState<NewWebhook | null>(null);
  const close = () => {
    setCreated(null);
    onClose();
  };
  return (
    <Dialog open={open} title={created ? 'Copy the webhook’s secret' : 'New webhook'} onClose={close} wide>
      {created ? (
        <OneTimeSecret label="The webhook’s signing secret" value={created.secret} onDone={close}>
          <p>The receiver at {created.url} checks each delivery’s signature with this secret. This is the only time it is shown: copy it into the receiver now.</p>
        </OneTimeSecret>
      ) : (
        <CreateForm onCancel={close} onCreated={(hook) => { setCreated(hook); void client.invalidateQueries({ queryKey: keys.webhooks.all() }); }} />
      )}
    </Dialog>
  );
}

function CreateForm({ onCreated, onCancel }: { onCreated: (h: NewWebhook) => void; onCancel: () => void }) {
  // The checked events travel as one comma-separated value, so an empty choice is a missing field like the URL.
  const form = useSetupForm(LABELS, ['url', 'events'], async (values) => {
    const description = (values.description ?? '').trim();
    const events = (values.events ?? '').split(',').filter(Boolean) as EventType[];
    onCreated(unwrap(await api.POST('/webhooks', { body: { url: (values.url ?? '').trim(), events, ...(description ? { description } : {}) } })));
  });
  const submit = (el: HTMLFormElement) => {
    const data = new FormData(el);
    void form.submit({ url: String(data.get('url') ?? ''), description: String(data.get('description') ?? ''), events: data.getAll('events').map(String).join(',') });
  };
  return (
    <form className={a.form} noValidate onSubmit={(e) => { e.preventDefault(); submit(e.currentTarget); }}>
      <FormProblem state={form} />
      <TextField label="URL" name="url" type="url" required maxLength={2048} placeholder="https://pipeline.example.com/hooks/studio" error={form.fields.url} autoComplete="off" />
      <TextField label="Description (optional)" name="description" maxLength={500} placeholder="e.g. Pipeline bridge" error={form.fields.description} />
      <CheckboxGroup
        legend="Events to send"
        name="events"
        options={(Object.entries(EVENTS) as Array<[EventType, string]>).map(([value, label]) => ({ value, label, hint: value }))}
        error={form.fields.events}
      />
      <p className={a.muted}>The address must be one the studio’s server may reach on the internet: local and private network addresses are refused.</p>
      <div className={a.dialogActions}>
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="primary" disabled={form.busy}>{form.busy ? 'Creating…' : 'Create webhook'}</Button>
      </div>
    </form>
  );
}
