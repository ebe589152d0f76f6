// What a person would call "it broke", recorded while a test walks the app: an error boundary on screen, an
// uncaught error, a console error, a request that failed. The user-path and route-walk specs assert none.
import { expect, type Locator, type Page, type Request, type Response } from '@playwright/test';

/**
 * Answers that are not failures although their status is >= 400, each with the reason. Kept to what the
 * app cannot know before asking: whether the browser still holds a session cookie (HttpOnly, so only the
 * refresh can tell) before anyone signed in, and whether the pipeline has made a version's thumbnail or
 * preview (an asset card asks; the API's 404 with that code is its "none (yet)", never a missing asset).
 */
const EXPECTED: Array<{ method: string; path: RegExp; status: number; code?: string; signedOutOnly?: true; why: string }> = [
  { method: 'POST', path: /^\/auth\/refresh$/, status: 401, signedOutOnly: true, why: 'the sign-in page asks whether the cookie still holds a session' },
  { method: 'GET', path: /^\/assets\/[0-9a-f]{24}\/versions\/\d+\/thumbnail$/, status: 404, code: 'THUMBNAIL_NOT_READY', why: 'a card shows "No thumbnail" for a version the pipeline made none of' },
  { method: 'GET', path: /^\/assets\/[0-9a-f]{24}\/versions\/\d+\/preview$/, status: 404, code: 'PREVIEW_NOT_READY', why: 'no preview video (yet): the page shows the still or the state' },
];

/** The route error boundary (web/src/ui/RouteError.tsx), or React Router's default one where none is set. */
export const boundary = (page: Page): Locator => page.locator('[data-route-error]').or(page.getByText('Unexpected Application Error!'));

export interface Watch {
  readonly problems: string[];
  /** Waits for the verdicts on error answers still being read. */
  settle(): Promise<void>;
  /** From now on the session is signed in: the expected answers of a signed-out browser no longer are. */
  signedIn(): void;
  /** No boundary on screen and nothing recorded so far; `where` names the step in the failure. */
  expectClean(where: string): Promise<void>;
  /**
   * Waits until `target` is visible, failing at once (with what broke) if a boundary shows or a problem
   * is recorded first, as a person would see the crash rather than wait for the page.
   */
  arrive(where: string, target: Locator, timeout?: number): Promise<void>;
  /** The next answer of this method, path, status and code is the step's point (a form the API refuses), not a failure. */
  expectRefusal(method: string, path: RegExp, status: number, code: string): void;
}

const pathOf = (url: string) => new URL(url).pathname;

export function watch(page: Page): Watch {
  const problems: string[] = [];
  let signedIn = false;
  const refusals: Array<{ method: string; path: RegExp; status: number; code: string }> = [];
  page.on('pageerror', (err) => problems.push(`uncaught error on ${pathOf(page.url())}: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    // The browser's own line for an HTTP error status: the response itself is judged below, with its URL.
    if (/^Failed to load resource: the server responded with a status of \d+/.test(msg.text())) return;
    problems.push(`console error on ${pathOf(page.url())}: ${msg.text().split('\n').slice(0, 3).join(' | ')}`);
  });
  // Reading an error's body is asynchronous: its verdict lands in `pending`, which expectClean awaits.
  const pending: Array<Promise<void>> = [];
  page.on('response', (res: Response) => {
    if (res.status() < 400) return;
    const req = res.request();
    const path = pathOf(res.url());
    const on = pathOf(page.url());
    const refusal = refusals.findIndex((e) => e.method === req.method() && e.path.test(path) && e.status === res.status());
    if (refusal >= 0) {
      const [e] = refusals.splice(refusal, 1);
      pending.push(res.json().then((b: { error?: { code?: string } }) => b.error?.code, () => undefined).then((code) => { if (code !== e!.code) problems.push(`${req.method()} ${path} answered ${res.status()} ${code} on ${pathOf(page.url())}, not ${e!.code}`); }));
      return;
    }
    const candidates = EXPECTED.filter((e) => e.method === req.method() && e.path.test(path) && e.status === res.status() && !(e.signedOutOnly && signedIn));
    pending.push((async () => {
      const code = candidates.some((e) => e.code) ? await res.json().then((b: { error?: { code?: string } }) => b.error?.code, () => undefined) : undefined;
      if (!candidates.some((e) => !e.code || e.code === code)) problems.push(`${req.method()} ${path} answered ${res.status()}${code ? ` ${code}` : ''} on ${on}`);
    })());
  });
  page.on('requestfailed', (req: Request) => {
    const why = req.failure()?.errorText ?? 'failed';
    // A fetch the page cancelled itself (it navigated away, or a newer request replaced it).
    if (why === 'net::ERR_ABORTED') return;
    problems.push(`${req.method()} ${pathOf(req.url())} failed (${why}) on ${pathOf(page.url())}`);
  });
  const expectClean = async (where: string) => {
    await Promise.all(pending.splice(0));
    const shown = boundary(page);
    if (await shown.count()) problems.push(`an error boundary shows on ${pathOf(page.url())}: ${(await shown.first().innerText()).replaceAll('\n', ' | ')}`);
    expect(problems, `${where}: nothing broke`).toEqual([]);
  };
  return {
    problems,
    settle: () => Promise.all(pending.splice(0)).then(() => undefined),
    signedIn: () => { signedIn = true; },
    expectRefusal: (method, path, status, code) => { refusals.push({ method, path, status, code }); },
    expectClean,
    async arrive(where, target, timeout = 20_000) {
      await expect.poll(async () => {
        if (problems.length || (await boundary(page).count())) return 'broke';
        return (await target.isVisible()) ? 'arrived' : 'waiting';
      }, { message: `${where}: waiting for ${target}`, timeout, intervals: [50, 100, 250] }).not.toBe('waiting');
      await expectClean(where);
      await expect(target).toBeVisible();
    },
  };
}
