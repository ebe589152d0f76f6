// The small shared components of UI.md: native elements with labels and ARIA wired in one place.
import { useEffect, useId, useRef, useState, type ButtonHTMLAttributes, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react';
import s from './ui.module.css';
import { waitInWords, type ApiError } from '../api/errors';

export function Button({ variant = 'default', className, ...rest }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: 'default' | 'primary' | 'ghost' }) {
  const v = variant === 'primary' ? s.primary : variant === 'ghost' ? s.ghost : '';
  return <button type="button" {...rest} className={[s.button, v, className].filter(Boolean).join(' ')} />;
}

export function TextField({ label, error, ...rest }: InputHTMLAttributes<HTMLInputElement> & { label: string; error?: string }) {
  const id = useId();
  return (
    <div className={s.field}>
      <label className={s.label} htmlFor={id}>{label}</label>
      <input id={id} className={s.input} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} {...rest} />
      {error && <span id={`${id}-error`} className={s.fieldError}>{error}</span>}
    </div>
  );
}

export function Select({ label, options, ...rest }: SelectHTMLAttributes<HTMLSelectElement> & { label: string; options: Array<{ value: string; label: string }> }) {
  const id = useId();
  return (
    <div className={s.field}>
      <label className={s.label} htmlFor={id}>{label}</label>
      <select id={id} className={s.select} {...rest}>
        {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      </select>
    </div>
  );
}

/** A group of checkboxes under one legend, each with a label and a line saying what it means; the error names the group. */
export function CheckboxGroup({ legend, name, options, error }: { legend: string; name: string; options: Array<{ value: string; label: string; hint?: string }>; error?: string }) {
  const id = useId();
  return (
    <fieldset className={s.checks} aria-describedby={error ? `${id}-error` : undefined} data-invalid={error ? true : undefined}>
      <legend className={s.label}>{legend}</legend>
      <div className={s.checkColumns}>
        {options.map((o) => (
          <label key={o.value} className={s.check}>
            <input type="checkbox" name={name} value={o.value} />
            <span>{o.label}{o.hint && <span className={s.checkHint}>{o.hint}</span>}</span>
          </label>
        ))}
      </div>
      {error && <span id={`${id}-error`} className={s.fieldError}>{error}</span>}
    </fieldset>
  );
}

const tone: Record<string, string | undefined> = {
  APPROVED: s.approved, CHANGES_REQUESTED: s.changes, PENDING_REVIEW: s.waiting, IN_PROGRESS: s.progress, FAILED: s.failed, ARCHIVED: s.archived,
  // API tokens.
  ACTIVE: s.approved, REVOKED: s.failed, EXPIRED: s.archived,
};
export function Badge({ status }: { status: string }) {
  return <span className={[s.badge, tone[status]].join(' ')}>{status.replaceAll('_', ' ').toLowerCase()}</span>;
}

export function Skeleton({ width = '100%' }: { width?: string }) {
  return <div className={s.skeleton} style={{ width }} aria-hidden="true" />;
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return <div className={s.empty} role="status"><h2>{title}</h2>{children}</div>;
}

/**
 * An API error in plain words: its message, the fields it names, the correlation id for support, a retry.
 * When the server asked to wait (Retry-After on a 429 or 503), the retry waits too and says how long.
 */
export function ErrorState({ error, onRetry }: { error: ApiError | Error; onRetry?: () => void }) {
  const correlationId = 'correlationId' in error ? error.correlationId : undefined;
  const left = useSecondsLeft('retryAfterSeconds' in error ? error.retryAfterSeconds : undefined);
  return (
    <div className={s.alert} role="alert">
      <p>{error.message}</p>
      {correlationId && <p className={s.correlation}>Reference {correlationId}</p>}
      {onRetry && <Button onClick={onRetry} disabled={left > 0}>{left > 0 ? `Retry in ${waitInWords(left)}` : 'Retry'}</Button>}
    </div>
  );
}

/** Whole seconds left of a wait that started when it was given (0 once over, or with none), ticking each second. */
export function useSecondsLeft(wait: number | undefined): number {
  const [until] = useState(() => (wait ? Date.now() + wait * 1000 : 0));
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until <= now) return;
    const timer = setTimeout(() => setNow(Date.now()), Math.min(1000, until - now));
    return () => clearTimeout(timer);
  }, [until, now]);
  return Math.max(0, Math.ceil((until - now) / 1000));
}

/** The native modal dialog: focus trapping, Escape and the backdrop come from the browser. */
export function Dialog({ open, title, onClose, children, wide = false }: { open: boolean; title: string; onClose: () => void; children: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} className={wide ? `${s.dialog} ${s.wide}` : s.dialog} aria-labelledby={titleId} onClose={onClose}>
      <h2 id={titleId}>{title}</h2>
      {open && children}
    </dialog>
  );
}
