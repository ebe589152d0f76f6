import { startHarness, type Harness } from './support/harness';
import { givenStudio, type Session } from './support/factories';

type Row = { id: string; name: string; createdAt: string; updatedAt: string };

describe('assets: keyset pagination visits each asset exactly once, in order', () => {
  let h: Harness;
  let s: Session;
  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '100000' });
    s = await givenStudio(h);
    const types = ['PROP', 'CHARACTER', 'SHOT'];
    for (let i = 0; i < 250; i += 25) {
      await Promise.all(
        Array.from({ length: 25 }, (_, j) => {
          const n = i + j;
          // Mixed case and shared prefixes make name ordering non-trivial.
          const name = `${n % 2 ? 'Tree' : 'rock'}-${String((n * 37) % 250).padStart(3, '0')}`;
          return h.http.post('/assets').set(s.auth).send({ name, type: types[n % 3] }).expect(201);
        }),
      );
    }
    // Touch some so updatedAt order differs from createdAt order.
    const first = await h.http.get('/assets').set(s.auth).query({ limit: 30, sort: 'createdAt', order: 'asc' });
    for (const a of first.body.data.filter((_: unknown, i: number) => i % 3 === 0)) {
      await h.http.patch(`/assets/${a.id}`).set(s.auth).send({ description: 'touched' }).expect(200);
    }
  }, 120_000);
  afterAll(() => h.close());

  async function walk(sort: string, order: string, onPage?: (n: number) => Promise<void>): Promise<Row[]> {
    const rows: Row[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await h.http.get('/assets').set(s.auth).query({ limit: 7, sort, order, ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(7);
      rows.push(...res.body.data);
      cursor = res.body.page.nextCursor ?? undefined;
      expect(res.body.page.hasMore).toBe(Boolean(cursor));
      await onPage?.(++pages);
    } while (cursor);
    return rows;
  }

  const key = (sort: string, r: Row) => (sort === 'name' ? r.name.toLowerCase() : r[sort as 'createdAt' | 'updatedAt']);
  function expectOrdered(sort: string, order: string, rows: Row[]) {
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1]!, rows[i]!];
      const cmp = key(sort, a) < key(sort, b) ? -1 : key(sort, a) > key(sort, b) ? 1 : a.id < b.id ? -1 : 1;
      expect(order === 'asc' ? cmp : -cmp).toBe(-1);
    }
  }

  it.each([
    ['createdAt', 'asc'], ['createdAt', 'desc'],
    ['updatedAt', 'asc'], ['updatedAt', 'desc'],
    ['name', 'asc'], ['name', 'desc'],
  ])('walks all 250 by %s %s with limit=7', async (sort, order) => {
    const rows = await walk(sort, order);
    expect(rows).toHaveLength(250);
    expect(new Set(rows.map((r) => r.id)).size).toBe(250);
    expectOrdered(sort, order, rows);
  });

  it.each([['createdAt', 'asc'], ['name', 'desc'], ['updatedAt', 'desc']])(
    'still visits each original asset exactly once by %s %s while new assets are inserted during the walk',
    async (sort, order) => {
      const before = await walk(sort, order);
      const originals = new Set(before.map((r) => r.id));
      let extra = 0;
      const rows = await walk(sort, order, async (page) => {
        if (page % 4 === 0) {
          await h.http.post('/assets').set(s.auth).send({ name: `inserted-${sort}-${order}-${extra++}`, type: 'OTHER' }).expect(201);
        }
      });
      const ids = rows.map((r) => r.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of originals) expect(ids).toContain(id);
      expectOrdered(sort, order, rows);
    },
  );

  it('refuses a cursor from another sort order instead of misreading it', async () => {
    const first = await h.http.get('/assets').set(s.auth).query({ limit: 7, sort: 'name', order: 'asc' });
    const res = await h.http.get('/assets').set(s.auth).query({ limit: 7, sort: 'createdAt', order: 'asc', cursor: first.body.page.nextCursor });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_CURSOR');
  });
});
