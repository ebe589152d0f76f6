// The studio admin pages (issue 28) as a producer uses them, from sign-in and the navigation: Webhooks (an
// empty form and a private address refused in words, an endpoint on a loopback receiver this test starts, its
// secret once, a signed test delivery in the log, re-delivered), Storage (the studio's use in words after an
// upload made on the asset page, the asset linked), Bots (a bot, its token shown once, revoked, the bot
// deactivated). Others do not see the links, and a deep link says who may open the page. Every step is
// watched (e2e/watch.ts); each page gets axe, screenshots at 1440×900, 1024×768 and 200% zoom, and reflow at
// 320 CSS px. The e2e API lets only 127.0.0.1 past the webhook URL guard (global-setup.ts).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { checkPage, joinViaApi, studioViaApi } from './support';
import { apiCall, signIn } from './review-support';
import { watch, type Watch } from './watch';
import { bytesInWords, usedOf } from '../src/admin/format';

const PASSWORD = 'a long e2e password';
const tag = randomBytes(3).toString('hex');
const producer = { email: `ada.${tag}@studio.test` };
const director = { name: 'Dina Director', email: `dina.${tag}@studio.test` };
const artist = { name: 'Arto Artist', email: `arto.${tag}@studio.test` };
const tokens = { producer: '' };
const ids = { asset: '', studio: '' };

