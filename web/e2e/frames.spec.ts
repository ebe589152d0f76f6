// Frame accuracy proven in the browser: clips at 23.976, 25 and 29.97 fps whose every frame shows its own
// index as a bar code go through the real upload and pipeline; on the review page, after seeks, single
// steps, ten-frame steps, J/K/L and play/pause, the picture on screen must be the frame the UI names —
// for every frame of the 23.976 clip. A note made on frame N reopens on frame N.
import { randomBytes } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { base, checkPage, studioViaApi } from './support';
import { apiCall, barcodeClip, expectOnFrame, expectSettledAndAgreeing, signIn, uploadAndWait } from './review-support';
import { frameToTimecode, parseRate } from '../src/review/frames';

const PASSWORD = 'a long e2e password';
const tag = randomBytes(3).toString('hex');
const email = `fran.${tag}@studio.test`;
let token = '';
const clips: Record<string, { assetId: string; version: number; frames: number }> = {};

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(300_000);
  token = (await studioViaApi(`Frames ${tag}`, email, PASSWORD)).accessToken;
  const specs: Array<[string, string, number]> = [['23.976', '24000/1001', 240], ['25', '25/1', 300], ['29.97', '30000/1001', 1850]];
  for (const [label, rate, frames] of specs) {
    const asset = await apiCall<{ id: string }>(token, 'POST', '/assets', { name: `Bar code ${label}`, type: 'SHOT' });
    const version = await uploadAndWait(token, asset.id, await barcodeClip(rate, frames), `barcode-${label}.mp4`);
    const pipeline = await apiCall<{ media: { fps: { num: number; den: number }; frames: number } }>(token, 'GET', `/assets/${asset.id}/versions/${version}/pipeline`);
    // The API names the proxy's exact rational rate and every frame.
    expect(pipeline.media).toMatchObject({ fps: parseRate(rate), frames });
    clips[label] = { assetId: asset.id, version, frames };
  }
});

async function open(page: Page, label: string) {
  const c = clips[label]!;
  await page.goto(`${base()}/app/assets/${c.assetId}/versions/${c.version}`);
  await expect(page.getByTestId('review-video')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Play' })).toBeEnabled();
  await expectOnFrame(page, 0);
}

test('23.976 fps: every frame, stepped one by one, is the frame the UI shows, with its timecode', async ({ page }) => {
  test.setTimeout(240_000);
  await signIn(page, email, PASSWORD);
  await open(page, '23.976');
  await checkPage(page, 'review-01-video-frame-0');
  const rate = parseRate('24000/1001')!;
  const { frames } = clips['23.976']!;
  await expect(page.getByText('23.976 fps (24000/1001)')).toBeVisible();
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  for (let f = 1; f < frames; f++) {
    await page.keyboard.press('ArrowRight');
    const r = await expectOnFrame(page, f);
    expect(r.timecode).toBe(frameToTimecode(f, rate));
  }
  // Past the end stays on the last frame; and back down one by one for a stretch.
  await page.keyboard.press('ArrowRight');
  await expectOnFrame(page, frames - 1);
  for (let f = frames - 2; f >= frames - 30; f--) {
    await page.keyboard.press('ArrowLeft');
    await expectOnFrame(page, f);
  }
  await checkPage(page, 'review-02-video-last-frames');
});

test('23.976 fps: ten-frame steps, seeks from the timeline, J/K/L and play/pause all land where the UI says', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, email, PASSWORD);
  await open(page, '23.976');
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  for (let i = 1; i <= 5; i++) {
    await page.keyboard.press('Shift+ArrowRight');
    await expectOnFrame(page, i * 10);
  }
  await page.keyboard.press('Shift+ArrowLeft');
  await expectOnFrame(page, 40);
  for (const f of [1, 100, 239, 0, 117, 118, 61]) {
    await page.getByLabel('Frame', { exact: true }).fill(String(f));
    await expectOnFrame(page, f);
  }
  await page.getByRole('button', { name: 'Forward ten frames' }).click();
  await expectOnFrame(page, 71);
  await page.getByRole('button', { name: 'Back one frame' }).click();
  await expectOnFrame(page, 70);
  // Play, pause: the paused picture is the frame the UI shows.
  await page.getByRole('button', { name: 'Play' }).click();
  await page.waitForTimeout(900);
  await page.getByRole('button', { name: 'Pause' }).click();
  const paused = await expectSettledAndAgreeing(page);
  expect(paused.shown).toBeGreaterThan(70);
  // L plays, K stops; J plays backwards, K stops.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('l');
  await page.waitForTimeout(600);
  await page.keyboard.press('k');
  const afterL = await expectSettledAndAgreeing(page);
  expect(afterL.shown).toBeGreaterThan(paused.shown);
  await page.keyboard.press('j');
  // Backwards is played by seeks on a paused element; the UI still says it is playing.
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  await page.waitForTimeout(600);
  await page.keyboard.press('k');
  const afterJ = await expectSettledAndAgreeing(page);
  expect(afterJ.shown).toBeLessThan(afterL.shown);
  // Space toggles too.
  await page.keyboard.press(' ');
  await page.waitForTimeout(400);
  await page.keyboard.press(' ');
  await expectSettledAndAgreeing(page);
});

