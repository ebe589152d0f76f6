import { Link, useLocation, useNavigate } from 'react-router';
import { useSession, useSessionState } from '../auth/AuthContext';
import { SessionEndedNotice } from '../studios/SessionEndedNotice';
import type { SignedIn } from '../auth/session';
import { Button, ErrorState, TextField } from '../ui';
import { formValues, useSubmit } from './forms';
import s from './pages.module.css';

export function SignIn() {
  const session = useSession();
  const state = useSessionState();
  const navigate = useNavigate();
  const from = (useLocation().state as { from?: string } | null)?.from ?? '/assets';
  const { busy, error, fields, submit } = useSubmit(async (v: Record<string, string>) => {
    session.signedIn(await session.post<SignedIn>('/auth/login', { email: v.email, password: v.password }));
    navigate(from, { replace: true });
  });
  return (
    <main className={s.center}>
      <form className={s.card} noValidate onSubmit={(e) => { e.preventDefault(); void submit(formValues(e.currentTarget)); }}>
        <span className={s.brand}>Studio</span>
        <h1>Sign in</h1>
        {!error && state.status === 'signed-out' && state.ended && <SessionEndedNotice ended={state.ended} />}
        {error && <ErrorState error={error} />}
        <TextField label="Email" name="email" type="email" autoComplete="username" required error={fields.email} />
        <TextField label="Password" name="password" type="password" autoComplete="current-password" required error={fields.password} />
        <Link to="/forgot-password">Forgot password?</Link>
        <div className={s.actions}>
          <Link to="/create-studio">Create a studio</Link>
          <Button type="submit" variant="primary" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</Button>
        </div>
      </form>
    </main>
  );
}
