// The bell in the top bar: the member's unread count, live from `notification:new` on their own sockets;
// opening it lists the newest notifications grouped (inbox/group.ts: one bulk assignment is one entry), each
// linking to its subject, with mark read (on open), mark all read, and the way to the notifications page.
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import type { Socket } from 'socket.io-client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import type { components } from '../api/schema';
import type { ApiError } from '../api/errors';
import { useStudioMembers } from '../api/queries';
import { Button, ErrorState } from '../ui';
import { GroupItem } from '../inbox/GroupItem';
import { groupNotifications } from '../inbox/group';
import { useMarkRead } from '../inbox/data';
import s from './production.module.css';

type Notification = components['schemas']['Notification'];

export { notificationHref } from '../inbox/group';

export function NotificationsBell({ socket }: { socket: Socket | null }) {
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const count = useQuery({ queryKey: keys.notifications.unread(), queryFn: async () => unwrap(await api.GET('/notifications/unread-count')).unread });
  const list = useQuery({ queryKey: keys.notifications.list(), enabled: open, queryFn: async () => unwrap(await api.GET('/notifications', { params: { query: { limit: 30 } } })).data });
  useEffect(() => {
    if (!socket) return;
    const onNew = (n: Notification) => {
      client.setQueryData(keys.notifications.unread(), (c) => (c ?? 0) + (n.read ? 0 : 1));
      client.setQueryData(keys.notifications.list(), (l) => (l ? [n, ...l.filter((x) => x.id !== n.id)] : l));
      for (const unread of [false, true]) void client.invalidateQueries({ queryKey: keys.notificationPages.infinite(unread) });
    };
    // A reconnect may have missed some: count again.
    const onConnect = () => void client.invalidateQueries({ queryKey: keys.notifications.unread() });
    socket.on('notification:new', onNew);
    socket.on('connect', onConnect);
    return () => { socket.off('notification:new', onNew); socket.off('connect', onConnect); };
  }, [socket, client]);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !box.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => { document.removeEventListener('mousedown', close); document.removeEventListener('keydown', close); };
  }, [open]);
  const done = () => { void client.invalidateQueries({ queryKey: keys.notifications.all() }); };
  const markRead = useMarkRead();
  const members = useStudioMembers();
  const markAll = useMutation({ mutationFn: async () => unwrap(await api.POST('/notifications/read-all')), onSuccess: done });
  const unread = count.data ?? 0;

  return (
    <div className={s.bell} ref={box}>
      <Button variant="ghost" aria-expanded={open} aria-controls="notifications-panel" onClick={() => setOpen(!open)}
        aria-label={`Notifications, ${unread} unread`}>
        <svg aria-hidden="true" width="16" height="16" viewBox="0 0 16 16" fill="currentColor"><path d="M8 16a2 2 0 0 0 2-2H6a2 2 0 0 0 2 2Zm6-4.5-1.5-1.8V6.5a4.5 4.5 0 0 0-3.5-4.4V1a1 1 0 0 0-2 0v1.1a4.5 4.5 0 0 0-3.5 4.4v3.2L2 11.5V13h12v-1.5Z" /></svg>
        {unread > 0 && <span className={s.bellCount} aria-hidden="true" data-testid="unread-count">{unread > 99 ? '99+' : unread}</span>}
      </Button>
      {open && (
        <div id="notifications-panel" className={s.panel} role="region" aria-label="Notifications">
          <div className={s.panelHead}>
            <h2>Notifications</h2>
            <Button variant="ghost" onClick={() => markAll.mutate()} disabled={!unread || markAll.isPending}>Mark all read</Button>
          </div>
          <Link to="/notifications" className={s.note} onClick={() => setOpen(false)}>All notifications, filters and bulk read</Link>
          {list.isPending ? <p className={s.note} aria-busy="true">Loading…</p>
            : list.error ? <ErrorState error={list.error as ApiError} onRetry={() => void list.refetch()} />
            : !list.data.length ? <p className={s.note}>Nothing yet. Assignments, notes on your versions and mentions land here.</p>
            : (
              <ul className={s.list} style={{ gap: 0 }}>
                {groupNotifications(list.data).map((g) => (
                  <GroupItem key={g.key} group={g} actorName={members.data?.find((m) => m.id === g.actorId)?.name ?? 'someone'}
                    onOpen={(ids) => { if (ids.length) markRead.mutate(ids); setOpen(false); }} />
                ))}
              </ul>
            )}
        </div>
      )}
    </div>
  );
}
