// Helpers of the review e2e specs: clips whose every frame shows its own index as a bar code, uploads
// through the API, and reading the frame on screen back from the page's pixels.
import { spawn } from 'node:child_process';
import { expect, type Browser, type Page } from '@playwright/test';
import { base } from './support';
import { watch, type Watch } from './watch';

export const W = 320;
export const H = 180;
const COLS = 8;
const ROWS = 2;

/**
 * A clip of `frames` frames at `rate` ("24000/1001") in which frame n shows n as a 16-bit bar code: 8×2
 * blocks of 40×90 px, most significant bit top left, white for 1. Blocks that large survive H.264 and the
 * proxy's scaling untouched. Raw grey frames piped to ffmpeg (streamed, never all in memory).
 */
export async function barcodeClip(rate: string, frames: number): Promise<Buffer> {
  const ff = spawn('ffmpeg', ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'gray', '-s', `${W}x${H}`, '-framerate', rate, '-i', 'pipe:0', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-f', 'mp4', '-movflags', 'frag_keyframe+empty_moov', 'pipe:1'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const out: Buffer[] = [];
  ff.stdout.on('data', (c: Buffer) => out.push(c));
  const done = new Promise<void>((resolve, reject) => ff.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}`)))));
  const bw = W / COLS;
  const bh = H / ROWS;
  for (let n = 0; n < frames; n++) {
    const frame = Buffer.alloc(W * H, 0);
    for (let bit = 0; bit < 16; bit++) {
      if (!((n >> (15 - bit)) & 1)) continue;
      const x0 = (bit % COLS) * bw;
      const y0 = Math.floor(bit / COLS) * bh;
      for (let y = y0; y < y0 + bh; y++) frame.fill(255, y * W + x0, y * W + x0 + bw);
    }
    if (!ff.stdin.write(frame)) await new Promise((r) => ff.stdin.once('drain', r));
  }
  ff.stdin.end();
  await done;
  return Buffer.concat(out);
}

export async function apiCall<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base()}${path}`, { method, headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Uploads a file as the asset's next version and waits for its pipeline to be READY. */
export async function uploadAndWait(token: string, assetId: string, bytes: Buffer, fileName: string, type = 'video/mp4'): Promise<number> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type }), fileName);
  const res = await fetch(`${base()}/assets/${assetId}/versions`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form });
  expect(res.status, await res.clone().text()).toBe(201);
  const { version } = (await res.json()) as { version: { version: number } };
  // The pipeline is created just after the version (a domain event): a first look may find none yet.
  const status = () => apiCall<{ status: string }>(token, 'GET', `/assets/${assetId}/versions/${version.version}/pipeline`).then((p) => p.status, () => 'NOT YET');
  await expect.poll(status, { timeout: 120_000, intervals: [500] }).toBe('READY');
  return version.version;
}

/** A new browser context signed in as this person, with the watcher on (and clean so far). */
export async function signedInWatched(browser: Browser, email: string, password: string): Promise<{ page: Page; w: Watch }> {
  const page = await (await browser.newContext()).newPage();
  const w = watch(page);
  await signIn(page, email, password);
  w.signedIn();
  await w.expectClean('signed in');
  return { page, w };
}

export async function signIn(page: Page, email: string, password: string) {
  await page.goto(`${base()}/app/signin`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Assets', exact: true })).toBeVisible();
}

/**
 * The frame number the UI shows and the one the displayed picture encodes, read in the same task: the
 * <video> drawn to a canvas, each bar-code block sampled at its centre.
 */
export async function shownAndDecoded(page: Page, testId = 'review-video'): Promise<{ shown: number; decoded: number; timecode: string }> {
  return page.evaluate(async (id) => {
    await new Promise((r) => requestAnimationFrame(() => r(null)));
    const v = document.querySelector(`[data-testid="${id}"]`) as HTMLVideoElement;
    const c = document.createElement('canvas');
    c.width = v.videoWidth;
    c.height = v.videoHeight;
    const ctx = c.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(v, 0, 0);
    let decoded = 0;
    for (let bit = 0; bit < 16; bit++) {
      const x = Math.floor(((bit % 8) + 0.5) * (c.width / 8));
      const y = Math.floor((Math.floor(bit / 8) + 0.5) * (c.height / 2));
      const [r] = ctx.getImageData(x, y, 1, 1).data;
      decoded = decoded * 2 + (r! > 127 ? 1 : 0);
    }
    return {
      shown: Number(document.querySelector('[data-testid="frame-number"]')!.textContent),
      decoded,
      timecode: document.querySelector('[data-testid="timecode"]')!.textContent ?? '',
    };
  }, testId);
}

/** Waits until the UI shows `frame` and no seek is pending, then returns what the picture encodes. */
export async function expectOnFrame(page: Page, frame: number) {
  await expect.poll(async () => {
    const still = await page.evaluate(() => !(document.querySelector('[data-testid="review-video"]') as HTMLVideoElement).seeking);
    return still ? (await shownAndDecoded(page)).shown : -1;
  }, { timeout: 10_000, intervals: [20, 50, 100] }).toBe(frame);
  const r = await shownAndDecoded(page);
  expect(r, `frame ${frame}: the UI shows ${r.shown}, the picture is frame ${r.decoded}`).toMatchObject({ shown: frame, decoded: frame });
  return r;
}

/** After play/pause: waits for the picture and the UI to settle, then asserts they agree. */
export async function expectSettledAndAgreeing(page: Page) {
  let last = -2;
  await expect.poll(async () => {
    const still = await page.evaluate(() => {
      const v = document.querySelector('[data-testid="review-video"]') as HTMLVideoElement;
      return v.paused && !v.seeking;
    });
    if (!still) return false;
    const now = (await shownAndDecoded(page)).shown;
    const stable = now === last;
    last = now;
    return stable;
  }, { timeout: 10_000, intervals: [100] }).toBe(true);
  const r = await shownAndDecoded(page);
  expect(r.decoded, `after play/pause the UI shows ${r.shown}, the picture is frame ${r.decoded}`).toBe(r.shown);
  return r;
}
