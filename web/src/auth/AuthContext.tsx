// React's view of the Session: the state, re-rendered on change, and a gate for signed-in pages.
import { createContext, useContext, useEffect, useSyncExternalStore, type ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import type { Session, SessionState } from './session';

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ session, children }: { session: Session; children: ReactNode }) {
  useEffect(() => {
    // A reload: the access token is gone, the cookie is not. Ask for a new one once.
    if (session.current.status === 'unknown') session.refresh().catch(() => undefined);
  }, [session]);
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

export function useSessionState(): SessionState {
  const s = useSession();
  return useSyncExternalStore((cb) => s.subscribe(cb), () => s.current);
}

export function RequireSession({ children }: { children: ReactNode }) {
  const state = useSessionState();
  const location = useLocation();
  if (state.status === 'unknown') return <p role="status" style={{ padding: 24, color: 'var(--muted)' }}>Signing you in…</p>;
  if (state.status === 'signed-out') return <Navigate to="/signin" replace state={{ from: location.pathname + location.search }} />;
  return <>{children}</>;
}