interface Received { headers: http.IncomingHttpHeaders; body: string; json: { id: string; type: string } }
const received: Received[] = [];
let receiver: http.Server;
let receiverUrl = '';

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  const owner = await studioViaApi(`Admin ${tag}`, producer.email, PASSWORD);
  tokens.producer = owner.accessToken;
  ids.studio = owner.user.studioId;
  await joinViaApi(owner.accessToken, director, 'DIRECTOR', PASSWORD);
  await joinViaApi(owner.accessToken, artist, 'ARTIST', PASSWORD);
  ids.asset = (await apiCall<{ id: string }>(owner.accessToken, 'POST', '/assets', { name: `Hero plate ${tag}`, type: 'TEXTURE' })).id;
  // A studio's receiver as the server tests have one: records each request, answers 200.
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: req.headers, body, json: JSON.parse(body) as Received['json'] });
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/studio`;
});

test.afterAll(async () => {
  await new Promise((resolve) => receiver.close(resolve));
});

const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

/** Whether a delivery's X-Studio-Signature (t=…,v1=hex HMAC-SHA256 of "t.body") was made with the secret. */
function signedWith(secret: string, r: Received): boolean {
  const header = String(r.headers['x-studio-signature'] ?? '');
  const t = /t=(\d+)/.exec(header)?.[1];
  const v1 = /v1=([0-9a-f]+)/.exec(header)?.[1];
  if (!t || !v1) return false;
  const want = createHmac('sha256', secret).update(`${t}.${r.body}`).digest();
  const got = Buffer.from(v1, 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}

/** axe and screenshots at 1440×900, 1024×768 and 200% zoom (720×450 CSS px); no sideways scrolling at 200% nor at 320 CSS px. */
async function everySize(page: Page, name: string) {
  for (const [width, height, label] of [[1440, 900, '1440'], [1024, 768, '1024'], [720, 450, '200pct'], [320, 640, '320']] as const) {
    await page.setViewportSize({ width, height });
    if (label !== '320') await checkPage(page, `admin-${name}-${label}`);
    if (label === '200pct' || label === '320') {
      const wide = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, main: document.querySelector('main')?.scrollWidth ?? 0, view: window.innerWidth }));
      expect(wide.doc, `${name}: the page scrolls sideways at ${width} CSS px`).toBeLessThanOrEqual(wide.view);
      expect(wide.main, `${name}: the content is wider than the window at ${width} CSS px`).toBeLessThanOrEqual(wide.view);
    }
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

async function signedIn(browser: Browser, email: string): Promise<{ page: Page; w: Watch }> {
  const ctx = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'], viewport: { width: 1440, height: 900 } });
  const page = await ctx.newPage();
  const w = watch(page);
  await signIn(page, email, PASSWORD);
  w.signedIn();
  await w.expectClean('signed in');
  return { page, w };
}

test('webhooks: a refused address in words, a new endpoint on a loopback receiver, its secret once, a signed test delivery in the log, re-delivered', async ({ browser }) => {
  test.setTimeout(120_000);
  const { page, w } = await signedIn(browser, producer.email);
  await nav(page, 'Webhooks').click();
  await w.arrive('the webhooks page', page.getByRole('heading', { name: 'Webhooks', level: 1 }));
  await w.arrive('its empty state', page.getByRole('heading', { name: 'No webhooks yet' }));
  await everySize(page, 'webhooks-empty');

  await page.getByRole('button', { name: 'New webhook' }).click();
  const form = page.getByRole('dialog', { name: 'New webhook' });
  await form.getByRole('button', { name: 'Create webhook' }).click();
  await expect(form.getByRole('alert')).toHaveText('Fix 2 fields: URL is required; At least one event is required.');
  await form.getByLabel('URL').fill('http://10.0.0.7/hooks/studio');
  await form.getByLabel('Description (optional)').fill('Pipeline bridge');
  await form.getByRole('checkbox', { name: /A version is uploaded/ }).check();
  await form.getByRole('checkbox', { name: /A version is approved or sent back/ }).check();
  w.expectRefusal('POST', /^\/webhooks$/, 400, 'WEBHOOK_URL_FORBIDDEN');
  await form.getByRole('button', { name: 'Create webhook' }).click();
  // The server's guard says why, in words, under the URL field.
  await expect(form.getByText('10.0.0.7 is a private address; webhooks go to public addresses only').first()).toBeVisible();
  await expect(form.getByLabel('URL')).toHaveAttribute('aria-invalid', 'true');
  await everySize(page, 'webhooks-refused');
  w.expectRefusal('POST', /^\/webhooks$/, 400, 'WEBHOOK_URL_FORBIDDEN');
  await form.getByLabel('URL').fill('http://127.0.0.2/hooks/studio');
  await form.getByRole('button', { name: 'Create webhook' }).click();
  await expect(form.getByText('127.0.0.2 is a loopback address; webhooks go to public addresses only').first()).toBeVisible();

  await form.getByLabel('URL').fill(receiverUrl);
  await form.getByRole('button', { name: 'Create webhook' }).click();
  const shown = page.getByRole('dialog', { name: 'Copy the webhook’s secret' });
  const secret = await shown.getByLabel('The webhook’s signing secret').inputValue();
  expect(secret).toMatch(/^whsec_/);
  await shown.getByRole('button', { name: 'Copy' }).click();
  await expect(shown.getByText('Copied to the clipboard.')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
  await everySize(page, 'webhooks-secret');
  await shown.getByRole('button', { name: 'Done' }).click();

  const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Pipeline bridge' }) });
  await expect(card).toContainText(receiverUrl);
  await expect(card).toContainText('version.created');
  await expect(card).toContainText('review.decided');
  await expect(card.getByText('Active', { exact: true })).toBeVisible();
  await expect(card).toContainText('none yet');
  expect(await page.content()).not.toContain(secret);

  // A test delivery reaches the receiver, signed with the secret, and shows in the log as delivered.
  await card.getByRole('button', { name: 'Send test to Pipeline bridge' }).click();
  await expect(card.getByText('A test delivery is on its way')).toBeVisible();
  await expect.poll(() => received.filter((r) => r.json.type === 'webhook.test').length, { timeout: 20_000 }).toBe(1);
  const ping = received.find((r) => r.json.type === 'webhook.test')!;
  expect(signedWith(secret, ping)).toBe(true);
  expect(signedWith('whsec_not-the-secret', ping)).toBe(false);
  const log = card.getByRole('region', { name: 'Delivery log of Pipeline bridge' });
  const first = log.getByRole('row').filter({ hasText: 'webhook.test' });
  await expect(first.getByText('delivered')).toBeVisible({ timeout: 20_000 });
  await expect(first).toContainText('200');
  await expect(first.getByRole('cell').nth(4)).toHaveText(/^\d{1,4} ms$|^\d{1,3}(\.\d)? s$/);
  await expect(card).toContainText(/Last delivery\s*webhook\.test, delivered \(answered 200\)/);

  // Re-delivered: a new delivery of the same event, at the top of the log.
  await first.getByRole('button', { name: /^Send again: webhook\.test of / }).click();
  await expect(log.getByText('Sent again as a new delivery')).toBeVisible();
  await expect.poll(() => received.filter((r) => r.json.type === 'webhook.test').length, { timeout: 20_000 }).toBe(2);
  const [one, two] = received.filter((r) => r.json.type === 'webhook.test');
  expect(two!.json.id).toBe(one!.json.id);
  expect(two!.headers['x-studio-delivery']).not.toBe(one!.headers['x-studio-delivery']);
  await expect(log.getByRole('row').filter({ hasText: 'webhook.test' }).filter({ hasText: 'delivered' })).toHaveCount(2, { timeout: 20_000 });
  await everySize(page, 'webhooks-log');

  // Turned off (with a confirmation), the test is no longer offered; turned on again it is.
  await card.getByRole('button', { name: 'Turn off Pipeline bridge' }).click();
  await page.getByRole('dialog', { name: 'Turn this webhook off?' }).getByRole('button', { name: 'Turn off' }).click();
  await expect(card.getByText('Turned off', { exact: true })).toBeVisible();
  await expect(card.getByRole('button', { name: 'Send test to Pipeline bridge' })).toBeDisabled();
  await card.getByRole('button', { name: 'Turn on Pipeline bridge' }).click();
  await expect(card.getByText('Active', { exact: true })).toBeVisible();
  await w.expectClean('the webhooks page');
});

test('storage: the studio\'s use in words after an upload on the asset page, largest asset first, linked to its page', async ({ browser }) => {
  test.setTimeout(120_000);
  const { page, w } = await signedIn(browser, producer.email);
  await nav(page, 'Storage').click();
  await w.arrive('the storage page', page.getByRole('heading', { name: 'Storage', level: 1 }));
  await w.arrive('nothing stored yet', page.getByRole('heading', { name: 'Nothing stored yet' }));
  await expect(page.getByText('0 bytes used · no quota')).toBeVisible();
  await everySize(page, 'storage-empty');

  // An upload, as an artist makes one: from the empty state's link, the asset, its upload field.
  const dir = mkdtempSync(path.join(tmpdir(), 'studio-e2e-admin-'));
  const png = path.join(dir, 'plate.png');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=640x360', '-frames:v', '1', '-y', png]);
  const size = statSync(png).size;
  await page.getByRole('link', { name: 'Go to the assets' }).click();
  await w.arrive('the assets', page.getByRole('link', { name: `Hero plate ${tag}` }));
  await page.getByRole('link', { name: `Hero plate ${tag}` }).click();
  await w.arrive('the asset page', page.getByRole('heading', { name: `Hero plate ${tag}` }));
  await page.getByLabel('Files to upload').setInputFiles(png);
  await w.arrive('the uploaded version', page.getByText(/^Version 1 · sha256 /), 30_000);

  await nav(page, 'Storage').click();
  await w.arrive('the storage page again', page.getByRole('heading', { name: 'Largest assets' }));
  await expect(page.getByText(`${bytesInWords(size)} used · no quota`)).toBeVisible();
  await expect(page.getByText('1 version, each counted whole.')).toBeVisible();
  const row = page.getByRole('table', { name: 'Assets by storage used, largest first' }).getByRole('row').filter({ hasText: `Hero plate ${tag}` });
  await expect(row).toContainText(bytesInWords(size));
  await expect(row).toContainText('100%');
  await everySize(page, 'storage-used');

  // The operator gives the studio a quota just above its use: the page says where it stands in words, and an
  // upload past it is refused on the asset page with a message that names this page (no API path).
  const quota = size + 4096;
  const set = await fetch(`${process.env.STUDIO_E2E_URL}/admin/studios/${ids.studio}/storage-quota`, {
    method: 'PUT', headers: { Authorization: `Bearer ${process.env.STUDIO_E2E_OPERATOR}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ quotaBytes: quota }),
  });
  expect(set.status, await set.clone().text()).toBe(200);
  await nav(page, 'Assets').click();
  await w.arrive('the assets', page.getByRole('link', { name: `Hero plate ${tag}` }));
  await nav(page, 'Storage').click();
  await w.arrive('the use against the quota', page.getByText(`${usedOf(size, quota)} used`, { exact: true }));
  await expect(page.getByRole('progressbar', { name: 'Storage used of the quota' })).toBeVisible();
  await expect(page.getByText(`of the quota · ${bytesInWords(quota - size)} left for new uploads`)).toBeVisible();
  await expect(page.getByText('At the quota, a new upload is refused before any of it is sent')).toBeVisible();
  await everySize(page, 'storage-quota');

  await row.getByRole('link', { name: `Hero plate ${tag}` }).click();
  await w.arrive('the asset from its row', page.getByRole('heading', { name: `Hero plate ${tag}` }));
  w.expectRefusal('POST', /^\/uploads$/, 507, 'STORAGE_QUOTA_EXCEEDED');
  await page.getByLabel('Files to upload').setInputFiles(png);
  await w.arrive('the refusal in words', page.getByText(/left of its storage quota.*the Storage page of the web app, open to directors and producers, lists the largest first/), 30_000);
  await checkPage(page, 'admin-storage-refused-upload-1440');
  await w.expectClean('the storage page');
});

