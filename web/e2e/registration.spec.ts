// The registration link's page in a real browser (issue 27, finding 1): opening it, reloading it or
// having it opened by someone else spends nothing and signs nobody in; only its holder's submit, with the
// password chosen there (or an existing account's own), creates the studio.
import { randomBytes } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { base, checkPage, mailedLink, studioViaApi } from './support';

const PASSWORD = 'a long e2e password';
const tag = randomBytes(3).toString('hex');

test.describe.configure({ mode: 'serial' });

async function register(studioName: string, email: string) {
  const res = await fetch(`${base()}/auth/register`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ studioName, name: 'Someone', email }) });
  expect(res.status).toBe(202);
  return mailedLink(email, 'verify-email');
}

/** What the API says of the link now, from outside the browser. */
async function linkState(link: string) {
  const token = new URL(link).hash.slice('#token='.length);
  return (await fetch(`${base()}/auth/verify-email/preview?token=${token}`)).status;
}

/** Whether this browser holds a session: the app's own refresh, from the page's origin. */
const hasSession = (page: Page) => page.evaluate(async () => (await fetch('/auth/refresh', { method: 'POST', headers: { 'X-Studio-Client': 'web', 'Content-Type': 'application/json' }, body: '{}' })).status === 200);

test('(1) opening and reloading the link spends nothing; the submit with a chosen password creates the studio', async ({ browser }) => {
  const email = `reg.${tag}@studio.test`;
  const link = await register('Suggested Name', email);
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const posted: string[] = [];
  page.on('request', (r) => { if (r.method() === 'POST' && new URL(r.url()).pathname === '/auth/verify-email') posted.push(r.url()); });

  await page.goto(link);
  await expect(page.getByText(`This link creates a studio for ${email}`)).toBeVisible();
  await expect(page.getByLabel('Studio name')).toHaveValue('Suggested Name');
  await checkPage(page, '30-verify-email-form');
  await page.reload();
  await expect(page.getByText(`This link creates a studio for ${email}`)).toBeVisible();
  // Loaded twice: no follow was sent, the link still works, and the browser is signed in to nothing.
  expect(posted).toEqual([]);
  expect(await linkState(link)).toBe(200);
  expect(await hasSession(page)).toBe(false);

  await page.getByLabel('Studio name').fill(`Chosen ${tag}`);
  await page.getByLabel('Your name').fill('Reg Owner');
  await page.getByLabel(/^Choose a password/).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create studio and sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Assets', exact: true })).toBeVisible();
  await expect(page.getByText(`Chosen ${tag}`).first()).toBeVisible();
  expect(posted).toHaveLength(1);
  expect(await linkState(link)).toBe(400);

  // The password chosen on the page is the account's.
  const login = await fetch(`${base()}/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
  expect(login.status).toBe(200);
  await ctx.close();
});

test('(2) someone else\'s link opened while signed in: the page warns, asks for that account\'s password, and a wrong one changes nothing', async ({ browser }) => {
  const victim = `victim.${tag}@studio.test`;
  await studioViaApi(`Victim ${tag}`, victim, PASSWORD);
  const attacker = `attacker.${tag}@studio.test`;
  await studioViaApi(`Attacker ${tag}`, attacker, 'the attacker password');
  const link = await register('Shared dailies', attacker);

  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${base()}/app/signin`);
  await page.getByLabel('Email').fill(victim);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Assets', exact: true })).toBeVisible();

  await page.goto(link);
  await expect(page.getByRole('note')).toContainText(`You are signed in as ${victim}`);
  await expect(page.getByText('This address has an account: sign in with its password')).toBeVisible();
  await checkPage(page, '31-verify-email-other-account');
  await page.getByLabel('Your password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create studio and sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('give that account\'s password');
  // Still the victim's own session, and the attacker's link unspent.
  expect(await linkState(link)).toBe(200);
  const me = await page.evaluate(async () => {
    const { accessToken } = (await (await fetch('/auth/refresh', { method: 'POST', headers: { 'X-Studio-Client': 'web', 'Content-Type': 'application/json' }, body: '{}' })).json()) as { accessToken: string };
    return ((await (await fetch('/auth/me', { headers: { Authorization: `Bearer ${accessToken}` } })).json()) as { email: string }).email;
  });
  expect(me).toBe(victim);
  await ctx.close();
});
