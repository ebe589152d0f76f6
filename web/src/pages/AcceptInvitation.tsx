import { useQuery } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import { useSession } from '../auth/AuthContext';
import type { SignedIn } from '../auth/session';
import { Button, ErrorState, Skeleton, TextField } from '../ui';
import { formValues, tokenFromHash, useSubmit } from './forms';
import s from './pages.module.css';

/** The page an invitation mail links to: what it is for, then join with a password (and a name for a new account). */
export function AcceptInvitation() {
  const session = useSession();
  const navigate = useNavigate();
  const token = tokenFromHash();
  const preview = useQuery({
    queryKey: keys.invitationPreviews.detail(token),
    queryFn: async () => unwrap(await api.GET('/invitations/preview', { params: { query: { token } } })),
    retry: false,
  });
  const { busy, error, fields, submit } = useSubmit(async (v: Record<string, string>) => {
    const accepted = unwrap(await api.POST('/invitations/accept', { body: { token, password: v.password ?? '', ...(v.name ? { name: v.name } : {}) } }));
    // The invitation answers with a body token; a cookie-mode refresh rotates it into the HttpOnly cookie.
    session.signedIn(await session.post<SignedIn>('/auth/refresh', { refreshToken: accepted.refreshToken }));
    navigate('/assets', { replace: true });
  });
  return (
    <main className={s.center}>
      <form className={s.card} noValidate onSubmit={(e) => { e.preventDefault(); void submit(formValues(e.currentTarget)); }}>
        <span className={s.brand}>Studio</span>
        <h1>Join a studio</h1>
        {preview.isPending && <><Skeleton width="70%" /><Skeleton width="40%" /></>}
        {preview.error && <ErrorState error={preview.error} />}
        {preview.data && (
          <>
            <p><strong>{preview.data.studioName}</strong> invites <strong>{preview.data.email}</strong> as {preview.data.role.toLowerCase()}.</p>
            {error && <ErrorState error={error} />}
            {preview.data.account === 'unconfirmed' && (
              <p>This address has an account from before addresses were confirmed. Choose a new password: the old one stops working, and every session and API token of the account ends.</p>
            )}
            {preview.data.account === 'new' && <TextField label="Your name" name="name" autoComplete="name" required error={fields.name} />}
            <TextField
              label={preview.data.account === 'existing' ? 'Your password' : 'Choose a password (at least 10 characters)'}
              name="password" type="password" autoComplete={preview.data.account === 'existing' ? 'current-password' : 'new-password'} required error={fields.password}
            />
            <div className={s.actions}><span /><Button type="submit" variant="primary" disabled={busy}>{busy ? 'Joining…' : 'Accept and sign in'}</Button></div>
          </>
        )}
      </form>
    </main>
  );
}