test('bots: a new bot, a token shown once that works, revoked; the bot deactivated', async ({ browser }) => {
  test.setTimeout(120_000);
  const { page, w } = await signedIn(browser, producer.email);
  await nav(page, 'Bots').click();
  await w.arrive('the bots page', page.getByRole('heading', { name: 'Bots', level: 1 }));
  await w.arrive('no bots yet', page.getByRole('heading', { name: 'No bots yet' }));
  await everySize(page, 'bots-empty');

  await page.getByRole('button', { name: 'New bot' }).click();
  const nb = page.getByRole('dialog', { name: 'New bot' });
  await nb.getByRole('button', { name: 'Create bot' }).click();
  await expect(nb.getByRole('alert')).toHaveText('Name is required.');
  await nb.getByLabel('Name').fill('Farm bridge');
  await nb.getByLabel('Role').selectOption('ARTIST');
  await nb.getByRole('button', { name: 'Create bot' }).click();
  await expect(nb).toBeHidden();
  const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Farm bridge' }) });
  await expect(card).toContainText('No tokens yet');

  await card.getByRole('button', { name: 'New token for Farm bridge' }).click();
  const nt = page.getByRole('dialog', { name: 'New token for Farm bridge' });
  await nt.getByLabel('Token name').fill('render-01');
  await nt.getByRole('checkbox', { name: /See assets, their versions/ }).check();
  await nt.getByLabel(/^Your password/).fill(PASSWORD);
  await nt.getByRole('button', { name: 'Create token' }).click();
  const shown = page.getByRole('dialog', { name: 'Copy the token for Farm bridge' });
  const secret = await shown.getByLabel('The bot’s new token').inputValue();
  expect(secret).toMatch(/^sapi_/);
  await everySize(page, 'bots-token-once');
  await shown.getByRole('button', { name: 'Done' }).click();
  expect((await fetch(`${process.env.STUDIO_E2E_URL}/assets`, { headers: { Authorization: `Bearer ${secret}` } })).status).toBe(200);

  const row = card.getByRole('table', { name: 'Tokens of the bot Farm bridge' }).getByRole('row').filter({ hasText: 'render-01' });
  await expect(row).toContainText('assets:read');
  await expect(row.getByText('active', { exact: true })).toBeVisible();
  await everySize(page, 'bots-list');
  await row.getByRole('button', { name: 'Revoke render-01 of Farm bridge' }).click();
  await page.getByRole('dialog', { name: 'Revoke “render-01”?' }).getByRole('button', { name: 'Revoke token' }).click();
  await expect(row.getByText('revoked', { exact: true })).toBeVisible();
  expect((await fetch(`${process.env.STUDIO_E2E_URL}/assets`, { headers: { Authorization: `Bearer ${secret}` } })).status).toBe(401);

  await card.getByRole('button', { name: 'Deactivate Farm bridge' }).click();
  await page.getByRole('dialog', { name: 'Deactivate “Farm bridge”?' }).getByRole('button', { name: 'Deactivate bot' }).click();
  await expect(card).toContainText('deactivated: none of its tokens work');
  await expect(card.getByRole('button', { name: 'Reactivate Farm bridge' })).toBeVisible();
  await w.expectClean('the bots page');
});

