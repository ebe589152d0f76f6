// Search, several studios and why a session ended, as a studio's people meet them: a person types "key" in the
// top bar's search and opens "Hero key art" from the keyboard; a person in two studios follows a link into the
// other one and switches to it (an outsider following the same link sees the usual not-found); a session ended
// from another device lands on the sign-in page, which says why. Each screen is checked by axe, reflows at 320
// CSS px, and is photographed at 1440×900, 1024×768 and 200% into web/screenshots/.
import { randomBytes } from 'node:crypto';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { base, checkPage, joinViaApi, studioViaApi } from './support';
import { apiCall, signedInWatched } from './review-support';

const PASSWORD = 'a long e2e password';
const tag = randomBytes(3).toString('hex');
const person = { name: 'Pia Twostudios', email: `pia.${tag}@studio.test` };
const outsider = { name: 'Otto Outsider', email: `otto.${tag}@studio.test` };
const studioA = `Search A ${tag}`;
const studioB = `Search B ${tag}`;
const ids: Record<string, string> = {};
const tokens: Record<string, string> = {};

test.describe.configure({ mode: 'serial' });

/** A fresh browser signed in through the sign-in page, watched from its first request. */
const signedIn = (browser: Browser, email: string) => signedInWatched(browser, email, PASSWORD);

/** Screenshots at 1440×900, 1024×768 and 200% zoom (720×450 CSS px), axe on each, no sideways scrolling at 320 px. */
async function everySize(page: Page, name: string) {
  for (const [w, h, label] of [[1440, 900, '1440'], [1024, 768, '1024'], [720, 450, '200pct']] as const) {
    await page.setViewportSize({ width: w, height: h });
    await checkPage(page, `${name}-${label}`);
  }
  await page.setViewportSize({ width: 320, height: 640 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), `${name} reflows at 320 px`).toBeLessThanOrEqual(0);
  await page.setViewportSize({ width: 1440, height: 900 });
}

