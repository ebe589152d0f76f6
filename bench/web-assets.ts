// bench:web-assets — with BENCH_WEB_ASSETS assets (default 200) that all have pipeline thumbnails, the time
// from navigation to the first thumbnails shown on the web app's assets page, in Debian's chromium.
// Starts the built API and both workers as the web e2e does (web/e2e/global-setup.ts; run `npm run build`
// first), seeds the assets through the API (a PNG version each, thumbnails made by the real pipeline), then
// loads /app/assets BENCH_RUNS times (default 7, each in a fresh browser context: cold HTTP cache, a fresh
// sign-in from the refresh cookie) and reads the Performance API in the page: Element Timing of the first
// <img elementtiming="asset-thumbnail"> (its render time), First Contentful Paint, and the Resource
// Timing of GET /assets. Baseline, same run: a bare page at /app/ with one same-origin <img> of the same
// kind of thumbnail, i.e. what the browser and server need for an image with no app in between.
// Prints one JSON line. The target: first thumbnails within 1.5 s of navigation.
import { execFileSync, execSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Types } from 'mongoose';
import { createLogger } from '../src/infra/logging/logger';
import { connectMongo } from '../src/infra/database/mongo';
import { createModels } from '../src/app/repositories/models';
import { ASSET_STATUSES, ASSET_TYPES } from '../src/app/repositories/models/Asset';

// The web app's Playwright and e2e set-up live in web/ (its own package): loaded from there at run time.
interface Page {
  goto(url: string): Promise<unknown>;
  evaluate(expression: string): Promise<unknown>;
  route(url: string, handler: (route: { fulfill(o: { contentType: string; body: string | Buffer }): Promise<void> }) => unknown): Promise<void>;
}
interface Context {
  request: { post(url: string, o: { headers: Record<string, string>; data: unknown }): Promise<{ status(): number }> };
  newPage(): Promise<Page>;
  close(): Promise<void>;
}
interface Browser { newContext(o: { viewport: { width: number; height: number } }): Promise<Context>; close(): Promise<void> }
const root = process.cwd();
const { chromium } = createRequire(path.join(root, 'web/package.json'))('@playwright/test') as { chromium: { launch(o: { executablePath: string; args: string[] }): Promise<Browser> } };
const ASSETS = Number(process.env.BENCH_WEB_ASSETS ?? 200);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const TARGET_MS = 1500;
const SCROLL_ASSETS = Number(process.env.BENCH_WEB_SCROLL_ASSETS ?? 10_000);
const PASSWORD = 'a long bench password';
const log = (m: string) => process.env.BENCH_DEBUG && process.stderr.write(`[bench:web-assets] ${m}\n`);

// In-page probes, as source text: tsx would wrap functions with a helper the page does not have.
// Element Timing of the first thumbnail (its render time), then a moment for the rest of the first screen.
const APP_PROBE = `new Promise((resolve) => {
  const fcp = () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1;
  const list = () => { const e = performance.getEntriesByType('resource').find((r) => /\\/assets\\?/.test(r.name)); return e ? e.responseEnd : -1; };
  new PerformanceObserver((entries) => {
    const first = entries.getEntries()[0];
    if (!first) return;
    setTimeout(() => resolve({ thumb: first.renderTime || first.loadTime, fcp: fcp(), list: list(), shown: document.querySelectorAll('img[elementtiming="asset-thumbnail"]').length,
      waterfall: performance.getEntriesByType('resource').filter((r) => r.startTime < (first.renderTime || first.loadTime)).map((r) => [r.name.replace(location.origin, '').slice(0, 60), Math.round(r.startTime), Math.round(r.responseEnd)]) }), 50);
  }).observe({ type: 'element', buffered: true });
})`;
const BARE_PROBE = `new Promise((resolve) => new PerformanceObserver((l) => { const e = l.getEntries()[0]; if (e) resolve(e.renderTime || e.loadTime); }).observe({ type: 'element', buffered: true }))`;

// Scrolls the grid to its end, about four rows per frame, while the page loads the next pages over the
// cursors; frame intervals are counted only for frames in which the grid moved.
const SCROLL_PROBE = `new Promise((resolve) => {
  const list = document.querySelector('ul[aria-label="Assets"]');
  const el = list.parentElement;
  const footer = () => document.querySelector('[aria-live="polite"]').textContent || '';
  const frames = []; let last = performance.now(); const t0 = last; let maxCards = 0; let moved = false;
  const step = (now) => {
    if (moved) frames.push(now - last);
    last = now;
    maxCards = Math.max(maxCards, list.children.length);
    const before = el.scrollTop;
    el.scrollTop = before + 800;
    moved = el.scrollTop !== before;
    const atEnd = el.scrollTop + el.clientHeight >= el.scrollHeight - 2;
    if ((atEnd && !footer().includes('+') && !footer().includes('loading')) || now - t0 > 600000) {
      resolve({ frames, maxCards, loaded: parseInt(footer(), 10), seconds: (now - t0) / 1000 });
    } else requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
})`;
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN; };

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]!; };
const round = (n: number) => Math.round(n * 10) / 10;

