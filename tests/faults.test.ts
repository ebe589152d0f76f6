// Fault tests that fit in seconds: the MongoDB-wire server restarting, FerretDB's PostgreSQL restarting
// under it, the disk filling up mid-upload, and a slowloris of 200 sockets against normal traffic.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import { freePort, startFerretDb, startMongo, startPostgres, type RunningService } from '../src/infra/embedded/embedded';
import { startHarness, type Harness } from './support/harness';
import { givenStudio } from './support/factories';
import { generated, multipartUpload } from './support/uploads';
import { waitFor } from './support/workers';

describe('faults: the MongoDB-wire server restarts', () => {
  let h: Harness;
  let mongo: RunningService;
  let port: number;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'studio-mongo-restart-'));
  beforeAll(async () => {
    port = await freePort();
    mongo = await startMongo({ dataDir: dir, detached: false, persistent: true, port });
    h = await startHarness({ MONGO_URI: mongo.url });
  });
  afterAll(async () => {
    await h.close();
    await mongo.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 in the error contract while it is down, then recovers without an API restart', async () => {
    const s = await givenStudio(h);
    const created = await h.http.post('/assets').set(s.auth).send({ name: 'Survivor', type: 'PROP' }).expect(201);
    await mongo.stop();

    const down = await h.http.get(`/assets/${created.body.id}`).set(s.auth);
    // A cached asset may still be served from Redis; a list always needs the database.
    const list = await h.http.get('/assets').set(s.auth);
    expect(list.status).toBe(503);
    expect(list.body.error).toMatchObject({ code: expect.stringMatching(/UNAVAILABLE/), correlationId: list.headers['x-request-id'] });
    expect([200, 503]).toContain(down.status);
    const ready = await h.http.get('/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks).toEqual({ mongo: 'down', redis: 'up' });

    mongo = await startMongo({ dataDir: dir, detached: false, persistent: true, port });
    await waitFor('recovery', async () => (await h.http.get('/assets').set(s.auth)).status === 200, 30_000, 250);
    expect((await h.http.get('/assets').set(s.auth)).body.data.map((a: { id: string }) => a.id)).toEqual([created.body.id]);
    expect((await h.http.get('/ready')).status).toBe(200);
  }, 60_000);
});

describe("faults: FerretDB's PostgreSQL restarts under the running API and FerretDB", () => {
  let h: Harness;
  let ferret: RunningService;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'studio-postgres-restart-'));
  beforeAll(async () => {
    // FerretDB on PostgreSQL by name, even where mongod is on PATH: this fault is the embedded default's own.
    // Where FerretDB or PostgreSQL is missing, this throws saying what to install.
    ferret = await startFerretDb({ dataDir: dir, detached: false, persistent: true });
    h = await startHarness({ MONGO_URI: ferret.url });
  });
  afterAll(async () => {
    await h?.close();
    await ferret?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 in the error contract while PostgreSQL is down, then recovers without restarting the API or FerretDB', async () => {
    const s = await givenStudio(h);
    const created = await h.http.post('/assets').set(s.auth).send({ name: 'Kept In Postgres', type: 'PROP' }).expect(201);
    const backendPort = Number(new URL(ferret.backend!.url).port);
    await ferret.backend!.stop();

    // FerretDB still accepts connections and answers every command with an error naming PostgreSQL's failure.
    const list = await h.http.get('/assets').set(s.auth);
    const write = await h.http.post('/assets').set(s.auth).send({ name: 'Written While Down', type: 'PROP' });
    for (const res of [list, write]) {
      expect(res.status).toBe(503);
      expect(res.body.error).toMatchObject({ code: expect.stringMatching(/UNAVAILABLE/), correlationId: res.headers['x-request-id'] });
    }
    const ready = await h.http.get('/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks).toEqual({ mongo: 'down', redis: 'up' });

    // The same cluster on the same port, which FerretDB's URL names; FerretDB's pool reconnects by itself.
    ferret.backend = await startPostgres({ dataDir: dir, detached: false, persistent: true, port: backendPort });
    await waitFor('recovery', async () => (await h.http.get('/assets').set(s.auth)).status === 200, 30_000, 250);
    expect((await h.http.get('/assets').set(s.auth)).body.data.map((a: { id: string }) => a.id)).toEqual([created.body.id]);
    expect((await h.http.get('/ready')).status).toBe(200);
    await h.http.post('/assets').set(s.auth).send({ name: 'Written After', type: 'PROP' }).expect(201);
    // Neither the API (this process) nor FerretDB was restarted.
    expect(() => process.kill(ferret.pid!, 0)).not.toThrow();
  }, 60_000);
});

