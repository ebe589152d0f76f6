import { useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import { Button, ErrorState, TextField } from '../ui';
import { formValues, useSubmit } from '../pages/forms';
import s from '../pages/pages.module.css';

/**
 * "Forgot password?": asks for a mailed link. The answer is the same whether the address has an account,
 * so the page says only that a mail is on its way.
 */
export function ForgotPassword() {
  const [sentTo, setSentTo] = useState<string | null>(null);
  const { busy, error, fields, submit } = useSubmit(async (v: Record<string, string>) => {
    const email = v.email ?? '';
    unwrap(await api.POST('/auth/password-reset', { body: { email } }));
    setSentTo(email);
  });
  if (sentTo) {
    return (
      <main className={s.center}>
        <section className={s.card} aria-live="polite">
          <span className={s.brand}>Studio</span>
          <h1>Check your mail</h1>
          <p>We sent a mail to <strong>{sentTo}</strong>. If the address has an account, it holds a link to choose a new password; the link works once and only for a short time.</p>
          <Link to="/signin">Back to sign in</Link>
        </section>
      </main>
    );
  }
  return (
    <main className={s.center}>
      <form className={s.card} noValidate onSubmit={(e) => { e.preventDefault(); void submit(formValues(e.currentTarget)); }}>
        <span className={s.brand}>Studio</span>
        <h1>Reset your password</h1>
        <p>Give the address you sign in with: we mail it a link to choose a new password.</p>
        {error && <ErrorState error={error} />}
        <TextField label="Email" name="email" type="email" autoComplete="username" required error={fields.email} />
        <div className={s.actions}>
          <Link to="/signin">Back to sign in</Link>
          <Button type="submit" variant="primary" disabled={busy}>{busy ? 'Sending…' : 'Mail me a link'}</Button>
        </div>
      </form>
    </main>
  );
}
