// The editorial import screen, as a producer uses it on a small show (show-seed.ts: SQ010 with SH010–SH030,
// an Animation task on SH010 and a Lighting task on SH030): sign in, open the project, its Editorial tab,
// choose a CSV cut with SH010 re-timed, SH040 new and SH030 missing, read the preview (and the work each
// touches), apply it after the confirmation, see the grid with SH040 and SH030 marked omitted; the same cut
// again is "no change"; a malformed EDL is refused line by line in words; a 10,000-shot cut previews a page at
// a time, and an OpenTimelineIO timeline is read as well; a cut changed by someone else between the preview and the apply is refused, previewed again and
// applied. Watched throughout (watch.ts); every screen gets axe, reflow at 200% and 320 CSS px, screenshots.
import { expect, test, type Page } from '@playwright/test';
import { base, looked } from './support';
import { apiCall, signIn } from './review-support';
import { PASSWORD, seedShow, type Show } from './show-seed';
import { watch, type Watch } from './watch';

let show: Show;
let quick: { id: string };

test.beforeAll(async () => {
  test.setTimeout(240_000);
  show = await seedShow('Editorial');
  await apiCall(show.producer.token, 'POST', '/projects', { name: 'Whole Show', code: `WS${show.project.code}`.slice(0, 20), fps: { num: 24, den: 1 } });
  quick = await apiCall<{ id: string }>(show.producer.token, 'POST', '/projects', { name: 'Quick Cut', code: `QC${show.project.code}`.slice(0, 20), fps: { num: 24, den: 1 } });
});

const IMPORT = /^\/projects\/[0-9a-f]{24}\/editorial\/import$/;
const csv = (rows: string[]) => Buffer.from(`sequence,shot,frame_in,frame_out\n${rows.join('\n')}\n`);
/** The seeded cut with SH010 slipped 10 frames, SH040 added after SH020, and SH030 left out. */
const RECUT = ['SQ010,SH010,1011,1058', 'SQ010,SH020,1001,1072', 'SQ010,SH040,1001,1024'];

const tab = (page: Page, name: string) => page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name, exact: true });
const section = (page: Page, name: RegExp | string) => page.getByRole('region', { name });

/** Signs in as the show's producer, watched, and clicks to the project's Editorial tab. */
async function start(page: Page, project = 'Moon Heist'): Promise<Watch> {
  const w = watch(page);
  await signIn(page, show.producer.email, PASSWORD);
  w.signedIn();
  await openEditorial(page, w, project);
  return w;
}

async function openEditorial(page: Page, w: Watch, project: string) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Projects', exact: true }).click();
  await page.getByRole('link', { name: project }).click();
  await w.arrive(`${project}'s shots`, page.getByRole('heading', { name: `${project} · shots` }));
  await tab(page, 'Editorial').click();
  await w.arrive('the editorial page', page.getByRole('heading', { name: `${project} · editorial`, level: 1 }));
}

