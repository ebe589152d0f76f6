// The editorial screen's words: a dry-run report summarised and said as people read it (what Apply does, each
// shot's change and the work it touches), pages and search over 10,000 shots, every refusal in words, and the
// grid's mark on an omitted shot.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api/errors';
import {
  actionSentence, affectsInWords, consequences, formatOf, isNoChange, matching, moveInWords, pageOf, retimeInWords, summarise, tooLargeToSend,
  type Report, type ShotRef,
} from '../src/editorial/report';
import { problemsCaption, refusalInWords, sentence } from '../src/editorial/refusal';
import { gridRows, type Shot, type ShotGridPage } from '../src/production/model';

const ref = (code: string, frameIn: number, frameOut: number, more: Partial<ShotRef> = {}): ShotRef => ({ code, sequence: 'SQ010', frameIn, frameOut, recordIn: null, recordOut: null, fps: null, ...more });
const work = (tasks: number, versions = 0, renders = 0) => ({ tasks: Array.from({ length: tasks }, (_, i) => ({ id: `t${i}`, name: `Task ${i}`, status: 'WIP' })), versions, renders });

function report(shots: Partial<Report['shots']> = {}, newSequences: string[] = []): Report {
  return { dryRun: true, format: 'csv', digest: '0'.repeat(64), sequences: { new: newSequences, existing: ['SQ010'] }, shots: { new: [], removed: [], omitted: [], retimed: [], moved: [], unchanged: 0, ...shots } };
}

describe('a dry run in words', () => {
  const cut = report({
    new: [ref('SH040', 1001, 1024)],
    retimed: [
      { code: 'SH010', from: ref('SH010', 1001, 1048), to: ref('SH010', 1011, 1058), affects: work(2, 3, 1) },
      { code: 'SH015', from: ref('SH015', 1001, 1048), to: ref('SH015', 1001, 1053), affects: work(0) },
    ],
    removed: ['SH030', 'SH035', 'SH036'],
    omitted: [{ code: 'SH030', affects: work(1, 2) }, { code: 'SH035', affects: work(0) }, { code: 'SH036', affects: work(1) }],
    unchanged: 17,
  });

  it('counts each kind and the work on the re-timed and the omitted shots', () => {
    expect(summarise(cut)).toEqual({
      added: 1, retimed: 2, moved: 0, returning: 0, omitted: 3, unchanged: 17, newSequences: [],
      work: { retimed: { tasks: 2, versions: 3, renders: 1 }, omitted: { tasks: 2, versions: 2, renders: 0 } },
    });
  });

  it('says what Apply does, omissions first, the noun once, and what it did', () => {
    const s = summarise(cut);
    expect(actionSentence(s)).toBe('Omit 3 shots, re-time 2 and add 1');
    expect(actionSentence(s, 'done')).toBe('Omitted 3 shots, re-timed 2 and added 1');
    expect(actionSentence(summarise(report({ omitted: [{ code: 'A', affects: work(0) }], removed: ['A'], retimed: [cut.shots.retimed[0]!] })))).toBe('Omit 1 shot and re-time 1');
    expect(actionSentence(summarise(report({ new: [ref('B010', 1, 2, { sequence: 'SQ020' })] }, ['SQ020'])))).toBe('Add 1 shot and create sequence SQ020');
    expect(actionSentence(summarise(report({}, ['A', 'B', 'C', 'D', 'E', 'F'])))).toBe('Create 6 sequences (A, B, C, D, E and 1 more)');
  });

  it('tells the confirmation what happens to the work', () => {
    expect(consequences(summarise(cut))).toEqual([
      'The 3 omitted shots stay in the project, marked omitted, with 2 tasks and 2 versions; importing a cut that holds them brings them back.',
      'The 2 re-timed shots get new frame ranges; 2 tasks, 3 versions and 1 render on them may no longer fit.',
    ]);
    const one = summarise(report({ omitted: [{ code: 'A', affects: work(0) }], removed: ['A'] }));
    expect(consequences(one)).toEqual(['The omitted shot stays in the project, marked omitted; importing a cut that holds it brings it back.']);
  });

  it('knows a cut that changes nothing', () => {
    expect(isNoChange(summarise(report({ unchanged: 20 })))).toBe(true);
    expect(isNoChange(summarise(cut))).toBe(false);
    expect(isNoChange(summarise(report({ unchanged: 20 }, ['SQ099'])))).toBe(false);
  });

  it('says how a shot was re-timed: a slip, a trim at either end, a new rate', () => {
    expect(retimeInWords(ref('A', 1001, 1048), ref('A', 1011, 1058))).toBe('slipped 10 frames later');
    expect(retimeInWords(ref('A', 1001, 1048), ref('A', 1000, 1047))).toBe('slipped 1 frame earlier');
    expect(retimeInWords(ref('A', 1001, 1048), ref('A', 1001, 1053))).toBe('tail extended by 5 frames');
    expect(retimeInWords(ref('A', 1001, 1048), ref('A', 1005, 1040))).toBe('head trimmed by 4 frames and tail trimmed by 8 frames');
    expect(retimeInWords(ref('A', 1001, 1048), ref('A', 1001, 1048, { fps: { num: 25, den: 1 } }))).toBe('now at 25 fps');
    expect(retimeInWords(ref('A', 1, 2, { fps: { num: 24000, den: 1001 } }), ref('A', 1, 2))).toBe('now at the project\'s rate');
  });

  it('says how a shot moves in the cut', () => {
    expect(moveInWords({ code: 'A', from: ref('A', 1, 2, { sequence: 'SQ010' }), to: ref('A', 1, 2, { sequence: 'SQ020' }), returning: false })).toBe('moves from SQ010 to SQ020');
    expect(moveInWords({ code: 'A', from: ref('A', 1, 2), to: ref('A', 1, 2, { recordIn: 0, recordOut: 1 }), returning: true })).toBe('comes back into the cut and placed in the cut at 0–1');
    expect(moveInWords({ code: 'A', from: ref('A', 1, 2, { recordIn: 0, recordOut: 1 }), to: ref('A', 1, 2, { recordIn: 24, recordOut: 25 }), returning: false })).toBe('cut position 0–1 → 24–25');
    expect(moveInWords({ code: 'A', from: ref('A', 1, 2), to: ref('A', 1, 2), returning: false })).toBe('its order in the cut changes');
  });

  it('names the work on a shot by its tasks\' status names', () => {
    expect(affectsInWords(work(2, 3, 1), (c) => (c === 'WIP' ? 'In progress' : c))).toBe('Task 0 (In progress), Task 1 (In progress), 3 versions, 1 render');
    expect(affectsInWords(work(0))).toBe('no tasks, versions or renders yet');
  });
});

