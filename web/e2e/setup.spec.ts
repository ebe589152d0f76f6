// A show set up from the browser, as a producer does it on a fresh studio: sign in, create a project, a
// sequence, shots (1001-based ranges, cut order), edit one, a task type and a status, then an asset from
// "New asset" choosing the project and another from the project's Assets tab. Empty and refused forms say
// which field and what to do. Every step is watched (e2e/watch.ts); each new page and dialog gets axe, a
// reflow check at 200% zoom and 320 CSS px, and screenshots at 1440×900, 1024×768 and 200% zoom.
import { randomBytes } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { looked as lookedAt, studioViaApi } from './support';
import { signIn } from './review-support';
import { watch, type Watch } from './watch';

const PASSWORD = 'a long e2e password';
const tag = randomBytes(3).toString('hex');
const producer = { email: `pia.${tag}@studio.test` };
const CODE = `MH${tag}`.toUpperCase();

test.beforeAll(async () => {
  await studioViaApi(`Setup ${tag}`, producer.email, PASSWORD);
});

const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
const dialog = (page: Page, name: string) => page.getByRole('dialog', { name });

/** axe, screenshots at 1440×900, 1024×768 and 200% zoom, reflow at 200% and 320 CSS px (support.ts). */
const looked = (page: Page, name: string) => lookedAt(page, `setup-${name}`);

