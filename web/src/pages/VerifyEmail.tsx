import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import { ApiError } from '../api/errors';
import { useSession, useSessionState } from '../auth/AuthContext';
import type { SignedIn } from '../auth/session';
import { Button, ErrorState, Skeleton, TextField } from '../ui';
import { formValues, tokenFromHash, useSubmit } from './forms';
import s from './pages.module.css';

/**
 * The page a registration mail links to. Opening it only reads what the link is for (a preview, a link
 * scanner or a page someone else made you open spends nothing); the studio is created when its holder
 * submits, with the password chosen here (or the existing account's own), so no password typed at
 * registration, by anyone, ever becomes the account's.
 */
export function VerifyEmail() {
  const session = useSession();
  const state = useSessionState();
  const navigate = useNavigate();
  const token = tokenFromHash();
  const preview = useQuery({
    queryKey: keys.registrationPreviews.detail(token),
    queryFn: async () => unwrap(await api.GET('/auth/verify-email/preview', { params: { query: { token } } })),
    retry: false,
  });
  const { busy, error, fields, submit } = useSubmit(async (v: Record<string, string>) => {
    const result = await session.post<SignedIn>('/auth/verify-email', {
      token,
      password: v.password ?? '',
      ...(v.name ? { name: v.name } : {}),
      ...(v.studioName ? { studioName: v.studioName } : {}),
      // Asked for after a 409 STUDIO_NAME_TAKEN: the person confirms a second studio of a name they have.
      ...(v.sameNameOk ? { sameNameOk: true } : {}),
    });
    session.signedIn(result);
    navigate('/assets', { replace: true });
  });
  const p = preview.data;
  const signedInAs = state.status === 'signed-in' ? state.user.email : null;
  return (
    <main className={s.center}>
      <form className={s.card} noValidate onSubmit={(e) => { e.preventDefault(); void submit(formValues(e.currentTarget)); }}>
        <span className={s.brand}>Studio</span>
        <h1>Create your studio</h1>
        {preview.isPending && <><Skeleton width="70%" /><Skeleton width="40%" /></>}
        {preview.error && <><ErrorState error={preview.error} /><Link to="/create-studio">Register again</Link></>}
        {p && (
          <>
            <p>This link creates a studio for <strong>{p.email}</strong>. Nothing happens until you submit.</p>
            {signedInAs && signedInAs.toLowerCase() !== p.email.toLowerCase() && (
              <p role="note">You are signed in as <strong>{signedInAs}</strong>; this link is for another address. Continue only if it is yours.</p>
            )}
            {p.account === 'existing' && <p>This address has an account: sign in with its password and the studio is added to it.</p>}
            {p.account === 'unconfirmed' && (
              <p>This address has an account from before addresses were confirmed. Choose a new password: the old one stops working, and every session and API token of the account ends.</p>
            )}
            {error && <ErrorState error={error} />}
            {/* For password managers: the account this password belongs to. */}
            <input type="hidden" name="username" autoComplete="username" value={p.email} />
            <TextField label="Studio name" name="studioName" defaultValue={p.studioName} required error={fields.studioName} />
            {error instanceof ApiError && error.code === 'STUDIO_NAME_TAKEN' && (
              <label className={s.confirm}><input type="checkbox" name="sameNameOk" /> Yes, create a second studio with this name</label>
            )}
            {p.account === 'new' && <TextField label="Your name" name="name" autoComplete="name" defaultValue={p.name} required error={fields.name} />}
            <TextField
              label={p.account === 'existing' ? 'Your password' : 'Choose a password (at least 10 characters)'}
              name="password" type="password" autoComplete={p.account === 'existing' ? 'current-password' : 'new-password'} required error={fields.password}
            />
            <div className={s.actions}><span /><Button type="submit" variant="primary" disabled={busy}>{busy ? 'Creating…' : 'Create studio and sign in'}</Button></div>
          </>
        )}
      </form>
    </main>
  );
}
