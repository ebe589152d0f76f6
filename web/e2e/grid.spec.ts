// The shot grid of a 5,000-shot cut as a studio's people use it: a director signs in and clicks to the
// project; the grid is sized by the cut (the scrollbar is all 5,000 shots, a screenful of rows in the page);
// sorts by clicking column headers, searches by code, jumps to shot 5,000 with "Go to", moves between cells
// with the keyboard (one tab stop), opens a shot with Enter, selects rows (click, Shift+click, Space) and sets
// their Animation tasks' status in bulk; an artist's bulk edit of a task that is not theirs is refused in
// words. The thumbnail, frame range, latest version and due columns show the shot's facts. axe on each
// state, screenshots at 1440×900, 1024×768 and 200%, and no sideways page scroll at 320 CSS px.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { base, checkPage, everySize, joinViaApi, studioViaApi } from './support';
import { apiCall, signedInWatched, uploadAndWait } from './review-support';
import { png } from './show-seed';
import type { Watch } from './watch';

const PASSWORD = 'a long e2e password';
const tag = randomBytes(3).toString('hex');
const director = { name: 'Gia Grid', email: `gia.${tag}@studio.test` };
const artist = { name: 'Art Lee', email: `art.${tag}@studio.test` };
const tokens = { producer: '', director: '', artist: '' };
const ids: Record<string, string> = {};
const code = (i: number) => `S${String(i).padStart(5, '0')}`;

// Axe over a screenful of a wide grid at three sizes takes a while on a loaded machine.
test.describe.configure({ mode: 'serial', timeout: 180_000 });

const signedIn = (browser: Browser, email: string) => signedInWatched(browser, email, PASSWORD);
const grid = (page: Page) => page.getByRole('grid', { name: 'Shot grid' });
const header = (page: Page, name: string) => grid(page).getByRole('columnheader', { name });
const footer = (page: Page) => page.locator('[role="status"]').filter({ hasText: /shots/ }).last();
const focused = (page: Page) => page.evaluate(() => {
  const el = document.activeElement as HTMLElement | null;
  return { text: el?.innerText.trim() ?? '', row: el?.dataset.r ?? null, col: el?.dataset.c ?? null };
});

let dee: { page: Page; w: Watch };

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  const owner = await studioViaApi(`Grid ${tag}`, `pam.${tag}@studio.test`, PASSWORD);
  tokens.producer = owner.accessToken;
  tokens.director = await joinViaApi(owner.accessToken, director, 'DIRECTOR', PASSWORD);
  tokens.artist = await joinViaApi(owner.accessToken, artist, 'ARTIST', PASSWORD);
  const artistId = (await apiCall<{ id: string }>(tokens.artist, 'GET', '/auth/me')).id;
  const project = await apiCall<{ id: string }>(tokens.producer, 'POST', '/projects', { name: 'Long Show', code: `LS${tag}`.toUpperCase() });
  ids.project = project.id;
  // One editorial import makes the cut: ten sequences of 500 shots, S00001…S05000.
  const lines = ['sequence,shot,frame_in,frame_out'];
  for (let i = 1; i <= 5000; i++) lines.push(`SQ${String(Math.ceil(i / 500)).padStart(3, '0')},${code(i)},1001,${1001 + (i % 90)}`);
  const res = await fetch(`${base()}/projects/${project.id}/editorial/import?format=csv&dryRun=false`, { method: 'POST', headers: { Authorization: `Bearer ${tokens.director}`, 'Content-Type': 'text/csv' }, body: lines.join('\n') + '\n' });
  expect(res.status, await res.clone().text()).toBe(200);
  const first = await apiCall<{ data: Array<{ shot: { id: string; code: string; assetId: string } }> }>(tokens.director, 'GET', `/projects/${project.id}/grid?limit=6`);
  const types = (await apiCall<{ data: Array<{ id: string; name: string }> }>(tokens.director, 'GET', '/task-types')).data;
  const typeId = (name: string) => types.find((t) => t.name === name)!.id;
  for (const [i, row] of first.data.slice(0, 5).entries()) {
    ids[row.shot.code] = row.shot.id;
    await apiCall(tokens.director, 'POST', '/tasks', { entityType: 'SHOT', entityId: row.shot.id, taskTypeId: typeId('Animation'), ...(i === 3 ? { dueDate: '2026-12-24' } : {}) });
  }
  // Lighting on S00001 is the artist's, on S00002 someone else's: the artist's bulk edit may move only the first.
  await apiCall(tokens.director, 'POST', '/tasks', { entityType: 'SHOT', entityId: ids.S00001, taskTypeId: typeId('Lighting'), assignees: [artistId] });
  await apiCall(tokens.director, 'POST', '/tasks', { entityType: 'SHOT', entityId: ids.S00002, taskTypeId: typeId('Lighting') });
  const dir = mkdtempSync(path.join(tmpdir(), 'studio-e2e-grid-'));
  ids.S00002asset = first.data[1]!.shot.assetId;
  await uploadAndWait(tokens.artist, ids.S00002asset, readFileSync(png(dir, 's2.png', 'orange')), 's00002_v1.png', 'image/png');
  dee = await signedIn(browser, director.email);
});

