// The API tokens page in a real browser (issue 27, finding 6): a person signs in, finds the page in the
// navigation, creates a token with their password (a wrong one is refused in words), copies the secret shown
// once, sees the mailed notice, lists and revokes it; a PRODUCER sees the bots' tokens; loading and error
// states are honest; the page's password change revokes the person's tokens and sign-out everywhere ends the
// session. Screenshots of each state land in web/screenshots/.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { base, checkPage, studioViaApi } from './support';

const PASSWORD = 'a long e2e password';
const NEW_PASSWORD = 'an even longer e2e password';
const tag = randomBytes(3).toString('hex');
const owner = { studio: `Tokens ${tag}`, email: `tia.${tag}@studio.test` };
let bot = { id: '', name: `Farm bridge ${tag}` };

test.describe.configure({ mode: 'serial' });

/** The API's GET /tokens only: the page itself lives at /app/tokens. */
const tokensApi = (url: URL) => url.pathname === '/tokens';

async function call(token: string, method: string, url: string, body?: unknown) {
  const res = await fetch(`${base()}${url}`, { method, headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> & { error?: { code: string } } };
}

/** The subjects of the mails the API's development inbox holds for an address. */
function subjectsTo(to: string): string[] {
  const dir = process.env.STUDIO_E2E_MAIL!;
  return readdirSync(dir).filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { to: string | string[]; subject: string })
    .filter((m) => [m.to].flat().some((t) => t.includes(to))).map((m) => m.subject);
}

async function signIn(page: Page) {
  await page.goto(`${base()}/app/signin`);
  await page.getByLabel('Email').fill(owner.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Assets', exact: true })).toBeVisible();
}

test.beforeAll(async () => {
  const { accessToken } = await studioViaApi(owner.studio, owner.email, PASSWORD);
  const made = await call(accessToken, 'POST', '/bots', { name: bot.name, role: 'ARTIST' });
  expect(made.status).toBe(201);
  bot = { id: made.body.id as string, name: bot.name };
  expect((await call(accessToken, 'POST', `/bots/${bot.id}/tokens`, { name: 'render farm', scopes: ['renders:write'], expiresInDays: 30, currentPassword: PASSWORD })).status).toBe(201);
});

test('API tokens: create with the password, copy the secret once, list, revoke; the bots\' tokens; loading and error states', async ({ browser }) => {
  const ctx = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await ctx.newPage();
  await signIn(page);

  // Slow the first list down to see the loading state, then reach the page from the navigation.
  let delayed = false;
  await page.route(tokensApi, async (route) => {
    if (!delayed && route.request().method() === 'GET') {
      delayed = true;
      await new Promise((r) => setTimeout(r, 1500));
    }
    await route.continue();
  });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API tokens' }).click();
  await expect(page.getByRole('heading', { name: 'API tokens', exact: true })).toBeVisible();
  await expect(page.getByRole('status', { name: 'Loading your tokens' })).toBeVisible();
  await checkPage(page, '60-tokens-loading');
  await expect(page.getByRole('heading', { name: 'No tokens yet' })).toBeVisible();
  await expect(page.getByText('Every token expires, after at most 90 days.')).toBeVisible();
  await page.unroute(tokensApi);
  await checkPage(page, '61-tokens-empty');

  // Create: nothing chosen, then a wrong password, then the right one.
  await page.getByRole('button', { name: 'New token' }).click();
  const dialog = page.getByRole('dialog', { name: 'New API token' });
  await dialog.getByLabel('Name').fill('Blender add-on');
  await dialog.getByRole('button', { name: 'Create token' }).click();
  await expect(dialog.getByText('Choose at least one scope')).toBeVisible();
  await dialog.getByRole('checkbox', { name: /See assets, their versions/ }).check();
  await dialog.getByRole('checkbox', { name: /Create, change and archive assets/ }).check();
  await expect(dialog.getByRole('checkbox', { name: /Delete archived assets/ })).not.toBeChecked();
  await dialog.getByLabel('Expires after').selectOption('7');
  await dialog.getByLabel(/^Your password/).fill('not my password at all');
  await dialog.getByRole('button', { name: 'Create token' }).click();
  await expect(dialog.getByText('does not match your current password')).toBeVisible();
  await checkPage(page, '62-tokens-create-wrong-password');
  await dialog.getByLabel(/^Your password/).fill(PASSWORD);
  await dialog.getByRole('button', { name: 'Create token' }).click();

  const shown = page.getByRole('dialog', { name: 'Copy your new token' });
  const secret = await shown.getByLabel('The new token').inputValue();
  expect(secret).toMatch(/^sapi_[A-Za-z0-9_-]{43}$/);
  await shown.getByRole('button', { name: 'Copy' }).click();
  await expect(shown.getByText('Copied to the clipboard.')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
  await checkPage(page, '63-tokens-secret-once');
  // The secret works, within its scopes; the owner was mailed.
  expect((await call(secret, 'GET', '/assets')).status).toBe(200);
  expect((await call(secret, 'GET', '/render-jobs')).body.error?.code).toBe('INSUFFICIENT_SCOPE');
  await expect.poll(() => subjectsTo(owner.email)).toContain('New API token "Blender add-on" on your Studio API account');
  await shown.getByRole('button', { name: 'Done' }).click();

  // Listed with its scopes, dates and state; the secret is nowhere on the page any more.
  const row = page.getByRole('table', { name: 'Your API tokens' }).getByRole('row').filter({ hasText: 'Blender add-on' });
  await expect(row).toContainText('assets:read');
  await expect(row).toContainText('assets:write');
  await expect(row).toContainText('never');
  await expect(row.getByText('active', { exact: true })).toBeVisible();
  expect(await page.content()).not.toContain(secret);
  // A PRODUCER also sees the bots' tokens.
  await expect(page.getByRole('heading', { name: 'Bots’ tokens' })).toBeVisible();
  await expect(page.getByRole('table', { name: `Tokens of the bot ${bot.name}` })).toContainText('render farm');
  await checkPage(page, '64-tokens-list');

  // Revoke, with a confirmation; the token is refused at once.
  await row.getByRole('button', { name: 'Revoke Blender add-on' }).click();
  const confirm = page.getByRole('dialog', { name: 'Revoke “Blender add-on”?' });
  await expect(confirm).toContainText('refused from its next request on');
  await checkPage(page, '65-tokens-revoke-confirm');
  await confirm.getByRole('button', { name: 'Revoke token' }).click();
  await expect(row.getByText('revoked', { exact: true })).toBeVisible();
  await expect(row.getByRole('button', { name: 'Revoke Blender add-on' })).toHaveCount(0);
  expect((await call(secret, 'GET', '/assets')).body.error?.code).toBe('TOKEN_REVOKED');

  // An API that does not answer: the error in words, with a retry that recovers.
  await page.route(tokensApi, (route) => (route.request().method() === 'GET' ? route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'UNAVAILABLE', message: 'The service is briefly unavailable; try again', correlationId: 'e2e-tokens' } }) }) : route.continue()));
  await page.reload();
  await expect(page.getByRole('alert')).toContainText('The service is briefly unavailable; try again');
  await expect(page.getByRole('alert')).toContainText('Reference e2e-tokens');
  await checkPage(page, '66-tokens-error');
  await page.unroute(tokensApi);
  await page.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByRole('table', { name: 'Your API tokens' })).toContainText('Blender add-on');
  await ctx.close();
});

