// The tus upload lock on the real Redis: each RedisLocker below has its own connections, as an API instance would.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ERRORS, type Lock } from '@tus/utils';
import { createRedis, redisReady, type Redis } from '../src/infra/cache/redis';
import { RedisLocker } from '../src/infra/cache/RedisLocker';
import { createLogger } from '../src/infra/logging/logger';
import { freePort, startRedis, type RunningService } from '../src/infra/embedded/embedded';
import { startHarness, type Harness } from './support/harness';
import { givenStudio } from './support/factories';

const logger = createLogger({ level: 'silent', service: 'test' });
const prefix = `t:${randomBytes(5).toString('hex')}:`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('RedisLocker: tus upload locks shared by every API instance', () => {
  const clients: Redis[] = [];
  const lockers: RedisLocker[] = [];
  let admin: Redis;

  async function instance(options: { leaseMs?: number; acquireTimeoutMs?: number } = {}) {
    const redis = createRedis(process.env.REDIS_URL!, logger, 'locker-test');
    const subscriber = createRedis(process.env.REDIS_URL!, logger, 'locker-test-sub');
    clients.push(redis, subscriber);
    expect(await redisReady(redis, 5000)).toBe(true);
    const locker = new RedisLocker({ redis, subscriber, prefix, logger, ...options });
    lockers.push(locker);
    return { locker, redis, subscriber };
  }

  const never = new AbortController().signal;
  const ignore = () => undefined;
  const uploadId = () => `000000000000000000000000-${randomBytes(16).toString('hex')}`;

  beforeAll(async () => {
    admin = createRedis(process.env.REDIS_URL!, logger, 'locker-test-admin');
    await redisReady(admin, 5000);
  });
  afterAll(async () => {
    for (const l of lockers) l.close();
    for (const c of clients) c.disconnect();
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length) await admin.del(...keys);
    admin.disconnect();
  });

  it('lets one holder at a time in across instances, and leaves no key once all are done', async () => {
    const instances = await Promise.all([instance(), instance(), instance()]);
    const id = uploadId();
    let inside = 0;
    let maxInside = 0;
    let runs = 0;
    await Promise.all(
      Array.from({ length: 15 }, async (_, i) => {
        const lock = instances[i % 3]!.locker.newLock(id);
        // These holders ignore release requests, so only the lease itself keeps the others out.
        await lock.lock(never, ignore);
        inside++;
        maxInside = Math.max(maxInside, inside);
        await sleep(5);
        inside--;
        runs++;
        await lock.unlock();
      }),
    );
    expect({ runs, maxInside }).toEqual({ runs: 15, maxInside: 1 });
    expect(await admin.exists(`${prefix}tus:lock:${id}`)).toBe(0);
  });

  it('keeps the lease alive while held, and lets another instance take it once a crashed holder stops renewing', async () => {
    const crashing = await instance({ leaseMs: 300 });
    const other = await instance({ acquireTimeoutMs: 1200 });
    const id = uploadId();
    const held = crashing.locker.newLock(id);
    await held.lock(never, ignore);
    // Four lease lengths later the holder (renewing, ignoring release requests) still has it.
    await expect(other.locker.newLock(id).lock(never, ignore)).rejects.toBe(ERRORS.ERR_LOCK_TIMEOUT);
    // The holder's process dies: no renewal, no release.
    crashing.redis.disconnect();
    crashing.subscriber.disconnect();
    const taker = (await instance({ acquireTimeoutMs: 5000 })).locker.newLock(id);
    await expect(taker.lock(never, ignore)).resolves.toBeUndefined();
    await taker.unlock();
    await held.unlock(); // cannot reach Redis: must not throw
  });

  it('ignores an unlock from anyone but the holder, and tells a holder whose lease was taken to stop', async () => {
    const a = await instance({ leaseMs: 300 });
    const b = await instance({ acquireTimeoutMs: 500 });
    const id = uploadId();
    const key = `${prefix}tus:lock:${id}`;
    const holder = a.locker.newLock(id);
    let told = 0;
    await holder.lock(never, () => void told++);
    // A lock object that never acquired, on another instance, releases nothing.
    await b.locker.newLock(id).unlock();
    await expect(b.locker.newLock(id).lock(never, ignore)).rejects.toBe(ERRORS.ERR_LOCK_TIMEOUT);
    expect(told).toBeGreaterThan(0); // the waiter asked the holder to let go (which this holder ignores)
    told = 0;
    // The lease lapsed (say Redis was unreachable) and another process took it: the old holder's renewal notices
    // and asks its request to stop, and its late unlock leaves the new holder's lease alone.
    await admin.set(key, 'someone-else', 'PX', 60_000);
    await sleep(400);
    expect(told).toBeGreaterThan(0);
    await holder.unlock();
    expect(await admin.get(key)).toBe('someone-else');
    await admin.del(key);
  });

  it('asks the holder on another instance to let go, and hands the lock over when it does', async () => {
    const a = await instance({ leaseMs: 60_000 });
    const b = await instance({ acquireTimeoutMs: 5000 });
    const id = uploadId();
    const holder: Lock = a.locker.newLock(id);
    let asked = 0;
    await holder.lock(never, async () => {
      asked++;
      await holder.unlock();
    });
    // With a 60 s lease, only the release request can free it within the 5 s the newer request waits.
    await expect(b.locker.newLock(id).lock(never, ignore)).resolves.toBeUndefined();
    expect(asked).toBe(1);
  });

  it('refuses with a 503 UPLOAD_LOCK_UNAVAILABLE error when Redis cannot be reached', async () => {
    const dead = createRedis('redis://127.0.0.1:1', logger, 'dead', { retryStrategy: () => null, maxRetriesPerRequest: 0 });
    const deadSub = createRedis('redis://127.0.0.1:1', logger, 'dead-sub', { retryStrategy: () => null, maxRetriesPerRequest: 0 });
    clients.push(dead, deadSub);
    const locker = new RedisLocker({ redis: dead, subscriber: deadSub, prefix, logger, acquireTimeoutMs: 2000 });
    lockers.push(locker);
    await expect(locker.newLock(uploadId()).lock(never, ignore)).rejects.toMatchObject({ code: 'UPLOAD_LOCK_UNAVAILABLE', status: 503 });
  });

  it('gives up waiting when the waiting request goes away', async () => {
    const a = await instance();
    const b = await instance({ acquireTimeoutMs: 10_000 });
    const id = uploadId();
    await a.locker.newLock(id).lock(never, ignore);
    const gone = new AbortController();
    const waiting = b.locker.newLock(id).lock(gone.signal, ignore);
    setTimeout(() => gone.abort(), 100);
    await expect(waiting).rejects.toBe(ERRORS.ERR_LOCK_TIMEOUT);
  });
});