test('(1) the grid is sized by the cut: 5,000 rows in the scrollbar, a screenful in the page, the shot\'s own columns', async () => {
  const { page, w } = dee;
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Projects', exact: true }).click();
  await page.getByRole('link', { name: 'Long Show' }).click();
  await w.arrive('the shot grid', grid(page).getByRole('rowheader').first());
  await expect(grid(page).getByRole('rowheader').first()).toHaveText(/S00001/);
  await expect(footer(page)).toHaveText('5000 shots');
  await expect(grid(page)).toHaveAttribute('aria-rowcount', '5001');
  await expect(grid(page).getByRole('columnheader')).toHaveText(['Selected', 'Shot', 'Cut #', 'Thumbnail', 'Frames', 'Latest', 'Due', 'Layout', 'Animation', 'Lighting', 'Compositing']);
  expect(await grid(page).getByRole('rowheader').count()).toBeLessThan(60);
  // The scrollable height is the whole cut's, not the first page's.
  const height = await page.locator('[role="grid"][aria-label="Shot grid"]').evaluate((el) => el.getBoundingClientRect().height);
  expect(height).toBeGreaterThan(5000 * 36);
  const s2 = grid(page).getByRole('row').filter({ has: page.getByRole('rowheader', { name: /S00002/ }) });
  await expect(s2.getByRole('gridcell', { name: '1001–1003' })).toBeVisible();
  await expect(s2.getByRole('link', { name: 'Review S00002 v1' })).toHaveAttribute('href', `/app/assets/${ids.S00002asset}/versions/1`);
  await expect(s2.getByRole('img', { name: 'S00002 v1' })).toBeVisible();
  const s4 = grid(page).getByRole('row').filter({ has: page.getByRole('rowheader', { name: /S00004/ }) });
  await expect(s4.getByRole('gridcell', { name: /Dec 24, 2026|24 Dec 2026/ })).toBeVisible();
  await w.expectClean('the grid');
  await everySize(page, 'grid-01-5000-shots');
});

test('(2) sort by clicking a header (aria-sort follows, the server sorts); search by code', async () => {
  const { page, w } = dee;
  await expect(header(page, 'Cut #')).toHaveAttribute('aria-sort', 'ascending');
  await header(page, 'Shot').getByRole('button').click();
  await expect(header(page, 'Shot')).toHaveAttribute('aria-sort', 'ascending');
  await expect(header(page, 'Cut #')).not.toHaveAttribute('aria-sort');
  await header(page, 'Shot').getByRole('button').click();
  await expect(header(page, 'Shot')).toHaveAttribute('aria-sort', 'descending');
  await expect(grid(page).getByRole('rowheader').first()).toHaveText(/S05000/);
  await header(page, 'Due').getByRole('button').click();
  await expect(header(page, 'Due')).toHaveAttribute('aria-sort', 'ascending');
  await expect(grid(page).getByRole('rowheader').first()).toHaveText(/S00004/);
  await header(page, 'Latest').getByRole('button').click();
  await header(page, 'Latest').getByRole('button').click();
  await expect(header(page, 'Latest')).toHaveAttribute('aria-sort', 'descending');
  await expect(grid(page).getByRole('rowheader').first()).toHaveText(/S00002/);
  await header(page, 'Cut #').getByRole('button').click();
  await expect(grid(page).getByRole('rowheader').first()).toHaveText(/S00001/);

  await page.getByLabel('Shot code starts with').fill('s0499');
  await expect(footer(page)).toHaveText('10 shots with a code starting “s0499”');
  await expect(grid(page).getByRole('rowheader')).toHaveText(Array.from({ length: 10 }, (_, i) => new RegExp(code(4990 + i))));
  await expect(header(page, 'Shot')).toHaveAttribute('aria-sort', 'ascending');
  await checkPage(page, 'grid-02-search');
  await page.getByLabel('Shot code starts with').fill('zz');
  await expect(page.getByRole('heading', { name: 'No shot code starts with “zz”' })).toBeVisible();
  await expect(footer(page)).toHaveText('0 shots with a code starting “zz”');
  await page.getByLabel('Shot code starts with').fill('');
  await expect(footer(page)).toHaveText('5000 shots');
  await w.expectClean('sort and search');
});

