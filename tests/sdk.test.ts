// The TypeScript SDK (packages/sdk) against a real API: generated types in step with the OpenAPI document,
// tus uploads and ranged downloads that resume after an interruption and are verified by sha256, cursor
// iteration, typed errors, session refresh, and waiting for renders and pipelines with live progress.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { StudioAbortError, StudioApiError, StudioClient, StudioIntegrityError, type RenderUpdate, type Session as SdkSession } from '../packages/sdk/src';
import { startHarness, type Harness } from './support/harness';
import { givenBotToken, givenStudio, type Session } from './support/factories';
import { bufferOf, generated } from './support/uploads';
import { pipelineWorkerFor, renderWorkerFor } from './support/workers';

const root = path.resolve(__dirname, '..');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('TypeScript SDK', () => {
  let h: Harness;
  let base: string;
  let s: Session;
  let client: StudioClient;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'studio-sdk-'));

  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '100000', SIMULATED_RENDER_MS_PER_FRAME: '40' });
    ({ url: base } = await h.listenRealtime());
    s = await givenStudio(h);
    client = new StudioClient({ baseUrl: base, session: { accessToken: s.accessToken, refreshToken: s.refreshToken } });
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const newAsset = async (name: string) => client.assets.create({ name, type: 'SHOT' });

  it('ships generated types identical to a fresh generation from the OpenAPI document (npm run sdk:generate)', () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'studio-sdk-gen-'));
    try {
      execFileSync(path.join(root, 'node_modules/.bin/tsx'), ['scripts/openapi.ts', path.join(tmp, 'openapi.json')], { cwd: root });
      execFileSync(path.join(root, 'node_modules/.bin/openapi-typescript'), [path.join(tmp, 'openapi.json'), '-o', path.join(tmp, 'api.d.ts')], { cwd: root, stdio: 'pipe' });
      const fresh = readFileSync(path.join(tmp, 'api.d.ts'), 'utf8');
      const checkedIn = readFileSync(path.join(root, 'packages/sdk/src/generated/api.d.ts'), 'utf8');
      // On failure: run `npm run sdk:generate` and commit packages/sdk/src/generated/api.d.ts.
      expect(checkedIn === fresh ? 'in step' : 'packages/sdk/src/generated/api.d.ts is stale: run npm run sdk:generate').toBe('in step');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 60_000);

  it('resumes an upload interrupted at about half from its state file, in a new client, and the stored sha256 matches', async () => {
    const asset = await newAsset('Resumable Upload');
    const size = 6 * 1024 * 1024;
    const bytes = await bufferOf(generated(size, 11));
    const file = path.join(dir, 'layout.obj');
    writeFileSync(file, bytes);
    const stateFile = path.join(dir, 'upload-state.json');

    const stop = new AbortController();
    const seen: number[] = [];
    const first = client.upload({
      assetId: asset.id, source: file, changeNote: 'layout pass', stateFile, chunkSize: 1024 * 1024, signal: stop.signal,
      onProgress: (p) => {
        seen.push(p.sent);
        if (p.sent >= size / 2) stop.abort();
      },
    });
    await expect(first).rejects.toBeInstanceOf(StudioAbortError);
    expect(existsSync(stateFile)).toBe(true);
    expect(await h.container.models.AssetVersion.countDocuments({ assetId: asset.id })).toBe(0);

    // A new client (as a new process would be) finds the upload through the state file and sends only the rest.
    const again = new StudioClient({ baseUrl: base, session: client.session! });
    const progress: number[] = [];
    const result = await again.upload({ assetId: asset.id, source: file, changeNote: 'layout pass', stateFile, chunkSize: 1024 * 1024, onProgress: (p) => progress.push(p.sent) });
    expect(result.resumedFrom).toBeGreaterThanOrEqual(1024 * 1024);
    expect(result.resumedFrom).toBeLessThan(size);
    expect(progress[0]).toBe(result.resumedFrom);
    expect(progress.at(-1)).toBe(size);
    expect(result.version).toMatchObject({ version: 1, changeNote: 'layout pass', file: { size, sha256: sha(bytes), originalName: 'layout.obj' } });
    expect(result.sha256).toBe(sha(bytes));
    expect(existsSync(stateFile)).toBe(false);
    const stored = await h.container.models.AssetVersion.findOne({ assetId: asset.id, version: 1 }).lean();
    expect(stored?.file.sha256).toBe(sha(bytes));
  });

  it('uploads a stream of known size', async () => {
    const asset = await newAsset('Streamed Upload');
    const bytes = await bufferOf(generated(300_000, 5));
    const result = await client.upload({ assetId: asset.id, source: { stream: Readable.from([bytes.subarray(0, 100_000), bytes.subarray(100_000)]), size: bytes.length }, filename: 'cache.abc', chunkSize: 64 * 1024 });
    expect(result.version.file).toMatchObject({ size: bytes.length, sha256: sha(bytes), originalName: 'cache.abc' });
  });

  it('resumes an interrupted download with Range, verifies sha256, and fails loudly when the bytes do not match', async () => {
    const asset = await newAsset('Download Me');
    const size = 5 * 1024 * 1024;
    const bytes = await bufferOf(generated(size, 23));
    const uploaded = await client.upload({ assetId: asset.id, source: { stream: Readable.from([bytes]), size }, filename: 'plate.obj' });
    const to = path.join(dir, 'plate.obj');

    const stop = new AbortController();
    await expect(client.download({ assetId: asset.id, to, signal: stop.signal, onProgress: (p) => p.received >= size * 0.4 && stop.abort() })).rejects.toBeInstanceOf(StudioAbortError);
    const partial = statSync(`${to}.part`).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(size);
    expect(existsSync(to)).toBe(false);

    const done = await client.download({ assetId: asset.id, to });
    expect(done).toMatchObject({ version: uploaded.version.version, size, sha256: sha(bytes), resumedFrom: partial });
    expect(sha(readFileSync(to))).toBe(sha(bytes));
    expect(existsSync(`${to}.part`)).toBe(false);

    // A part corrupted on disk: the resumed download completes, the check fails, nothing is left to trust.
    const bad = path.join(dir, 'corrupt.obj');
    const stop2 = new AbortController();
    await expect(client.download({ assetId: asset.id, version: 1, to: bad, signal: stop2.signal, onProgress: (p) => p.received >= size / 2 && stop2.abort() })).rejects.toBeInstanceOf(StudioAbortError);
    const part = readFileSync(`${bad}.part`);
    part.writeUInt8(part.readUInt8(10) ^ 0xff, 10);
    writeFileSync(`${bad}.part`, part);
    const failure = await client.download({ assetId: asset.id, version: 1, to: bad }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StudioIntegrityError);
    expect(failure).toMatchObject({ code: 'CHECKSUM_MISMATCH', expected: sha(bytes) });
    expect(existsSync(bad)).toBe(false);
    expect(existsSync(`${bad}.part`)).toBe(false);
  });

  it('iterates 250 assets with page size 7, each exactly once, following page.nextCursor', async () => {
    const other = await givenStudio(h);
    const c = new StudioClient({ baseUrl: base, session: { accessToken: other.accessToken, refreshToken: other.refreshToken } });
    const names = Array.from({ length: 250 }, (_, i) => `Asset ${String(i).padStart(3, '0')}`);
    for (let i = 0; i < names.length; i += 25) await Promise.all(names.slice(i, i + 25).map((name) => c.assets.create({ name, type: 'PROP' })));
    let pages = 0;
    for await (const page of c.assets.list({ limit: 7 }).pages()) {
      pages++;
      expect(page.data.length).toBeLessThanOrEqual(7);
    }
    expect(pages).toBe(36);
    const seen: string[] = [];
    for await (const asset of c.assets.list({ limit: 7, sort: 'name', order: 'asc' })) seen.push(asset.name);
    expect(seen).toEqual(names);
    expect(new Set(seen).size).toBe(250);
  }, 120_000);

  it('turns the error contract into typed errors: a bot token with only assets:read gets 403 INSUFFICIENT_SCOPE', async () => {
    const { token } = (await givenBotToken(h, s, ['assets:read'])).created;
    const reader = new StudioClient({ baseUrl: base, token });
    const first = await reader.assets.list({ limit: 1 }, { max: 1 })[Symbol.asyncIterator]().next();
    expect(first.done).toBe(false);
    const refused = await reader.assets.create({ name: 'Not allowed', type: 'PROP' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StudioApiError);
    expect(refused).toMatchObject({ status: 403, code: 'INSUFFICIENT_SCOPE', correlationId: expect.any(String) });
    const missing = await reader.assets.get('0123456789abcdef01234567').catch((e: unknown) => e);
    expect(missing).toMatchObject({ status: 404, code: 'ASSET_NOT_FOUND' });
    // tus uploads are covered by the same scopes.
    const asset = await newAsset('Scoped Upload');
    const upload = await reader.upload({ assetId: asset.id, source: { stream: Readable.from([Buffer.from('x')]), size: 1 }, filename: 'a.obj' }).catch((e: unknown) => e);
    expect(upload).toMatchObject({ status: 403, code: 'INSUFFICIENT_SCOPE' });
  });

  it('refuses an upload the studio\'s quota cannot hold beside its open uploads at creation: 507 STORAGE_QUOTA_EXCEEDED, nothing sent, no state file', async () => {
    const other = await givenStudio(h);
    const theirs = new StudioClient({ baseUrl: base, session: { accessToken: other.accessToken, refreshToken: other.refreshToken } });
    const asset = await theirs.assets.create({ name: 'Quota Upload', type: 'PROP' });
    await h.container.services.storageUsage.setQuota(other.user.studioId, 1024 * 1024);
    // An upload in progress (another artist's) holds the whole quota.
    await h.container.services.storageUsage.reserveUpload(other.user.studioId, { kind: 'tus', uploadId: `${other.user.studioId}-${'0'.repeat(32)}`, bytes: 1024 * 1024, expiresAt: new Date(Date.now() + 3_600_000) });
    const stateFile = path.join(dir, 'quota-state.json');
    const sent: number[] = [];
    const refused = await theirs.upload({ assetId: asset.id, source: { stream: Readable.from([Buffer.from('v 0 0 0\n')]), size: 8 }, filename: 'a.obj', stateFile, onProgress: (p) => sent.push(p.sent) }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StudioApiError);
    expect(refused).toMatchObject({ status: 507, code: 'STORAGE_QUOTA_EXCEEDED', message: expect.stringContaining('reserved by 1 upload in progress') });
    expect([sent, existsSync(stateFile)]).toEqual([[], false]);
  });

  it('signs in with email and password and refreshes a refused access token once, handing over the rotated pair', async () => {
    const sessions: SdkSession[] = [];
    const logged = await StudioClient.login({ baseUrl: base, email: s.user.email, password: s.password, onSession: (x) => void sessions.push(x) });
    expect(sessions).toHaveLength(1);
    const me = await logged.call(logged.api.GET('/auth/me'));
    expect(me.email).toBe(s.user.email);
    // An access token the API refuses (as an expired one would be): one refresh, then the request succeeds.
    const stale = new StudioClient({ baseUrl: base, session: { accessToken: 'not.a-valid.jwt', refreshToken: sessions[0]!.refreshToken }, onSession: (x) => void sessions.push(x) });
    expect((await stale.call(stale.api.GET('/auth/me'))).email).toBe(s.user.email);
    expect(sessions).toHaveLength(2);
    expect(sessions[1]!.refreshToken).not.toBe(sessions[0]!.refreshToken);
    expect(stale.session).toEqual(sessions[1]);
  });

  it('waits for a render with live per-chunk progress from Socket.IO, and for a version\'s pipeline', async () => {
    const workers = [await renderWorkerFor(h, { reconcileEveryMs: 3_600_000 }), await pipelineWorkerFor(h)];
    try {
      const asset = await newAsset('Render Me');
      const up = await client.upload({ assetId: asset.id, source: { stream: Readable.from([Buffer.from('# OBJ\nv 0 0 0\n')]), size: 14 }, filename: 'scene.obj' });
      const pipelineStates: string[] = [];
      const pipeline = await client.pipelines.wait(asset.id, up.version.version, { onUpdate: (p) => pipelineStates.push(p.status), timeoutMs: 60_000 });
      expect(['READY', 'FAILED']).toContain(pipeline.status);

      const job = await client.renders.request(asset.id, { engine: 'simulated', frames: { start: 1, end: 20 }, chunkSize: 5 });
      expect(job.chunks).toHaveLength(4);
      const updates: RenderUpdate[] = [];
      const done = await client.renders.wait(job.id, { onUpdate: (u) => updates.push(structuredClone(u)), timeoutMs: 60_000 });
      expect(done.status).toBe('COMPLETED');
      expect(done.outputs.frames).toHaveLength(20);
      const live = updates.filter((u) => u.event);
      // Every chunk reported progress live, and each chunk's percentage only grew.
      expect(new Set(live.map((u) => u.event!.chunk))).toEqual(new Set([0, 1, 2, 3]));
      for (const index of [0, 1, 2, 3]) {
        const seen = live.map((u) => u.job.chunks[index]!.progress);
        expect(seen).toEqual([...seen].sort((a, b) => a - b));
      }
      expect(updates.at(-1)!.job.chunks.every((c) => c.status === 'COMPLETED' && c.progress === 100)).toBe(true);
    } finally {
      for (const w of workers) await w.close();
    }
  }, 120_000);
});
