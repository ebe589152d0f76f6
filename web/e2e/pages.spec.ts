// The pages of the studio in a real browser against the real API and both workers: assets with live
// thumbnails, uploads (several files, a network drop, a reload, a refusal), the asset page, renders from
// a .blend to a playing preview, roles (what an artist does not see), members and the studio switcher.
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { base, checkPage, mailedLink, studioViaApi } from './support';
import { makeBlenderScene, makeCorruptBlend } from '../../tests/support/blenderScene';

const PASSWORD = 'a long e2e password';
const tag = randomBytes(3).toString('hex');
const owner = { studio: `Pages ${tag}`, name: 'Pat Producer', email: `pat.${tag}@studio.test` };
const artist = { name: 'Ari Artist', email: `ari.${tag}@studio.test` };
const other = { studio: `Other ${tag}`, email: `oli.${tag}@studio.test` };
const dir = mkdtempSync(path.join(tmpdir(), 'studio-e2e-pages-'));
const files = { huge: path.join(dir, 'huge.abc'), png: path.join(dir, 'poster.png'), mp4: path.join(dir, 'clip.mp4'), big: path.join(dir, 'cache.abc'), html: path.join(dir, 'notes.html'), blend: path.join(dir, 'shot.blend'), corrupt: path.join(dir, 'broken.blend') };
const ids: Record<string, string> = {};
let otherToken = '';

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240', '-frames:v', '1', '-y', files.png]);
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=duration=2:size=320x240:rate=24', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-y', files.mp4]);
  // 40 MiB in 4 MiB tus chunks: ten steps of 10%, so "cut at 40%" is a chunk boundary the test can wait for.
  writeFileSync(files.big, randomBytes(40 * 1024 * 1024));
  // Over the e2e API's MAX_UPLOAD_BYTES (64 MiB, web/e2e/global-setup.ts): refused at creation, by length.
  const fd = openSync(files.huge, 'w');
  ftruncateSync(fd, 65 * 1024 * 1024);
  closeSync(fd);
  writeFileSync(files.html, '<!doctype html><html><body><script>alert(1)</script></body></html>');
  await makeBlenderScene(files.blend, { frames: 6, size: 64, samples: 8 });
  makeCorruptBlend(files.corrupt);
});

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

