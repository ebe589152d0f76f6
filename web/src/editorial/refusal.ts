// Every way the import can refuse a file (src/app/services/EditorialService.ts, editorial.ts, editorial.edl.ts,
// the lease and the rate limits), or the request fail, as a title, what happened and what to do, and the
// file's problems by line. The API's own messages for the file's caps already say what to do and are kept;
// the codes, and any message written for a programmer, are never shown.
import { ApiError } from '../api/errors';
import { FORMAT_NAMES, aFormat, count, type CutFormat } from './report';

export interface Refusal {
  title: string;
  text: string;
  /** The file's problems, where each is ("Line 4", "Item 124"), as the API located them. */
  problems: Array<{ where: string; message: string }>;
  /** How many problems the file has in all, when the API listed only the first ones. */
  problemCount: number | null;
  /** Trying the same file again may work (the network, a busy server): the page offers it. */
  retry: boolean;
  /** The server asked to wait this long before trying again. */
  retryAfterSeconds?: number;
}

const where = (path: string) => path.charAt(0).toUpperCase() + path.slice(1);
/** The API's message as a sentence: "1 problem(s)" in words, one full stop at the end. */
export function sentence(message: string): string {
  const worded = message.replace(/\b(\d[\d,]*) (\w+)\(s\)/g, (_, n: string, noun: string) => `${n} ${n === '1' ? noun : `${noun}s`}`);
  return /[.!?]$/.test(worded) ? worded : `${worded}.`;
}

export function refusalInWords(err: unknown, format: CutFormat, step: 'preview' | 'apply'): Refusal {
  const name = FORMAT_NAMES[format];
  const base = { problems: [], problemCount: null, retry: false };
  const transient = { ...base, retry: true };
  if (!(err instanceof ApiError)) {
    return {
      ...transient,
      title: 'The file could not be sent',
      text: step === 'apply'
        ? 'The connection to the server failed before it answered, so it is not known whether the cut was applied. Check your network, then preview the file again: the preview shows what is left to change.'
        : 'The connection to the server failed before it answered. Check your network and try again; if the file changed on disk since you chose it, choose it again.',
    };
  }
  const wait = err.retryAfterSeconds !== undefined ? { retryAfterSeconds: err.retryAfterSeconds } : {};
  switch (err.code) {
    case 'EDITORIAL_INVALID': {
      const total = /has ([\d,]+) problem/.exec(err.message)?.[1];
      const problemCount = total ? Number(total.replaceAll(',', '')) : null;
      return {
        title: `The ${name} cannot be imported as it is`,
        text: `${sentence(err.message)} Fix ${format === 'otio' ? 'the items below' : err.details.length === 1 ? 'the line below' : 'the lines below'} in the file, or export it again from the editing tool, and choose it again.`,
        // By line (or item): the API lists a file's problems as each check finds them, the line checks first.
        problems: err.details.map((d) => ({ where: where(d.path), message: d.message, at: Number(/\d+/.exec(d.path)?.[0] ?? Infinity) }))
          .sort((a, b) => a.at - b.at).map(({ where: w, message }) => ({ where: w, message })),
        problemCount: problemCount !== null && problemCount > err.details.length ? problemCount : null,
        retry: false,
      };
    }
    case 'EDITORIAL_TOO_LARGE':
      return { ...base, title: 'The file is too large', text: sentence(err.message) };
    case 'EDITORIAL_TOO_MANY_SHOTS':
      return { ...base, title: 'The cut has too many shots', text: sentence(err.message) };
    case 'EDITORIAL_TOO_DEEP':
    case 'EDITORIAL_TOO_MANY_ITEMS':
    case 'EDITORIAL_TOO_COMPLEX':
      return { ...base, title: `The ${name} is too complex to read`, text: sentence(err.message) };
    case 'EDITORIAL_BUSY':
      return { ...transient, ...wait, title: 'The server is busy', text: sentence(err.message) };
    case 'LOCK_TIMEOUT':
      return { ...transient, ...wait, title: 'Another cut is being applied', text: 'Someone is applying a cut to this project right now. Wait for it to finish, then preview your file again: the preview shows what their import changed.' };
    case 'EDITORIAL_CUT_CHANGED':
      return { ...transient, title: 'The project changed since your preview', text: 'Someone changed this project\'s shots after you previewed the file, so applying it now would not do what the preview said. Nothing was changed: preview the file again and read what it changes now.' };
    case 'EDITORIAL_READ_FAILED':
      return { ...transient, title: 'The server could not read the file', text: sentence(err.message) };
    case 'UNSUPPORTED_MEDIA_TYPE':
      return { ...base, title: `The file was not read as ${aFormat(format)}`, text: 'Choose the format that matches the file (CSV, EDL or OpenTimelineIO) and preview it again.' };
  }
  switch (err.status) {
    case 403:
      return { ...base, title: 'You cannot import cuts', text: 'Directors and producers import cuts into a project. Ask one of them to import this file.' };
    case 404:
      return { ...base, title: 'The project is gone', text: 'This project no longer exists or belongs to another studio; nothing was changed. Go back to the projects and open it again.' };
    case 429:
      return { ...transient, ...wait, title: 'Too many requests', text: sentence(err.message) };
    case 400:
      return { ...base, title: `The ${name} could not be sent`, text: 'The import did not understand how this page asked for it; nothing was changed. Reload the page and try again.' };
    case 401:
      return { ...base, title: 'You are signed out', text: 'Your session ended before the file was read; nothing was changed. Sign in again and import the file.' };
  }
  if (err.status >= 500) {
    return { ...transient, ...wait, title: 'The server could not finish', text: `The import failed because of a fault on the server${step === 'apply' ? '; preview the file again to see what was applied' : ', and nothing was changed'}. Try again, and tell your administrator if it keeps failing.` };
  }
  return { ...base, title: `The ${name} was refused`, text: sentence(err.message) };
}

/** "the first 200 of 1,234 problems" or "3 problems", for the problems table's caption. */
export const problemsCaption = (r: Refusal) => (r.problemCount ? `The first ${count(r.problems.length)} of ${count(r.problemCount)} problems` : `${count(r.problems.length)} problem${r.problems.length === 1 ? '' : 's'}`);
