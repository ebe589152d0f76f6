// The review page with two people: an ARTIST (invited through the mailed link) draws an arrow on frame 12
// and the DIRECTOR sees it live, opens it on frame 12 with the arrow drawn, and approves; the artist's page
// shows APPROVED without a reload and never offers the decision. Plus: the socket drops and comes back with
// what it missed, Compare in sync, an image with zoom, the empty and not-found states, axe on each.
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { base, checkPage, mailedLink, studioViaApi } from './support';
import { apiCall, barcodeClip, expectOnFrame, shownAndDecoded, signIn, uploadAndWait } from './review-support';

const PASSWORD = 'a long e2e password';
const tag = randomBytes(3).toString('hex');
const owner = { email: `olga.${tag}@studio.test` };
let ownerToken = '';
let assetId = '';
let imageAssetId = '';
const artist = { email: `arti.${tag}@studio.test`, name: 'Arti Artist' };
const director = { email: `dora.${tag}@studio.test`, name: 'Dora Director' };

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  ownerToken = (await studioViaApi(`Review ${tag}`, owner.email, PASSWORD)).accessToken;
  assetId = (await apiCall<{ id: string }>(ownerToken, 'POST', '/assets', { name: 'Shot 040', type: 'SHOT' })).id;
  const clip = await barcodeClip('25/1', 60);
  await uploadAndWait(ownerToken, assetId, clip, 'sh040_v1.mp4');
  await uploadAndWait(ownerToken, assetId, clip, 'sh040_v2.mp4');
  imageAssetId = (await apiCall<{ id: string }>(ownerToken, 'POST', '/assets', { name: 'Matte painting', type: 'TEXTURE' })).id;
  const png = execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720', '-frames:v', '1', '-f', 'image2', '-c:v', 'png', 'pipe:1']);
  await uploadAndWait(ownerToken, imageAssetId, png, 'matte.png', 'image/png');
});

/** Invites someone, then they accept through the mailed link in their own browser context. */
async function invited(browser: Browser, who: { email: string; name: string }, role: 'ARTIST' | 'DIRECTOR'): Promise<Page> {
  await apiCall(ownerToken, 'POST', '/invitations', { email: who.email, role });
  const page = await (await browser.newContext()).newPage();
  await page.goto(await mailedLink(who.email, 'invitations'));
  await page.getByLabel('Your name').fill(who.name);
  await page.getByLabel(/password/i).fill(PASSWORD);
  await page.getByRole('button', { name: 'Accept and sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Assets', exact: true })).toBeVisible();
  return page;
}

const reviewUrl = (v: number, id = assetId) => `${base()}/app/assets/${id}/versions/${v}`;
const notesList = (page: Page) => page.getByRole('list', { name: 'Notes on this version' });

async function openVideo(page: Page, v: number) {
  await page.goto(reviewUrl(v));
  await expect(page.getByRole('button', { name: 'Play' })).toBeEnabled();
  await expectOnFrame(page, 0);
}

/** The overlay canvas's pixel at a point given as fractions of the picture. */
const overlayPixel = (page: Page, x: number, y: number) =>
  page.getByTestId('annotation-canvas').evaluate((c: HTMLCanvasElement, [fx, fy]) => Array.from(c.getContext('2d')!.getImageData(Math.round(fx! * c.width), Math.round(fy! * c.height), 1, 1).data), [x, y]);

