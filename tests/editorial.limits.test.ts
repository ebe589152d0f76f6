// The editorial import's reading budget (security review, findings 3 and 14): a CSV stops at its 10,001st
// shot before the rest of the body is read, while /health keeps answering; a deeply nested timeline is a 422,
// not a stack overflow; every format has a byte cap that its largest legitimate file at the shot cap fits
// in; an OTIO file is parsed on a thread that is stopped past its CPU or memory budget. How long any of this
// holds the event loop is bench:parsers' to measure, not a test's.
import http from 'node:http';
import path from 'node:path';
import { startHarness, type Harness } from './support/harness';
import { givenStudio, type Session } from './support/factories';
import { onReply, type RawResponse } from './support/uploads';
import { aLinesCsv, legitimateCsv, legitimateEdl, legitimateOtio, nestedOtio } from './support/cuts';
import { EDITORIAL_MAX_BYTES, MAX_SHOTS, OTIO_MAX_ITEMS, OTIO_MAX_JSON_VALUES } from '../src/app/services/editorial';
import { BudgetedThread, ThreadLimitError } from '../src/infra/threads/BudgetedThread';

const MiB = 1024 * 1024;
const CSV_TYPE = 'text/csv';
const OTIO_TYPE = 'application/vnd.opentimelineio+json';
const rt = (value: number) => ({ OTIO_SCHEMA: 'RationalTime.1', rate: 24000 / 1001, value });
const clip = (name: string) => ({ OTIO_SCHEMA: 'Clip.2', name, source_range: { OTIO_SCHEMA: 'TimeRange.1', start_time: rt(1001), duration: rt(24) } });
const timeline = (children: unknown[]) => JSON.stringify({ OTIO_SCHEMA: 'Timeline.1', name: 't', tracks: { OTIO_SCHEMA: 'Stack.1', children: [{ OTIO_SCHEMA: 'Track.1', kind: 'Video', children }] } });

/**
 * POSTs body over a real socket in 64 KiB writes; after `holdAfter` bytes it sends nothing more until the
 * answer has come (or holdMs has passed, so a server that waits for the whole body still answers), then the
 * rest. Resolves with the answer and how many bytes had been sent when it came.
 */
function postHeld(url: string, headers: Record<string, string>, body: Buffer, holdAfter: number, holdMs = 20_000): Promise<RawResponse & { sentWhenAnswered: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let sentWhenAnswered = -1;
    let answered: () => void = () => undefined;
    const answer = new Promise<void>((r) => (answered = r));
    const req = http.request(url, { method: 'POST', headers: { ...headers, 'Content-Length': String(body.length) } });
    req.on('response', () => {
      sentWhenAnswered = sent;
      answered();
    });
    onReply(req, (r) => resolve({ ...r, sentWhenAnswered }), reject);
    req.on('error', reject);
    void (async () => {
      let held = false;
      for (let at = 0; at < body.length; at += 64 * 1024) {
        if (at >= holdAfter && !held) {
          held = true;
          await Promise.race([answer, new Promise((r) => setTimeout(r, holdMs))]);
        }
        const piece = body.subarray(at, at + 64 * 1024);
        sent += piece.length;
        if (!req.write(piece)) await new Promise((r) => req.once('drain', r));
      }
      req.end();
    })().catch(reject);
  });
}

