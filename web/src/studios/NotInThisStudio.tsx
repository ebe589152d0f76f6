// A page's "not found" for a link into another studio: when one of the person's *own* other studios holds the
// id (GET /auth/studios/holding, answered from their memberships only), it offers to switch there and reopens
// the same page; otherwise it shows the page's usual not-found, exactly as for an id that does not exist.
import { useState, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useLocation, useNavigate } from 'react-router';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import { Button, EmptyState, ErrorState, Skeleton } from '../ui';
import { studioLabel, switchStudio } from './switchStudio';
import s from './studios.module.css';

export function NotInThisStudio({ kind, id, children }: { kind: 'asset' | 'project' | 'task'; id: string; children: ReactNode }) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const holding = useQuery({
    queryKey: keys.studios.holding(kind, id),
    queryFn: async () => unwrap(await api.GET('/auth/studios/holding', { params: { query: { kind, id } } })).data,
    retry: false,
  });
  const mine = useQuery({ queryKey: keys.studios.mine(), queryFn: async () => unwrap(await api.GET('/auth/studios')).data, staleTime: 60_000, enabled: (holding.data?.length ?? 0) > 0 });
  if (holding.isPending) return <div aria-busy="true" style={{ padding: 24 }}><Skeleton width="40%" /></div>;
  const there = holding.data?.[0];
  // A failed look-up is no reason to hide the page's own answer.
  if (!there) return <>{children}</>;
  const name = studioLabel(there, mine.data ?? [there]);
  const go = async () => {
    setBusy(true);
    setError(null);
    try {
      await switchStudio(client, there.studioId);
      void navigate(location.pathname + location.search, { replace: true });
    } catch (err) {
      setError(err as Error);
      setBusy(false);
    }
  };
  return (
    <EmptyState title={`This ${kind} is in another of your studios`}>
      <div className={s.switchOffer}>
        <p>This belongs to <strong>{name}</strong>. Switch to it?</p>
        <Button variant="primary" disabled={busy} onClick={() => void go()}>{busy ? 'Switching…' : `Switch to ${there.studioName}`}</Button>
      </div>
      {error && <ErrorState error={error} />}
    </EmptyState>
  );
}