describe('faults: the disk fills up mid-upload', () => {
  const mountPoint = mkdtempSync(path.join(os.tmpdir(), 'studio-full-disk-'));
  let h: Harness;
  beforeAll(async () => {
    try {
      // A 4 MiB filesystem: a real ENOSPC, not a simulated one.
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountPoint]);
    } catch (err) {
      throw new Error(`this test needs to mount a small tmpfs (run as root, as .ci/run does): ${(err as Error).message}`, { cause: err });
    }
    mkdirSync(path.join(mountPoint, 'storage'));
    h = await startHarness({ STORAGE_LOCAL_ROOT: path.join(mountPoint, 'storage'), MAX_UPLOAD_BYTES: '1gib' });
  });
  afterAll(async () => {
    await h?.close();
    try {
      execFileSync('umount', [mountPoint]);
    } catch {
      // not mounted
    }
    rmSync(mountPoint, { recursive: true, force: true });
  });

  it('answers 507 STORAGE_FULL in the error contract and leaves no partial file, version or number behind', async () => {
    const base = await h.listen();
    const s = await givenStudio(h);
    const asset = (await h.http.post('/assets').set(s.auth).send({ name: 'Too Big For Disk', type: 'SHOT' })).body;
    const res = await multipartUpload(`${base}/assets/${asset.id}/versions`, s.accessToken, 'plate.obj', generated(12 * 1024 * 1024, 8));
    expect(res.status).toBe(507);
    expect(JSON.parse(res.body).error.code).toBe('STORAGE_FULL');
    const files = (readdirSync(path.join(mountPoint, 'storage'), { recursive: true }) as string[]).filter((f) => /\.(partial|obj)$/.test(f) || f.split('/').length > 5);
    expect(files).toEqual([]);
    expect(await h.container.models.AssetVersion.countDocuments({ assetId: asset.id })).toBe(0);
    expect((await h.container.models.Asset.findById(asset.id).lean())?.latestVersion).toBe(0);
    // Space is free again, so a small upload now succeeds as v1.
    const ok = await h.http.post(`/assets/${asset.id}/versions`).set(s.auth).attach('file', Buffer.from('; FBX 7.4.0 project file\n'), 'small.fbx');
    expect(ok.status).toBe(201);
    expect(ok.body.version.version).toBe(1);
  });
});

describe('faults: slow clients', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ HTTP_HEADERS_TIMEOUT_MS: '2000', HTTP_IDLE_TIMEOUT_MS: '1500' });
  });
  afterAll(() => h.close());

  it('does not let a slowloris of 200 sockets starve normal requests, and cuts the slow ones off', async () => {
    const base = await h.listen();
    const port = Number(new URL(base).port);
    const slow: net.Socket[] = [];
    let closedByServer = 0;
    for (let i = 0; i < 200; i++) {
      const sock = net.connect(port, '127.0.0.1');
      sock.on('error', () => undefined);
      sock.on('close', () => closedByServer++);
      sock.write('GET /health HTTP/1.1\r\nHost: x\r\n');
      slow.push(sock);
    }
    const drip = setInterval(() => {
      for (const sock of slow) if (!sock.destroyed) sock.write('X-Slow: 1\r\n');
    }, 500);
    try {
      // The attack is in place first: every slow socket connected and sending its endless headers.
      await Promise.all(slow.map((sock) => new Promise((resolve) => (sock.connecting ? sock.once('connect', resolve) : resolve(undefined)))));
      // To the server under attack (h.http would start a fresh server of its own for each request).
      const answers = await Promise.all(Array.from({ length: 20 }, () => supertest(base).get('/health')));
      expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
      // Not starved: every normal request was answered while the whole slowloris still held its sockets,
      // so none waited for the slow ones to be cut off (an order, not a stopwatch).
      expect(closedByServer).toBe(0);
      // The header deadline closes every slow socket even though each keeps sending bytes.
      await waitFor('slow sockets to be cut off', async () => closedByServer === 200, 15_000, 200);
    } finally {
      clearInterval(drip);
      for (const sock of slow) sock.destroy();
    }
  }, 30_000);

  it('closes an upload whose client stalls with the socket open, and keeps nothing of it', async () => {
    const base = await h.listen();
    const s = await givenStudio(h);
    const asset = (await h.http.post('/assets').set(s.auth).send({ name: 'Stalled Plate', type: 'SHOT' })).body;
    const boundary = 'stall-boundary';
    const requestId = 'stalled-upload-0001';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="plate.obj"\r\nContent-Type: application/octet-stream\r\n\r\n`;
    const partials = () => (existsSync(h.config.STORAGE_LOCAL_ROOT) ? (readdirSync(h.config.STORAGE_LOCAL_ROOT, { recursive: true }) as string[]) : []).filter((f) => f.endsWith('.partial'));
    const sock = net.connect(Number(new URL(base).port), '127.0.0.1');
    sock.on('error', () => undefined);
    let received = '';
    sock.on('data', (d: Buffer) => (received += d.toString()));
    let closed = false;
    const closing = new Promise<void>((resolve) => sock.on('close', () => resolve(void (closed = true))));
    sock.write(
      `POST /assets/${asset.id}/versions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${s.accessToken}\r\nX-Request-Id: ${requestId}\r\n` +
        `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${head.length + 4 * 1024 * 1024}\r\n\r\n${head}`,
    );
    // Half a MiB of an OBJ file, then silence with the socket left open.
    sock.write(Buffer.from('v 0 0 0\n'.repeat(64 * 1024)));
    // The upload was accepted and is being stored before the stall ends it (not refused up front).
    await waitFor('the upload to be stored as it arrives', async () => partials().length === 1 || closed, 10_000, 20);
    expect({ partials: partials().length, closed }).toEqual({ partials: 1, closed: false });
    await closing;
    // Closed by the server's idle deadline (never by the test; "never" fails on the test's timeout): it dropped
    // the socket without a byte of answer, as the idle deadline does, where a refusal of the upload or the
    // request deadline (408) would have answered first.
    expect(received).toBe('');
    // Sentinel for "kept nothing": the app's own answer to the request (to the dead socket), which comes only
    // after the upload's clean-up; the storage list never shows partial files, so waiting on it proved nothing.
    expect(await h.answered(requestId)).toEqual({ status: 400 });
    expect(partials()).toEqual([]);
    expect(await h.container.storage.list(`studios/${s.user.studioId}/`)).toEqual([]);
    expect(await h.container.models.AssetVersion.countDocuments({ assetId: asset.id })).toBe(0);
  }, 30_000);
});
