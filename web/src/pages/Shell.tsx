// The frame of every signed-in page (UI.md layout): top bar, side navigation, content.
import { useEffect, useState, type ReactNode } from 'react';
import { NavLink, useNavigate } from 'react-router';
import type { Socket } from 'socket.io-client';
import { useQueryClient } from '@tanstack/react-query';
import { useSession, useSessionState } from '../auth/AuthContext';
import { connectRealtime } from '../realtime/socket';
import { applyAssetEvent, type Asset } from '../assets/useAssetPages';
import { Button } from '../ui';
import s from './pages.module.css';

export function Shell({ children }: { children: (socket: Socket | null) => ReactNode }) {
  const session = useSession();
  const state = useSessionState();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [socket, setSocket] = useState<Socket | null>(null);
  useEffect(() => {
    const sock = connectRealtime(session);
    sock.on('asset:created', (a: Asset) => applyAssetEvent(client, a, 'created'));
    sock.on('asset:updated', (a: Asset) => applyAssetEvent(client, a, 'updated'));
    setSocket(sock);
    return () => { sock.disconnect(); };
  }, [session, client]);
  const user = state.status === 'signed-in' ? state.user : null;
  return (
    <div className={s.shell}>
      <header className={s.topbar}>
        <span className={s.studio}>Studio</span>
        <span className={s.spacer} />
        {user && <span className={s.me}>{user.name} · {user.role.toLowerCase()}</span>}
        <Button variant="ghost" onClick={async () => { await session.logout().catch(() => undefined); client.clear(); navigate('/signin'); }}>Sign out</Button>
      </header>
      <nav className={s.nav} aria-label="Main">
        <NavLink to="/assets">Assets</NavLink>
        <span className={s.soon}>Shots, renders and members come next</span>
      </nav>
      <main className={s.main}>{children(socket)}</main>
    </div>
  );
}