test('(3) "Go to" jumps to shot 5,000 by row number and to a shot by code; an unknown code is said in words', async () => {
  const { page, w } = dee;
  await page.getByLabel('Go to').fill('5000');
  const started = Date.now();
  await page.getByRole('button', { name: 'Go', exact: true }).click();
  await expect(grid(page).getByRole('rowheader', { name: /S05000/ })).toBeVisible();
  await expect(grid(page).getByRole('rowheader', { name: /S05000/ })).toBeFocused();
  expect(Date.now() - started, 'the jump to row 5,000 is one fetch, not a scroll through 4,999 rows').toBeLessThan(5_000);
  await expect(grid(page).getByRole('rowheader').last()).toHaveText(/S05000/);
  expect(await grid(page).getByRole('rowheader').count()).toBeLessThan(60);
  await checkPage(page, 'grid-03-row-5000');

  await page.getByLabel('Go to').fill('s02500');
  await page.getByLabel('Go to').press('Enter');
  // Mid-cut is the window farthest from either end of the index (the server skips 2,400 rows): slow on a loaded machine.
  await expect(grid(page).getByRole('rowheader', { name: /S02500/ })).toBeFocused({ timeout: 30_000 });

  w.expectRefusal('GET', new RegExp(`^/projects/${ids.project}/grid$`), 404, 'SHOT_NOT_FOUND');
  await page.getByLabel('Go to').fill('S09999');
  await page.getByLabel('Go to').press('Enter');
  await expect(page.getByText('No shot S09999 in this project: check the code, or clear the search.')).toBeVisible();
  await expect(page.getByLabel('Go to')).toHaveAttribute('aria-invalid', 'true');
  await w.expectClean('go to');
});

test('(4) the keyboard: one tab stop, arrows between cells, Home/End, PageDown, Ctrl+Home; Enter opens the shot', async () => {
  const { page, w } = dee;
  await page.getByLabel('Go to').fill('2500');
  await page.getByLabel('Go to').press('Enter');
  await expect(grid(page).getByRole('rowheader', { name: /S02500/ })).toBeFocused({ timeout: 30_000 });
  // The grid is one tab stop: a single cell carries tabindex=0.
  await expect(grid(page).locator('[tabindex="0"]')).toHaveCount(1);
  await page.keyboard.press('ArrowDown');
  expect(await focused(page)).toMatchObject({ row: '2501', col: '1' });
  expect((await focused(page)).text).toContain('S02501');
  await page.keyboard.press('ArrowRight');
  expect(await focused(page)).toMatchObject({ row: '2501', col: '2', text: '2501' });
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  expect((await focused(page)).text).toBe('1001–1072');
  await page.keyboard.press('End');
  expect(await focused(page)).toMatchObject({ row: '2501', col: '10' });
  await page.keyboard.press('Home');
  expect(await focused(page)).toMatchObject({ row: '2501', col: '0' });
  await page.keyboard.press('PageDown');
  expect(Number((await focused(page)).row)).toBeGreaterThan(2505);
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Control+End');
  expect(await focused(page)).toMatchObject({ row: '5000', col: '10' });
  await page.keyboard.press('Control+Home');
  expect(await focused(page)).toMatchObject({ row: '0', col: '0' });
  await expect(grid(page).locator('[tabindex="0"]')).toHaveCount(1);
  // Tab leaves the grid at once (one stop), Shift+Tab comes back to the same cell.
  await page.keyboard.press('Tab');
  expect((await focused(page)).row).toBeNull();
  await page.keyboard.press('Shift+Tab');
  expect(await focused(page)).toMatchObject({ row: '0', col: '0' });
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowRight');
  expect((await focused(page)).text).toContain('S00001');
  await checkPage(page, 'grid-04-keyboard');
  await page.keyboard.press('Enter');
  await w.arrive('S00001\'s page, by Enter in the grid', page.getByRole('heading', { name: /S00001$/, level: 1 }));
  await page.goBack();
  await w.arrive('back on the grid', grid(page).getByRole('rowheader', { name: /S00001/ }));
  await w.expectClean('the keyboard');
});