describe('tus while Redis is away: the upload lock cannot be taken', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'studio-tus-redis-'));
  let redis: RunningService;
  let port: number;
  let h: Harness;

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis({ dataDir: dir, detached: false, persistent: false, port });
    h = await startHarness({ REDIS_URL: redis.url, RATE_LIMIT_MAX: '100000' });
  });
  afterAll(async () => {
    await h?.close();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 UPLOAD_LOCK_UNAVAILABLE in the error contract, and works again once Redis is back, without a restart', async () => {
    const base = await h.listen();
    const s = await givenStudio(h);
    const asset = (await h.http.post('/assets').set(s.auth).send({ name: 'Redis Away', type: 'PROP' }).expect(201)).body as { id: string };
    const tus = { Authorization: `Bearer ${s.accessToken}`, 'Tus-Resumable': '1.0.0' };
    const meta = `assetId ${Buffer.from(asset.id).toString('base64')},filename ${Buffer.from('a.obj').toString('base64')}`;
    const created = await fetch(`${base}/uploads`, { method: 'POST', headers: { ...tus, 'Upload-Length': '10', 'Upload-Metadata': meta } });
    expect(created.status).toBe(201);
    const url = `${base}${created.headers.get('location')}`;

    await redis.stop();
    const head = await fetch(url, { method: 'HEAD', headers: tus });
    expect(head.status).toBe(503);
    const patch = await fetch(url, { method: 'PATCH', headers: { ...tus, 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' }, body: Buffer.from('# OBJ\nv 0') });
    expect(patch.status).toBe(503);
    expect(patch.headers.get('content-type')).toMatch(/^application\/json/);
    expect((await patch.json()) as unknown).toEqual({ error: { code: 'UPLOAD_LOCK_UNAVAILABLE', message: expect.any(String), correlationId: patch.headers.get('x-request-id') } });

    redis = await startRedis({ dataDir: dir, detached: false, persistent: false, port });
    const deadline = Date.now() + 15_000;
    let after = await fetch(url, { method: 'HEAD', headers: tus });
    while (after.status !== 200 && Date.now() < deadline) {
      await sleep(200);
      after = await fetch(url, { method: 'HEAD', headers: tus });
    }
    expect([after.status, after.headers.get('upload-offset')]).toEqual([200, '0']);
  });
});
