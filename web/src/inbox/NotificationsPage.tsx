// All of a member's notifications: grouped (group.ts), filtered by unread and by kind, selected and marked read
// in bulk (100 per request, the API's cap), dates in the browser's locale.
import { useMemo, useState } from 'react';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { components } from '../api/schema';
import { api, unwrap } from '../api/client';
import type { ApiError } from '../api/errors';
import { keys } from '../api/keys';
import { useStudioMembers } from '../api/queries';
import { Button, EmptyState, ErrorState, Select, Skeleton } from '../ui';
import { GroupItem } from './GroupItem';
import { KIND_LABELS, groupNotifications, type Kind } from './group';
import { useMarkRead } from './data';
import { when } from './when';

type Frequency = components['schemas']['NotificationDigest']['frequency'];
import s from './inbox.module.css';

export function NotificationsPage() {
  const client = useQueryClient();
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [kind, setKind] = useState<Kind | ''>('');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const members = useStudioMembers();
  const nameOf = (id: string | null) => members.data?.find((m) => m.id === id)?.name ?? 'someone';
  const pages = useInfiniteQuery({
    queryKey: keys.notificationPages.infinite(unreadOnly),
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) => unwrap(await api.GET('/notifications', { params: { query: { limit: 100, unread: unreadOnly ? 'true' : 'false', ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.page.nextCursor ?? undefined,
  });
  const all = useMemo(() => pages.data?.pages.flatMap((p) => p.data) ?? [], [pages.data]);
  const groups = useMemo(() => groupNotifications(kind ? all.filter((n) => n.type === kind) : all), [all, kind]);
  const markRead = useMarkRead();
  const markAll = useMutation({ mutationFn: async () => unwrap(await api.POST('/notifications/read-all')), onSuccess: () => void client.invalidateQueries({ queryKey: keys.notifications.all() }) });
  const chosen = groups.filter((g) => selected.has(g.key));
  const chosenUnread = chosen.flatMap((g) => g.items.filter((n) => !n.read).map((n) => n.id));
  const toggle = (key: string, on: boolean) => setSelected((cur) => { const next = new Set(cur); if (on) next.add(key); else next.delete(key); return next; });

  return (
    <div className={s.page}>
      <h1>Notifications</h1>
      <DigestSetting />
      <div className={s.bar}>
        <Select label="Show" value={unreadOnly ? 'unread' : 'all'} onChange={(e) => { setUnreadOnly(e.target.value === 'unread'); setSelected(new Set()); }} options={[{ value: 'all', label: 'All' }, { value: 'unread', label: 'Unread only' }]} />
        <Select label="Kind" value={kind} onChange={(e) => { setKind(e.target.value as Kind | ''); setSelected(new Set()); }}
          options={[{ value: '', label: 'Every kind' }, ...(Object.keys(KIND_LABELS) as Kind[]).map((k) => ({ value: k, label: KIND_LABELS[k] }))]} />
        <Button onClick={() => setSelected(selected.size === groups.length ? new Set() : new Set(groups.map((g) => g.key)))} disabled={!groups.length}>
          {selected.size && selected.size === groups.length ? 'Select none' : 'Select all shown'}
        </Button>
        <Button variant="primary" onClick={() => markRead.mutate(chosenUnread, { onSuccess: () => setSelected(new Set()) })} disabled={!chosenUnread.length || markRead.isPending}>
          Mark selected read{chosenUnread.length ? ` (${chosenUnread.length})` : ''}
        </Button>
        <Button variant="ghost" onClick={() => markAll.mutate()} disabled={markAll.isPending}>Mark all read</Button>
      </div>
      {(markRead.error ?? markAll.error) && <ErrorState error={(markRead.error ?? markAll.error) as ApiError} />}
      {pages.isPending ? (
        <div aria-busy="true"><Skeleton width="70%" /><br /><Skeleton width="60%" /></div>
      ) : pages.error ? (
        <ErrorState error={pages.error as ApiError} onRetry={() => void pages.refetch()} />
      ) : groups.length === 0 ? (
        <EmptyState title={unreadOnly || kind ? 'Nothing matches these filters' : 'No notifications yet'}>
          <p>{unreadOnly || kind ? 'Show all kinds, or read ones too.' : 'Assignments, notes on your versions, decisions, mentions and reviews waiting for you land here.'}</p>
        </EmptyState>
      ) : (
        <ul className={s.groups} aria-label="Notifications">
          {groups.map((g) => (
            <GroupItem key={g.key} group={g} actorName={nameOf(g.actorId)} onOpen={(ids) => { if (ids.length) markRead.mutate(ids); }}
              select={{ checked: selected.has(g.key), onChange: (on) => toggle(g.key, on) }} />
          ))}
        </ul>
      )}
      {pages.hasNextPage && <Button onClick={() => void pages.fetchNextPage()} disabled={pages.isFetchingNextPage}>{pages.isFetchingNextPage ? 'Loading…' : 'Show older'}</Button>}
    </div>
  );
}

/** The member's email digest: off, hourly or daily (what the API's digest round mails). */
function DigestSetting() {
  const client = useQueryClient();
  const digest = useQuery({ queryKey: keys.notificationDigest.detail(), queryFn: async () => unwrap(await api.GET('/notifications/digest')) });
  const save = useMutation({
    mutationFn: async (frequency: Frequency) => unwrap(await api.PUT('/notifications/digest', { body: { frequency } })),
    onSuccess: (d) => client.setQueryData(keys.notificationDigest.detail(), d),
  });
  if (digest.error) return <ErrorState error={digest.error as ApiError} onRetry={() => void digest.refetch()} />;
  return (
    <div className={s.bar}>
      <Select label="Email digest of unread notifications" value={digest.data?.frequency ?? 'OFF'} disabled={!digest.data || save.isPending} onChange={(e) => save.mutate(e.target.value as Frequency)}
        options={[{ value: 'OFF', label: 'Off' }, { value: 'HOURLY', label: 'Hourly' }, { value: 'DAILY', label: 'Daily' }]} />
      <span className={s.muted} role="status">{digest.data?.nextAt ? `Next one ${when(digest.data.nextAt)}, if anything is unread.` : ''}</span>
      {save.error && <ErrorState error={save.error as ApiError} />}
    </div>
  );
}
