// Tracking as a studio's people use it: an artist signs in, opens My tasks from the navigation, finds a task
// by typing, groups by project, opens the done ones apart; moves their own task on the task board from the
// keyboard (and is offered only the moves their role allows); a director drags a card to another column.
// Each page is checked by axe, reflows at 320 CSS px, and is photographed at 1440×900, 1024×768 and 200%.
import { randomBytes } from 'node:crypto';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { everySize, joinViaApi, studioViaApi } from './support';
import { apiCall, signedInWatched } from './review-support';

const PASSWORD = 'a long e2e password';
const tag = randomBytes(3).toString('hex');
const artist = { name: 'Tia Tracker', email: `tia.${tag}@studio.test` };
const director = { name: 'Dan Director', email: `dan.${tag}@studio.test` };
const ids: Record<string, string> = {};
const tokens = { producer: '', director: '', artist: '' };

test.describe.configure({ mode: 'serial' });

const signedIn = (browser: Browser, email: string) => signedInWatched(browser, email, PASSWORD);
const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

test.beforeAll(async () => {
  const owner = await studioViaApi(`Track ${tag}`, `pat.${tag}@studio.test`, PASSWORD);
  tokens.producer = owner.accessToken;
  tokens.director = await joinViaApi(owner.accessToken, director, 'DIRECTOR', PASSWORD);
  tokens.artist = await joinViaApi(owner.accessToken, artist, 'ARTIST', PASSWORD);
  const me = await apiCall<{ id: string }>(tokens.artist, 'GET', '/auth/me');
  ids.artist = me.id;
  const types = (await apiCall<{ data: Array<{ id: string; name: string }> }>(tokens.director, 'GET', '/task-types')).data;
  const type = (n: string) => types.find((t) => t.name === n)!.id;
  for (const [key, name, code] of [['alpha', 'Alpha Heist', `AH${tag}`], ['beta', 'Beta Run', `BR${tag}`]] as const) {
    ids[key] = (await apiCall<{ id: string }>(tokens.producer, 'POST', '/projects', { name, code: code.toUpperCase() })).id;
    const seq = await apiCall<{ id: string }>(tokens.director, 'POST', `/projects/${ids[key]}/sequences`, { code: 'SQ010' });
    ids[`${key}Shot`] = (await apiCall<{ id: string }>(tokens.director, 'POST', `/sequences/${seq.id}/shots`, { code: 'SH010', frameIn: 1001, frameOut: 1048 })).id;
  }
  const task = async (project: string, typeName: string, body: Record<string, unknown>) =>
    (await apiCall<{ id: string; revision: number }>(tokens.director, 'POST', '/tasks', { entityType: 'SHOT', entityId: ids[`${project}Shot`], taskTypeId: type(typeName), ...body })).id;
  ids.anim = await task('alpha', 'Animation', { name: 'Animate the vault door', assignees: [ids.artist], dueDate: '2027-01-20' });
  ids.layout = await task('beta', 'Layout', { name: 'Lay out the chase', assignees: [ids.artist], dueDate: '2027-01-10' });
  ids.light = await task('alpha', 'Lighting', { name: 'Light the vault', assignees: [ids.artist], dueDate: '2027-01-05' });
  ids.comp = await task('alpha', 'Compositing', { name: 'Comp the vault', dueDate: '2027-02-01' });
  await apiCall(tokens.director, 'PATCH', `/tasks/${ids.anim}`, { status: 'WIP' });
  await apiCall(tokens.director, 'PATCH', `/tasks/${ids.light}`, { status: 'DONE' });
});

