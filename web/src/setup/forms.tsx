// The setup forms' submit: required fields checked before asking, the API's field errors in words under
// each field and in one summary line above the form, other refusals (a taken code, no permission) in the
// API's own message with its reference.
import { useState, type ReactNode } from 'react';
import { Button, Dialog, ErrorState } from '../ui';
import { fieldMessages, missing, problemsOf, summary, type FieldProblem, type Labels } from './formErrors';
import s from './setup.module.css';

export interface FormState { busy: boolean; fields: Record<string, string>; line: string; error: Error | null }

export function useSetupForm(labels: Labels, required: readonly string[], action: (values: Record<string, string>) => Promise<void>) {
  const [state, setState] = useState<FormState>({ busy: false, fields: {}, line: '', error: null });
  const show = (problems: FieldProblem[], error: Error | null) =>
    setState({ busy: false, fields: fieldMessages(problems, labels), line: summary(problems, labels), error: problems.length ? null : error });
  const submit = async (values: Record<string, string>) => {
    const empty = missing(values, required);
    if (empty.length) return show(empty, null);
    setState({ busy: true, fields: {}, line: '', error: null });
    try {
      await action(values);
      setState({ busy: false, fields: {}, line: '', error: null });
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      show(problemsOf(e), e);
    }
  };
  return { ...state, submit };
}

/** The form's one alert: the summary of its field problems, or the refusal's message. */
export function FormProblem({ state }: { state: FormState }) {
  if (state.line) return <p className={s.problem} role="alert">{state.line}</p>;
  if (state.error) return <ErrorState error={state.error} />;
  return null;
}

export const formValues = (form: HTMLFormElement): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of new FormData(form)) if (typeof v === 'string') out[k] = v;
  return out;
};

/** A number field's value for the API: a number when it is one, the text otherwise (so the API names the field). */
export const num = (v: string | undefined): number | undefined => {
  const t = (v ?? '').trim();
  return t === '' ? undefined : Number(t);
};

/** A set-up dialog's form: the alert, the fields, Cancel and the submit button (busy while it asks). */
export function FormDialog({ title, open, onClose, form, submit, busyLabel = 'Saving…', disabled = false, children }: {
  title: string; open: boolean; onClose: () => void; form: FormState & { submit: (values: Record<string, string>) => Promise<void> };
  submit: string; busyLabel?: string; disabled?: boolean; children: ReactNode;
}) {
  return (
    <Dialog open={open} title={title} onClose={onClose}>
      <form className={s.form} noValidate onSubmit={(e) => { e.preventDefault(); void form.submit(formValues(e.currentTarget)); }}>
        <FormProblem state={form} />
        {children}
        <div className={s.actions}>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={form.busy || disabled}>{form.busy ? busyLabel : submit}</Button>
        </div>
      </form>
    </Dialog>
  );
}