describe('editorial import limits', () => {
  let h: Harness;
  let url: string;
  let producer: Session;
  let projectId: string;

  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '100000' });
    url = await h.listen();
    producer = await givenStudio(h);
    projectId = (await h.http.post('/projects').set(producer.auth).send({ name: 'Limits', code: 'LIM', fps: { num: 24000, den: 1001 } }).expect(201)).body.id;
  });
  afterAll(async () => h.close());

  const importUrl = (format: string) => `${url}/projects/${projectId}/editorial/import?format=${format}&dryRun=true`;
  const send = (format: string, type: string, body: string | Buffer) =>
    h.http.post(`/projects/${projectId}/editorial/import`).query({ format, dryRun: 'true' }).set(producer.auth).set('Content-Type', type).send(body);
  const shotCount = () => h.container.models.Shot.countDocuments({ projectId });

  it('refuses the review\'s 8 MiB CSV of "a" lines at its 10,001st shot, before the rest of the body arrives', async () => {
    const body = Buffer.from(aLinesCsv(8 * MiB));
    const res = await postHeld(importUrl('csv'), { Authorization: producer.auth.Authorization, 'Content-Type': CSV_TYPE }, body, MiB);
    expect(res.status).toBe(422);
    const { error } = JSON.parse(res.body);
    expect(error.code).toBe('EDITORIAL_TOO_MANY_SHOTS');
    expect(error.message).toContain('more than 10,000 shots (the 10,001st is at line 10002)');
    expect(error.message).toContain('Split the show into projects');
    expect(error.details).toEqual([{ path: 'line 10002', message: 'the 10,001st shot' }]);
    // Answered while the client was still holding back the rest of the 8 MiB: the server had not waited for it.
    expect(res.sentWhenAnswered).toBeGreaterThan(0);
    expect(res.sentWhenAnswered).toBeLessThanOrEqual(MiB);
    expect(await shotCount()).toBe(0);
  });

  it('answers four back-to-back 8 MiB CSVs with 422 each while /health keeps answering', async () => {
    const body = Buffer.from(aLinesCsv(8 * MiB));
    let importing = true;
    const health: number[] = [];
    let answeredDuringImports = 0;
    const prober = (async () => {
      while (importing) {
        const res = await fetch(`${url}/health`);
        health.push(res.status);
        await res.arrayBuffer();
        if (importing) answeredDuringImports++;
      }
    })();
    const answers: Array<{ status: number; code: string }> = [];
    try {
      for (let i = 0; i < 4; i++) {
        const res = await send('csv', CSV_TYPE, body);
        answers.push({ status: res.status, code: res.body.error?.code });
      }
    } finally {
      importing = false;
      await prober;
    }
    expect(answers).toEqual(Array.from({ length: 4 }, () => ({ status: 422, code: 'EDITORIAL_TOO_MANY_SHOTS' })));
    expect(answeredDuringImports).toBeGreaterThan(0);
    expect(health.every((s) => s === 200)).toBe(true);
    expect(await shotCount()).toBe(0);
  });

  it.each([
    ['sent as an .otio file (parsed on the editorial thread)', OTIO_TYPE, 20_000],
    ['sent as application/json (parsed by the JSON body parser)', 'application/json', 15_000],
  ])('answers 422 EDITORIAL_TOO_DEEP for the review\'s deeply nested timeline %s', async (_how, type, depth) => {
    const res = await send('otio', type, nestedOtio(depth));
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('EDITORIAL_TOO_DEEP');
    expect(res.body.error.message).toContain('more than 64 levels deep');
    expect(res.body.error.message).toContain('Flatten the nested stacks');
    expect(await shotCount()).toBe(0);
  });

  it('refuses a timeline of more JSON values than a cut needs while it arrives, before parsing it', async () => {
    // 2,000,001 empty objects in 6 MiB: 32 MiB of them made JSON.parse abort the whole API process past the thread's heap.
    const res = await send('otio', OTIO_TYPE, `{"OTIO_SCHEMA":"Timeline.1","x":[${'{},'.repeat(OTIO_MAX_JSON_VALUES / 2)}{}]}`).expect(422);
    expect(res.body.error.code).toBe('EDITORIAL_TOO_COMPLEX');
    expect(res.body.error.message).toContain('The timeline holds more than 2,000,000 JSON values');
    expect(await shotCount()).toBe(0);
  });

  it('stops walking a timeline at its item cap and at its shot cap', async () => {
    const gaps = Array.from({ length: OTIO_MAX_ITEMS + 1 }, () => ({ OTIO_SCHEMA: 'Gap.1', source_range: { OTIO_SCHEMA: 'TimeRange.1', start_time: rt(0), duration: rt(1) } }));
    const items = await send('otio', OTIO_TYPE, timeline(gaps)).expect(422);
    expect(items.body.error).toMatchObject({ code: 'EDITORIAL_TOO_MANY_ITEMS', details: [{ path: 'item 50001', message: 'the 50,001st item' }] });
    const shots = await send('otio', OTIO_TYPE, timeline(Array.from({ length: MAX_SHOTS + 1 }, (_, i) => clip(`SQ1_SH${i}`)))).expect(422);
    expect(shots.body.error).toMatchObject({ code: 'EDITORIAL_TOO_MANY_SHOTS', details: [{ path: 'item 10001', message: 'the 10,001st shot' }] });
    expect(await shotCount()).toBe(0);
  });

  it('refuses an EDL at its 10,001st shot, and one of more lines than a cut needs', async () => {
    const events = (n: number) =>
      Array.from({ length: n }, (_, i) => `${String(i + 1).padStart(6, '0')}  R  V  C  01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00\n* FROM CLIP NAME: SQ1_SH${i}.mov\n`).join('');
    const shots = await send('edl', 'text/plain', events(MAX_SHOTS + 1)).expect(422);
    expect(shots.body.error).toMatchObject({ code: 'EDITORIAL_TOO_MANY_SHOTS', details: [{ path: 'line 20001', message: 'the 10,001st shot' }] });
    const lines = await send('edl', 'text/plain', 'TITLE: blank\n' + '\n'.repeat(250_000)).expect(422);
    expect(lines.body.error.code).toBe('EDITORIAL_TOO_MANY_ITEMS');
    expect(lines.body.error.message).toContain('more than 200,000 lines');
  });

  it('refuses a body past its format\'s byte cap with 413 EDITORIAL_TOO_LARGE, saying what to do', async () => {
    // A CSV with one quoted field that never ends: no record to count, only bytes.
    const csv = await send('csv', CSV_TYPE, Buffer.concat([Buffer.from('sequence,shot,frame_in,frame_out\n"'), Buffer.alloc(EDITORIAL_MAX_BYTES.csv, 'x')])).expect(413);
    expect(csv.body.error.code).toBe('EDITORIAL_TOO_LARGE');
    expect(csv.body.error.message).toBe('The CSV is larger than 8 MiB, more than a 10,000-shot cut needs. Shorten long descriptions or leave out columns the import does not read, and import again. Nothing was changed.');
    // An OTIO body declared past its cap is refused before a byte of it is read.
    const otio = await new Promise<RawResponse>((resolve, reject) => {
      const req = http.request(importUrl('otio'), { method: 'POST', headers: { Authorization: producer.auth.Authorization, 'Content-Type': OTIO_TYPE, 'Content-Length': String(EDITORIAL_MAX_BYTES.otio + 1) } });
      onReply(req, resolve, reject);
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(otio.status).toBe(413);
    expect(otio.headers.connection).toBe('close');
    expect(JSON.parse(otio.body).error).toMatchObject({ code: 'EDITORIAL_TOO_LARGE', message: expect.stringContaining('The timeline is larger than 32 MiB') });
  });

  it.each([
    ['csv', CSV_TYPE, () => legitimateCsv(MAX_SHOTS)],
    ['edl', 'text/plain', () => legitimateEdl(MAX_SHOTS)],
    ['otio', OTIO_TYPE, () => legitimateOtio(MAX_SHOTS)],
  ] as const)('reads the largest legitimate %s at the shot cap, which fits in its byte cap', async (format, type, make) => {
    // A string: superagent would send a Buffer with a +json type as JSON of its bytes.
    const body = make();
    expect(Buffer.byteLength(body)).toBeLessThan(EDITORIAL_MAX_BYTES[format]);
    const res = await send(format, type, body).expect(200);
    expect(res.body.shots.new).toHaveLength(MAX_SHOTS);
    expect(res.body.shots.new[MAX_SHOTS - 1]).toMatchObject({ code: 'SQ0990_SH1000', sequence: 'SQ0990' });
    expect(await shotCount()).toBe(0);
  });
});