test('(5) bulk edit: Shift+click five shots and Space a sixth, set their Animation to Work in progress, then Done', async () => {
  const { page, w } = dee;
  await grid(page).getByRole('checkbox', { name: 'Select S00001' }).click();
  await grid(page).getByRole('checkbox', { name: 'Select S00005' }).click({ modifiers: ['Shift'] });
  await expect(page.getByText('5 shots selected')).toBeVisible();
  const bulk = page.getByRole('form', { name: 'Bulk edit' });
  await bulk.getByLabel('Task type').selectOption({ label: 'Animation' });
  await bulk.getByLabel('Change to').selectOption({ label: 'Work in progress' });
  await bulk.getByRole('button', { name: 'Apply' }).click();
  await expect(bulk.getByRole('status')).toHaveText('5 Animation tasks set to Work in progress.');
  for (let i = 1; i <= 5; i++) await expect(grid(page).getByRole('button', { name: new RegExp(`^${code(i)} Animation:`) })).toHaveAttribute('data-status', 'WIP');
  const stored = await apiCall<{ data: Array<{ status: string }> }>(tokens.director, 'GET', `/tasks?projectId=${ids.project}&limit=100`);
  expect(stored.data.filter((t) => t.status === 'WIP')).toHaveLength(5);
  await everySize(page, 'grid-05-bulk-done');

  // Space on a cell selects its row: S00006 has no Animation task, which the summary says.
  await grid(page).getByRole('rowheader', { name: /S00006/ }).click({ position: { x: 150, y: 10 } });
  await page.keyboard.press('Space');
  await expect(page.getByText('6 shots selected')).toBeVisible();
  await expect(grid(page).getByRole('row', { selected: true })).toHaveCount(6);
  await bulk.getByLabel('Change to').selectOption({ label: 'Done' });
  await bulk.getByRole('button', { name: 'Apply' }).click();
  await expect(bulk.getByRole('status')).toHaveText('5 Animation tasks set to Done; 1 selected shot has no Animation task (S00006).');
  await expect(grid(page).getByRole('button', { name: /^S00003 Animation:/ })).toHaveAttribute('data-status', 'DONE');
  await bulk.getByRole('button', { name: 'Clear selection' }).click();
  await expect(grid(page).getByRole('row', { selected: true })).toHaveCount(0);
  await w.expectClean('bulk edit');
});

test('(6) an artist\'s bulk edit: their own task moves, someone else\'s is refused in words', async ({ browser }) => {
  const { page, w } = await signedIn(browser, artist.email);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Projects', exact: true }).click();
  await page.getByRole('link', { name: 'Long Show' }).click();
  await w.arrive('the artist\'s grid', grid(page).getByRole('rowheader', { name: /S00002/ }));
  await grid(page).getByRole('checkbox', { name: 'Select S00001' }).click();
  await grid(page).getByRole('checkbox', { name: 'Select S00002' }).click();
  const bulk = page.getByRole('form', { name: 'Bulk edit' });
  await bulk.getByLabel('Task type').selectOption({ label: 'Lighting' });
  // An artist is offered only the moves of their own tasks, and no assigning.
  await expect(bulk.getByLabel('Change to').locator('option')).toHaveText(['Keep', 'Work in progress', 'Waiting for approval']);
  await expect(bulk.getByLabel('Assign to')).toHaveCount(0);
  await bulk.getByLabel('Change to').selectOption({ label: 'Work in progress' });
  await bulk.getByRole('button', { name: 'Apply' }).click();
  await expect(bulk.getByRole('status')).toHaveText('1 Lighting task set to Work in progress; 1 not changed: You may only move tasks assigned to you (S00002).');
  await expect(grid(page).getByRole('button', { name: /^S00001 Lighting:/ })).toHaveAttribute('data-status', 'WIP');
  await expect(grid(page).getByRole('button', { name: /^S00002 Lighting:/ })).toHaveAttribute('data-status', 'TODO');
  await everySize(page, 'grid-06-bulk-refused');
  await w.expectClean('the artist\'s bulk edit');
});

test('(7) a sequence filter over the whole cut: SQ010 is shots 4501–5000', async () => {
  const { page, w } = dee;
  await page.getByLabel('Sequence', { exact: true }).selectOption({ label: 'SQ010' });
  await expect(footer(page)).toHaveText('500 of 5000 shots match', { timeout: 60_000 });
  await expect(grid(page).getByRole('rowheader').first()).toHaveText(/S04501/);
  await expect(grid(page)).toHaveAttribute('aria-rowcount', '501');
  await page.getByLabel('Sequence', { exact: true }).selectOption({ label: 'All sequences' });
  await expect(footer(page)).toHaveText('5000 shots');
  await w.expectClean('the sequence filter');
});