test('(b) an artist\'s arrow on frame 12 reaches the director live; the director opens it on frame 12 and approves; the artist sees APPROVED', async ({ browser }) => {
  test.setTimeout(120_000);
  const art = await invited(browser, artist, 'ARTIST');
  const dir = await invited(browser, director, 'DIRECTOR');
  await openVideo(dir, 1);
  await expect(dir.getByRole('heading', { name: 'No notes yet' })).toBeVisible();
  await expect(dir.getByTestId('connection')).toHaveText('Live');
  await checkPage(dir, 'review-10-director-empty');

  await openVideo(art, 1);
  // The artist is offered no decision, and its keys do nothing.
  await expect(art.getByRole('button', { name: 'Approve' })).toHaveCount(0);
  await expect(art.getByRole('button', { name: 'Request changes' })).toHaveCount(0);
  await art.getByLabel('Frame', { exact: true }).fill('12');
  await expectOnFrame(art, 12);
  await art.keyboard.press('a');
  await art.getByRole('button', { name: 'Arrow' }).click();
  await art.getByRole('button', { name: 'Colour Red' }).click();
  const box = (await art.getByTestId('annotation-canvas').boundingBox())!;
  await art.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.25);
  await art.mouse.down();
  await art.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.5, { steps: 5 });
  await art.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.75, { steps: 5 });
  await art.mouse.up();
  await expect(art.getByText('Note on frame 12 with 1 drawn shape')).toBeVisible();
  await art.locator('#note-box').fill('Arm pops here');
  await checkPage(art, 'review-11-artist-drawing');
  await art.getByRole('button', { name: 'Post note' }).click();
  await expect(notesList(art).getByRole('button', { name: /frame 12 .*Arm pops here/ })).toBeVisible();

  // Live on the director's page, who is still on frame 0 where nothing is drawn.
  const note = notesList(dir).getByRole('button', { name: /Arti Artist @ frame 12 .*drawing.*Arm pops here/ });
  await expect(note).toBeVisible();
  expect((await overlayPixel(dir, 0.4, 0.5))[3]).toBe(0);
  await note.click();
  await expectOnFrame(dir, 12);
  // The arrow is drawn, red, on the overlay at the middle of its shaft; and not beside it.
  await expect.poll(() => overlayPixel(dir, 0.4, 0.5)).toEqual([255, 59, 48, 255]);
  expect((await overlayPixel(dir, 0.4, 0.3))[3]).toBe(0);
  // The stored shape is what was drawn, in normalised coordinates.
  const stored = await apiCall<{ data: Array<{ frame: number; version: number; annotation: { shapes: Array<{ kind: string; color: string; points: number[] }> } }> }>(ownerToken, 'GET', `/assets/${assetId}/comments?limit=100`);
  const shape = stored.data.at(-1)!.annotation.shapes[0]!;
  expect(stored.data.at(-1)).toMatchObject({ frame: 12, version: 1 });
  expect(shape).toMatchObject({ kind: 'arrow', color: 'red' });
  expect(shape.points.map((p) => Math.round(p * 100) / 100)).toEqual([0.2, 0.25, 0.6, 0.75]);
  await checkPage(dir, 'review-12-director-on-frame-12');
  // Away from frame 12 the arrow is gone.
  await dir.getByRole('button', { name: 'Forward one frame' }).click();
  await expectOnFrame(dir, 13);
  await expect.poll(async () => (await overlayPixel(dir, 0.4, 0.5))[3]).toBe(0);

  // A forged approval from the artist's own session is refused by the API.
  const forged = await art.evaluate(async (path) => {
    const { accessToken } = await (await fetch('/auth/refresh', { method: 'POST', headers: { 'X-Studio-Client': 'web', 'Content-Type': 'application/json' }, body: '{}' })).json();
    const r = await fetch(path, { method: 'POST', headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ decision: 'APPROVED' }) });
    return r.status;
  }, `/assets/${assetId}/versions/1/review`);
  expect(forged).toBe(403);
  await expect(art.getByTestId('asset-status')).toHaveText('in progress');

  await dir.getByRole('button', { name: 'Approve' }).click();
  await expect(dir.getByTestId('asset-status')).toHaveText('approved');
  await expect(art.getByTestId('asset-status')).toHaveText('approved');
  await checkPage(art, 'review-13-artist-sees-approved');

  // Request changes goes through its dialog (R opens it) and reaches the artist too.
  await dir.locator('body').click({ position: { x: 5, y: 5 } });
  await dir.keyboard.press('r');
  await expect(dir.getByRole('dialog', { name: 'Request changes on v1' })).toBeVisible();
  await dir.getByLabel('What should change (optional)').fill('Fix the arm');
  await checkPage(dir, 'review-14-request-changes-dialog');
  await dir.getByRole('dialog').getByRole('button', { name: 'Request changes' }).click();
  await expect(art.getByTestId('asset-status')).toHaveText('changes requested');
  await art.context().close();
  await dir.context().close();
});