describe('10,000 shots, a page at a time', () => {
  const shots = Array.from({ length: 10_000 }, (_, i) => ({ code: `SH${String(i + 1).padStart(5, '0')}` }));
  it('pages of 50, clamped to the list, with where they are', () => {
    expect(pageOf(shots, 0, 50)).toMatchObject({ page: 0, pages: 200, from: 1, to: 50 });
    const last = pageOf(shots, 199, 50);
    expect(last).toMatchObject({ page: 199, from: 9951, to: 10_000 });
    expect(last.items.at(-1)).toEqual({ code: 'SH10000' });
    expect(pageOf(shots, 500, 50).page).toBe(199);
    expect(pageOf([], 3, 50)).toMatchObject({ items: [], page: 0, pages: 1, from: 0, to: 0 });
  });
  it('finds shots by part of their code, whatever the case', () => {
    expect(matching(shots, 'sh0999').map((s) => s.code)).toEqual(['SH09990', 'SH09991', 'SH09992', 'SH09993', 'SH09994', 'SH09995', 'SH09996', 'SH09997', 'SH09998', 'SH09999']);
    expect(matching(shots, '  ')).toBe(shots);
  });
});

describe('choosing a file', () => {
  it('reads the format from the name, and refuses an empty or too large file before sending it', () => {
    expect([formatOf('reel1.EDL'), formatOf('cut.otio'), formatOf('shots.csv'), formatOf('notes.txt'), formatOf('edl')]).toEqual(['edl', 'otio', 'csv', null, null]);
    expect(tooLargeToSend({ name: 'a.csv', size: 8 * 1024 * 1024 }, 'csv')).toBeNull();
    expect(tooLargeToSend({ name: 'a.edl', size: 9 * 1024 * 1024 }, 'edl')).toBe('a.edl is 9.0 MiB; the import reads an EDL of up to 8 MiB, more than a 10,000-shot cut needs. Export the video track only, without audio events, and choose the new file. Nothing was sent.');
    expect(tooLargeToSend({ name: 'big.otio', size: 33 * 1024 * 1024 }, 'otio')).toMatch(/^big\.otio is 33\.0 MiB; the import reads an OpenTimelineIO timeline of up to 32 MiB/);
    expect(tooLargeToSend({ name: 'e.csv', size: 0 }, 'csv')).toBe('e.csv is empty. Choose the cut file your editing tool exported.');
  });
});