test('an artist finds their tasks: project column, search, grouping, done tasks apart', async ({ browser }) => {
  const { page, w } = await signedIn(browser, artist.email);
  await nav(page, 'My tasks').click();
  await w.arrive('my tasks', page.getByRole('heading', { name: 'My tasks', exact: true }));
  const open = page.getByRole('table', { name: 'My tasks' });
  await expect(open.getByRole('row')).toHaveCount(3);
  // By due date: the chase (10 Jan) before the vault door (20 Jan); the done lighting is not among them.
  await expect(open.getByRole('row').nth(1)).toContainText('Lay out the chase');
  await expect(open.getByRole('row').nth(1)).toContainText('Beta Run');
  await expect(open.getByRole('row').nth(2)).toContainText('Animate the vault door');
  await expect(open.getByRole('row').nth(2)).toContainText('Alpha Heist');
  await expect(page.getByRole('table', { name: 'Done tasks' })).toBeHidden();
  await everySize(page, '80-my-tasks');

  await page.getByText('Done (1)').click();
  await expect(page.getByRole('table', { name: 'Done tasks' })).toContainText('Light the vault');

  await page.getByLabel('Find a task').fill('vault door');
  await expect(open.getByRole('row')).toHaveCount(2);
  await expect(open).toContainText('Animate the vault door');
  await page.getByLabel('Find a task').fill('');

  await page.getByLabel('Group by').selectOption('project');
  await expect(page.getByRole('table', { name: 'My tasks: Alpha Heist' })).toContainText('Animate the vault door');
  await expect(page.getByRole('table', { name: 'My tasks: Beta Run' })).toContainText('Lay out the chase');
  await everySize(page, '81-my-tasks-grouped');

  await page.getByLabel('Project').selectOption({ label: 'Beta Run' });
  await expect(page.getByRole('table', { name: 'My tasks: Alpha Heist' })).toBeHidden();
  await page.getByLabel('Project').selectOption({ label: 'All projects' });

  // The task opens from its row.
  await page.getByRole('link', { name: 'Animate the vault door' }).click();
  await w.arrive('the task', page.getByRole('heading', { name: 'Animate the vault door' }));
  await page.goBack();
  await w.arrive('back to my tasks', page.getByRole('heading', { name: 'My tasks', exact: true }));
  await w.expectClean('my tasks');
});

test('the task board: the artist moves their own task from the keyboard; a director drags a card', async ({ browser }) => {
  const { page, w } = await signedIn(browser, artist.email);
  await nav(page, 'Task board').click();
  await w.arrive('the board', page.getByRole('heading', { name: 'Task board', exact: true }));
  await page.getByLabel('Project').selectOption({ label: 'Alpha Heist' });
  const column = (p: Page, name: string) => p.getByRole('region', { name: /by status/ }).getByRole('region', { name: new RegExp(`^${name}: `) });
  await expect(column(page, 'Work in progress')).toContainText('Animate the vault door');
  // An artist's own WIP task may only go to WFA; another's task (the comp, nobody's) has no move at all.
  const mover = page.getByLabel('Move Animate the vault door to');
  await expect(mover.locator('option')).toHaveText(['Move to…', 'Waiting for approval']);
  await expect(page.getByLabel('Move Comp the vault to')).toHaveCount(0);
  await everySize(page, '82-task-board');
  await mover.focus();
  await mover.selectOption('WFA');
  await expect(column(page, 'Waiting for approval')).toContainText('Animate the vault door');
  expect((await apiCall<{ status: string }>(tokens.producer, 'GET', `/tasks/${ids.anim}`)).status).toBe('WFA');
  await w.expectClean('the artist\'s board');

  const dan = await signedIn(browser, director.email);
  await nav(dan.page, 'Task board').click();
  await dan.w.arrive('the director\'s board', dan.page.getByRole('heading', { name: 'Task board', exact: true }));
  await dan.page.getByLabel('Project').selectOption({ label: 'Alpha Heist' });
  const card = column(dan.page, 'To do').getByRole('listitem').filter({ hasText: 'Comp the vault' });
  await card.dragTo(column(dan.page, 'Ready to start'));
  await expect(column(dan.page, 'Ready to start')).toContainText('Comp the vault');
  expect((await apiCall<{ status: string }>(tokens.producer, 'GET', `/tasks/${ids.comp}`)).status).toBe('READY');
  await dan.w.expectClean('the director\'s board');
});
