// The bell in the top bar: the member's unread count, live from `notification:new` on their own sockets;
// opening it lists the newest notifications, each linking to its subject (the task, or the reviewed version),
// with mark read (on open of one) and mark all read.
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import type { Socket } from 'socket.io-client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import type { components } from '../api/schema';
import type { ApiError } from '../api/errors';
import { Button, ErrorState } from '../ui';
import s from './production.module.css';

type Notification = components['schemas']['Notification'];

/** Where a notification leads: its task, else the version it is about, else the asset. */
export function notificationHref(n: Pick<Notification, 'taskId' | 'assetId' | 'version'>): string | null {
  if (n.taskId) return `/tasks/${n.taskId}`;
  if (n.assetId && n.version !== null) return `/assets/${n.assetId}/versions/${n.version}`;
  if (n.assetId) return `/assets/${n.assetId}`;
  return null;
}

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
  const markOne = useMutation({ mutationFn: async (id: string) => unwrap(await api.POST('/notifications/{id}/read', { params: { path: { id } } })), onSuccess: done });
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
          {list.isPending ? <p className={s.note} aria-busy="true">Loading…</p>
            : list.error ? <ErrorState error={list.error as ApiError} onRetry={() => void list.refetch()} />
            : !list.data.length ? <p className={s.note}>Nothing yet. Assignments, notes on your versions and mentions land here.</p>
            : (
              <ul className={s.list} style={{ gap: 0 }}>
                {list.data.map((n) => {
                  const href = notificationHref(n);
                  const body = <>{n.read ? '' : <span className="visually-hidden">Unread: </span>}{n.text}<time dateTime={n.createdAt}>{new Date(n.createdAt).toLocaleString()}</time></>;
                  const cls = [s.note, n.read ? '' : s.unread].join(' ');
                  return (
                    <li key={n.id}>
                      {href
                        ? <Link className={cls} to={href} onClick={() => { if (!n.read) markOne.mutate(n.id); setOpen(false); }}>{body}</Link>
                        : <span className={cls}>{body}</span>}
                    </li>
                  );
                })}
              </ul>
            )}
        </div>
      )}
    </div>
  );
}
