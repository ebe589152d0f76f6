// The paths people take, walked as they walk them: from the sign-in page, by clicking links, pressing keys
// and the browser's Back button, never by typing a deep URL (a deep link starts with an empty cache, which
// is how the crashes of issue 28 hid from specs that opened review pages by URL). Every step fails at once
// on an error boundary, an uncaught or console error, or a failed request (e2e/watch.ts).
import { expect, test, type Browser, type Page } from '@playwright/test';
import { base, checkPage } from './support';
import { signedInWatched } from './review-support';
import { PASSWORD, png, seedShow, type Show } from './show-seed';

let show: Show;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  show = await seedShow('Paths');
});

/** A fresh browser signed in through the sign-in page, watched from its first request. */
const signedIn = (browser: Browser, email: string) => signedInWatched(browser, email, PASSWORD);

const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

test('assets → an asset → Review → Back → Review by keyboard → another version → back to the asset → assets', async ({ browser }) => {
  const { page, w } = await signedIn(browser, show.producer.email);
  await page.getByRole('list', { name: 'Assets' }).getByRole('link', { name: 'Rocket' }).click();
  await w.arrive('the asset page', page.getByRole('heading', { name: 'Rocket', level: 1 }));
  await w.arrive('its versions', page.getByRole('link', { name: 'Review version 2' }));
  await checkPage(page, 'paths-01-asset');

  await page.getByRole('link', { name: 'Review version 2' }).click();
  await w.arrive('the review of v2', page.getByRole('heading', { name: 'Rocket · v2' }));
  await expect(page.getByRole('navigation', { name: 'Versions' }).getByRole('link')).toHaveText(['v1', 'v2']);
  await w.arrive('the note and its author', page.getByRole('list', { name: 'Notes on this version' }).getByText('Ari Artist'));
  await expect(page.getByRole('img', { name: /Rocket v2/ })).toBeVisible();
  await checkPage(page, 'paths-02-review');

  await page.goBack();
  await w.arrive('back on the asset page', page.getByRole('link', { name: 'Review version 1' }));
  await page.getByRole('link', { name: 'Review version 1' }).focus();
  await page.keyboard.press('Enter');
  await w.arrive('the review of v1, by keyboard', page.getByRole('heading', { name: 'Rocket · v1' }));

  await page.getByRole('navigation', { name: 'Versions' }).getByRole('link', { name: 'v2' }).click();
  await w.arrive('v2 from the versions bar', page.getByRole('heading', { name: 'Rocket · v2' }));
  await page.getByRole('link', { name: 'Back to Rocket' }).click();
  await w.arrive('the asset page from the review', page.getByRole('heading', { name: 'Rocket', level: 1 }));
  await page.getByRole('link', { name: '#hero' }).click();
  await w.arrive('the assets tagged hero', page.getByRole('list', { name: 'Assets' }).getByRole('link', { name: 'Rocket' }));
  await nav(page, 'Assets').click();
  await w.arrive('all assets', page.getByRole('heading', { name: 'Assets', exact: true }));
  await w.expectClean('the whole path');
});

test('a producer: members → my tasks → a task → a version\'s review → Back → assets → an asset → Review', async ({ browser }) => {
  const { page, w } = await signedIn(browser, show.producer.email);
  await nav(page, 'Members').click();
  await w.arrive('the members page', page.getByRole('cell', { name: show.artist.name, exact: true }));
  await checkPage(page, 'paths-03-members');

  await nav(page, 'My tasks').click();
  await page.getByRole('table', { name: 'My tasks' }).getByRole('link', { name: show.tasks.rocket.name }).click();
  await w.arrive('the Rocket task', page.getByRole('heading', { name: show.tasks.rocket.name }));
  await page.getByRole('list', { name: 'Versions' }).getByRole('link', { name: 'v2' }).click();
  // The review's note authors come from the members the Members page has already listed.
  await w.arrive('the review of v2 from the task', page.getByRole('heading', { name: 'Rocket · v2' }));
  await w.arrive('the note\'s author by name', page.getByRole('list', { name: 'Notes on this version' }).getByText('Ari Artist'));

  await page.goBack();
  await w.arrive('back on the task', page.getByRole('heading', { name: show.tasks.rocket.name }));
  await nav(page, 'Members').click();
  await w.arrive('the members page again', page.getByRole('cell', { name: show.artist.name, exact: true }));
  await nav(page, 'Assets').click();
  await page.getByRole('list', { name: 'Assets' }).getByRole('link', { name: 'Rocket' }).click();
  await page.getByRole('link', { name: 'Review version 1' }).click();
  await w.arrive('the review of v1 from the asset page', page.getByRole('heading', { name: 'Rocket · v1' }));
  await nav(page, 'Members').click();
  await w.arrive('the members page after a review', page.getByRole('cell', { name: show.artist.name, exact: true }));
  await w.expectClean('the whole path');
});

