// Sending a cut: the File itself is the request body (the browser streams it), with the format's content
// type and the bearer token; a 401 refreshes the session and sends the same File again; a refusal is an ApiError.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api/errors';
import { sendCut, type SendDeps } from '../src/editorial/send';

const report = { dryRun: true, format: 'edl', digest: 'd'.repeat(64), sequences: { new: [], existing: [] }, shots: { new: [], removed: [], omitted: [], retimed: [], moved: [], unchanged: 3 } };

function deps(answers: Response[], tokens: string[] = ['t1', 't2']) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  let token = tokens[0];
  let refreshed = 0;
  const d: SendDeps = {
    origin: 'https://studio.test',
    token: () => token,
    refresh: async () => { refreshed++; token = tokens[1]; },
    fetch: async (url, init) => {
      calls.push({ url: String(url), init: init! });
      return answers.shift()!;
    },
  };
  return { d, calls, refreshed: () => refreshed };
}

describe('sendCut', () => {
  it('sends the File as the body with the format\'s type, dry run or apply in the query', async () => {
    const file = new File(['001  A V C 01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00\n'], 'reel.edl');
    const { d, calls } = deps([new Response(JSON.stringify(report), { status: 200 })]);
    expect(await sendCut('p1', file, 'edl', undefined, undefined, d)).toEqual(report);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe('https://studio.test/projects/p1/editorial/import?format=edl&dryRun=true');
    expect(calls[0]!.init.body).toBe(file);
    expect(calls[0]!.init.method).toBe('POST');
    expect(calls[0]!.init.headers).toEqual({ 'Content-Type': 'application/x-edl', Authorization: 'Bearer t1' });
  });

  it('applies with the preview\'s digest, refreshing an expired session once and sending the same File again', async () => {
    const file = new File(['sequence,shot,frame_in,frame_out\n'], 'cut.csv');
    const { d, calls, refreshed } = deps([new Response('{}', { status: 401 }), new Response(JSON.stringify({ ...report, dryRun: false }), { status: 200 })]);
    expect((await sendCut('p1', file, 'csv', 'a'.repeat(64), undefined, d)).dryRun).toBe(false);
    expect(refreshed()).toBe(1);
    // An apply carries the digest of the dry run that was read.
    expect(calls.map((c) => [c.url.endsWith(`dryRun=false&expect=${'a'.repeat(64)}`), c.init.body === file, (c.init.headers as Record<string, string>).Authorization])).toEqual([[true, true, 'Bearer t1'], [true, true, 'Bearer t2']]);
  });

  it('throws the API\'s refusal as an ApiError with its details and Retry-After', async () => {
    const body = { error: { code: 'EDITORIAL_BUSY', message: 'busy', correlationId: 'c' } };
    const { d } = deps([new Response(JSON.stringify(body), { status: 503, headers: { 'Retry-After': '5' } })]);
    const err = await sendCut('p1', new File(['{}'], 'a.otio'), 'otio', undefined, undefined, d).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 503, code: 'EDITORIAL_BUSY', retryAfterSeconds: 5 });
  });
});
