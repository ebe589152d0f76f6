import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { startRedis, freePort, type RunningService } from '../src/infra/embedded/embedded';
import { startHarness, type Harness } from './support/harness';

async function eventually(fn: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

describe('readiness follows Redis going away and coming back, without an API restart', () => {
  let h: Harness;
  let redis: RunningService;
  let port: number;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'studio-redis-outage-'));

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis({ dataDir: dir, detached: false, persistent: false, port });
    h = await startHarness({ REDIS_URL: redis.url });
  });
  afterAll(async () => {
    await h.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('turns /ready into 503 naming redis within 5 s, then back to 200, while /health stays 200', async () => {
    expect((await h.http.get('/ready')).status).toBe(200);
    await redis.stop();

    // The 5 s of the title is this wait's deadline (it throws past it); /ready must not lag the outage.
    await eventually(async () => {
      const res = await h.http.get('/ready');
      return res.status === 503 && res.body.checks.redis === 'down' && res.body.checks.mongo === 'up';
    }, 5000);
    expect((await h.http.get('/health')).status).toBe(200);
    // Rate limiting fails open: ordinary requests still get their normal answer while Redis is away.
    expect((await h.http.get('/no/such/route')).status).toBe(404);

    redis = await startRedis({ dataDir: dir, detached: false, persistent: false, port });
    await eventually(async () => (await h.http.get('/ready')).status === 200, 10_000);
    const res = await h.http.get('/ready');
    expect(res.body).toEqual({ status: 'ready', checks: { mongo: 'up', redis: 'up' } });
  });
});