test('25 fps: steps, ten-frame steps, seeks and play/pause agree with the picture', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, email, PASSWORD);
  await open(page, '25');
  await expect(page.getByText('25 fps (25/1)')).toBeVisible();
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  for (let f = 1; f <= 30; f++) {
    await page.keyboard.press('ArrowRight');
    await expectOnFrame(page, f);
  }
  for (const f of [299, 250, 149, 150, 151, 24, 25, 26]) {
    await page.getByLabel('Frame', { exact: true }).fill(String(f));
    await expectOnFrame(page, f);
  }
  await page.keyboard.press('Shift+ArrowRight');
  await expectOnFrame(page, 36);
  await page.keyboard.press(' ');
  await page.waitForTimeout(800);
  await page.keyboard.press(' ');
  await expectSettledAndAgreeing(page);
});

test('29.97 fps drop-frame: the minute boundary, long-shot seeks, and a note on frame N reopens on frame N', async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, email, PASSWORD);
  await open(page, '29.97');
  await expect(page.getByText('29.97 fps (30000/1001)')).toBeVisible();
  await page.getByLabel('Frame', { exact: true }).fill('1795');
  await expectOnFrame(page, 1795);
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  const labels: string[] = [];
  for (let f = 1796; f <= 1805; f++) {
    await page.keyboard.press('ArrowRight');
    labels.push((await expectOnFrame(page, f)).timecode);
  }
  // 00:00:59;29 is followed by 00:01:00;02: labels ;00 and ;01 are dropped at the minute.
  expect(labels.slice(3, 6)).toEqual(['00:00:59;29', '00:01:00;02', '00:01:00;03']);
  for (const f of [1849, 0, 1000, 1799, 1800, 917]) {
    await page.getByLabel('Frame', { exact: true }).fill(String(f));
    await expectOnFrame(page, f);
  }
  await page.getByRole('button', { name: 'Play' }).click();
  await page.waitForTimeout(700);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expectSettledAndAgreeing(page);

  // A note on frame 1800 (00:01:00;02) reopens on frame 1800 after a reload.
  await page.getByLabel('Frame', { exact: true }).fill('1800');
  await expectOnFrame(page, 1800);
  await page.locator('#note-box').fill('Flash on the cut');
  await page.getByRole('button', { name: 'Post note' }).click();
  const note = page.getByRole('list', { name: 'Notes on this version' }).getByRole('button', { name: /frame 1800 .*Flash on the cut/ });
  await expect(note).toBeVisible();
  // Stored as the integer frame, with the same drop-frame timecode for every other client.
  const stored = await apiCall<{ data: Array<{ body: string; frame: number; timecode: string }> }>(token, 'GET', `/assets/${clips['29.97']!.assetId}/comments?limit=100`);
  expect(stored.data.find((c) => c.body === 'Flash on the cut')).toMatchObject({ frame: 1800, timecode: '00:01:00;02' });
  await page.reload();
  await expect(page.getByRole('button', { name: 'Play' })).toBeEnabled();
  await expectOnFrame(page, 0);
  await note.click();
  const r = await expectOnFrame(page, 1800);
  // Its marker on the timeline seeks there too.
  await page.getByLabel('Frame', { exact: true }).fill('3');
  await expectOnFrame(page, 3);
  await page.getByRole('button', { name: 'Note at frame 1800: Flash on the cut' }).click();
  await expectOnFrame(page, 1800);
  expect(r.timecode).toBe('00:01:00;02');
  await checkPage(page, 'review-03-note-on-frame-1800');
});
