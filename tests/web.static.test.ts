// The web app's files (issue 28): the build's precompressed copies served to browsers that accept them
// (the 462 KB main script went uncompressed), with Vary, the right type, and a year's immutable caching for
// hashed files; index.html never cached; identity for a client that accepts no compression.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { startHarness, type Harness } from './support/harness';

const dist = mkdtempSync(path.join(tmpdir(), 'studio-web-dist-'));
const script = `console.log(${JSON.stringify('frame '.repeat(4000))});\n`;
const html = `<!doctype html><html><head><title>Studio</title></head><body>${'<div></div>'.repeat(200)}<script src="/app/static/index-AbC123.js"></script></body></html>`;

/** A response's body as bytes: supertest decodes brotli and gzip itself, so Content-Length tells what was sent. */
const raw = (res: request.Response) => res.body as Buffer;
const sentBytes = (res: request.Response) => Number(res.headers['content-length']);
const get = (h: Harness, url: string, encoding?: string) => {
  const r = request(h.app).get(url).buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });
  // Supertest sends "gzip, deflate" by default: name what the client accepts, or nothing.
  return encoding === undefined ? r.set('Accept-Encoding', 'identity') : r.set('Accept-Encoding', encoding);
};

describe('web app: compressed and cached static files', () => {
  let h: Harness;
  beforeAll(async () => {
    mkdirSync(path.join(dist, 'static'));
    writeFileSync(path.join(dist, 'index.html'), html);
    writeFileSync(path.join(dist, 'static', 'index-AbC123.js'), script);
    writeFileSync(path.join(dist, 'static', 'tiny-Zz9.js'), 'x();\n');
    // The build's own step (npm run build:web runs it after vite build).
    execFileSync(process.execPath, [path.resolve('web/scripts/precompress.mjs'), dist]);
    h = await startHarness({ WEB_DIST_DIR: dist });
  });
  afterAll(async () => {
    await h.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves brotli to a browser that accepts it, as JavaScript, cached for a year as immutable, varying on Accept-Encoding', async () => {
    const res = await get(h, '/app/static/index-AbC123.js', 'gzip, deflate, br, zstd');
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toMatch(/^(application|text)\/javascript; charset=utf-8$/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers.vary).toMatch(/Accept-Encoding/);
    expect(raw(res).toString()).toBe(script);
    expect(sentBytes(res)).toBeLessThan(script.length / 20);
  });

  it('serves gzip to a client that accepts only gzip, and the file itself to one that accepts none', async () => {
    const gz = await get(h, '/app/static/index-AbC123.js', 'gzip');
    expect([gz.status, gz.headers['content-encoding']]).toEqual([200, 'gzip']);
    expect(raw(gz).toString()).toBe(script);
    expect(sentBytes(gz)).toBeLessThan(script.length / 20);
    const plain = await get(h, '/app/static/index-AbC123.js');
    expect([plain.status, plain.headers['content-encoding']]).toEqual([200, undefined]);
    expect([raw(plain).toString(), sentBytes(plain)]).toEqual([script, script.length]);
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.headers.vary).toMatch(/Accept-Encoding/);
    const refused = await get(h, '/app/static/index-AbC123.js', 'br;q=0, gzip;q=0');
    expect(refused.headers['content-encoding']).toBeUndefined();
  });

  it('compresses index.html for the app\'s routes, never cached; small files as they are; a missing hashed file is 404', async () => {
    for (const url of ['/app/', '/app/reset-password']) {
      const res = await get(h, url, 'br');
      expect([res.status, res.headers['content-encoding'], res.headers['cache-control']]).toEqual([200, 'br', 'no-cache']);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(raw(res).toString()).toBe(html);
      expect(sentBytes(res)).toBeLessThan(html.length / 5);
    }
    const tiny = await get(h, '/app/static/tiny-Zz9.js', 'br');
    expect([tiny.status, tiny.headers['content-encoding'], raw(tiny).toString()]).toEqual([200, undefined, 'x();\n']);
    expect((await get(h, '/app/static/gone-1.js', 'br')).status).toBe(404);
    expect((await get(h, '/app/static/index-AbC123.js.br', 'br')).headers['content-encoding']).toBeUndefined();
  });
});