test('the socket drops and comes back: it re-joins and fetches the comments it missed with ?after=<seq>', async ({ browser }) => {
  test.setTimeout(90_000);
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  let blocked = false;
  let live: { close(): Promise<void> } | null = null;
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    if (blocked) return void ws.close();
    const server = ws.connectToServer();
    live = { close: async () => { await ws.close(); await server.close(); } };
  });
  const afterQueries: string[] = [];
  page.on('request', (r) => { if (/\/comments\?.*after=\d+/.test(r.url())) afterQueries.push(r.url()); });
  await signIn(page, artist.email, PASSWORD);
  await openVideo(page, 1);
  await expect(page.getByTestId('connection')).toHaveText('Live');
  const before = await notesList(page).getByRole('listitem').count();

  blocked = true;
  await live!.close();
  await expect(page.getByTestId('connection')).toHaveText('Reconnecting…');
  await apiCall(ownerToken, 'POST', `/assets/${assetId}/comments`, { body: 'Said while you were away', version: 1, frame: 30 });
  await page.waitForTimeout(1500);
  await expect(notesList(page).getByText('Said while you were away')).toHaveCount(0);
  await checkPage(page, 'review-15-reconnecting');

  blocked = false;
  await expect(page.getByTestId('connection')).toHaveText('Live', { timeout: 30_000 });
  await expect(notesList(page).getByText('Said while you were away')).toBeVisible();
  expect(afterQueries.length).toBeGreaterThan(0);
  await expect(notesList(page).getByRole('listitem')).toHaveCount(before + 1);
  // Re-joined and live again: a new comment arrives over the socket.
  await apiCall(ownerToken, 'POST', `/assets/${assetId}/comments`, { body: 'And this one live', version: 1, frame: 31 });
  await expect(notesList(page).getByText('And this one live')).toBeVisible();
  await ctx.close();
});

test('Compare: v2 beside v1 and under a wipe, on the same frame as the player', async ({ browser }) => {
  test.setTimeout(90_000);
  const page = await (await browser.newContext()).newPage();
  await signIn(page, director.email, PASSWORD);
  await openVideo(page, 2);
  await expect(page.getByRole('heading', { name: 'No notes yet' })).toBeVisible();
  await checkPage(page, 'review-16-empty-notes');
  await page.getByLabel('Compare with').selectOption('1');
  await expect(page.getByTestId('compare-video')).toBeVisible();
  for (const f of [7, 8, 33, 59]) {
    await page.getByLabel('Frame', { exact: true }).fill(String(f));
    await expectOnFrame(page, f);
    await expect.poll(async () => (await shownAndDecoded(page, 'compare-video')).decoded).toBe(f);
  }
  await page.keyboard.press('ArrowLeft');
  await expectOnFrame(page, 58);
  await expect.poll(async () => (await shownAndDecoded(page, 'compare-video')).decoded).toBe(58);
  await checkPage(page, 'review-17-compare-side-by-side');
  await page.getByLabel('Layout').selectOption('wipe');
  await page.getByLabel('Wipe position').fill('30');
  await page.getByLabel('Frame', { exact: true }).fill('20');
  await expectOnFrame(page, 20);
  await expect.poll(async () => (await shownAndDecoded(page, 'compare-video')).decoded).toBe(20);
  await checkPage(page, 'review-18-compare-wipe');
  await page.context().close();
});

/** Painted (non-transparent) pixels of the overlay inside a rectangle given as fractions of the picture. */
const paintedIn = (page: Page, x0: number, y0: number, x1: number, y1: number) =>
  page.getByTestId('annotation-canvas').evaluate((c: HTMLCanvasElement, r) => {
    const [a, b, w, h] = [Math.round(r[0]! * c.width), Math.round(r[1]! * c.height), Math.round((r[2]! - r[0]!) * c.width), Math.round((r[3]! - r[1]!) * c.height)];
    const d = c.getContext('2d')!.getImageData(a, b, w, h).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
    return n;
  }, [x0, y0, x1, y1]);

