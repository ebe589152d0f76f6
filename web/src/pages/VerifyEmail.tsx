import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useSession } from '../auth/AuthContext';
import type { SignedIn } from '../auth/session';
import { ErrorState } from '../ui';
import { tokenFromHash } from './forms';
import s from './pages.module.css';

/** The page a registration mail links to: follows the link once, then opens the new studio. */
export function VerifyEmail() {
  const session = useSession();
  const navigate = useNavigate();
  const [error, setError] = useState<Error | null>(null);
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return; // StrictMode runs effects twice; the link is single-use.
    started.current = true;
    session
      .post<SignedIn>('/auth/verify-email', { token: tokenFromHash() })
      .then((result) => {
        session.signedIn(result);
        navigate('/assets', { replace: true });
      })
      .catch((err: Error) => setError(err));
  }, [session, navigate]);
  return (
    <main className={s.center}>
      <section className={s.card}>
        <span className={s.brand}>Studio</span>
        <h1>Confirming your address</h1>
        {error ? <><ErrorState error={error} /><Link to="/create-studio">Register again</Link></> : <p role="status">Creating your studio…</p>}
      </section>
    </main>
  );
}