async function signIn(page: Page, email: string) {
  await page.goto(`${base()}/app/signin`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Assets', exact: true })).toBeVisible();
}

/** An access token of the page's session (a cookie-mode refresh in the page, so the cookie stays its own). */
const tokenOf = (page: Page) => page.evaluate(async () => (await (await fetch('/auth/refresh', { method: 'POST', headers: { 'X-Studio-Client': 'web', 'Content-Type': 'application/json' }, body: '{}' })).json()).accessToken as string);

async function call<T = Record<string, unknown>>(token: string, method: string, url: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base()}${url}`, { method, headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function createAssetInUi(page: Page, name: string, type: string) {
  await page.getByRole('button', { name: 'New asset' }).first().click();
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByRole('dialog').getByLabel('Type').selectOption(type);
  await page.getByRole('button', { name: 'Create asset' }).click();
  // The new asset opens; back on the list, it is there.
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
  const id = new URL(page.url()).pathname.split('/').pop()!;
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Assets', exact: true }).click();
  await expect(page.getByRole('link', { name, exact: true })).toBeVisible();
  return id;
}

const progressOf = (page: Page, file: string) => page.getByRole('progressbar', { name: `Upload of ${file}` });
const percent = async (page: Page, file: string) => Number(await progressOf(page, file).getAttribute('aria-valuenow'));

/** Holds every tus PATCH a moment, so an upload on loopback takes seconds and its 40% can be caught. */
async function slowUploads(page: Page, ms: number) {
  await page.route('**/uploads/**', async (route) => {
    if (route.request().method() === 'PATCH') await new Promise((r) => setTimeout(r, ms));
    // Offline by now: the request fails as the network would fail it.
    await route.continue().catch(() => route.abort('internetdisconnected').catch(() => undefined));
  });
}

test('(1) create a studio and assets in the UI, upload a PNG and an MP4: thumbnails appear on the grid without reload', async ({ browser }) => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${base()}/app/create-studio`);
  await page.getByLabel('Studio name').fill(owner.studio);
  await page.getByLabel('Your name').fill(owner.name);
  await page.getByLabel('Email').fill(owner.email);
  await page.getByRole('button', { name: 'Create studio' }).click();
  await expect(page.getByRole('heading', { name: 'Check your mail' })).toBeVisible();
  await page.goto(await mailedLink(owner.email, 'verify-email'));
  await page.getByLabel(/^Choose a password/).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create studio and sign in' }).click();
  await expect(page.getByRole('heading', { name: 'No assets yet' })).toBeVisible();
  ids.poster = await createAssetInUi(page, 'Poster', 'TEXTURE');
  ids.clip = await createAssetInUi(page, 'Clip', 'ANIMATION');
  // Both cards wait for a first version.
  await expect(page.getByText('No version yet')).toHaveCount(2);

  // A second tab watches the grid while the first uploads.
  const watcher = await ctx.newPage();
  await watcher.goto(`${base()}/app/assets`);
  await expect(watcher.getByRole('link', { name: 'Poster' })).toBeVisible();

  await page.getByRole('link', { name: 'Poster' }).click();
  await expect(page.getByRole('heading', { name: 'Poster' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'No versions yet' })).toBeVisible();
  await checkPage(page, '20-asset-page-empty');
  await page.getByLabel('Change note (optional)').fill('First poster');
  await page.getByLabel('Files to upload').setInputFiles(files.png);
  await expect(page.getByText(`Version 1 · sha256 ${sha256(files.png).slice(0, 12)}`)).toBeVisible();
  // The version row appears with its pipeline state, which turns ready live (pipeline:update).
  await expect(page.getByRole('cell', { name: 'First poster' })).toBeVisible();
  await expect(page.getByTestId('pipeline-v1')).toHaveText('ready', { timeout: 30_000 });
  await expect(page.getByText(/uploaded v1/)).toBeVisible();
  await checkPage(page, '21-asset-page-uploaded');

  await page.getByRole('link', { name: '← Assets' }).click();
  await page.getByRole('link', { name: 'Clip' }).click();
  await page.getByLabel('Files to upload').setInputFiles(files.mp4);
  await expect(page.getByText(`Version 1 · sha256 ${sha256(files.mp4).slice(0, 12)}`)).toBeVisible();
  await expect(page.getByTestId('pipeline-v1')).toHaveText('ready', { timeout: 60_000 });

  // The watching tab was never reloaded: both thumbnails arrived through the socket and show real pixels.
  for (const name of ['Poster', 'Clip']) {
    const img = watcher.getByRole('img', { name: `Thumbnail of ${name}` });
    await expect(img).toBeVisible({ timeout: 30_000 });
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBeGreaterThan(0);
  }
  await expect(watcher.getByText('No version yet')).toHaveCount(0);
  await checkPage(watcher, '22-assets-grid-thumbnails');

  // List view, and the tag filter (a tag set through the API arrives live too).
  await watcher.getByRole('button', { name: 'List' }).click();
  await expect(watcher.getByRole('table', { name: 'Assets' }).getByRole('link', { name: 'Clip' })).toBeVisible();
  await checkPage(watcher, '23-assets-list-view');
  const token = await tokenOf(page);
  expect((await call(token, 'PATCH', `/assets/${ids.poster}`, { tags: ['Hero'] })).status).toBe(200);
  await watcher.getByLabel('Tag').fill('hero');
  await expect(watcher.getByRole('link', { name: 'Clip' })).toHaveCount(0);
  await expect(watcher.getByRole('link', { name: 'Poster' })).toBeVisible();
  await ctx.close();
});

test('(3) an upload cut off at 40% resumes after reconnecting and becomes the next version with the right sha256', async ({ browser }) => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signIn(page, owner.email);
  await page.goto(`${base()}/app/assets/${ids.poster}`);
  await slowUploads(page, 400);
  await page.getByLabel('Files to upload').setInputFiles(files.big);
  await expect.poll(() => percent(page, 'cache.abc'), { timeout: 30_000, intervals: [50] }).toBeGreaterThanOrEqual(40);
  await ctx.setOffline(true);
  const cutAt = await percent(page, 'cache.abc');
  expect(cutAt).toBeLessThan(70);
  await expect(page.getByText('Offline — resumes when the connection is back')).toBeVisible();
  await checkPage(page, '24-upload-offline');
  // Nothing moves while offline.
  await page.waitForTimeout(1500);
  expect(await percent(page, 'cache.abc')).toBe(cutAt);

  await ctx.setOffline(false);
  await expect(page.getByText('Done (resumed)')).toBeVisible({ timeout: 30_000 });
  const expected = sha256(files.big);
  await expect(page.getByText(`Version 2 · sha256 ${expected.slice(0, 12)}`)).toBeVisible();
  const v = await call<{ file: { sha256: string; size: number } }>(await tokenOf(page), 'GET', `/assets/${ids.poster}/versions/2`);
  expect(v.status).toBe(200);
  expect(v.body.file).toMatchObject({ sha256: expected, size: 40 * 1024 * 1024 });
  await ctx.close();
});