test('a token you did not make: the password change there revokes every token of yours; sign-out everywhere ends the session', async ({ browser }) => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signIn(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API tokens' }).click();
  // The mailed advice, on the page the mail links to: a new password revokes every token of the person.
  const login = await fetch(`${base()}/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: owner.email, password: PASSWORD }) });
  const script = await call(((await login.json()) as { accessToken: string }).accessToken, 'POST', '/tokens', { name: 'Nightly sync', scopes: ['assets:read'], expiresInDays: 30, currentPassword: PASSWORD });
  expect(script.status).toBe(201);
  await page.reload();
  const nightly = page.getByRole('table', { name: 'Your API tokens' }).getByRole('row').filter({ hasText: 'Nightly sync' });
  await expect(nightly.getByText('active', { exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Change password…' }).click();
  const change = page.getByRole('dialog', { name: 'Change your password' });
  await change.getByLabel('Current password').fill(PASSWORD);
  await change.getByLabel(/^New password/).fill(NEW_PASSWORD);
  await checkPage(page, '67-tokens-change-password');
  await change.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Password changed. Every token of yours was revoked')).toBeVisible();
  await expect(nightly.getByText('revoked', { exact: true })).toBeVisible();
  expect((await call(script.body.token as string, 'GET', '/assets')).body.error?.code).toBe('TOKEN_REVOKED');
  // This session carries on (a fresh pair); sign-out everywhere then ends it too.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'API tokens', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out everywhere…' }).click();
  await page.getByRole('dialog', { name: 'Sign out everywhere?' }).getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await page.goto(`${base()}/app/tokens`);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  const again = await fetch(`${base()}/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: owner.email, password: NEW_PASSWORD }) });
  expect(again.status).toBe(200);
  await ctx.close();
});
