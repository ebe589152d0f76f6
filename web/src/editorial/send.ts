// Sends a cut file to the import, streamed by the browser from the File (never read into a string or an
// ArrayBuffer here), with the session's bearer token; on a 401 it refreshes the session once and sends the
// File again. Not through session.authFetch: that clones its Request to retry, and a clone of a body
// tees it, which may keep the whole file in memory for a retry that never comes.
import { session } from '../api/client';
import { ApiError } from '../api/errors';
import { CONTENT_TYPES, type CutFormat, type Report } from './report';

export interface SendDeps {
  fetch: typeof fetch;
  token: () => string | undefined;
  refresh: () => Promise<unknown>;
  origin: string;
}

const browser = (): SendDeps => ({
  fetch: (input, init) => globalThis.fetch(input, init),
  token: () => session.accessToken,
  refresh: () => session.refresh().catch(() => null),
  origin: window.location.origin,
});

/**
 * A dry run (`expect` undefined), or an apply of what a dry run showed: `expect` is that report's digest, and
 * the API refuses the apply (412 EDITORIAL_CUT_CHANGED) when the project's shots changed since.
 */
export async function sendCut(projectId: string, file: Blob, format: CutFormat, expect: string | undefined, signal?: AbortSignal, deps: SendDeps = browser()): Promise<Report> {
  const apply = expect === undefined ? '' : `&expect=${encodeURIComponent(expect)}`;
  const url = `${deps.origin}/projects/${encodeURIComponent(projectId)}/editorial/import?format=${format}&dryRun=${expect === undefined}${apply}`;
  const send = () => {
    const token = deps.token();
    return deps.fetch(url, {
      method: 'POST',
      body: file,
      headers: { 'Content-Type': CONTENT_TYPES[format], ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      signal,
    });
  };
  let res = await send();
  if (res.status === 401) {
    await deps.refresh();
    res = await send();
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) throw new ApiError(res.status, body, res.headers);
  return body as Report;
}
