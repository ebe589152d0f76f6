import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import http from 'node:http';
import { startHarness, STORAGE_DRIVERS, type Harness } from './support/harness';
import { givenStudio, type Session } from './support/factories';
import { bufferOf, generated } from './support/uploads';

describe.each(STORAGE_DRIVERS)('downloads: streamed with validators and byte ranges (%s storage)', (_driver, driverOverrides) => {
  let h: Harness;
  let s: Session;
  let assetId: string;
  let bytes: Buffer;
  let sha: string;
  const size = 3 * 1024 * 1024 + 123;

  beforeAll(async () => {
    h = await startHarness(driverOverrides);
    s = await givenStudio(h);
    assetId = (await h.http.post('/assets').set(s.auth).send({ name: 'Plate', type: 'TEXTURE' })).body.id;
    bytes = await bufferOf(generated(size, 42));
    sha = createHash('sha256').update(bytes).digest('hex');
    await h.http.post(`/assets/${assetId}/versions`).set(s.auth).attach('file', bytes, 'plate näme;1.obj').expect(201);
  });
  afterAll(() => h.close());

  const get = (path: string, headers: Record<string, string> = {}) =>
    h.http.get(path).set(s.auth).set(headers).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
  const hash = (b: Buffer) => createHash('sha256').update(b).digest('hex');

  it('serves the whole file with length, strong ETag from sha256, Last-Modified, attachment name and nosniff', async () => {
    const res = await get(`/assets/${assetId}/download`);
    expect(res.status).toBe(200);
    expect(hash(res.body)).toBe(sha);
    expect(res.headers['content-length']).toBe(String(size));
    expect(res.headers.etag).toBe(`"${sha}"`);
    expect(res.headers['accept-ranges']).toBe('bytes');
    expect(res.headers['last-modified']).toBeTruthy();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="plate n?me;1.obj"; filename*=UTF-8''plate%20n%C3%A4me%3B1.obj`);
  });

  it.each([
    ['bytes=0-0', 0, 0],
    ['bytes=-500', size - 500, size - 1],
    ['bytes=1000000-1999999', 1_000_000, 1_999_999],
    [`bytes=${size - 10}-`, size - 10, size - 1],
    [`bytes=5-${size + 1000}`, 5, size - 1],
  ])('answers %s with 206 and exactly those bytes', async (range, start, end) => {
    const res = await get(`/assets/${assetId}/versions/1/download`, { Range: range });
    expect(res.status).toBe(206);
    expect(res.headers['content-range']).toBe(`bytes ${start}-${end}/${size}`);
    expect(res.headers['content-length']).toBe(String(end - start + 1));
    expect(hash(res.body)).toBe(hash(bytes.subarray(start, end + 1)));
  });

  it('answers a range past the end with 416 and Content-Range bytes */size in the error contract', async () => {
    const res = await h.http.get(`/assets/${assetId}/download`).set(s.auth).set('Range', `bytes=${size}-${size + 10}`);
    expect(res.status).toBe(416);
    expect(res.headers['content-range']).toBe(`bytes */${size}`);
    expect(res.body.error.code).toBe('RANGE_NOT_SATISFIABLE');
  });

  it('honours If-None-Match with 304 and If-Range: a stale validator gets the whole file', async () => {
    expect((await get(`/assets/${assetId}/download`, { 'If-None-Match': `"${sha}"` })).status).toBe(304);
    const fresh = await get(`/assets/${assetId}/download`, { Range: 'bytes=0-9', 'If-Range': `"${sha}"` });
    expect(fresh.status).toBe(206);
    const stale = await get(`/assets/${assetId}/download`, { Range: 'bytes=0-9', 'If-Range': '"something-else"' });
    expect(stale.status).toBe(200);
    expect(stale.body.length).toBe(size);
  });

  it('answers HEAD with the headers and no body', async () => {
    const res = await h.http.head(`/assets/${assetId}/download`).set(s.auth).set('Range', 'bytes=0-99');
    expect(res.status).toBe(206);
    expect(res.headers['content-length']).toBe('100');
    expect(res.headers['content-range']).toBe(`bytes 0-99/${size}`);
  });

  it('closes the storage stream when the client goes away mid-download (no leaked descriptors)', async () => {
    const base = await h.listen();
    const openFiles = () => readdirSync('/proc/self/fd').length;
    const before = openFiles();
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = http.get(`${base}/assets/${assetId}/download`, { headers: s.auth }, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'ECONNRESET' ? resolve() : reject(err)));
      });
    }
    // Each abandoned download held one descriptor of the stored file; all must be released.
    for (let i = 0; i < 50 && openFiles() > before; i++) await new Promise((r) => setTimeout(r, 50));
    expect(openFiles()).toBeLessThanOrEqual(before);
  });

  it('answers 404 for an asset without versions and for a missing version', async () => {
    const empty = (await h.http.post('/assets').set(s.auth).send({ name: 'Empty', type: 'PROP' })).body.id;
    const res = await h.http.get(`/assets/${empty}/download`).set(s.auth);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('VERSION_NOT_FOUND');
    expect((await h.http.get(`/assets/${assetId}/versions/7/download`).set(s.auth)).status).toBe(404);
  });
});