test('loading and error states: a skeleton while the list loads, the API’s refusal in words with a retry that works', async ({ browser }) => {
  test.setTimeout(90_000);
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await ctx.newPage();
  await signIn(page, producer.email, PASSWORD);
  // The API's GET /webhooks only (the page itself is /app/admin/webhooks): slowed, to see the loading state.
  const hooksApi = (url: URL) => url.pathname === '/webhooks';
  await page.route(hooksApi, async (route) => {
    await new Promise((r) => setTimeout(r, 1500));
    await route.continue();
  });
  await nav(page, 'Webhooks').click();
  await expect(page.getByRole('status', { name: 'Loading the webhooks' })).toBeVisible();
  await checkPage(page, 'admin-webhooks-loading-1440');
  await expect(page.getByRole('heading', { name: 'Pipeline bridge' })).toBeVisible();
  await page.unroute(hooksApi);

  // The usage answers 503 once: the error in words, then Retry shows the use.
  const usageApi = (url: URL) => url.pathname === '/storage/usage';
  await page.route(usageApi, (route) => route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'SERVICE_UNAVAILABLE', message: 'A backing service is unavailable', correlationId: 'e2e-admin' } }) }));
  await nav(page, 'Storage').click();
  const alert = page.getByRole('alert').filter({ hasText: 'A backing service is unavailable' });
  await expect(alert).toBeVisible();
  await expect(alert).toContainText('Reference e2e-admin');
  await checkPage(page, 'admin-storage-error-1440');
  await page.unroute(usageApi);
  await alert.getByRole('button', { name: /^Retry/ }).click();
  await expect(page.getByText(/^[\d.]+ (bytes|KiB) of [\d.]+ KiB used$/)).toBeVisible({ timeout: 15_000 });
  await ctx.close();
});

