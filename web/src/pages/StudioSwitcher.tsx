// The top bar's studio: the current one's name and, for people in several studios, a switch (POST /auth/switch).
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { useState } from 'react';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import { studioLabel, switchStudio } from '../studios/switchStudio';
import s from './shell.module.css';

export function StudioSwitcher() {
  const client = useQueryClient();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const studios = useQuery({ queryKey: keys.studios.mine(), queryFn: async () => unwrap(await api.GET('/auth/studios')).data, staleTime: 60_000 });
  const list = studios.data ?? [];
  const current = list.find((m) => m.current);
  if (list.length <= 1) return <span className={s.studio}>{current?.studioName ?? 'Studio'}</span>;
  const change = async (studioId: string) => {
    setError(null);
    try {
      await switchStudio(client, studioId);
      navigate('/assets');
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <span className={s.switcher}>
      <label htmlFor="studio-switcher" className="visually-hidden">Studio</label>
      <select id="studio-switcher" className={s.studioSelect} value={current?.studioId ?? ''} onChange={(e) => void change(e.target.value)}>
        {list.map((m) => <option key={m.studioId} value={m.studioId}>{studioLabel(m, list)} ({m.role.toLowerCase()})</option>)}
      </select>
      {error && <span role="alert" className={s.inlineError}>{error}</span>}
    </span>
  );
}