test('a producer previews a re-cut, reads what it changes and the work it touches, applies it and sees the grid', async ({ page }) => {
  test.setTimeout(240_000);
  const w = await start(page);
  await expect(page.getByRole('heading', { name: 'Import a cut', level: 2 })).toBeVisible();
  await looked(page, 'editorial-start');

  // Nothing chosen: the field says so, without asking the API.
  await page.getByRole('button', { name: 'Preview changes' }).click();
  await expect(page.getByRole('alert')).toHaveText('Choose a cut file first: a CSV, an EDL or an OpenTimelineIO (.otio) timeline.');
  await expect(page.getByLabel('Cut file')).toHaveAttribute('aria-invalid', 'true');

  await page.getByLabel('Cut file').setInputFiles({ name: 'moon-heist-recut.csv', mimeType: 'text/csv', buffer: csv(RECUT) });
  await expect(page.getByLabel('Format')).toHaveValue('csv');
  await page.getByRole('button', { name: 'Preview changes' }).click();
  const diff = section(page, 'What moon-heist-recut.csv changes');
  await w.arrive('the preview', diff);
  await expect(page.getByRole('heading', { name: 'What moon-heist-recut.csv changes' })).toBeFocused();
  await expect(diff.getByRole('list', { name: 'What the cut changes' })).toHaveText(/1 new\s*1 re-timed\s*0 moved\s*1 omitted\s*1 unchanged/);
  await expect(diff).toContainText(`Work on the re-timed shots: 1 task. Work on the omitted shots: 1 task.`);

  const retimed = diff.getByRole('table', { name: /Re-timed shots/ });
  await expect(retimed.getByRole('row', { name: /SH010/ })).toContainText('1001–1048 (48 frames)');
  await expect(retimed.getByRole('row', { name: /SH010/ })).toContainText('1011–1058 (48 frames)');
  await expect(retimed.getByRole('row', { name: /SH010/ })).toContainText('slipped 10 frames later');
  await expect(retimed.getByRole('row', { name: /SH010/ })).toContainText(`${show.tasks.shot.name} (`);
  const omitted = diff.getByRole('table', { name: /Omitted shots/ });
  await expect(omitted.getByRole('row', { name: /SH030/ })).toContainText(`${show.tasks.emptyShot.name} (`);
  await expect(diff.getByRole('table', { name: /New shots/ }).getByRole('row', { name: /SH040/ })).toContainText('1001–1024 (24 frames)');
  await w.expectClean('the preview');
  await looked(page, 'editorial-preview');

  // The confirmation says what will happen, to the shots and their work; Cancel leaves everything as it was.
  await diff.getByRole('button', { name: 'Omit 1 shot, re-time 1 and add 1…' }).click();
  const confirm = page.getByRole('dialog', { name: 'Apply this cut?' });
  await expect(confirm).toContainText('Omit 1 shot, re-time 1 and add 1 from moon-heist-recut.csv.');
  await expect(confirm).toContainText('The omitted shot stays in the project, marked omitted, with 1 task; importing a cut that holds it brings it back.');
  await expect(confirm).toContainText('The re-timed shot gets new frame ranges; 1 task on it may no longer fit.');
  await looked(page, 'editorial-confirm');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toBeHidden();
  await diff.getByRole('button', { name: 'Omit 1 shot, re-time 1 and add 1…' }).click();
  await confirm.getByRole('button', { name: 'Omit 1 shot, re-time 1 and add 1', exact: true }).click();

  const applied = section(page, 'Cut applied');
  await w.arrive('the applied cut', applied);
  await expect(applied.getByRole('status').first()).toHaveText('Omitted 1 shot, re-timed 1 and added 1.');
  await expect(applied.getByRole('list', { name: 'What changed' })).toHaveText(/1 added\s*1 re-timed\s*0 moved\s*1 omitted\s*1 unchanged/);
  await looked(page, 'editorial-applied');

  // The grid: SH040 after SH020, SH030 marked omitted; the stored shot has its new range.
  await applied.getByRole('link', { name: 'Open the shot grid' }).click();
  const grid = page.getByRole('grid', { name: 'Shot grid' });
  await w.arrive('the grid with the new shot', grid.getByRole('link', { name: 'SH040' }));
  await expect(grid.getByRole('rowheader').filter({ hasText: 'SH030' })).toContainText('Omitted');
  await expect(grid.getByRole('rowheader').filter({ hasText: 'SH010' })).not.toContainText('Omitted');
  await tab(page, 'Settings').click();
  await w.arrive('the shots of SQ010', page.getByRole('table', { name: 'Shots of SQ010' }).getByRole('row', { name: /SH010/ }));
  await expect(page.getByRole('table', { name: 'Shots of SQ010' }).getByRole('row', { name: /SH010/ })).toContainText('1011–1058');

  // The same cut again changes nothing, and says so.
  await tab(page, 'Editorial').click();
  await page.getByLabel('Cut file').setInputFiles({ name: 'moon-heist-recut.csv', mimeType: 'text/csv', buffer: csv(RECUT) });
  await page.getByRole('button', { name: 'Preview changes' }).click();
  await w.arrive('no change', page.getByRole('heading', { name: 'This cut matches the project' }));
  await expect(page.getByText('All 3 shots of moon-heist-recut.csv are as the project has them: there is nothing to apply.')).toBeVisible();
  await expect(page.getByRole('button', { name: /Omit|Re-time|Add/ })).toHaveCount(0);
  await looked(page, 'editorial-no-change');
  await w.expectClean('the editorial import');
});