test('(3b) a reload mid-upload offers to resume; the same file picks up where it stopped; refusals (415, 413) show the API\'s words', async ({ browser }) => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signIn(page, owner.email);
  await page.goto(`${base()}/app/assets/${ids.clip}`);
  await slowUploads(page, 300);
  await page.getByLabel('Files to upload').setInputFiles(files.big);
  await expect.poll(() => percent(page, 'cache.abc'), { timeout: 30_000, intervals: [50] }).toBeGreaterThanOrEqual(20);
  await expect(page.getByText(/MiB of 40\.0 MiB · [\d.]+ MiB\/s · /)).toBeVisible();
  await checkPage(page, '25-upload-progress');
  await page.reload();
  const offer = page.getByRole('status').filter({ hasText: 'An upload of cache.abc' });
  await expect(offer).toContainText(/was interrupted at [1-9]\d%/);
  const heldBefore = Number(/at (\d+)%/.exec((await offer.textContent()) ?? '')![1]);
  await checkPage(page, '26-upload-resume-offer');
  await page.unroute('**/uploads/**');
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Resume cache.abc' }).click();
  await (await chooser).setFiles(files.big);
  await expect(page.getByText('Done (resumed)')).toBeVisible({ timeout: 30_000 });
  await expect(offer).toHaveCount(0);
  const v = await call<{ file: { sha256: string } }>(await tokenOf(page), 'GET', `/assets/${ids.clip}/versions/2`);
  expect(v.body.file.sha256).toBe(sha256(files.big));
  expect(heldBefore).toBeGreaterThanOrEqual(20);

  await page.getByLabel('Files to upload').setInputFiles(files.html);
  const refused = page.getByRole('listitem').filter({ hasText: 'notes.html' }).getByRole('alert');
  await expect(refused).toContainText(/Refused: .*\(415\)/);
  await page.getByLabel('Files to upload').setInputFiles(files.huge);
  const tooLarge = page.getByRole('listitem').filter({ hasText: 'huge.abc' }).getByRole('alert');
  await expect(tooLarge).toHaveText('Upload-Length exceeds the maximum upload size (413)');
  await checkPage(page, '27-upload-refused');
  await ctx.close();
});

