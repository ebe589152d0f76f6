import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import { Button, ErrorState, Skeleton, TextField } from '../ui';
import { formValues, tokenFromHash, useSubmit } from '../pages/forms';
import s from '../pages/pages.module.css';

/**
 * The page a password-reset mail links to. Opening it only reads which account the link is for (a link
 * scanner spends nothing); the password changes when its holder submits, which signs the person out
 * everywhere and revokes their personal API tokens, so the page says so before and after.
 */
export function ResetPassword() {
  const token = tokenFromHash();
  const [done, setDone] = useState(false);
  const preview = useQuery({
    queryKey: keys.passwordResetPreviews.detail(token),
    queryFn: async () => unwrap(await api.GET('/auth/password-reset/preview', { params: { query: { token } } })),
    retry: false,
    // Spent once submitted: never read it again.
    enabled: !done,
  });
  const { busy, error, fields, submit } = useSubmit(async (v: Record<string, string>) => {
    unwrap(await api.POST('/auth/password-reset/confirm', { body: { token, password: v.password ?? '' } }));
    setDone(true);
  });
  if (done) {
    return (
      <main className={s.center}>
        <section className={s.card} aria-live="polite">
          <span className={s.brand}>Studio</span>
          <h1>Password changed</h1>
          <p>Your new password is set. You were signed out everywhere and your personal API tokens were revoked: make new ones on the API tokens page if your scripts need them.</p>
          <Link to="/signin">Sign in with your new password</Link>
        </section>
      </main>
    );
  }
  const p = preview.data;
  return (
    <main className={s.center}>
      <form className={s.card} noValidate onSubmit={(e) => { e.preventDefault(); void submit(formValues(e.currentTarget)); }}>
        <span className={s.brand}>Studio</span>
        <h1>Choose a new password</h1>
        {preview.isPending && <><Skeleton width="70%" /><Skeleton width="40%" /></>}
        {preview.error && <><ErrorState error={preview.error} /><Link to="/forgot-password">Ask for a new link</Link></>}
        {p && (
          <>
            <p>This link sets a new password for <strong>{p.email}</strong>. Nothing changes until you save it; then you are signed out everywhere and your personal API tokens are revoked.</p>
            {error && <ErrorState error={error} />}
            {/* For password managers: the account this password belongs to. */}
            <input type="hidden" name="username" autoComplete="username" value={p.email} />
            <TextField label="New password (at least 10 characters)" name="password" type="password" autoComplete="new-password" required error={fields.password} />
            <div className={s.actions}><Link to="/signin">Cancel</Link><Button type="submit" variant="primary" disabled={busy}>{busy ? 'Saving…' : 'Save new password'}</Button></div>
          </>
        )}
      </form>
    </main>
  );
}