test('a malformed EDL is refused line by line, in words', async ({ page }) => {
  test.setTimeout(120_000);
  const w = await start(page);

  // An EDL at 24 fps with a frame count past the rate, a clip with no sequence in its name, and a stray CSV line.
  const edl = ['TITLE: REEL 1', 'FCM: NON-DROP FRAME', '001  A001 V  C  01:00:00:00 01:00:01:30 01:00:00:00 01:00:01:00', '002  A002 V  C  01:00:00:00 01:00:01:00 01:00:01:00 01:00:02:00', '* FROM CLIP NAME: NOSEQUENCE', 'sequence,shot,frame_in,frame_out', ''].join('\r\n');
  await page.getByLabel('Cut file').setInputFiles({ name: 'reel1.edl', mimeType: '', buffer: Buffer.from(edl) });
  await expect(page.getByLabel('Format')).toHaveValue('edl');
  w.expectRefusal('POST', IMPORT, 422, 'EDITORIAL_INVALID');
  await page.getByRole('button', { name: 'Preview changes' }).click();
  const refusal = page.getByRole('alert').filter({ has: page.getByRole('heading', { name: 'The EDL cannot be imported as it is' }) });
  await w.arrive('the refusal', refusal);
  await expect(refusal).toContainText('The EDL has 3 problems; nothing was changed. Fix the lines below in the file, or export it again from the editing tool, and choose it again.');
  const problems = refusal.getByRole('table', { name: '3 problems' });
  await expect(problems.getByRole('row')).toHaveText([/Where\s*Problem/, /Line 3.*timecode is not HH:MM:SS:FF at 24 frames per second/, /Line 4.*NOSEQUENCE.*no sequence/, /Line 6.*not an EDL line/]);
  await expect(refusal).not.toContainText(/EDITORIAL_|\/projects|422/);
  await w.expectClean('the refused EDL');
  await looked(page, 'editorial-refused');
});

test('a 10,000-shot cut previews a page at a time, with a search over the whole report; so does a timeline', async ({ page }) => {
  test.setTimeout(240_000);
  const w = await start(page, 'Whole Show');

  // 10,000 shots in 10 sequences: counted, then shown 50 at a time with a pager and a search over the whole report.
  const rows = Array.from({ length: 10_000 }, (_, i) => `SQ${String(Math.floor(i / 1000) + 1).padStart(3, '0')}0,BIG${String(i + 1).padStart(5, '0')},1001,${1024 + (i % 48)}`);
  await page.getByLabel('Cut file').setInputFiles({ name: 'whole-show.csv', mimeType: 'text/csv', buffer: csv(rows) });
  await page.getByRole('button', { name: 'Preview changes' }).click();
  const diff = section(page, 'What whole-show.csv changes');
  await w.arrive('the 10,000-shot preview', diff, 120_000);
  await expect(diff.getByRole('list', { name: 'What the cut changes' })).toHaveText(/10,000 new\s*0 re-timed\s*0 moved\s*0 omitted\s*0 unchanged/);
  const fresh = diff.getByRole('table', { name: /New shots/ });
  await expect(fresh.getByRole('row')).toHaveCount(51);
  const pager = diff.getByRole('navigation', { name: 'New shots, pages' });
  await expect(pager.getByRole('status')).toHaveText('Shots 1–50 of 10,000');
  await pager.getByRole('button', { name: 'Next' }).click();
  await expect(pager.getByRole('status')).toHaveText('Shots 51–100 of 10,000');
  await expect(fresh.getByRole('row').nth(1)).toContainText('BIG00051');
  await diff.getByLabel('Find a shot by code').fill('big09999');
  await expect(fresh.getByRole('row')).toHaveCount(2);
  await expect(fresh.getByRole('row').nth(1)).toContainText('BIG09999');
  await expect(fresh.getByRole('row').nth(1)).toContainText('SQ0100');
  await diff.getByLabel('Find a shot by code').fill('');
  await expect(diff.getByRole('button', { name: 'Add 10,000 shots and create 10 sequences (SQ0010, SQ0020, SQ0030, SQ0040, SQ0050 and 5 more)…' })).toBeVisible();
  await expect(diff).toContainText('New sequences: SQ0010, SQ0020, SQ0030, SQ0040, SQ0050 and 5 more.');
  await w.expectClean('the 10,000-shot preview');
  await looked(page, 'editorial-10000');

  // An OpenTimelineIO timeline goes the same way: its clips placed in the cut by their record ranges.
  const clip = (name: string, start: number, duration: number) => ({ OTIO_SCHEMA: 'Clip.2', name, source_range: { OTIO_SCHEMA: 'TimeRange.1', start_time: { OTIO_SCHEMA: 'RationalTime.1', rate: 24, value: start }, duration: { OTIO_SCHEMA: 'RationalTime.1', rate: 24, value: duration } } });
  const timeline = { OTIO_SCHEMA: 'Timeline.1', name: 'Reel 1', tracks: { OTIO_SCHEMA: 'Stack.1', children: [{ OTIO_SCHEMA: 'Track.1', kind: 'Video', children: [clip('SQ010_SH010', 1001, 48), clip('SQ010_SH020', 1001, 24)] }] } };
  await page.getByLabel('Cut file').setInputFiles({ name: 'reel1.otio', mimeType: '', buffer: Buffer.from(JSON.stringify(timeline)) });
  await expect(page.getByLabel('Format')).toHaveValue('otio');
  await page.getByRole('button', { name: 'Preview changes' }).click();
  const reel = section(page, 'What reel1.otio changes');
  await w.arrive('the timeline\'s preview', reel);
  await expect(reel.getByRole('table', { name: /New shots/ }).getByRole('row', { name: /SQ010_SH020/ })).toContainText('1001–1024 (24 frames)');
  await expect(reel.getByRole('table', { name: /New shots/ }).getByRole('row', { name: /SQ010_SH020/ })).toContainText('48–71');
  await expect(reel.getByRole('button', { name: 'Add 2 shots and create sequence SQ010…' })).toBeVisible();
  await w.expectClean('the timeline\'s preview');
});