test('(4) a .blend render submitted from the UI shows progress per chunk and then plays its preview; cancel, retry and a failed chunk', async ({ browser }) => {
  test.setTimeout(180_000);
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signIn(page, owner.email);
  ids.shot = await createAssetInUi(page, 'Shot 010', 'SHOT');
  await page.getByRole('link', { name: 'Shot 010' }).click();
  await page.getByLabel('Files to upload').setInputFiles(files.blend);
  await expect(page.getByText(/Version 1 · sha256/)).toBeVisible();
  await page.getByRole('button', { name: 'Render version 1' }).click();
  await page.getByLabel('First frame').fill('1');
  await page.getByLabel('Last frame').fill('6');
  await page.getByLabel('Frames per chunk').fill('2');
  await checkPage(page, '28-render-dialog');
  await page.getByRole('button', { name: 'Submit render' }).click();
  await expect(page).toHaveURL(/\/app\/renders\/[0-9a-f]{24}$/);
  ids.render = page.url().split('/').pop()!;
  await expect(page.getByText('Chunk 3 · frames 5–6')).toBeVisible();

  // Watch the overall bar until the preview plays: progress is seen between 0 and 100 on the way.
  const seen = new Set<number>();
  const bar = page.getByRole('progressbar', { name: 'Render progress' });
  const preview = page.getByTestId('render-preview');
  for (let i = 0; i < 1200 && !(await preview.isVisible()); i++) {
    seen.add(Number(await bar.getAttribute('aria-valuenow')));
    if (i === 5) await checkPage(page, '29-render-running');
    await page.waitForTimeout(100);
  }
  await expect(preview).toBeVisible();
  expect([...seen].some((v) => v > 0 && v < 100), `progress seen: ${[...seen].join(',')}`).toBe(true);
  await expect(page.getByText('3 of 3 chunks done')).toBeVisible();
  await expect.poll(() => preview.evaluate((v: HTMLVideoElement) => v.readyState >= 2 && v.duration > 0 && v.videoWidth), { timeout: 15_000 }).toBe(64);
  await expect.poll(() => preview.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 10_000 }).toBeGreaterThan(0);
  await checkPage(page, '30-render-done');

  // The studio's render list, with a filter.
  await page.getByRole('link', { name: 'Renders', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Render jobs' })).toBeVisible();
  await expect(page.getByRole('link', { name: new RegExp(`Render job ${ids.render.slice(-6)}`) })).toBeVisible();
  await checkPage(page, '31-renders-list');
  await page.getByLabel('Status').selectOption('FAILED');
  await expect(page.getByRole('heading', { name: 'No render jobs with this status' })).toBeVisible();

  // Cancel and retry, on a longer render queued through the API.
  const token = await tokenOf(page);
  const long = await call<{ id: string }>(token, 'POST', `/assets/${ids.shot}/render`, { frames: { start: 1, end: 40 }, chunkSize: 2 });
  expect(long.status).toBe(202);
  await page.goto(`${base()}/app/renders/${long.body.id}`);
  await page.getByRole('button', { name: 'Cancel render' }).click();
  await expect(page.getByText('cancelled').first()).toBeVisible();
  await checkPage(page, '32-render-cancelled');
  await page.getByRole('button', { name: 'Retry render' }).click();
  await expect(page.getByRole('button', { name: 'Cancel render' })).toBeVisible();
  await page.getByRole('button', { name: 'Cancel render' }).click();
  await expect(page.getByRole('button', { name: 'Retry render' })).toBeVisible();

  // A corrupt scene fails; its chunk's error is on the page (the failure arrives live).
  const broken = (await call<{ id: string }>(token, 'POST', '/assets', { name: 'Broken Shot', type: 'SHOT' })).body.id;
  const form = new FormData();
  form.append('file', new Blob([readFileSync(files.corrupt)]), 'broken.blend');
  expect((await fetch(`${base()}/assets/${broken}/versions`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form })).status).toBe(201);
  const failing = await call<{ id: string }>(token, 'POST', `/assets/${broken}/render`, { frames: { start: 1, end: 2 } });
  await page.goto(`${base()}/app/renders/${failing.body.id}`);
  await expect(page.getByRole('alert').filter({ hasText: /cannot read the scene/i }).first()).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('button', { name: 'Retry render' })).toBeVisible();
  await checkPage(page, '33-render-failed');
  await ctx.close();
});

test('(5) an artist sees no rollback and no members admin, and sees a producer\'s rollback live; another studio sees "not found"', async ({ browser }) => {
  const pctx = await browser.newContext();
  const producer = await pctx.newPage();
  await signIn(producer, owner.email);
  const token = await tokenOf(producer);
  expect((await call(token, 'POST', '/invitations', { email: artist.email, role: 'ARTIST' })).status).toBe(201);
  const inviteToken = new URL(await mailedLink(artist.email, 'invitations')).hash.slice('#token='.length);
  const accepted = await fetch(`${base()}/invitations/accept`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: inviteToken, name: artist.name, password: PASSWORD }) });
  expect(accepted.status).toBe(201);

  const actx = await browser.newContext();
  const art = await actx.newPage();
  await signIn(art, artist.email);
  await expect(art.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' })).toHaveCount(0);
  await art.goto(`${base()}/app/assets/${ids.poster}`);
  await expect(art.getByText('current v2')).toBeVisible();
  await expect(art.getByRole('link', { name: 'Review version 1' })).toHaveAttribute('href', `/app/assets/${ids.poster}/versions/1`);
  await expect(art.getByRole('button', { name: 'Download version 1' })).toBeVisible();
  await expect(art.getByRole('button', { name: /Make current: version \d/ })).toHaveCount(0);
  await checkPage(art, '34-asset-page-artist');
  // Download gives the stored bytes.
  const download = art.waitForEvent('download');
  await art.getByRole('button', { name: 'Download version 1' }).click();
  expect(sha256((await (await download).path())!)).toBe(sha256(files.png));

  await producer.goto(`${base()}/app/assets/${ids.poster}`);
  await producer.getByRole('button', { name: 'Make current: version 1' }).click();
  await producer.getByLabel('Reason (optional)').fill('v2 was a cache by mistake');
  await checkPage(producer, '35-rollback-dialog');
  await producer.getByRole('dialog').getByRole('button', { name: 'Make v1 current' }).click();
  await expect(producer.getByText('current v1')).toBeVisible();
  await expect(producer.getByText(/made v1 current again \(was v2\): “v2 was a cache by mistake”/)).toBeVisible();
  // The artist's page follows without reload.
  await expect(art.getByText('current v1')).toBeVisible();
  await expect(art.getByText(/made v1 current again/)).toBeVisible();

  await art.goto(`${base()}/app/members`);
  await expect(art.getByRole('heading', { name: 'Members are managed by producers' })).toBeVisible();
  await checkPage(art, '36-members-artist');

  // Studio B: A's asset and A's render job look like missing ones.
  otherToken = (await studioViaApi(other.studio, other.email, PASSWORD)).accessToken;
  const bctx = await browser.newContext();
  const b = await bctx.newPage();
  await signIn(b, other.email);
  await b.goto(`${base()}/app/assets/${ids.poster}`);
  await expect(b.getByRole('heading', { name: 'Asset not found' })).toBeVisible();
  await b.goto(`${base()}/app/renders/${ids.render}`);
  await expect(b.getByRole('heading', { name: 'Render job not found' })).toBeVisible();
  await checkPage(b, '37-render-not-found');
  const text = await b.locator('body').innerText();
  expect(text).not.toContain('Poster');
  expect(text).not.toContain(owner.studio);
  await Promise.all([pctx.close(), actx.close(), bctx.close()]);
});