test.beforeAll(async () => {
  // The person owns studio A; studio B's owner invites them too, and their last studio is A.
  tokens.a = (await studioViaApi(studioA, person.email, PASSWORD)).accessToken;
  const ownerB = await studioViaApi(studioB, `bea.${tag}@studio.test`, PASSWORD);
  tokens.b = ownerB.accessToken;
  await joinViaApi(tokens.b, person, 'ARTIST', PASSWORD);
  await joinViaApi(tokens.a, outsider, 'ARTIST', PASSWORD);
  const studios = (await apiCall<{ data: Array<{ studioId: string; studioName: string }> }>(tokens.a, 'GET', '/auth/studios')).data;
  ids.studioA = studios.find((m) => m.studioName === studioA)!.studioId;
  const login = await fetch(`${base()}/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: person.email, password: PASSWORD, studioId: ids.studioA }) });
  expect(login.status).toBe(200);
  ids.hero = (await apiCall<{ id: string }>(tokens.a, 'POST', '/assets', { name: 'Hero key art', type: 'TEXTURE' })).id;
  await apiCall(tokens.a, 'POST', '/assets', { name: 'Monkey wrench', type: 'PROP' });
  ids.bAsset = (await apiCall<{ id: string }>(tokens.b, 'POST', '/assets', { name: 'Beta backdrop', type: 'ENVIRONMENT' })).id;
});

test('"key" in the top bar\'s search finds "Hero key art", opened with the keyboard', async ({ browser }) => {
  const { page, w } = await signedIn(browser, person.email);
  // `/` focuses the search from the page, as the placeholder says.
  await page.locator('body').click({ position: { x: 600, y: 400 } });
  await page.keyboard.press('/');
  const box = page.getByRole('combobox', { name: 'Search the studio' });
  await expect(box).toBeFocused();
  await page.keyboard.type('key');
  const results = page.getByRole('listbox', { name: 'Search results' });
  const hero = results.getByRole('option', { name: /Hero key art/ });
  await w.arrive('search results', hero);
  await expect(results.getByRole('group', { name: 'Assets' })).toBeVisible();
  // A word's start, not any substring: "Monkey wrench" has "key" inside a word only.
  await expect(results.getByRole('option', { name: /Monkey wrench/ })).toHaveCount(0);
  await everySize(page, '90-search-results');
  await box.focus();
  await page.keyboard.press('ArrowDown');
  await expect(hero).toHaveAttribute('aria-selected', 'true');
  await expect(box).toHaveAttribute('aria-activedescendant', (await hero.getAttribute('id'))!);
  await page.keyboard.press('Enter');
  await w.arrive('the asset page', page.getByRole('heading', { name: 'Hero key art' }));
  expect(new URL(page.url()).pathname).toBe(`/app/assets/${ids.hero}`);

  // Nothing found says what to try.
  await box.fill('zzzq');
  await w.arrive('no results', page.getByRole('status').filter({ hasText: 'Nothing found for “zzzq”' }));
  await everySize(page, '91-search-empty');
  await page.keyboard.press('Escape');
  await expect(results.getByRole('option')).toHaveCount(0);
  await w.expectClean('search');
});

test('a person in two studios follows a link into the other one and switches to it; an outsider sees not-found', async ({ browser }) => {
  const { page, w } = await signedIn(browser, person.email);
  // The studio switcher tells the studios apart and shows where the person is.
  await expect(page.getByLabel('Studio', { exact: true })).toHaveValue(ids.studioA!);
  // A link to B's asset, pasted while the session is in A: A answers not-found, the page asks B.
  w.expectRefusal('GET', new RegExp(`^/assets/${ids.bAsset}$`), 404, 'ASSET_NOT_FOUND');
  await page.goto(`${base()}/app/assets/${ids.bAsset}`);
  const offer = page.getByText(`This belongs to ${studioB}. Switch to it?`);
  await w.arrive('the switch offer', offer);
  await everySize(page, '92-switch-offer');
  await page.getByRole('button', { name: `Switch to ${studioB}` }).click();
  await w.arrive('B\'s asset', page.getByRole('heading', { name: 'Beta backdrop' }));
  await expect(page.getByLabel('Studio', { exact: true })).not.toHaveValue(ids.studioA!);
  await w.expectClean('switched');

  // Someone not in B following the same link: the same page as for an id that does not exist.
  const other = await signedIn(browser, outsider.email);
  other.w.expectRefusal('GET', new RegExp(`^/assets/${ids.bAsset}$`), 404, 'ASSET_NOT_FOUND');
  await other.page.goto(`${base()}/app/assets/${ids.bAsset}`);
  await other.w.arrive('not found', other.page.getByText('Asset not found'));
  await expect(other.page.getByText(studioB)).toHaveCount(0);
  await expect(other.page.getByRole('button', { name: /Switch to/ })).toHaveCount(0);
  await other.w.expectClean('outsider');
});

test('a session ended from another device lands on sign-in, which says why', async ({ browser }) => {
  const { page, w } = await signedIn(browser, outsider.email);
  // The app learns it from its live connection (the server ends it) and the refresh that follows.
  for (let i = 0; i < 3; i++) w.expectRefusal('POST', /^\/auth\/refresh$/, 401, 'INVALID_REFRESH_TOKEN');
  for (let i = 0; i < 5; i++) w.expectRefusal('GET', /^\//, 401, 'SESSION_REVOKED');
  const elsewhere = await fetch(`${base()}/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: outsider.email, password: PASSWORD }) });
  const { accessToken } = (await elsewhere.json()) as { accessToken: string };
  const out = await fetch(`${base()}/auth/logout-all`, { method: 'POST', headers: { Authorization: `Bearer ${accessToken}` } });
  expect(out.status).toBe(204);
  const notice = page.getByRole('status').filter({ hasText: 'You were signed out everywhere' });
  await w.arrive('the sign-in page, saying why', notice);
  await expect(notice).toContainText('"Sign out everywhere" was chosen on another device');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await everySize(page, '93-signed-out-why');
  // Signing in again works, and the notice is gone.
  await page.getByLabel('Email').fill(outsider.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await w.arrive('signed in again', page.getByRole('navigation', { name: 'Main' }));
  await w.expectClean('signed in again');
});
