// Helpers of the e2e run: the API's base URL, its development inbox, axe and screenshots.
import { readdirSync, readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

export const base = () => process.env.STUDIO_E2E_URL!;
export const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'screenshots');

/** The newest mailed link to `page` (verify-email, invitations) sent to an address, from $EMBEDDED_DATA_DIR/mail/*.json. */
export async function mailedLink(to: string, page: string): Promise<string> {
  const dir = process.env.STUDIO_E2E_MAIL!;
  for (let i = 0; i < 100; i++) {
    const found = (() => {
      try {
        return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().reverse()
          .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { to: string | string[]; links: string[] })
          .filter((m) => [m.to].flat().some((t) => t.includes(to)))
          .flatMap((m) => m.links).find((l) => l.includes(`/app/${page}#token=`));
      } catch {
        return undefined;
      }
    })();
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${page} mail to ${to}`);
}

/** Registers a studio through the API (form + mailed link, whose page takes the password) for tests that need one without the UI. */
export async function studioViaApi(name: string, email: string, password: string) {
  const res = await fetch(`${base()}/auth/register`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ studioName: name, name: 'Owner', email }) });
  expect(res.status).toBe(202);
  const token = new URL(await mailedLink(email, 'verify-email')).hash.slice('#token='.length);
  const verified = await fetch(`${base()}/auth/verify-email`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token, password }) });
  expect(verified.status).toBe(201);
  return (await verified.json()) as { accessToken: string; user: { id: string; studioId: string } };
}

/**
 * Someone joins the studio through the API: the owner invites them, they accept with the mailed link's
 * token and sign in; returns their access token.
 */
export async function joinViaApi(ownerToken: string, who: { name: string; email: string }, role: 'ARTIST' | 'DIRECTOR' | 'PRODUCER', password: string): Promise<string> {
  const invited = await fetch(`${base()}/invitations`, { method: 'POST', headers: { Authorization: `Bearer ${ownerToken}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ email: who.email, role }) });
  expect(invited.status, await invited.clone().text()).toBe(201);
  const token = new URL(await mailedLink(who.email, 'invitations')).hash.slice('#token='.length);
  const res = await fetch(`${base()}/invitations/accept`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token, name: who.name, password }) });
  expect(res.status).toBe(201);
  const login = await fetch(`${base()}/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: who.email, password }) });
  expect(login.status).toBe(200);
  return ((await login.json()) as { accessToken: string }).accessToken;
}

/** No serious or critical axe violation on the page as it is now; and a screenshot of it. */
export async function checkPage(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), `axe on ${name}`).toEqual([]);
}

/** Screenshots at 1440×900, 1024×768 and 200% zoom (720×450 CSS px), axe on each, and no sideways page scrolling at 320 CSS px. */
export async function everySize(page: Page, name: string) {
  for (const [w, h, label] of [[1440, 900, '1440'], [1024, 768, '1024'], [720, 450, '200pct']] as const) {
    await page.setViewportSize({ width: w, height: h });
    await checkPage(page, `${name}-${label}`);
  }
  await page.setViewportSize({ width: 320, height: 640 });
  await fits(page, 320, name);
  await page.setViewportSize({ width: 1440, height: 900 });
}

/** No horizontal scrolling at this width (WCAG 1.4.10): the document and the page's content fit. */
export async function fits(page: Page, width: number, where: string) {
  const wide = await page.evaluate(() => {
    const describe = (el: Element) => `<${el.tagName.toLowerCase()} class="${el.getAttribute('class') ?? ''}"> ${Math.round(el.getBoundingClientRect().width)} px "${(el.textContent ?? '').trim().slice(0, 40)}"`;
    const top = (el: Element) => el === document.body || el === document.documentElement;
    // What sticks out, for the failure: the outermost elements past the right edge outside any region that
    // scrolls on its own; else the furthest-reaching ones (e.g. an absolutely positioned element that
    // escapes its scrolling region because the region is not its containing block).
    const past = [...document.querySelectorAll('body *')].filter((el) => {
      if (el.getBoundingClientRect().right <= window.innerWidth + 1) return false;
      for (let up = el.parentElement; up && !top(up); up = up.parentElement) if (getComputedStyle(up).overflowX !== 'visible') return false;
      const parent = el.parentElement;
      return !parent || top(parent) || parent.getBoundingClientRect().right <= window.innerWidth + 1;
    });
    const furthest = [...document.querySelectorAll('body *')].sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right).slice(0, 3);
    return {
      doc: document.documentElement.scrollWidth,
      main: document.querySelector('main')?.scrollWidth ?? 0,
      view: window.innerWidth,
      culprits: past.length ? past.slice(0, 3).map(describe).join('; ') : `furthest: ${furthest.map((el) => `${describe(el)} to ${Math.round(el.getBoundingClientRect().right)} px`).join('; ')}`,
    };
  });
  expect(wide.doc, `${where}: the page scrolls sideways at ${width} CSS px (${wide.doc} px wide; ${wide.culprits})`).toBeLessThanOrEqual(wide.view);
  expect(wide.main, `${where}: the content is wider than the window at ${width} CSS px`).toBeLessThanOrEqual(wide.view);
}

/**
 * axe and three screenshots, `<name>-1440`, `-1024` and `-200` (200% zoom of 1440×900: a 720×450 CSS px
 * window, which is what the browser lays out at that zoom), and reflow at 200% and at 320 CSS px.
 */
export async function looked(page: Page, name: string) {
  await checkPage(page, `${name}-1440`);
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.screenshot({ path: path.join(SHOTS, `${name}-1024.png`) });
  await page.setViewportSize({ width: 720, height: 450 });
  await fits(page, 720, name);
  await page.screenshot({ path: path.join(SHOTS, `${name}-200.png`) });
  await page.setViewportSize({ width: 320, height: 640 });
  await fits(page, 320, name);
  await page.setViewportSize({ width: 1440, height: 900 });
}
