// The first slice of the web app in a real browser: create a studio through the UI and its mailed link,
// assets live across browser contexts, a session that survives reload and ends in every tab, studio
// isolation, and axe + a screenshot of every page.
import { randomBytes } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { base, checkPage, mailedLink, studioViaApi } from './support';

const PASSWORD = 'a long e2e password';
const tag = randomBytes(3).toString('hex');
const owner = { studio: `Alpha ${tag}`, name: 'Ada Owner', email: `ada.${tag}@studio.test` };
let alphaAssetId = '';

test.describe.configure({ mode: 'serial' });

async function signIn(page: Page, email: string, password = PASSWORD) {
  await page.goto(`${base()}/app/signin`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Assets', exact: true })).toBeVisible();
}

test('(a) create a studio through the UI, follow the mailed link, create an asset; another context sees it live', async ({ browser }) => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${base()}/app/create-studio`);
  await checkPage(page, '01-create-studio');
  // Field errors from the API's error contract.
  await page.getByLabel('Studio name').fill('A');
  await page.getByLabel('Your name').fill(owner.name);
  await page.getByLabel('Email').fill('not-an-address');
  await page.getByRole('button', { name: 'Create studio' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
  await checkPage(page, '02-create-studio-field-errors');
  await page.getByLabel('Studio name').fill(owner.studio);
  await page.getByLabel('Email').fill(owner.email);
  await page.getByRole('button', { name: 'Create studio' }).click();
  await expect(page.getByRole('heading', { name: 'Check your mail' })).toBeVisible();
  await checkPage(page, '03-check-your-mail');

  // The link's page: the password is chosen here, and nothing happens before the submit.
  const link = await mailedLink(owner.email, 'verify-email');
  await page.goto(link);
  await expect(page.getByText(`This link creates a studio for ${owner.email}`)).toBeVisible();
  await page.getByLabel(/^Choose a password/).fill('short');
  await page.getByRole('button', { name: 'Create studio and sign in' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(page.getByLabel(/^Choose a password/)).toHaveAttribute('aria-invalid', 'true');
  await checkPage(page, '03b-verify-email-choose-password');
  await page.getByLabel(/^Choose a password/).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create studio and sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Assets', exact: true })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'No assets yet' })).toBeVisible();
  await checkPage(page, '04-assets-empty');
  // The refresh token is in no script's reach.
  expect(await page.evaluate(() => document.cookie)).not.toContain('studio_refresh');

  const watcher = await browser.newContext();
  const other = await watcher.newPage();
  await signIn(other, owner.email);

  await page.getByRole('button', { name: 'New asset' }).first().click();
  await checkPage(page, '05-new-asset-dialog');
  await page.getByLabel('Name', { exact: true }).fill('Hero Rig');
  await page.getByLabel('Type').last().selectOption('RIG');
  await page.getByRole('button', { name: 'Create asset' }).click();
  // The new asset opens; back on the list, it is there.
  await expect(page.getByRole('heading', { name: 'Hero Rig', level: 1 })).toBeVisible();
  alphaAssetId = new URL(page.url()).pathname.split('/').pop()!;
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Assets', exact: true }).click();
  await expect(page.getByRole('link', { name: 'Hero Rig' })).toBeVisible();

  // The other context got it through Socket.IO, no reload.
  await expect(other.getByRole('link', { name: 'Hero Rig' })).toBeVisible();
  await page.getByRole('button', { name: 'New asset' }).first().click();
  await page.getByLabel('Name', { exact: true }).fill('Forest Set');
  await page.getByLabel('Type').last().selectOption('SET');
  await page.getByRole('button', { name: 'Create asset' }).click();
  await expect(page.getByRole('heading', { name: 'Forest Set', level: 1 })).toBeVisible();
  await expect(other.getByRole('link', { name: 'Forest Set' })).toBeVisible();
  // An update (a rename through the API) arrives live too.
  const token = await page.evaluate(async () => (await (await fetch('/auth/refresh', { method: 'POST', headers: { 'X-Studio-Client': 'web', 'Content-Type': 'application/json' }, body: '{}' })).json()).accessToken as string);
  const res = await fetch(`${base()}/assets/${alphaAssetId}`, { method: 'PATCH', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'Hero Rig v2' }) });
  expect(res.status).toBe(200);
  await expect(other.getByRole('link', { name: 'Hero Rig v2' })).toBeVisible();
  await checkPage(other, '06-assets-list');

  // Filters and search.
  await other.getByLabel('Type').selectOption('SET');
  await expect(other.getByRole('link', { name: 'Forest Set' })).toBeVisible();
  await expect(other.getByRole('link', { name: 'Hero Rig v2' })).toHaveCount(0);
  await other.getByLabel('Type').selectOption('');
  await other.getByLabel('Search by name').fill('zzz');
  await expect(other.getByRole('heading', { name: 'No assets match these filters' })).toBeVisible();
  await checkPage(other, '07-assets-no-match');

  await other.goto(`${base()}/app/assets/${alphaAssetId}`);
  await expect(other.getByRole('heading', { name: 'Hero Rig v2' })).toBeVisible();
  await checkPage(other, '08-asset-detail');
  await ctx.close();
  await watcher.close();
});

test('(b) a reload keeps the session; signing out in one tab ends the other', async ({ browser }) => {
  const ctx = await browser.newContext();
  const first = await ctx.newPage();
  await signIn(first, owner.email);
  await first.reload();
  await expect(first.getByRole('heading', { name: 'Assets', exact: true })).toBeVisible();
  await expect(first.getByRole('link', { name: 'Forest Set' })).toBeVisible();
  // A second tab opens signed in straight from the cookie, at the same moment as a reload of the first.
  const second = await ctx.newPage();
  await Promise.all([second.goto(`${base()}/app/assets`), first.reload()]);
  await expect(second.getByRole('heading', { name: 'Assets', exact: true })).toBeVisible();
  await expect(first.getByRole('heading', { name: 'Assets', exact: true })).toBeVisible();

  await first.getByRole('button', { name: 'Sign out' }).click();
  await expect(first.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(second.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await checkPage(second, '09-sign-in');
  // And the session is gone for good: a reload stays signed out.
  await second.goto(`${base()}/app/assets`);
  await expect(second.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await ctx.close();
});

test('(c) a studio-B user opening studio A\'s asset sees "not found" and nothing of A', async ({ browser }) => {
  const bEmail = `bea.${tag}@studio.test`;
  await studioViaApi(`Beta ${tag}`, bEmail, PASSWORD);
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signIn(page, bEmail);
  await expect(page.getByRole('heading', { name: 'No assets yet' })).toBeVisible();
  await page.goto(`${base()}/app/assets/${alphaAssetId}`);
  await expect(page.getByRole('heading', { name: 'Asset not found' })).toBeVisible();
  await checkPage(page, '10-asset-not-found');
  await page.goto(`${base()}/app/assets?q=Hero`);
  await expect(page.getByRole('heading', { name: 'No assets match these filters' })).toBeVisible();
  const text = await page.locator('body').innerText();
  expect(text).not.toContain('Hero Rig');
  expect(text).not.toContain(owner.studio);
  await ctx.close();
});

test('(d) invitation page, verify-email error and unknown pages pass axe', async ({ browser }) => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signIn(page, owner.email);
  const invitee = `ian.${tag}@studio.test`;
  const token = await page.evaluate(async () => (await (await fetch('/auth/refresh', { method: 'POST', headers: { 'X-Studio-Client': 'web', 'Content-Type': 'application/json' }, body: '{}' })).json()).accessToken as string);
  const res = await fetch(`${base()}/invitations`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ email: invitee, role: 'ARTIST' }) });
  expect(res.status).toBe(201);
  const link = await mailedLink(invitee, 'invitations');

  const guest = await (await browser.newContext()).newPage();
  await guest.goto(link);
  await expect(guest.getByText(owner.studio)).toBeVisible();
  await checkPage(guest, '11-accept-invitation');
  await guest.getByLabel('Your name').fill('Ian Artist');
  await guest.getByLabel(/password/i).fill(PASSWORD);
  await guest.getByRole('button', { name: 'Accept and sign in' }).click();
  await expect(guest.getByRole('link', { name: 'Forest Set' })).toBeVisible();
  await expect(guest.getByText('Ian Artist · artist')).toBeVisible();
  await guest.reload();
  await expect(guest.getByRole('link', { name: 'Forest Set' })).toBeVisible();

  await guest.goto(`${base()}/app/verify-email#token=${'x'.repeat(43)}`);
  await expect(guest.getByRole('alert')).toBeVisible();
  await checkPage(guest, '12-verify-email-invalid');
  await guest.goto(`${base()}/app/no/such/page`);
  await expect(guest.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await checkPage(guest, '13-not-found');
  await ctx.close();
});

test('serving: hashed assets cached for a year, index.html no-cache, SPA fallback only under /app/, strict CSP', async ({ request }) => {
  const index = await request.get(`${base()}/app/assets/0123456789abcdef01234567`);
  expect(index.status()).toBe(200);
  expect(index.headers()['cache-control']).toBe('no-cache');
  const csp = index.headers()['content-security-policy']!;
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain('unsafe-inline\'; script');
  // Media the app fetched itself (blob: URLs), nothing from elsewhere.
  expect(csp).toContain("img-src 'self' data: blob:");
  expect(csp).toContain("media-src 'self' blob:");
  const html = await index.text();
  const script = /src="(\/app\/static\/[^"]+\.js)"/.exec(html)![1]!;
  const js = await request.get(`${base()}${script}`);
  expect(js.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
  expect((await request.get(`${base()}/app/static/missing-0000.js`)).status()).toBe(404);
  expect((await request.get(`${base()}/nothing-here`)).status()).toBe(404);
  expect((await request.get(`${base()}/assets`)).status()).toBe(401);
});