test('an artist opens a shot from the grid (click, then Enter), from a task\'s link; uploads the shot\'s version and reviews it', async ({ browser }) => {
  test.setTimeout(120_000);
  const { page, w } = await signedIn(browser, show.artist.email);
  await nav(page, 'Projects').click();
  await page.getByRole('link', { name: 'Moon Heist' }).click();
  const grid = page.getByRole('grid', { name: 'Shot grid' });
  await w.arrive('the shot grid', grid.getByRole('rowheader').first());
  await expect(grid.getByRole('rowheader')).toHaveText([/SH010/, /SH020/, /SH030/]);
  await checkPage(page, 'paths-04-shot-grid');

  await grid.getByRole('link', { name: 'SH010' }).click();
  await w.arrive('SH010\'s page, clicked in the grid', page.getByRole('heading', { name: /SH010$/, level: 1 }));
  await expect(page.getByRole('heading', { name: 'Upload a new version' })).toBeVisible();
  await checkPage(page, 'paths-05-shot-page');
  await page.goBack();
  await w.arrive('back on the grid', grid.getByRole('link', { name: 'SH020' }));
  await grid.getByRole('link', { name: 'SH020' }).focus();
  await page.keyboard.press('Enter');
  await w.arrive('SH020\'s page, by Enter in the grid', page.getByRole('heading', { name: /SH020$/, level: 1 }));
  await page.goBack();
  await w.arrive('back on the grid again', grid.getByRole('link', { name: 'SH030' }));

  await nav(page, 'My tasks').click();
  await page.getByRole('table', { name: 'My tasks' }).getByRole('link', { name: show.tasks.shot.name }).click();
  await w.arrive('the artist\'s task', page.getByRole('heading', { name: show.tasks.shot.name }));
  await page.getByRole('link', { name: 'the shot\'s page' }).click();
  await w.arrive('the shot\'s page from the task', page.getByRole('heading', { name: /SH010$/, level: 1 }));

  // Upload as a person does: the button opens the file chooser.
  await page.getByLabel('Change note (optional)').fill('Blocking pass');
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Choose files…' }).click();
  await (await chooser).setFiles(png(show.dir, 'sh010_v1.png', 'green'));
  await w.arrive('the uploaded version', page.getByRole('cell', { name: 'Blocking pass' }));
  await expect(page.getByTestId('pipeline-v1')).toHaveText('ready', { timeout: 60_000 });
  await checkPage(page, 'paths-06-shot-uploaded');
  await page.getByRole('link', { name: 'Review version 1' }).click();
  await w.arrive('the review of the shot\'s v1', page.getByRole('heading', { name: /SH010 · v1$/ }));
  await expect(page.getByRole('img', { name: /SH010 v1/ })).toBeVisible();
  await checkPage(page, 'paths-07-shot-review');

  await page.goBack();
  await w.arrive('the shot\'s page again', page.getByRole('link', { name: 'Review version 1' }));
  await page.goBack();
  await w.arrive('the task, which now lists v1', page.getByRole('list', { name: 'Versions' }).getByRole('link', { name: 'v1' }));
  await page.getByLabel('Note').fill('Ready for a look');
  await page.getByRole('button', { name: 'Submit for review' }).click();
  await w.arrive('the submission', page.getByText('submitted for this task'));
  await page.getByRole('list', { name: 'Versions' }).getByRole('link', { name: 'v1' }).click();
  await w.arrive('the submitted version\'s review', page.getByRole('heading', { name: /SH010 · v1$/ }));
  await nav(page, 'Projects').click();
  await page.getByRole('link', { name: 'Moon Heist' }).click();
  await w.arrive('the grid with the submission', grid.getByRole('button', { name: /^SH010 Animation: WFA/ }));
  await w.expectClean('the whole path');
  expect(page.url()).toBe(`${base()}/app/projects/${show.project.id}`);
});

test('a page that throws shows its error boundary inside the shell, in words, reported on the console; Try again and the navigation work', async ({ browser }) => {
  const { page, w } = await signedIn(browser, show.producer.email);
  // The server answers the asset without its tags once, as main's did for a shot's asset.
  let broken = true;
  await page.route(`**/assets/${show.rocket.id}`, async (route) => {
    if (!broken || route.request().method() !== 'GET') return route.continue();
    const res = await route.fetch();
    const { tags: _tags, ...asset } = (await res.json()) as Record<string, unknown>;
    await route.fulfill({ response: res, json: asset });
  });
  await page.getByRole('list', { name: 'Assets' }).getByRole('link', { name: 'Rocket' }).click();
  const problem = page.getByRole('alert').filter({ has: page.getByRole('heading', { name: 'This page hit a problem' }) });
  await expect(problem).toBeVisible();
  await expect(problem).toContainText(/What failed: .*(length|undefined)/);
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  await checkPage(page, 'paths-08-error-boundary');
  // The walk's watcher sees it as a person would: a boundary and a console error.
  expect(w.problems.some((p) => p.startsWith('console error') && /length|undefined/.test(p))).toBe(true);
  w.problems.length = 0;

  // The navigation leaves it behind; Back finds the same bad answer in the cache, and Try again drops it.
  await nav(page, 'Projects').click();
  await w.arrive('another page from the navigation', page.getByRole('link', { name: 'Moon Heist' }));
  await page.goBack();
  await expect(problem).toBeVisible();
  w.problems.length = 0;
  broken = false;
  await problem.getByRole('button', { name: 'Try again' }).click();
  await w.arrive('the asset page after Try again', page.getByRole('heading', { name: 'Rocket', level: 1 }));
  await w.arrive('its tags, from a fresh answer', page.getByRole('link', { name: '#hero' }));
});