test('freehand and text drawings are saved with the note and redrawn on their frame only; the shortcuts list', async ({ browser }) => {
  test.setTimeout(90_000);
  const page = await (await browser.newContext()).newPage();
  await signIn(page, director.email, PASSWORD);
  await openVideo(page, 2);
  await page.getByLabel('Frame', { exact: true }).fill('40');
  await expectOnFrame(page, 40);
  await page.getByRole('button', { name: 'Freehand' }).click();
  await page.getByRole('button', { name: 'Colour Yellow' }).click();
  const box = (await page.getByTestId('annotation-canvas').boundingBox())!;
  const at = (x: number, y: number) => [box.x + box.width * x, box.y + box.height * y] as const;
  await page.mouse.move(...at(0.1, 0.1));
  await page.mouse.down();
  for (let i = 1; i <= 20; i++) await page.mouse.move(...at(0.1 + i * 0.01, 0.1 + (i % 2) * 0.05));
  await page.mouse.up();
  await page.getByRole('button', { name: 'Text' }).click();
  await page.getByRole('button', { name: 'Colour Cyan' }).click();
  await page.mouse.click(...at(0.6, 0.7));
  await page.getByLabel('Annotation text').fill('Too dark');
  await page.getByLabel('Annotation text').press('Enter');
  await expect(page.getByText('Note on frame 40 with 2 drawn shapes')).toBeVisible();
  await page.locator('#note-box').fill('Lift the shadows');
  await page.getByRole('button', { name: 'Post note' }).click();
  await expect(notesList(page).getByRole('button', { name: /frame 40 .*Lift the shadows/ })).toBeVisible();
  const stored = await apiCall<{ data: Array<{ body: string; frame: number; annotation: { shapes: Array<{ kind: string; color: string; text?: string; points: number[] }> } }> }>(ownerToken, 'GET', `/assets/${assetId}/comments?limit=100`);
  const note = stored.data.find((c) => c.body === 'Lift the shadows')!;
  expect(note.frame).toBe(40);
  expect(note.annotation.shapes.map((sh) => [sh.kind, sh.color, sh.text])).toEqual([['stroke', 'yellow', undefined], ['text', 'cyan', 'Too dark']]);
  expect(note.annotation.shapes[0]!.points.length).toBeGreaterThanOrEqual(2 * 10);
  expect(note.annotation.shapes[1]!.points.map((p) => Math.round(p * 100) / 100)).toEqual([0.6, 0.7]);

  await page.reload();
  await expect(page.getByRole('button', { name: 'Play' })).toBeEnabled();
  await expectOnFrame(page, 0);
  expect(await paintedIn(page, 0.05, 0.05, 0.35, 0.2)).toBe(0);
  await notesList(page).getByRole('button', { name: /frame 40 .*Lift the shadows/ }).click();
  await expectOnFrame(page, 40);
  await expect.poll(() => paintedIn(page, 0.05, 0.05, 0.35, 0.2)).toBeGreaterThan(50);
  expect(await paintedIn(page, 0.6, 0.7, 0.8, 0.8)).toBeGreaterThan(50);
  await checkPage(page, 'review-21-freehand-and-text');
  await page.keyboard.press('ArrowRight');
  await expectOnFrame(page, 41);
  await expect.poll(() => paintedIn(page, 0, 0, 1, 1)).toBe(0);

  await page.keyboard.press('?');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  await checkPage(page, 'review-22-shortcuts');
  await page.context().close();
});

test('an image version with zoom; loading and error states; another studio\'s version looks like a missing one', async ({ browser }) => {
  test.setTimeout(90_000);
  const page = await (await browser.newContext()).newPage();
  await signIn(page, owner.email, PASSWORD);
  // Loading (the pipeline answer held back for a moment), then a server error with its retry, then the page.
  const pipelineUrl = `**/assets/${imageAssetId}/versions/1/pipeline`;
  await page.route(pipelineUrl, async (route) => {
    await new Promise((r) => setTimeout(r, 2500));
    await route.continue().catch(() => undefined);
  });
  await page.goto(reviewUrl(1, imageAssetId));
  await expect(page.getByRole('status').filter({ hasText: 'Loading the version…' })).toBeVisible();
  await checkPage(page, 'review-23-loading');
  await expect(page.getByRole('img', { name: 'Matte painting v1' })).toBeVisible();
  await page.unroute(pipelineUrl);
  await page.route(pipelineUrl, (route) => route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'SERVICE_UNAVAILABLE', message: 'The database is not reachable right now', correlationId: 'e2e-123' } }) }));
  await page.goto(reviewUrl(1, imageAssetId));
  await expect(page.getByRole('alert')).toContainText('The database is not reachable right now', { timeout: 20_000 });
  await checkPage(page, 'review-24-error');
  await page.unroute(pipelineUrl);
  await page.getByRole('button', { name: 'Retry' }).click();
  const img = page.getByRole('img', { name: 'Matte painting v1' });
  await expect(img).toBeVisible();
  await expect(page.getByText('1280 × 720')).toBeVisible();
  await page.getByRole('button', { name: 'Zoom in' }).click();
  await page.getByRole('button', { name: 'Zoom in' }).click();
  await expect(page.getByText('156%')).toBeVisible();
  await checkPage(page, 'review-19-image-zoomed');
  await page.goto(reviewUrl(9));
  await expect(page.getByRole('heading', { name: 'Version not found' })).toBeVisible();

  const bEmail = `bob.${tag}@studio.test`;
  await studioViaApi(`Other ${tag}`, bEmail, PASSWORD);
  const other = await (await browser.newContext()).newPage();
  await signIn(other, bEmail, PASSWORD);
  await other.goto(reviewUrl(1));
  await expect(other.getByRole('heading', { name: 'Version not found' })).toBeVisible();
  const text = await other.locator('body').innerText();
  expect(text).not.toContain('Shot 040');
  await checkPage(other, 'review-20-not-found');
  await page.context().close();
  await other.context().close();
});