test('a cut changed by someone else after the preview is not applied: the screen says so and previews again', async ({ page }) => {
  test.setTimeout(120_000);
  const w = await start(page, 'Quick Cut');
  const mine = ['SQ010,Q010,1001,1024', 'SQ010,Q020,1001,1048'];
  await page.getByLabel('Cut file').setInputFiles({ name: 'quick.csv', mimeType: 'text/csv', buffer: csv(mine) });
  await page.getByRole('button', { name: 'Preview changes' }).click();
  const diff = section(page, 'What quick.csv changes');
  await w.arrive('the preview', diff);
  await expect(diff.getByRole('button', { name: 'Add 2 shots and create sequence SQ010…' })).toBeVisible();

  // Meanwhile an editor's script imports another cut into the project.
  const other = await fetch(`${base()}/projects/${quick.id}/editorial/import?format=csv&dryRun=false`, { method: 'POST', headers: { Authorization: `Bearer ${show.producer.token}`, 'Content-Type': 'text/csv' }, body: csv(['SQ010,Q010,1001,1030']) });
  expect(other.status, await other.clone().text()).toBe(200);

  await diff.getByRole('button', { name: 'Add 2 shots and create sequence SQ010…' }).click();
  w.expectRefusal('POST', IMPORT, 412, 'EDITORIAL_CUT_CHANGED');
  await page.getByRole('dialog', { name: 'Apply this cut?' }).getByRole('button', { name: 'Add 2 shots and create sequence SQ010', exact: true }).click();
  const refusal = page.getByRole('alert').filter({ has: page.getByRole('heading', { name: 'The project changed since your preview' }) });
  await w.arrive('the refused apply', refusal);
  await expect(refusal).toContainText('Nothing was changed: preview the file again and read what it changes now.');
  await w.expectClean('the refused apply');
  await looked(page, 'editorial-changed');
  await refusal.getByRole('button', { name: 'Preview again' }).click();
  const again = section(page, 'What quick.csv changes');
  await w.arrive('the new preview', again);
  await expect(again.getByRole('table', { name: /Re-timed shots/ }).getByRole('row', { name: /Q010/ })).toContainText('tail trimmed by 6 frames');
  await again.getByRole('button', { name: 'Re-time 1 shot and add 1…' }).click();
  await page.getByRole('dialog', { name: 'Apply this cut?' }).getByRole('button', { name: 'Re-time 1 shot and add 1', exact: true }).click();
  await w.arrive('the applied cut', section(page, 'Cut applied'));
  await expect(section(page, 'Cut applied').getByRole('status').first()).toHaveText('Re-timed 1 shot and added 1.');
  await w.expectClean('the re-previewed apply');
});