describe('the editorial parse thread\'s budget', () => {
  let h: Harness;
  let producer: Session;
  let projectId: string;

  beforeAll(async () => {
    // A budget no 10,000-shot timeline fits in, and a small one does.
    h = await startHarness({ RATE_LIMIT_MAX: '100000', EDITORIAL_PARSE_CPU_MS: '40' });
    producer = await givenStudio(h);
    projectId = (await h.http.post('/projects').set(producer.auth).send({ name: 'Budget', code: 'BUD', fps: { num: 24000, den: 1001 } }).expect(201)).body.id;
  });
  afterAll(async () => h.close());

  const send = (body: string) => h.http.post(`/projects/${projectId}/editorial/import`).query({ format: 'otio', dryRun: 'true' }).set(producer.auth).set('Content-Type', OTIO_TYPE).send(body);

  it('stops a parse past its CPU time with 422 EDITORIAL_TOO_COMPLEX, and reads the next file on a fresh thread', async () => {
    const res = await send(legitimateOtio(MAX_SHOTS)).expect(422);
    expect(res.body.error.code).toBe('EDITORIAL_TOO_COMPLEX');
    expect(res.body.error.message).toContain('Reading the timeline needed more than 0.04 s of CPU time');
    expect(res.body.error.message).toContain('Nothing was changed.');
    const next = await send(timeline([clip('SQ1_SH0010')])).expect(200);
    expect(next.body.shots.new).toEqual([{ code: 'SQ1_SH0010', sequence: 'SQ1', frameIn: 1001, frameOut: 1024, recordIn: 0, recordOut: 23, fps: null }]);
  });
});

describe('BudgetedThread', () => {
  const entry = path.resolve(__dirname, '../src/app/services/editorial.thread.ts');
  const job = (text: string): [unknown, ArrayBuffer[]] => {
    const bytes = new Uint8Array(Buffer.from(text));
    return [{ bytes, fps: { num: 24000, den: 1001 } }, [bytes.buffer]];
  };

  it('stops a job past its heap cap, refuses jobs past its queue, and runs the next job on a fresh thread', async () => {
    const thread = new BudgetedThread({ name: 'test', entry, cpuMs: 60_000, heapMib: 16, maxQueued: 1, wallMs: 120_000 });
    try {
      const big = thread.run(...job(legitimateOtio(MAX_SHOTS)));
      const queued = thread.run(...job(timeline([clip('SQ1_A')])));
      await expect(thread.run(...job(timeline([clip('SQ1_B')])))).rejects.toMatchObject({ limit: 'busy' });
      await expect(big).rejects.toBeInstanceOf(ThreadLimitError);
      await expect(big).rejects.toMatchObject({ limit: 'memory', message: 'test job needed more than 16 MiB of memory' });
      const reply = await queued;
      expect(reply.ok && (reply.value as { rows: Array<{ code: string }> }).rows.map((r) => r.code)).toEqual(['SQ1_A']);
    } finally {
      await thread.close();
    }
  });
});
