// The review loop closed, as a studio's people click it (issue 28): an artist submits a version for review on
// the task page; the director (another browser) is told in the bell, finds it in Waiting for review, opens it
// with a click, presses A and is asked "Approve v1 of SH0010?" (Escape cancels, Enter approves); on another
// shot, submitted on an older version, R says "v1 is not the latest (v2)" and takes the words; the artist sees
// the decision's words on the task and on the review page. Axe, screenshots at three sizes, reflow.
import { randomBytes } from 'node:crypto';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { checkPage, joinViaApi, studioViaApi } from './support';
import { apiCall, barcodeClip, signedInWatched, uploadAndWait } from './review-support';

const PASSWORD = 'a long e2e password';
const tag = randomBytes(3).toString('hex');
const artist = { name: 'Rita Render', email: `rita.${tag}@studio.test` };
const director = { name: 'Dex Decider', email: `dex.${tag}@studio.test` };
const ids: Record<string, string> = {};
const tokens = { producer: '', director: '', artist: '' };
const WORDS = 'Hold the pose two frames longer before the jump';

test.describe.configure({ mode: 'serial' });

/** A fresh browser signed in through the sign-in page, watched from its first request. */
const signedIn = (browser: Browser, email: string) => signedInWatched(browser, email, PASSWORD);
const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

