// The frame of every signed-in page (UI.md layout): top bar, side navigation, content.
import { useEffect, useState, type ReactNode } from 'react';
import { NavLink, useNavigate } from 'react-router';
import type { Socket } from 'socket.io-client';
import { useQueryClient } from '@tanstack/react-query';
import { useSession, useSessionState } from '../auth/AuthContext';
import { connectRealtime } from '../realtime/socket';
import { applyAssetEvent, type Asset } from '../assets/useAssetPages';
import { Button } from '../ui';
import { SocketContext } from '../realtime/SocketContext';
import { attachLiveCache } from '../realtime/liveCache';
import { StudioSwitcher } from './StudioSwitcher';
import { GlobalSearch } from '../search/GlobalSearch';
import { NotificationsBell } from '../production/NotificationsBell';
import s from './pages.module.css';

export function Shell({ children }: { children: (socket: Socket | null) => ReactNode }) {
  const session = useSession();
  const state = useSessionState();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [socket, setSocket] = useState<Socket | null>(null);
  const user = state.status === 'signed-in' ? state.user : null;
  // A new connection per studio: a switch of studio changes the rooms the server puts it in.
  const studioId = user?.studioId;
  useEffect(() => {
    const sock = connectRealtime(session);
    sock.on('asset:created', (a: Asset) => applyAssetEvent(client, a, 'created'));
    sock.on('asset:updated', (a: Asset) => applyAssetEvent(client, a, 'updated'));
    const detach = attachLiveCache(sock, client);
    setSocket(sock);
    return () => { detach(); sock.disconnect(); };
  }, [session, client, studioId]);
  return (
    <div className={s.shell}>
      <header className={s.topbar}>
        <StudioSwitcher />
        <GlobalSearch />
        <span className={s.spacer} />
        <NotificationsBell socket={socket} />
        {user && <span className={s.me}>{user.name} · {user.role.toLowerCase()}</span>}
        <Button variant="ghost" onClick={async () => { await session.logout().catch(() => undefined); client.clear(); navigate('/signin'); }}>Sign out</Button>
      </header>
      <nav className={s.nav} aria-label="Main">
        <NavLink to="/assets">Assets</NavLink>
        <NavLink to="/projects">Projects</NavLink>
        <NavLink end to="/tasks">My tasks</NavLink>
        <NavLink to="/tasks/board">Task board</NavLink>
        {(user?.role === 'DIRECTOR' || user?.role === 'PRODUCER') && <NavLink to="/reviews/waiting">Waiting for review</NavLink>}
        <NavLink to="/settings/tracking">Task types</NavLink>
        <NavLink to="/renders">Renders</NavLink>
        {user?.role === 'PRODUCER' && <NavLink to="/members">Members</NavLink>}
        <NavLink to="/tokens">API tokens</NavLink>
        {user?.role === 'PRODUCER' && <NavLink to="/admin/bots">Bots</NavLink>}
        {user?.role === 'PRODUCER' && <NavLink to="/admin/webhooks">Webhooks</NavLink>}
        {(user?.role === 'PRODUCER' || user?.role === 'DIRECTOR') && <NavLink to="/admin/storage">Storage</NavLink>}
      </nav>
      <main className={s.main}><SocketContext.Provider value={socket}>{children(socket)}</SocketContext.Provider></main>
    </div>
  );
}