test('those who may not: no links in the navigation, and a deep link says who may open the page', async ({ browser }) => {
  test.setTimeout(90_000);
  const a = await signedIn(browser, artist.email);
  for (const link of ['Webhooks', 'Storage', 'Bots']) await expect(nav(a.page, link)).toHaveCount(0);
  await a.page.goto(`${process.env.STUDIO_E2E_URL}/app/admin/webhooks`);
  await a.w.arrive('webhooks refused', a.page.getByRole('heading', { name: 'Only producers can open this page' }));
  await everySize(a.page, 'not-allowed');
  await a.page.goto(`${process.env.STUDIO_E2E_URL}/app/admin/bots`);
  await a.w.arrive('bots refused', a.page.getByRole('heading', { name: 'Only producers can open this page' }));
  await a.page.goto(`${process.env.STUDIO_E2E_URL}/app/admin/storage`);
  await a.w.arrive('storage refused', a.page.getByRole('heading', { name: 'Only directors and producers can open this page' }));
  await a.page.getByRole('link', { name: 'Go to your start page' }).click();
  await a.w.arrive('the artist\'s start page', a.page.getByRole('heading', { name: 'My tasks', level: 1 }));
  await a.w.expectClean('the artist');

  // A director sees the studio's storage but neither webhooks nor bots.
  const d = await signedIn(browser, director.email);
  for (const link of ['Webhooks', 'Bots']) await expect(nav(d.page, link)).toHaveCount(0);
  await nav(d.page, 'Storage').click();
  await d.w.arrive('the director\'s storage page', d.page.getByRole('heading', { name: 'Largest assets' }));
  await expect(d.page.getByRole('link', { name: `Hero plate ${tag}` })).toBeVisible();
  await d.w.expectClean('the director');
});
