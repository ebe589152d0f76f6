// What a form shows after a failed submit: the API's message and its field errors.
import { useState } from 'react';
import { ApiError } from '../api/errors';

export function useSubmit<T>(action: (values: T) => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | Error | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const submit = async (values: T) => {
    setBusy(true);
    setError(null);
    setFields({});
    try {
      await action(values);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      setError(e);
      if (e instanceof ApiError) setFields(e.fieldErrors());
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, fields, submit };
}

export const formValues = (form: HTMLFormElement) => Object.fromEntries(new FormData(form)) as Record<string, string>;

/** The #token=… of a mailed link: in the fragment, so it never reaches a server log or a Referer. */
export const tokenFromHash = () => new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '';