test('members: invite by mail, change a role, the last producer rule, deactivate; the studio switcher', async ({ browser }) => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signIn(page, owner.email);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }).click();
  await expect(page.getByRole('heading', { name: 'Members', exact: true })).toBeVisible();
  await expect(page.getByRole('cell', { name: artist.name, exact: true })).toBeVisible();
  await checkPage(page, '38-members');

  const invitee = `dee.${tag}@studio.test`;
  await page.getByLabel('Email').fill(invitee);
  await page.getByLabel('Role', { exact: true }).selectOption('DIRECTOR');
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByText(`Invitation mailed to ${invitee}`)).toBeVisible();
  expect(await mailedLink(invitee, 'invitations')).toContain('#token=');
  await expect(page.getByRole('button', { name: `Revoke the invitation of ${invitee}` })).toBeVisible();

  await page.getByLabel(`Role of ${artist.name}`).selectOption('DIRECTOR');
  const token = await tokenOf(page);
  await expect.poll(async () => (await call<{ data: Array<{ name: string; role: string }> }>(token, 'GET', '/users')).body.data.find((u) => u.name === artist.name)?.role).toBe('DIRECTOR');

  // The API's rule, in its words: the only producer cannot step down.
  await page.getByLabel(`Role of ${owner.name}`).selectOption('ARTIST');
  await expect(page.getByRole('alert')).toContainText('A studio must keep at least one active PRODUCER');
  await expect(page.getByLabel(`Role of ${owner.name}`)).toHaveValue('PRODUCER');
  await checkPage(page, '39-members-last-producer');

  await page.getByRole('button', { name: `Deactivate ${artist.name}` }).click();
  await expect(page.getByRole('button', { name: `Reactivate ${artist.name}` })).toBeVisible();

  // Studio B invites this producer too: the top bar then switches between the two studios.
  expect((await call(otherToken, 'POST', '/invitations', { email: owner.email, role: 'ARTIST' })).status).toBe(201);
  const inviteToken = new URL(await mailedLink(owner.email, 'invitations')).hash.slice('#token='.length);
  expect((await fetch(`${base()}/invitations/accept`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: inviteToken, password: PASSWORD }) })).status).toBe(201);
  await page.goto(`${base()}/app/assets`);
  const switcher = page.getByLabel('Studio', { exact: true });
  await expect(switcher.locator('option')).toHaveCount(2);
  await checkPage(page, '40-studio-switcher');
  await switcher.selectOption({ label: `${other.studio} (artist)` });
  await expect(page.getByRole('heading', { name: 'No assets yet' })).toBeVisible();
  await expect(page.getByText(`${owner.name} · artist`)).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' })).toHaveCount(0);
  // A reload stays in the studio switched to (the cookie was rotated into it).
  await page.reload();
  await expect(page.getByText(`${owner.name} · artist`)).toBeVisible();
  await page.getByLabel('Studio', { exact: true }).selectOption({ label: `${owner.studio} (producer)` });
  await expect(page.getByRole('link', { name: 'Poster' })).toBeVisible();
  await ctx.close();
});
