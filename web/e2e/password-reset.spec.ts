// "Forgot password?" in a real browser (issue 28): from the sign-in page to a mailed link, whose page opens
// without spending it and whose submit sets the password and ends the person's other sessions; then the
// person signs in with the new password. The watcher fails the test on any console error or failed request.
import { randomBytes } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { base, checkPage, mailedLink, studioViaApi } from './support';
import { watch } from './watch';

const OLD_PASSWORD = 'the old e2e password';
const NEW_PASSWORD = 'a fresh e2e passphrase';
const tag = randomBytes(3).toString('hex');

/** Screenshots at the three sizes people use, with axe at each (200% zoom: a 720×450 CSS px viewport at scale 2). */
async function shots(page: Page, name: string) {
  for (const [w, h, label] of [[1440, 900, '1440'], [1024, 768, '1024'], [720, 450, '200pct']] as const) {
    await page.setViewportSize({ width: w, height: h });
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${name} at ${label} scrolls sideways`).toBe(true);
    await checkPage(page, `people-${name}-${label}`);
  }
}

const linkState = async (link: string) => (await fetch(`${base()}/auth/password-reset/preview?token=${new URL(link).hash.slice('#token='.length)}`)).status;

test('forgot password: sign-in page → mail → link page (opening spends nothing) → new password → signed out elsewhere → sign in', async ({ browser }) => {
  const email = `forgot.${tag}@studio.test`;
  const other = await studioViaApi(`Forgetful ${tag}`, email, OLD_PASSWORD);
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const w = watch(page);

  await page.goto(`${base()}/app/signin`);
  await w.arrive('sign-in page', page.getByRole('heading', { name: 'Sign in' }));
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await w.arrive('forgot-password page', page.getByRole('heading', { name: 'Reset your password' }));
  await page.getByLabel('Email').fill(email);
  await shots(page, 'forgot-password');
  await page.getByRole('button', { name: 'Mail me a link' }).click();
  await w.arrive('mail sent', page.getByRole('heading', { name: 'Check your mail' }));
  await expect(page.getByText(`We sent a mail to ${email}`)).toBeVisible();
  await shots(page, 'forgot-password-sent');

  const link = await mailedLink(email, 'reset-password');
  await page.goto(link);
  await w.arrive('reset page', page.getByText(`This link sets a new password for ${email}`));
  await page.reload();
  await w.arrive('reset page reloaded', page.getByText(`This link sets a new password for ${email}`));
  expect(await linkState(link)).toBe(200);
  await shots(page, 'reset-password');
  await page.getByLabel(/^New password/).fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Save new password' }).click();
  await w.arrive('password changed', page.getByRole('heading', { name: 'Password changed' }));
  await shots(page, 'reset-password-done');
  expect(await linkState(link)).toBe(400);
  // The session made with the old password has ended.
  expect((await fetch(`${base()}/auth/me`, { headers: { Authorization: `Bearer ${other.accessToken}` } })).status).toBe(401);

  await page.getByRole('link', { name: 'Sign in with your new password' }).click();
  await w.arrive('sign-in page again', page.getByRole('heading', { name: 'Sign in' }));
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  w.signedIn();
  await w.arrive('signed in', page.getByRole('heading', { name: 'Assets', exact: true }));
  await w.expectClean('after sign-in');
  await ctx.close();
});

test('a spent or broken reset link says so in words and offers a new one', async ({ browser }) => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${base()}/app/reset-password#token=${'A'.repeat(43)}`);
  await expect(page.getByText(/This password-reset link is invalid, was already used or has expired/)).toBeVisible();
  await expect(page.getByRole('link', { name: 'Ask for a new link' })).toBeVisible();
  await shots(page, 'reset-password-invalid');
  await ctx.close();
});