describe('refusals in words', () => {
  const refused = (status: number, code: string, message: string, details?: Array<{ path: string; message: string }>, retryAfter?: string) =>
    new ApiError(status, { error: { code, message, details, correlationId: 'c1' } }, new Headers(retryAfter ? { 'Retry-After': retryAfter } : {}));

  it('lists a malformed file\'s problems by line, counting those the API left out', () => {
    const r = refusalInWords(refused(422, 'EDITORIAL_INVALID', 'The EDL has 1 problem(s); nothing was changed', [{ path: 'line 4', message: 'event 002: a timecode is not HH:MM:SS:FF at 25 frames per second' }]), 'edl', 'preview');
    expect(r).toEqual({
      title: 'The EDL cannot be imported as it is',
      text: 'The EDL has 1 problem; nothing was changed. Fix the line below in the file, or export it again from the editing tool, and choose it again.',
      problems: [{ where: 'Line 4', message: 'event 002: a timecode is not HH:MM:SS:FF at 25 frames per second' }],
      problemCount: null,
      retry: false,
    });
    const many = refusalInWords(refused(422, 'EDITORIAL_INVALID', 'The CSV has 1,234 problem(s); nothing was changed', Array.from({ length: 200 }, (_, i) => ({ path: `line ${i + 2}`, message: 'frame_in is not a whole number' }))), 'csv', 'preview');
    expect(many.problemCount).toBe(1234);
    expect(problemsCaption(many)).toBe('The first 200 of 1,234 problems');
    expect(many.text).toMatch(/^The CSV has 1,234 problems; nothing was changed\. Fix the lines below/);
    const otio = refusalInWords(refused(422, 'EDITORIAL_INVALID', 'The timeline has 2 problem(s); nothing was changed', [{ path: 'item 124', message: 'clip "X" has no source_range' }, { path: 'item 125', message: 'y' }]), 'otio', 'preview');
    expect(otio.problems[0]).toEqual({ where: 'Item 124', message: 'clip "X" has no source_range' });
    // By line, whatever order the API found them in.
    const edl = refusalInWords(refused(422, 'EDITORIAL_INVALID', 'The EDL has 3 problem(s); nothing was changed', [{ path: 'line 4', message: 'a' }, { path: 'line 5', message: 'b' }, { path: 'line 2', message: 'c' }]), 'edl', 'preview');
    expect(edl.problems.map((p) => p.where)).toEqual(['Line 2', 'Line 4', 'Line 5']);
    expect(otio.text).toMatch(/Fix the items below/);
  });

  it('keeps the API\'s own words for the caps (they say what to do), as sentences, never the code', () => {
    const cases: Array<[number, string, string]> = [
      [413, 'EDITORIAL_TOO_LARGE', 'The file is too large'],
      [422, 'EDITORIAL_TOO_MANY_SHOTS', 'The cut has too many shots'],
      [422, 'EDITORIAL_TOO_DEEP', 'The OpenTimelineIO timeline is too complex to read'],
      [422, 'EDITORIAL_TOO_MANY_ITEMS', 'The OpenTimelineIO timeline is too complex to read'],
      [422, 'EDITORIAL_TOO_COMPLEX', 'The OpenTimelineIO timeline is too complex to read'],
    ];
    for (const [status, code, title] of cases) {
      const r = refusalInWords(refused(status, code, 'Split the show into projects and import each cut into its own project. Nothing was changed'), 'otio', 'preview');
      expect(r).toMatchObject({ title, text: 'Split the show into projects and import each cut into its own project. Nothing was changed.', retry: false });
      expect(JSON.stringify(r)).not.toContain(code);
    }
  });

  it('offers a retry, after the server\'s wait, when the server is busy or another import holds the project', () => {
    const busy = refusalInWords(refused(503, 'EDITORIAL_BUSY', 'This server is reading other timelines right now; nothing was changed, try again in 5 seconds', undefined, '5'), 'otio', 'preview');
    expect(busy).toMatchObject({ title: 'The server is busy', text: 'This server is reading other timelines right now; nothing was changed, try again in 5 seconds.', retry: true, retryAfterSeconds: 5 });
    const changed = refusalInWords(refused(412, 'EDITORIAL_CUT_CHANGED', 'The project\'s shots changed since this file was previewed'), 'csv', 'apply');
    expect(changed).toMatchObject({ title: 'The project changed since your preview', retry: true });
    expect(changed.text).toMatch(/Nothing was changed: preview the file again/);
    const lock = refusalInWords(refused(503, 'LOCK_TIMEOUT', 'The resource is busy, try again shortly', undefined, '2'), 'csv', 'apply');
    expect(lock).toMatchObject({ title: 'Another cut is being applied', retry: true, retryAfterSeconds: 2 });
    expect(lock.text).not.toMatch(/resource/);
  });

  it('says what is known after a failed connection: on apply, that the preview tells what is left', () => {
    const r = refusalInWords(new TypeError('Failed to fetch'), 'csv', 'apply');
    expect(r.title).toBe('The file could not be sent');
    expect(r.text).toMatch(/not known whether the cut was applied.*preview the file again/);
    expect(refusalInWords(new TypeError('Failed to fetch'), 'csv', 'preview').retry).toBe(true);
  });

  it('words for a refused role, a gone project, a wrong type and a fault, never a path or a code', () => {
    const texts = [
      refusalInWords(refused(403, 'FORBIDDEN', 'Forbidden'), 'csv', 'preview'),
      refusalInWords(refused(404, 'PROJECT_NOT_FOUND', 'Project not found'), 'csv', 'preview'),
      refusalInWords(refused(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the EDL file with Content-Type text/plain or application/x-edl'), 'edl', 'preview'),
      refusalInWords(refused(500, 'INTERNAL', 'Internal error'), 'csv', 'apply'),
      refusalInWords(refused(400, 'VALIDATION_FAILED', 'Request validation failed'), 'csv', 'preview'),
    ];
    expect(texts.map((t) => t.title)).toEqual(['You cannot import cuts', 'The project is gone', 'The file was not read as an EDL', 'The server could not finish', 'The CSV could not be sent']);
    for (const t of texts) expect(`${t.title} ${t.text}`).not.toMatch(/Content-Type|\/projects|validation failed|FORBIDDEN|_/);
    expect(texts[3]!.text).toMatch(/preview the file again to see what was applied/);
  });

  it('makes a sentence of an API message', () => {
    expect(sentence('The file names 2 shot(s) twice under different names; nothing was changed')).toBe('The file names 2 shots twice under different names; nothing was changed.');
    expect(sentence('Already a sentence.')).toBe('Already a sentence.');
  });
});

describe('the grid marks an omitted shot', () => {
  const shot = (id: string, status: Shot['status'], description: string): Shot => ({
    id, projectId: 'p1', sequenceId: 'sq1', episodeId: null, code: id, cutOrder: 0, frameIn: 1001, frameOut: 1048, frames: 48, recordIn: null, recordOut: null,
    handles: null, fps: null, description, status, assetId: null, latestVersion: 0, thumbnailUrl: null, revision: 1, createdAt: '', updatedAt: '',
  });
  it('says "Omitted" before its description', () => {
    const page: ShotGridPage = { data: [{ shot: shot('A', 'OMITTED', 'wide'), tasks: [], nextDueDate: null }, { shot: shot('B', 'OMITTED', ''), tasks: [], nextDueDate: null }, { shot: shot('C', 'ACTIVE', 'close'), tasks: [], nextDueDate: null }], page: { limit: 3, nextCursor: null, hasMore: false }, total: 3, offset: 0, taskTypes: [], statuses: [] };
    expect(gridRows([page]).map((r) => r.label)).toEqual(['Omitted · wide', 'Omitted', 'close']);
  });
});