test('a producer sets a show up from the browser: project, sequence, shots, task type, status, assets', async ({ page }) => {
  test.setTimeout(180_000);
  const w: Watch = watch(page);
  await signIn(page, producer.email, PASSWORD);
  w.signedIn();

  await nav(page, 'Projects').click();
  await w.arrive('the projects page', page.getByRole('heading', { name: 'Projects', level: 1 }));
  await page.getByRole('button', { name: 'New project' }).click();
  const np = dialog(page, 'New project');
  await np.getByRole('button', { name: 'Create project' }).click();
  // The empty form says which fields, in words, without asking the API.
  await expect(np.getByRole('alert')).toHaveText('Fix 2 fields: Name is required; Code is required.');
  await expect(np.getByLabel('Name')).toHaveAttribute('aria-invalid', 'true');
  await expect(np.getByText('Code is required', { exact: true })).toBeVisible();
  await looked(page, 'new-project');
  await np.getByLabel('Name').fill('Moon Heist');
  await np.getByLabel('Code').fill(CODE);
  await np.getByLabel('Frame rate').selectOption({ label: '23.976 fps' });
  await np.getByRole('button', { name: 'Create project' }).click();
  await w.arrive('the new project', page.getByRole('heading', { name: 'Moon Heist · shots' }));
  await w.arrive('its empty grid, saying what to do', page.getByText('Create a sequence and its shots with “New sequence” and “New shot”, or import a cut.'));

  await page.getByRole('button', { name: 'New sequence' }).click();
  const ns = dialog(page, 'New sequence');
  await ns.getByLabel('Code').fill('SQ010');
  await ns.getByLabel('Name (optional)').fill('Opening');
  await ns.getByRole('button', { name: 'Create sequence' }).click();
  await expect(ns).toBeHidden();

  await page.getByRole('button', { name: 'New shot' }).click();
  const nsh = dialog(page, 'New shot');
  await expect(nsh.getByLabel('Sequence')).toHaveValue(/[0-9a-f]{24}/);
  await expect(nsh.getByLabel('First frame')).toHaveValue('1001');
  await nsh.getByRole('button', { name: 'Create shot' }).click();
  await expect(nsh.getByRole('alert')).toHaveText('Fix 2 fields: Code is required; Last frame is required.');
  await looked(page, 'new-shot-empty');
  // A code the API refuses: its rule, under the field and above the form, in words.
  await nsh.getByLabel('Code').fill('SH 10');
  await nsh.getByLabel('Last frame').fill('1048');
  w.expectRefusal('POST', /^\/sequences\/[0-9a-f]{24}\/shots$/, 400, 'VALIDATION_FAILED');
  await nsh.getByRole('button', { name: 'Create shot' }).click();
  await expect(nsh.getByRole('alert')).toHaveText('Code: letters, digits, _ . - (starting with a letter or digit), at most 40.');
  await expect(nsh.getByRole('alert')).not.toContainText(/validation failed/i);
  await nsh.getByLabel('Code').fill('SH0010');
  await nsh.getByLabel('Cut order (optional)').fill('10');
  await nsh.getByRole('button', { name: 'Create shot' }).click();
  await expect(nsh).toBeHidden();
  await w.arrive('SH0010 in the grid', page.getByText('SH0010', { exact: true }).first());
  await page.getByRole('button', { name: 'New shot' }).click();
  await nsh.getByLabel('Code').fill('SH0020');
  await nsh.getByLabel('Last frame').fill('1072');
  await nsh.getByLabel('Cut order (optional)').fill('20');
  await nsh.getByRole('button', { name: 'Create shot' }).click();
  await w.arrive('SH0020 in the grid', page.getByText('SH0020', { exact: true }).first());
  await looked(page, 'project-shots');

  await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Settings' }).click();
  await w.arrive('the project settings', page.getByRole('heading', { name: 'Moon Heist · settings' }));
  const shots = page.getByRole('table', { name: 'Shots of SQ010' });
  await w.arrive('the shots of SQ010', shots.getByRole('row', { name: /SH0020/ }));
  await expect(shots.getByRole('row', { name: /SH0010/ })).toContainText('1001–1048');
  await page.getByRole('button', { name: 'Edit shot SH0020' }).click();
  const es = dialog(page, 'Edit shot SH0020');
  await es.getByLabel('Last frame').fill('1096');
  await es.getByRole('button', { name: 'Save shot' }).click();
  await expect(shots.getByRole('row', { name: /SH0020/ })).toContainText('1001–1096');
  await expect(shots.getByRole('row', { name: /SH0020/ })).toContainText('96');
  await page.getByRole('button', { name: 'Edit sequence SQ010' }).click();
  const eq = dialog(page, 'Edit sequence SQ010');
  await eq.getByLabel('Name (optional)').fill('Opening titles');
  await eq.getByRole('button', { name: 'Save sequence' }).click();
  await expect(page.getByRole('table', { name: 'Sequences' }).getByRole('row', { name: /SQ010/ })).toContainText('Opening titles');
  await page.getByLabel('Handles (frames)').fill('12');
  await page.getByRole('button', { name: 'Save project' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await w.expectClean('the project settings');
  await looked(page, 'project-settings');

  await nav(page, 'Task types').click();
  await w.arrive('the task types and statuses', page.getByRole('heading', { name: 'Task types and statuses', level: 1 }));
  await page.getByRole('button', { name: 'New task type' }).click();
  const nt = dialog(page, 'New task type');
  await nt.getByRole('button', { name: 'Create task type' }).click();
  await expect(nt.getByRole('alert')).toHaveText('Name is required.');
  await nt.getByLabel('Name').fill(`Animation ${tag}`);
  await nt.getByLabel('Used for').selectOption('SHOT');
  await nt.getByRole('button', { name: 'Create task type' }).click();
  await w.arrive('the new task type', page.getByRole('table', { name: 'Task types' }).getByRole('row', { name: new RegExp(`Animation ${tag}`) }));
  await page.getByRole('button', { name: 'New status' }).click();
  const nst = dialog(page, 'New status');
  await nst.getByLabel('Code').fill('HOLD');
  await nst.getByLabel('Name').fill('On hold');
  await nst.getByRole('button', { name: 'Create status' }).click();
  await w.arrive('the new status', page.getByRole('table', { name: 'Task statuses' }).getByRole('row', { name: /On hold/ }));
  await looked(page, 'task-types');

  await nav(page, 'Assets').click();
  await w.arrive('the assets page', page.getByRole('heading', { name: 'Assets', exact: true }));
  await page.getByRole('button', { name: 'New asset' }).first().click();
  const na = dialog(page, 'New asset');
  await na.getByLabel('Project').selectOption({ label: `Moon Heist (${CODE})` });
  await na.getByRole('button', { name: 'Create asset' }).click();
  await expect(na.getByRole('alert')).toHaveText('Name is required.');
  await looked(page, 'new-asset');
  await na.getByLabel('Name').fill('Moon rover');
  await na.getByLabel('Type').selectOption('PROP');
  await na.getByRole('button', { name: 'Create asset' }).click();
  await w.arrive('the new asset opens', page.getByRole('heading', { name: 'Moon rover', level: 1 }));

  await nav(page, 'Projects').click();
  await page.getByRole('link', { name: 'Moon Heist' }).click();
  await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Assets' }).click();
  await w.arrive('the project\'s assets, with the rover', page.getByText('Moon rover').first());
  await page.getByRole('button', { name: 'New asset' }).click();
  const nb = dialog(page, 'New asset');
  await expect(nb.getByLabel('Project')).toHaveCount(0);
  await nb.getByLabel('Name').fill('Lunar lander');
  await nb.getByRole('button', { name: 'Create asset' }).click();
  await w.arrive('the asset made on the Assets tab opens', page.getByRole('heading', { name: 'Lunar lander', level: 1 }));
  await page.goBack();
  await w.arrive('back on the project\'s assets, with the lander', page.getByText('Lunar lander').first());
  await w.expectClean('the whole set-up');
});
