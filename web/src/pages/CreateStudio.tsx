import { useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import { Button, ErrorState, TextField } from '../ui';
import { formValues, useSubmit } from './forms';
import s from './pages.module.css';

export function CreateStudio() {
  const [sentTo, setSentTo] = useState<string | null>(null);
  const { busy, error, fields, submit } = useSubmit(async (v: Record<string, string>) => {
    const body = { studioName: v.studioName ?? '', name: v.name ?? '', email: v.email ?? '' };
    unwrap(await api.POST('/auth/register', { body }));
    setSentTo(body.email);
  });
  if (sentTo) {
    return (
      <main className={s.center}>
        <section className={s.card} aria-live="polite">
          <span className={s.brand}>Studio</span>
          <h1>Check your mail</h1>
          <p>We sent a link to <strong>{sentTo}</strong>. Open it to choose your password, create your studio and sign in.</p>
        </section>
      </main>
    );
  }
  return (
    <main className={s.center}>
      <form className={s.card} noValidate onSubmit={(e) => { e.preventDefault(); void submit(formValues(e.currentTarget)); }}>
        <span className={s.brand}>Studio</span>
        <h1>Create a studio</h1>
        {error && <ErrorState error={error} />}
        <TextField label="Studio name" name="studioName" required error={fields.studioName} />
        <TextField label="Your name" name="name" autoComplete="name" required error={fields.name} />
        <TextField label="Email" name="email" type="email" autoComplete="email" required error={fields.email} />
        <div className={s.actions}>
          <Link to="/signin">I have an account</Link>
          <Button type="submit" variant="primary" disabled={busy}>{busy ? 'Sending…' : 'Create studio'}</Button>
        </div>
      </form>
    </main>
  );
}