async function mailedToken(mailDir: string, to: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    for (const f of readdirSync(mailDir).filter((n) => n.endsWith('.json'))) {
      const m = JSON.parse(readFileSync(path.join(mailDir, f), 'utf8')) as { to: string | string[]; links: string[] };
      const link = [m.to].flat().some((t) => t.includes(to)) && m.links.find((l) => l.includes('verify-email#token='));
      if (link) return new URL(link).hash.slice('#token='.length);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no verify-email mail');
}

async function main() {
  const setup = (await import(pathToFileURL(path.join(root, 'web/e2e/global-setup.ts')).href)) as { default: () => Promise<() => Promise<void>> };
  const stop = await setup.default();
  const base = process.env.STUDIO_E2E_URL!;
  const browser = await chromium.launch({ executablePath: execSync('command -v chromium', { shell: '/bin/sh' }).toString().trim(), args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
  try {
    const email = `bench.${Date.now()}@studio.test`;
    const post = (p: string, body: unknown, token?: string) => fetch(`${base}${p}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
    if ((await post('/auth/register', { studioName: 'Bench Web', name: 'Bench', email })).status !== 202) throw new Error('register failed');
    const verified = await (await post('/auth/verify-email', { token: await mailedToken(process.env.STUDIO_E2E_MAIL!, email), password: PASSWORD })).json() as { accessToken: string };
    const token = verified.accessToken;

    // Seed: ASSETS assets, each with a small PNG version (distinct pixels), then wait for every thumbnail.
    const dir = mkdtempSync(path.join(tmpdir(), 'bench-web-'));
    const pngs = Array.from({ length: 8 }, (_, i) => {
      const file = path.join(dir, `p${i}.png`);
      execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `testsrc=size=640x360:rate=1:duration=1,hue=h=${i * 45}`, '-frames:v', '1', '-y', file]);
      return readFileSync(file);
    });
    const t0 = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < ASSETS; i += 10) {
      await Promise.all(Array.from({ length: Math.min(10, ASSETS - i) }, async (_, k) => {
        const n = i + k;
        const asset = await (await post('/assets', { name: `Asset ${String(n).padStart(4, '0')}`, type: 'PROP' }, token)).json() as { id: string };
        const form = new FormData();
        form.append('file', new Blob([pngs[n % pngs.length]!], { type: 'image/png' }), `a${n}.png`);
        const up = await fetch(`${base}/assets/${asset.id}/versions`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form });
        if (up.status !== 201) throw new Error(`upload ${n}: ${up.status}`);
        ids.push(asset.id);
      }));
    }
    log(`seeded ${ASSETS} in ${Date.now() - t0} ms`);
    for (const id of ids) {
      for (let i = 0; ; i++) {
        const r = await fetch(`${base}/assets/${id}/versions/1/pipeline`, { headers: { Authorization: `Bearer ${token}` } });
        const p = await r.json() as { status: string; outputs: { thumbnail: boolean } };
        if (p.outputs?.thumbnail) break;
        if (p.status === 'FAILED' || i > 1200) throw new Error(`no thumbnail for ${id}: ${JSON.stringify(p)}`);
        await new Promise((res) => setTimeout(res, 100));
      }
    }
    const seedMs = Date.now() - t0;
    log(`thumbnails ready after ${seedMs} ms`);

    const measureApp = async () => {
      const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      // Sign in once (the cookie), as someone coming back to the app; the measured load starts from there.
      const login = await ctx.request.post(`${base}/auth/login`, { headers: { 'X-Studio-Client': 'web' }, data: { email, password: PASSWORD } });
      if (login.status() !== 200) throw new Error(`login ${login.status()}`);
      const page = await ctx.newPage();
      await page.goto(`${base}/app/assets`);
      const m = (await page.evaluate(APP_PROBE)) as { thumb: number; fcp: number; list: number; shown: number };
      await ctx.close();
      return m;
    };
    const measureBare = async () => {
      // The baseline: the same origin and a thumbnail-sized PNG, no app — HTML with one <img> (a data: page
      // cannot load same-origin files, so the PNG is fetched from the app's own static path).
      const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await ctx.newPage();
      await page.route(`${base}/bench-bare.html`, (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><title>bare</title><img elementtiming="bare" src="/bench-bare.png" width="200">' }));
      await page.route(`${base}/bench-bare.png`, (r) => r.fulfill({ contentType: 'image/png', body: pngs[0]! }));
      await page.goto(`${base}/bench-bare.html`);
      const t = (await page.evaluate(BARE_PROBE)) as number;
      await ctx.close();
      return t;
    };

    await measureApp(); // warm-up: the first launch of the browser and the API's first queries
    const runs: Array<{ thumb: number; fcp: number; list: number; shown: number }> = [];
    const bare: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      runs.push(await measureApp());
      bare.push(await measureBare());
      log(`run ${i}: ${JSON.stringify(runs.at(-1))} bare ${bare.at(-1)}`);
      // The waterfall is for BENCH_DEBUG only; the JSON line keeps the figures.
      delete (runs.at(-1) as { waterfall?: unknown }).waterfall;
    }
    // Scrolling SCROLL_ASSETS assets (no versions: placeholders) in another studio, bulk-inserted as bench:list does.
    let scroll: Record<string, unknown> | null = null;
    if (SCROLL_ASSETS > 0) {
      const email2 = `bench.scroll.${Date.now()}@studio.test`;
      if ((await post('/auth/register', { studioName: 'Bench Scroll', name: 'Bench', email: email2 })).status !== 202) throw new Error('register failed');
      const owner = await (await post('/auth/verify-email', { token: await mailedToken(process.env.STUDIO_E2E_MAIL!, email2), password: PASSWORD })).json() as { user: { id: string; studioId: string } };
      const state = JSON.parse(readFileSync(path.join(path.dirname(process.env.STUDIO_E2E_MAIL!), 'services.json'), 'utf8')) as { mongo: { url: string } };
      const conn = await connectMongo({ uri: `${state.mongo.url}/studio`, logger: createLogger({ level: 'error', service: 'bench' }) });
      try {
        const models = createModels(conn);
        const studioId = new Types.ObjectId(owner.user.studioId);
        const author = new Types.ObjectId(owner.user.id);
        const start = Date.now() - SCROLL_ASSETS * 60_000;
        for (let i = 0; i < SCROLL_ASSETS; i += 5000) {
          await models.Asset.collection.insertMany(Array.from({ length: Math.min(5000, SCROLL_ASSETS - i) }, (_, j) => {
            const n = i + j;
            const at = new Date(start + n * 60_000);
            return { studioId, name: `Scroll ${n}`, nameLower: `scroll ${n}`, type: ASSET_TYPES[n % ASSET_TYPES.length], description: '', tags: [], status: ASSET_STATUSES[n % ASSET_STATUSES.length], currentVersion: null, latestVersion: 0, createdBy: author, updatedBy: author, archivedAt: null, revision: 1, createdAt: at, updatedAt: at };
          }), { ordered: false });
        }
      } finally {
        await conn.close();
      }
      const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      if ((await ctx.request.post(`${base}/auth/login`, { headers: { 'X-Studio-Client': 'web' }, data: { email: email2, password: PASSWORD } })).status() !== 200) throw new Error('login failed');
      const page = await ctx.newPage();
      await page.goto(`${base}/app/assets`);
      await page.evaluate(`new Promise((r) => { const t = () => document.querySelector('ul[aria-label="Assets"] > li a') ? r(null) : setTimeout(t, 50); t(); })`);
      const s = (await page.evaluate(SCROLL_PROBE)) as { frames: number[]; maxCards: number; loaded: number; seconds: number };
      await ctx.close();
      const fr = s.frames;
      scroll = {
        assets: SCROLL_ASSETS, loaded: s.loaded, seconds: round(s.seconds), framesWhileMoving: fr.length,
        frameMs: { p50: round(pct(fr, 50)), p95: round(pct(fr, 95)), p99: round(pct(fr, 99)), max: round(Math.max(...fr)) },
        over50ms: fr.filter((f) => f > 50).length, maxCardsInDom: s.maxCards,
      };
      log(`scroll: ${JSON.stringify(scroll)}`);
    }

    const thumbs = runs.map((r) => r.thumb);
    const firstThumbnailMedianMs = round(median(thumbs));
    process.stdout.write(`${JSON.stringify({
      bench: 'web-assets',
      assets: ASSETS,
      runs: RUNS,
      firstThumbnailMs: { median: firstThumbnailMedianMs, min: round(Math.min(...thumbs)), max: round(Math.max(...thumbs)), each: thumbs.map(round) },
      thumbnailsOnFirstScreen: median(runs.map((r) => r.shown)),
      firstContentfulPaintMs: round(median(runs.map((r) => r.fcp))),
      assetsListResponseEndMs: round(median(runs.map((r) => r.list))),
      baselineBareImageMs: round(median(bare)),
      seedAndThumbnailsMs: seedMs,
      scroll,
      targetMs: TARGET_MS,
      met: Math.max(...thumbs) <= TARGET_MS,
    })}\n`);
  } finally {
    await browser.close();
    await stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
