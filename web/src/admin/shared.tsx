// What the studio admin pages share: the page for those not allowed (a deep link), and a secret shown once.
import { useState } from 'react';
import { Link } from 'react-router';
import { useSessionState } from '../auth/AuthContext';
import type { components } from '../api/schema';
import { Button, EmptyState } from '../ui';
import a from './admin.module.css';

type Role = components['schemas']['User']['role'];

/** The signed-in member's role (null while the session loads). */
export function useRole(): Role | null {
  const state = useSessionState();
  return state.status === 'signed-in' ? state.user.role : null;
}

/** A deep link to an admin page by someone whose role may not use it: what the page is, and who can. */
export function NotAllowed({ title, who, what }: { title: string; who: string; what: string }) {
  return (
    <div className={a.page}>
      <h1>{title}</h1>
      <EmptyState title={`Only ${who} can open this page`}>
        <p>{what} Ask one of your studio’s {who} if you need something changed here.</p>
        <p><Link to="/">Go to your start page</Link></p>
      </EmptyState>
    </div>
  );
}

/** A secret shown once: a read-only field to select and a copy button that says whether it worked. */
export function OneTimeSecret({ label, value, children, onDone }: { label: string; value: string; children: React.ReactNode; onDone: () => void }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      setCopied('no');
    }
  };
  return (
    <div className={a.form}>
      {children}
      <div className={a.secretRow}>
        <label className="visually-hidden" htmlFor="admin-one-time-secret">{label}</label>
        <input id="admin-one-time-secret" className={a.secret} readOnly value={value} onFocus={(e) => e.currentTarget.select()} />
        <Button variant="primary" onClick={() => void copy()}>Copy</Button>
      </div>
      <p role="status" className={copied === 'no' ? a.warnText : a.ok}>
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'no' ? 'The browser would not copy it: select the field and copy by hand.' : ''}
      </p>
      <div className={a.dialogActions}>
        <Button onClick={onDone}>Done</Button>
      </div>
    </div>
  );
}
