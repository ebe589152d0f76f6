// Moving the session to another of the person's studios (POST /auth/switch): everything cached belongs to the
// old studio, so the cache is cleared before the new session's pages load.
import type { QueryClient } from '@tanstack/react-query';
import { api, session, unwrap } from '../api/client';
import { WEB_CLIENT } from '../auth/session';

export async function switchStudio(client: QueryClient, studioId: string): Promise<void> {
  const result = unwrap(await api.POST('/auth/switch', { body: { studioId }, headers: WEB_CLIENT }));
  client.clear();
  session.signedIn({ accessToken: result.accessToken, user: result.user });
}

/** A studio's name told apart from others of the same name: its slug and the day it was made. */
export function studioLabel(m: { studioName: string; studioSlug: string; studioCreatedAt: string }, all: Array<{ studioName: string }>): string {
  const twins = all.filter((o) => o.studioName.trim().toLowerCase() === m.studioName.trim().toLowerCase()).length;
  if (twins < 2) return m.studioName;
  const day = new Date(m.studioCreatedAt).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
  return `${m.studioName} — ${m.studioSlug}, created ${day}`;
}