/** Screenshots at 1440×900, 1024×768 and 200% zoom (720×450 CSS px), axe on each. */
async function everySize(page: Page, name: string) {
  for (const [w, h, label] of [[1440, 900, '1440'], [1024, 768, '1024'], [720, 450, '200pct']] as const) {
    await page.setViewportSize({ width: w, height: h });
    await checkPage(page, `${name}-${label}`);
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

/** Nothing scrolls sideways at 320 CSS px (WCAG 1.4.10). */
async function reflows(page: Page, name: string) {
  await page.setViewportSize({ width: 320, height: 640 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), `${name} reflows at 320 px`).toBeLessThanOrEqual(0);
  await page.setViewportSize({ width: 1440, height: 900 });
}

test.beforeAll(async () => {
  test.setTimeout(240_000);
  const owner = await studioViaApi(`Loop ${tag}`, `lou.${tag}@studio.test`, PASSWORD);
  tokens.producer = owner.accessToken;
  tokens.director = await joinViaApi(owner.accessToken, director, 'DIRECTOR', PASSWORD);
  tokens.artist = await joinViaApi(owner.accessToken, artist, 'ARTIST', PASSWORD);
  ids.artist = (await apiCall<{ id: string }>(tokens.artist, 'GET', '/auth/me')).id;
  const types = (await apiCall<{ data: Array<{ id: string; name: string }> }>(tokens.director, 'GET', '/task-types')).data;
  const animation = types.find((t) => t.name === 'Animation')!.id;
  ids.project = (await apiCall<{ id: string }>(tokens.producer, 'POST', '/projects', { name: 'Leap Year', code: `LY${tag}`.toUpperCase() })).id;
  const seq = await apiCall<{ id: string }>(tokens.director, 'POST', `/projects/${ids.project}/sequences`, { code: 'SQ010' });
  const clip = await barcodeClip('24/1', 48);
  for (const code of ['SH0010', 'SH0020']) {
    const shot = await apiCall<{ id: string; assetId: string }>(tokens.director, 'POST', `/sequences/${seq.id}/shots`, { code, frameIn: 1001, frameOut: 1048 });
    ids[`${code}asset`] = shot.assetId;
    ids[code] = (await apiCall<{ id: string }>(tokens.director, 'POST', '/tasks', { entityType: 'SHOT', entityId: shot.id, taskTypeId: animation, assignees: [ids.artist] })).id;
    await apiCall(tokens.artist, 'PATCH', `/tasks/${ids[code]}`, { status: 'WIP' });
    await uploadAndWait(tokens.artist, shot.assetId, clip, `${code.toLowerCase()}_v1.mp4`);
  }
  // SH0020 was submitted on v1, and v2 came after: deciding v1 is deciding an old version.
  await apiCall(tokens.artist, 'POST', `/tasks/${ids.SH0020}/submit`, { version: 1 });
  await uploadAndWait(tokens.artist, ids.SH0020asset!, clip, 'sh0020_v2.mp4');
});

test('an artist submits, the director is told, finds it waiting, approves by key after a confirmation, sends another back with words the artist reads', async ({ browser }) => {
  test.setTimeout(180_000);
  const rita = await signedIn(browser, artist.email);
  const dex = await signedIn(browser, director.email);

  // The artist submits v1 of SH0010 from the task's page, reached from My tasks.
  await nav(rita.page, 'My tasks').click();
  await rita.page.getByRole('link', { name: 'SH0010 Animation' }).click();
  await rita.w.arrive('the task', rita.page.getByRole('heading', { name: 'SH0010 Animation' }));
  await rita.page.getByLabel('Version to submit').selectOption('1');
  await rita.page.getByRole('button', { name: 'Submit for review' }).click();
  await expect(rita.page.getByText('(latest submission)')).toBeVisible();
  await rita.w.expectClean('submitted');

  // The director's bell says so, live, and names the version.
  const bell = dex.page.getByRole('button', { name: /^Notifications, [1-9]\d* unread$/ });
  await expect(bell).toBeVisible({ timeout: 15_000 });
  await bell.click();
  const panel = dex.page.getByRole('region', { name: 'Notifications' });
  // Both submissions (SH0020's earlier, SH0010's now) are one entry from the artist, which opens to each.
  const group = panel.getByRole('button', { name: new RegExp(`2 versions waiting for your review, from ${artist.name}`) });
  await expect(group).toBeVisible();
  await group.click();
  await expect(panel.getByRole('link', { name: /SH0010 Animation v1 is waiting for your review/ })).toBeVisible();
  await checkPage(dex.page, 'review-loop-01-bell');
  await dex.page.keyboard.press('Escape');

  // Waiting for review, from the navigation: both shots, oldest submission first, the old one flagged.
  await nav(dex.page, 'Waiting for review').click();
  await dex.w.arrive('the queue', dex.page.getByRole('heading', { name: 'Waiting for review', exact: true }));
  const rows = dex.page.getByTestId('waiting-review');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText('SH0020 · v1');
  await expect(rows.nth(0)).toContainText('v2 has been uploaded since');
  await expect(rows.nth(1)).toContainText('SH0010 · v1');
  await expect(rows.nth(1)).toContainText('Leap Year');
  await expect(rows.nth(1)).toContainText(artist.name);
  await everySize(dex.page, 'review-loop-02-queue');
  await reflows(dex.page, 'the queue');
  await dex.w.expectClean('the queue');

  // Opened by a click; A asks first, naming the version; Escape leaves it undecided.
  await rows.nth(1).getByRole('link', { name: 'SH0010 · v1' }).click();
  await dex.w.arrive('the review page', dex.page.getByRole('button', { name: 'Play' }));
  await expect(dex.page.getByRole('button', { name: 'Play' })).toBeEnabled();
  await dex.page.keyboard.press('a');
  const confirm = dex.page.getByRole('dialog', { name: 'Approve v1 of SH0010?' });
  await expect(confirm).toBeVisible();
  await checkPage(dex.page, 'review-loop-03-confirm-approve');
  await dex.page.keyboard.press('Escape');
  await expect(confirm).toBeHidden();
  await expect(dex.page.getByTestId('asset-status')).not.toHaveText('approved');
  // Again, and Enter approves.
  await dex.page.keyboard.press('a');
  await expect(confirm).toBeVisible();
  await expect(confirm.getByRole('button', { name: 'Approve v1' })).toBeFocused();
  await dex.page.keyboard.press('Enter');
  await expect(confirm).toBeHidden();
  await expect(dex.page.getByTestId('asset-status')).toHaveText('approved');
  await expect(dex.page.getByTestId('decided')).toHaveText('Approved v1 of SH0010');
  await expect(dex.page.getByRole('list', { name: 'Decisions on v1' })).toContainText('Approved');
  await expect.poll(async () => (await apiCall<{ status: string }>(tokens.artist, 'GET', `/tasks/${ids.SH0010}`)).status).toBe('DONE');
  await dex.w.expectClean('approved');

  // Back to the queue: SH0010 has left it; SH0020 is opened on v1, which is not the latest.
  await nav(dex.page, 'Waiting for review').click();
  await expect(rows).toHaveCount(1);
  await rows.first().getByRole('link', { name: 'SH0020 · v1' }).click();
  await expect(dex.page.getByRole('button', { name: 'Play' })).toBeEnabled();
  await expect(dex.page.getByTestId('not-latest')).toContainText('v1 is not the latest (v2).');
  await dex.page.keyboard.press('r');
  const changes = dex.page.getByRole('dialog', { name: 'Request changes on v1 of SH0020' });
  await expect(changes).toBeVisible();
  await expect(changes).toContainText('v1 is not the latest (v2).');
  await changes.getByLabel('What should change (optional)').fill(WORDS);
  await checkPage(dex.page, 'review-loop-04-request-changes');
  await changes.getByRole('button', { name: 'Request changes' }).click();
  await expect(changes).toBeHidden();
  await expect(dex.page.getByRole('list', { name: 'Decisions on v1' })).toContainText(`Request changes: ${WORDS}`);
  await dex.w.expectClean('changes requested');

  // The notifications page, from the bell: filtered by kind, marked read in bulk, a daily digest chosen.
  await dex.page.getByRole('button', { name: /^Notifications, \d+ unread$/ }).click();
  await dex.page.getByRole('link', { name: 'All notifications, filters and bulk read' }).click();
  await dex.w.arrive('the notifications page', dex.page.getByRole('heading', { name: 'Notifications', exact: true, level: 1 }));
  await dex.page.getByLabel('Kind').selectOption('REVIEW_REQUESTED');
  const groups = dex.page.getByRole('list', { name: 'Notifications' }).getByTestId('notification-group');
  await expect(groups).toHaveCount(1);
  await groups.first().getByRole('checkbox').check();
  await dex.page.getByRole('button', { name: /^Mark selected read \(2\)$/ }).click();
  await expect(dex.page.getByRole('button', { name: 'Notifications, 0 unread' })).toBeVisible();
  await dex.page.getByLabel('Email digest of unread notifications').selectOption('DAILY');
  await expect(dex.page.getByText(/^Next one .+, if anything is unread\.$/)).toBeVisible();
  await everySize(dex.page, 'review-loop-08-notifications');
  await reflows(dex.page, 'the notifications page');
  await dex.w.expectClean('the notifications page');

  // The artist reads the words on the task (reached from My tasks) and on the review page.
  await nav(rita.page, 'My tasks').click();
  await rita.page.getByRole('link', { name: 'SH0020 Animation' }).click();
  await rita.w.arrive('the sent-back task', rita.page.getByRole('heading', { name: 'SH0020 Animation' }));
  await expect(rita.page.getByRole('list', { name: 'Review decisions' })).toContainText(`Request changes: ${WORDS}`);
  await expect(rita.page.getByRole('list', { name: 'Review decisions' })).toContainText(`v1 · ${director.name}`);
  await everySize(rita.page, 'review-loop-05-task-decision');
  await rita.page.getByRole('list', { name: 'Versions' }).getByRole('link', { name: 'v1' }).click();
  await expect(rita.page.getByRole('button', { name: 'Play' })).toBeEnabled();
  await expect(rita.page.getByRole('list', { name: 'Decisions on v1' })).toContainText(`Request changes: ${WORDS}`);
  // The artist is never offered a decision, by button or by key.
  await expect(rita.page.getByRole('button', { name: 'Approve' })).toHaveCount(0);
  await rita.page.keyboard.press('a');
  await expect(rita.page.getByRole('dialog')).toHaveCount(0);
  await everySize(rita.page, 'review-loop-06-artist-review');
  await rita.w.expectClean('the artist reads the decision');
});

test('the review page at 200% zoom and at 320 CSS px: transport, timecode and the version actions stay on screen', async ({ browser }) => {
  const dex = await signedIn(browser, director.email);
  await nav(dex.page, 'Assets').click();
  await dex.page.goto(dex.page.url().replace(/\/app\/.*$/, `/app/assets/${ids.SH0020asset}/versions/2`));
  await expect(dex.page.getByRole('button', { name: 'Play' })).toBeEnabled();
  for (const [width, height] of [[720, 450], [320, 640]] as const) {
    await dex.page.setViewportSize({ width, height });
    for (const target of [dex.page.getByRole('button', { name: 'Play' }), dex.page.getByRole('button', { name: 'Last frame' }), dex.page.getByTestId('timecode'), dex.page.getByTestId('frame-number'), dex.page.getByRole('button', { name: 'Approve' }), dex.page.getByRole('button', { name: 'Request changes' })]) {
      await target.scrollIntoViewIfNeeded();
      const box = (await target.boundingBox())!;
      expect({ width, left: box.x >= 0, right: box.x + box.width <= width }, `${await target.textContent()} at ${width} px`).toEqual({ width, left: true, right: true });
    }
    expect(await dex.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), `the review page at ${width} px`).toBeLessThanOrEqual(0);
  }
  await dex.page.setViewportSize({ width: 720, height: 450 });
  await checkPage(dex.page, 'review-loop-07-review-200pct');
  await dex.w.expectClean('reflow');
});
