// Production tracking in a real browser against the real API and workers: a producer's project with a
// sequence and shots (set up through the API), a DIRECTOR who assigns in the shot grid, an invited ARTIST
// whose bell and My tasks update live, a task that moves WIP → WFA (submitted) → RETAKE (changes requested)
// → WFA → DONE (approved) while the director's grid follows without reload; the asset grid, the breakdown,
// and another studio that finds none of it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { base, checkPage, joinViaApi, studioViaApi } from './support';
import { apiCall, uploadAndWait } from './review-support';

const PASSWORD = 'a long e2e password';
const tag = randomBytes(3).toString('hex');
const producer = { email: `pam.${tag}@studio.test` };
const director = { name: 'Dee Director', email: `dee.${tag}@studio.test` };
const artist = { name: 'Ari Artist', email: `ari.${tag}@studio.test` };
const other = { email: `oz.${tag}@studio.test` };
const dir = mkdtempSync(path.join(tmpdir(), 'studio-e2e-prod-'));
const ids: Record<string, string> = {};
const tokens = { producer: '', director: '', artist: '' };

test.describe.configure({ mode: 'serial' });

async function signedIn(browser: Browser, email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${base()}/app/signin`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Assets', exact: true })).toBeVisible();
  return page;
}

const png = (name: string, color: string) => {
  const file = path.join(dir, name);
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `color=c=${color}:size=160x90`, '-frames:v', '1', '-y', file]);
  return readFileSync(file);
};

const bell = (page: Page) => page.getByRole('button', { name: /^Notifications, \d+ unread$/ });
const animCell = (page: Page) => page.getByRole('gridcell').getByRole('button', { name: /^SH010 Animation:/ });

let dee: Page;
let ari: Page;

test.beforeAll(async ({ browser }) => {
  const owner = await studioViaApi(`Prod ${tag}`, producer.email, PASSWORD);
  tokens.producer = owner.accessToken;
  tokens.director = await joinViaApi(owner.accessToken, director, 'DIRECTOR', PASSWORD);
  tokens.artist = await joinViaApi(owner.accessToken, artist, 'ARTIST', PASSWORD);
  const project = await apiCall<{ id: string }>(tokens.producer, 'POST', '/projects', { name: 'Moon Heist', code: `MH${tag}`.toUpperCase(), fps: { num: 24000, den: 1001 } });
  ids.project = project.id;
  const seq = await apiCall<{ id: string }>(tokens.director, 'POST', `/projects/${project.id}/sequences`, { code: 'SQ010', name: 'Opening' });
  for (const [i, code] of ['SH010', 'SH020', 'SH030'].entries()) {
    const shot = await apiCall<{ id: string; assetId: string }>(tokens.director, 'POST', `/sequences/${seq.id}/shots`, { code, frameIn: 1001, frameOut: 1048 + i * 24, description: `Opening ${code.toLowerCase()}` });
    ids[code] = shot.id;
    ids[`${code}asset`] = shot.assetId;
  }
  const types = (await apiCall<{ data: Array<{ id: string; name: string }> }>(tokens.director, 'GET', '/task-types')).data;
  ids.animation = types.find((t) => t.name === 'Animation')!.id;
  ids.modeling = types.find((t) => t.name === 'Modeling')!.id;
  const task = await apiCall<{ id: string }>(tokens.director, 'POST', '/tasks', { entityType: 'SHOT', entityId: ids.SH010, taskTypeId: ids.animation, dueDate: '2026-12-24' });
  ids.task = task.id;
  const rocket = await apiCall<{ id: string }>(tokens.director, 'POST', '/assets', { name: 'Rocket', type: 'PROP', projectId: project.id });
  ids.rocket = rocket.id;
  await apiCall(tokens.director, 'POST', '/tasks', { entityType: 'ASSET', entityId: rocket.id, taskTypeId: ids.modeling });
  dee = await signedIn(browser, director.email);
  ari = await signedIn(browser, artist.email);
});

test('(1) the director assigns a task in the shot grid: the artist\'s bell and My tasks show it live', async () => {
  await dee.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Projects' }).click();
  await expect(dee.getByRole('link', { name: 'Moon Heist' })).toBeVisible();
  await expect(dee.getByRole('cell', { name: '24000/1001 fps' })).toBeVisible();
  await checkPage(dee, '60-projects');
  await dee.getByRole('link', { name: 'Moon Heist' }).click();
  const grid = dee.getByRole('grid', { name: 'Shot grid' });
  await expect(grid.getByRole('rowheader')).toHaveText([/SH010/, /SH020/, /SH030/]);
  await expect(grid.getByRole('columnheader')).toHaveText(['Selected', 'Shot', 'Cut #', 'Thumbnail', 'Frames', 'Latest', 'Due', 'Layout', 'Animation', 'Lighting', 'Compositing']);
  await expect(animCell(dee)).toHaveAttribute('aria-label', 'SH010 Animation: TODO, To do, unassigned. Change');
  await checkPage(dee, '61-shot-grid-director');

  await expect(ari.getByRole('button', { name: 'Notifications, 0 unread' })).toBeVisible();
  await animCell(dee).click();
  const dialog = dee.getByRole('dialog', { name: 'SH010 · Animation' });
  await dialog.getByLabel('Assignee').selectOption({ label: artist.name });
  await checkPage(dee, '62-grid-cell-dialog');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(animCell(dee)).toHaveAttribute('aria-label', `SH010 Animation: TODO, To do, assigned to ${artist.name}. Change`);
  await expect(dee.getByRole('gridcell').filter({ has: dee.getByRole('button', { name: /^SH010 Animation:/ }) }).getByTestId('assignee-initials')).toHaveText('AA');

  // The artist never reloaded: the bell counted the notification from the socket.
  await expect(ari.getByRole('button', { name: 'Notifications, 1 unread' })).toBeVisible();
  await bell(ari).click();
  const panel = ari.getByRole('region', { name: 'Notifications' });
  await expect(panel.getByRole('link', { name: /You were assigned SH010 Animation/ })).toBeVisible();
  await checkPage(ari, '63-notifications-open');
  await ari.keyboard.press('Escape');
  await ari.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My tasks' }).click();
  const mine = ari.getByRole('table', { name: 'My tasks' });
  await expect(mine.getByRole('row')).toHaveCount(2);
  await expect(mine.getByRole('link', { name: 'SH010 Animation' })).toBeVisible();
  await expect(mine.getByRole('cell', { name: /Dec 24, 2026/ })).toBeVisible();
  await checkPage(ari, '64-my-tasks');

  // The notification leads to the task and is then read.
  await bell(ari).click();
  await panel.getByRole('link', { name: /You were assigned SH010 Animation/ }).click();
  await expect(ari).toHaveURL(new RegExp(`/app/tasks/${ids.task}$`));
  await expect(ari.getByRole('button', { name: 'Notifications, 0 unread' })).toBeVisible();
});

test('(2) the artist moves it to WIP and submits a version: WIP then WFA reach the director\'s grid without reload', async () => {
  await expect(ari.getByRole('heading', { name: 'SH010 Animation' })).toBeVisible();
  await expect(ari.getByText('Shot SH010')).toBeVisible();
  await expect(ari.getByRole('link', { name: 'Moon Heist' })).toHaveAttribute('href', `/app/projects/${ids.project}`);
  // An artist's own TODO task moves only to WIP.
  await expect(ari.getByLabel('Move to').locator('option')).toHaveText(['Work in progress']);
  await ari.getByRole('button', { name: 'Move' }).click();
  await expect(ari.locator('[data-status="WIP"]').first()).toBeVisible();
  await expect(animCell(dee)).toHaveAttribute('data-status', 'WIP');

  const v1 = await uploadAndWait(tokens.artist, ids.SH010asset!, png('v1.png', 'red'), 'sh010_anim_v1.png', 'image/png');
  await ari.reload();
  await expect(ari.getByRole('link', { name: `v${v1}` })).toHaveAttribute('href', `/app/assets/${ids.SH010asset}/versions/${v1}`);
  await ari.getByLabel('Note').fill('First pass');
  await ari.getByRole('button', { name: 'Submit for review' }).click();
  await expect(ari.locator('dd [data-status="WFA"]')).toBeVisible();
  await expect(ari.getByText('submitted for this task')).toBeVisible();
  await expect(ari.getByRole('list', { name: 'History' })).toContainText(`${artist.name} submitted v${v1} (WIP → WFA)`);
  await expect(animCell(dee)).toHaveAttribute('data-status', 'WFA');
  await expect(animCell(dee)).toContainText('WFA');
  await checkPage(ari, '65-task-page-artist');
});

test('(3) changes requested → RETAKE in the grid and a live notification; approval of the next version → DONE', async () => {
  const before = Number((await bell(ari).getAttribute('aria-label'))!.replace('Notifications, ', '').replace(' unread', ''));
  await apiCall(tokens.director, 'POST', `/assets/${ids.SH010asset}/versions/1/review`, { decision: 'CHANGES_REQUESTED', note: 'Faster exit' });
  await expect(animCell(dee)).toHaveAttribute('data-status', 'RETAKE');
  await expect(ari.locator('dd [data-status="RETAKE"]')).toBeVisible();
  await expect(ari.getByRole('button', { name: `Notifications, ${before + 1} unread` })).toBeVisible();
  await bell(ari).click();
  await expect(ari.getByRole('region', { name: 'Notifications' }).getByRole('link', { name: /v1 was sent back: Faster exit/ })).toBeVisible();
  await ari.getByRole('button', { name: 'Mark all read' }).click();
  await expect(ari.getByRole('button', { name: 'Notifications, 0 unread' })).toBeVisible();
  await ari.keyboard.press('Escape');

  await ari.getByRole('button', { name: 'Move' }).click();
  await expect(animCell(dee)).toHaveAttribute('data-status', 'WIP');
  const v2 = await uploadAndWait(tokens.artist, ids.SH010asset!, png('v2.png', 'blue'), 'sh010_anim_v2.png', 'image/png');
  await ari.reload();
  await ari.getByLabel('Version to submit').selectOption(`v${v2}`);
  await ari.getByRole('button', { name: 'Submit for review' }).click();
  await expect(animCell(dee)).toHaveAttribute('data-status', 'WFA');
  await apiCall(tokens.director, 'POST', `/assets/${ids.SH010asset}/versions/${v2}/review`, { decision: 'APPROVED' });
  await expect(animCell(dee)).toHaveAttribute('data-status', 'DONE');
  await expect(ari.locator('dd [data-status="DONE"]')).toBeVisible();
  await expect(ari.getByRole('button', { name: 'Notifications, 1 unread' })).toBeVisible();
  // An artist may not move a DONE task, nor assign: no controls.
  await expect(ari.getByRole('button', { name: 'Move' })).toHaveCount(0);
  await expect(ari.getByLabel('Assignee')).toHaveCount(0);

  // The director filters the grid: DONE keeps SH010 only; WIP keeps nothing.
  await dee.getByLabel('Status').selectOption({ label: 'Done' });
  await expect(dee.getByRole('grid', { name: 'Shot grid' }).getByRole('rowheader')).toHaveText([/SH010/]);
  await dee.getByLabel('Status').selectOption({ label: 'Work in progress' });
  await expect(dee.getByRole('grid', { name: 'Shot grid' }).getByRole('rowheader')).toHaveCount(0);
  await dee.getByLabel('Status').selectOption({ label: 'Any status' });
  await dee.getByLabel('Assignee').first().selectOption({ label: artist.name });
  await expect(dee.getByRole('grid', { name: 'Shot grid' }).getByRole('rowheader')).toHaveText([/SH010/]);
  await dee.getByLabel('Assignee').first().selectOption({ label: 'Anyone' });

  // The artist's grid: their own DONE task is not theirs to move; other cells are read-only.
  await ari.goto(`${base()}/app/projects/${ids.project}`);
  await expect(animCell(ari)).toBeDisabled();
  await expect(ari.getByRole('grid', { name: 'Shot grid' }).getByRole('button', { name: /^Create task:/ })).toHaveCount(0);
  await checkPage(ari, '66-shot-grid-artist');
});

test('(4) the asset grid and the breakdown: the director casts an asset into a shot and removes it', async () => {
  await dee.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Assets' }).click();
  const grid = dee.getByRole('grid', { name: 'Asset grid' });
  await expect(grid.getByRole('rowheader')).toHaveText([/Rocket/]);
  await expect(grid.getByRole('columnheader')).toHaveText(['Selected', 'Asset', 'Modeling', 'Rigging']);
  await expect(grid.getByRole('button', { name: /^Rocket Modeling: TODO, To do, unassigned/ })).toBeVisible();
  await checkPage(dee, '67-asset-grid');

  await dee.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Breakdown' }).click();
  await expect(dee.getByRole('heading', { name: /Cast of SH010/ })).toBeVisible();
  await expect(dee.getByText('No assets cast in this shot yet.')).toBeVisible();
  await dee.getByRole('button', { name: /SH020/ }).click();
  await dee.getByLabel('How many').fill('3');
  await dee.getByRole('button', { name: 'Add to SH020' }).click();
  const cast = dee.getByRole('table', { name: 'Cast of SH020' });
  await expect(cast.getByRole('row').nth(1)).toContainText('Rocket');
  await expect(cast.getByRole('row').nth(1)).toContainText('3');
  await expect(dee.getByRole('heading', { name: /Cast of SH020/ })).toContainText('1 assets, 3 in all');
  await checkPage(dee, '68-breakdown');
  const stored = await apiCall<{ data: Array<{ shotCode: string; count: number }> }>(tokens.artist, 'GET', `/assets/${ids.rocket}/casting`);
  expect(stored.data.map((c) => [c.shotCode, c.count])).toEqual([['SH020', 3]]);
  await dee.getByRole('button', { name: 'Remove Rocket from SH020' }).click();
  await expect(dee.getByText('No assets cast in this shot yet.')).toBeVisible();
  expect((await apiCall<{ data: unknown[] }>(tokens.artist, 'GET', `/shots/${ids.SH020}/casting`)).data).toEqual([]);

  // The artist sees the cast but cannot edit it.
  await ari.goto(`${base()}/app/projects/${ids.project}/breakdown`);
  await expect(ari.getByRole('heading', { name: /Cast of SH010/ })).toBeVisible();
  await expect(ari.getByRole('button', { name: /^Add to/ })).toHaveCount(0);
});

test('(5) another studio opening the project, its breakdown or the task finds "not found"', async ({ browser }) => {
  await studioViaApi(`Other ${tag}`, other.email, PASSWORD);
  const oz = await signedIn(browser, other.email);
  await oz.goto(`${base()}/app/projects/${ids.project}`);
  await expect(oz.getByRole('heading', { name: 'Project not found' })).toBeVisible();
  await checkPage(oz, '69-project-not-found');
  await oz.goto(`${base()}/app/projects/${ids.project}/breakdown`);
  await expect(oz.getByRole('heading', { name: 'Project not found' })).toBeVisible();
  await oz.goto(`${base()}/app/tasks/${ids.task}`);
  await expect(oz.getByRole('heading', { name: 'Task not found' })).toBeVisible();
  await oz.goto(`${base()}/app/projects`);
  await expect(oz.getByRole('link', { name: 'Moon Heist' })).toHaveCount(0);
  await oz.goto(`${base()}/app/tasks`);
  await expect(oz.getByRole('heading', { name: 'No tasks assigned to you' })).toBeVisible();
  await expect(oz.getByRole('button', { name: 'Notifications, 0 unread' })).toBeVisible();
});
// The 5,000-shot cut (sized by its total, Go to, sort, search, bulk edit, the sequence filter) is grid.spec.ts's.
