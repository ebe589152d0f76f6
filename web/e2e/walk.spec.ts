// The route walk: one signed-in session visits every page reachable from the navigation (each link of the
// main navigation, whatever it holds, and the pages' own primary links: an asset, its review, a project's
// grid and tabs, a shot, a task and its shot, a render job) in three different orders, only by clicking
// and the Back button, so each page starts from whatever the pages before it left in the cache. Any error
// boundary, uncaught or console error, or failed request fails the walk; every page passes axe and reflows
// at 320 CSS px (WCAG 1.4.10: no sideways scrolling of the page; a data table may scroll in its own region).
import { expect, test, type Locator, type Page } from '@playwright/test';
import { checkPage, fits } from './support';
import { signIn } from './review-support';
import { PASSWORD, seedShow, type Show } from './show-seed';
import { boundary, watch, type Watch } from './watch';

let show: Show;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  show = await seedShow('Walk');
});

interface Destination {
  name: string;
  /** The clicks that lead there from any page of the shell. */
  via: Array<(page: Page) => Promise<void>>;
  /** What shows once there. */
  at: (page: Page) => Locator;
}

const main = (page: Page) => page.getByRole('navigation', { name: 'Main' });
const navTo = (name: string) => (page: Page) => main(page).getByRole('link', { name, exact: true }).click();
const click = (find: (page: Page) => Locator) => (page: Page) => find(page).click();
const projectTab = (name: string) => click((p) => p.getByRole('navigation', { name: 'Project' }).getByRole('link', { name, exact: true }));
const grid = (page: Page) => page.getByRole('grid', { name: 'Shot grid' });

function pageLinks(s: Show): Destination[] {
  const rocket = [navTo('Assets'), click((p) => p.getByRole('list', { name: 'Assets' }).getByRole('link', { name: 'Rocket' }))];
  const project = [navTo('Projects'), click((p) => p.getByRole('link', { name: 'Moon Heist' }))];
  const task = [navTo('My tasks'), click((p) => p.getByRole('table', { name: 'My tasks' }).getByRole('link', { name: s.tasks.emptyShot.name }))];
  return [
    { name: 'asset', via: rocket, at: (p) => p.getByRole('link', { name: 'Review version 2' }) },
    { name: 'review', via: [...rocket, click((p) => p.getByRole('link', { name: 'Review version 2' }))], at: (p) => p.getByRole('heading', { name: 'Rocket · v2' }) },
    { name: 'shot-grid', via: project, at: (p) => grid(p).getByRole('link', { name: 'SH010' }) },
    { name: 'project-assets', via: [...project, projectTab('Assets')], at: (p) => p.getByRole('grid', { name: 'Asset grid' }).getByRole('link', { name: 'Rocket' }) },
    { name: 'breakdown', via: [...project, projectTab('Breakdown')], at: (p) => p.getByRole('heading', { name: /^Cast of SH010/ }) },
    { name: 'editorial', via: [...project, projectTab('Editorial')], at: (p) => p.getByRole('heading', { name: 'Import a cut' }) },
    { name: 'shot', via: [...project, click((p) => grid(p).getByRole('link', { name: 'SH010' }))], at: (p) => p.getByRole('heading', { name: /SH010$/, level: 1 }) },
    { name: 'task', via: task, at: (p) => p.getByRole('heading', { name: s.tasks.emptyShot.name }) },
    { name: 'task-shot', via: [...task, click((p) => p.getByRole('link', { name: 'the shot\'s page' }))], at: (p) => p.getByRole('heading', { name: /SH030$/, level: 1 }) },
    { name: 'render-job', via: [navTo('Renders'), click((p) => p.getByRole('table', { name: 'Render jobs' }).getByRole('link').first())], at: (p) => p.getByRole('heading', { name: /^Render #/ }) },
  ];
}

/** A deterministic shuffle (mulberry32), so a failing order can be replayed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** After a break, back to a page of the shell the way a person would get there: the Back button. */
async function recover(page: Page) {
  for (let i = 0; i < 5 && (!(await main(page).isVisible()) || (await boundary(page).count())); i++) await page.goBack();
}

test('every page reachable from the navigation, in three orders with one session: no error boundary, console error or failed request; axe clean; reflow at 320 CSS px', async ({ page }) => {
  test.setTimeout(420_000);
  const w: Watch = watch(page);
  await signIn(page, show.producer.email, PASSWORD);
  w.signedIn();

  // Every link of the main navigation is a destination, including ones this spec has never heard of.
  const navLinks = await main(page).getByRole('link').evaluateAll((links) => links.map((a) => ({ name: (a.textContent ?? '').trim(), href: a.getAttribute('href') ?? '' })));
  expect(navLinks.map((l) => l.name)).toEqual(expect.arrayContaining(['Assets', 'Projects', 'My tasks', 'Renders', 'Members']));
  const destinations: Destination[] = [
    ...navLinks.map((l): Destination => ({ name: `nav-${l.name.toLowerCase().replaceAll(/[^a-z0-9]+/g, '-')}`, via: [navTo(l.name)], at: (p) => p.locator(`nav[aria-label="Main"] a[href="${l.href}"][aria-current="page"]`) })),
    ...pageLinks(show),
  ];

  const failures: string[] = [];
  const axed = new Set<string>();
  const judge = async (where: string) => {
    await page.waitForLoadState('networkidle').catch(() => undefined);
    await w.settle();
    const shown = await boundary(page).count();
    if (!w.problems.length && !shown) return true;
    failures.push(`${where}: ${[...w.problems, ...(shown ? [`error boundary: ${(await boundary(page).first().innerText()).replaceAll('\n', ' | ')}`] : [])].join('; ')}`);
    w.problems.length = 0;
    await recover(page);
    return false;
  };

  for (const [round, seed] of [1, 2, 3].entries()) {
    const order = round === 0 ? destinations : shuffled(destinations, seed);
    for (const [i, d] of order.entries()) {
      const where = `order ${round + 1}, step ${i + 1} (${d.name})`;
      try {
        for (const step of d.via) await step(page);
        await expect.poll(async () => (w.problems.length || (await boundary(page).count()) ? 'broke' : (await d.at(page).isVisible()) ? 'arrived' : 'waiting'), { timeout: 20_000, intervals: [50, 100, 250] }).not.toBe('waiting');
      } catch (err) {
        w.problems.push(`did not arrive: ${(err as Error).message.split('\n')[0]}`);
      }
      if (!(await judge(where))) continue;
      if (!axed.has(d.name)) {
        axed.add(d.name);
        await checkPage(page, `walk-${String(axed.size).padStart(2, '0')}-${d.name}`);
        await page.setViewportSize({ width: 320, height: 640 });
        await fits(page, 320, d.name).catch((err: Error) => failures.push(`${where}: ${err.message.split('\n')[0]}`));
        await page.setViewportSize({ width: 1440, height: 900 });
      }
      // Now and then a person goes back instead of on: the page before must still stand.
      if ((i + round) % 3 === 2) {
        await page.goBack();
        await judge(`${where}, then Back`);
      }
    }
  }
  expect(failures, 'the walk').toEqual([]);
  expect(axed.size, 'every destination was seen at least once').toBe(destinations.length);
});
