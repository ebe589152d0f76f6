// Per-studio storage usage (logical bytes of the versions a studio keeps, in total and by asset) and the
// optional quota: counted at the one commit of every upload path, refused early where the size is known
// (507 STORAGE_QUOTA_EXCEEDED), guaranteed at commit by a conditional $inc so racing uploads never overrun
// it, set per studio by the operator only; given back by asset.purged; backfilled by a migration.
import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import { startHarness, STORAGE_DRIVERS, type Harness } from './support/harness';
import { givenBotToken, givenMember, givenStudio, type Session } from './support/factories';
import { bufferOf, generated, multipartUpload, tusRequest } from './support/uploads';
import { waitFor } from './support/workers';
import { indexKeys, filterFields, servingIndex } from './support/indexCoverage';
import { assetSchema } from '../src/app/repositories/models/Asset';
import { assetUsageQuery } from '../src/app/repositories/StorageUsageRepository';
import { encodeCursor } from '../src/app/repositories/pagination';
import { runMigrations, MIGRATIONS_DIR } from '../src/infra/database/migrations';

const KiB = 1024;
const MiB = 1024 * KiB;
const OPERATOR_TOKEN = 'operator-token-for-storage-quotas-0123456789';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const PNG_HEAD = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');

const STORAGE_USAGE = '20261202000000-storage-usage.js';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const storageUsageMigration = require(`${MIGRATIONS_DIR}/${STORAGE_USAGE}`) as { up(db: unknown): Promise<void> };

interface Usage {
  studioId: string;
  logical: { bytes: number; versions: number };
  physical: { bytes: number; objects: number };
  reserved: { bytes: number; uploads: number };
  quota: { bytes: number | null; source: 'deployment' | 'studio' };
  remainingBytes: number | null;
}

describe.each(STORAGE_DRIVERS)('storage usage and quota (%s storage)', (driver, driverOverrides) => {
  let h: Harness;
  let base: string;

  beforeAll(async () => {
    h = await startHarness({ ...driverOverrides, RATE_LIMIT_MAX: '100000', OPERATOR_TOKEN, MAX_UPLOAD_BYTES: '8mb' });
    base = await h.listen();
  });
  afterAll(() => h.close());

  const newAsset = async (s: Session, name: string) => (await h.http.post('/assets').set(s.auth).send({ name, type: 'PROP' }).expect(201)).body as { id: string };
  const usage = async (s: Session) => (await h.http.get('/storage/usage').set(s.auth).expect(200)).body as Usage;
  const operator = { Authorization: `Bearer ${OPERATOR_TOKEN}` };
  const setQuota = (studioId: string, quotaBytes: number | null) => h.http.put(`/admin/studios/${studioId}/storage-quota`).set(operator).send({ quotaBytes });
  const upload = (s: Session, assetId: string, bytes: Buffer, name = 'part.obj') => h.http.post(`/assets/${assetId}/versions`).set(s.auth).attach('file', bytes, name);
  const tusCreate = (s: Session, assetId: string, length: number) =>
    tusRequest(`${base}/uploads`, 'POST', { Authorization: `Bearer ${s.accessToken}`, 'Upload-Length': length, 'Upload-Metadata': `assetId ${b64(assetId)},filename ${b64('layout.obj')}` });
  const tusPatch = (s: Session, location: string, body: Buffer) =>
    tusRequest(`${base}${location}`, 'PATCH', { Authorization: `Bearer ${s.accessToken}`, 'Upload-Offset': 0, 'Content-Type': 'application/offset+octet-stream' }, body);

  /** What a refused upload must leave: no object, no version, no consumed number, usage unchanged. */
  async function expectNothingKept(s: Session, assetId: string, before: Usage) {
    expect(await h.container.storage.list(`studios/${s.user.studioId}/assets/${assetId}/`)).toEqual([]);
    expect(await h.container.models.AssetVersion.countDocuments({ assetId: new Types.ObjectId(assetId) })).toBe(0);
    expect(await h.container.models.Asset.findById(assetId).lean()).toMatchObject({ latestVersion: 0, currentVersion: null, storage: { bytes: 0, versions: 0 } });
    expect(await usage(s)).toEqual(before);
  }

  const expectQuotaBody = (status: number, body: unknown) => {
    expect(status).toBe(507);
    expect(body).toEqual({ error: { code: 'STORAGE_QUOTA_EXCEEDED', message: expect.stringMatching(/storage quota.*used( and .* reserved by \d+ uploads? in progress)?\. Nothing was stored\..*\(the Storage page of the web app, open to directors and producers, lists the largest first\).*ask your operator to raise the quota\.$/s), correlationId: expect.any(String) } });
  };

  it('counts every version of the streamed and tus paths in the studio\'s totals and per asset, largest asset first, page by page', async () => {
    const s = await givenStudio(h);
    expect(await usage(s)).toEqual({ studioId: s.user.studioId, logical: { bytes: 0, versions: 0 }, physical: { bytes: 0, objects: 0 }, reserved: { bytes: 0, uploads: 0 }, quota: { bytes: null, source: 'deployment' }, remainingBytes: null });
    const small = await newAsset(s, 'Small');
    const big = await newAsset(s, 'Big');
    const mid = await newAsset(s, 'Mid');
    await newAsset(s, 'Empty');
    // Streamed with a Content-Length, streamed chunked (no length), and tus.
    await upload(s, small.id, Buffer.from('v 0 0 0\n')).expect(201);
    await upload(s, big.id, await bufferOf(generated(300 * KiB, 1))).expect(201);
    const chunked = await multipartUpload(`${base}/assets/${big.id}/versions`, s.accessToken, 'big.obj', generated(200 * KiB, 2));
    expect(chunked.status).toBe(201);
    const created = await tusCreate(s, mid.id, 120 * KiB);
    expect(created.status).toBe(201);
    const finished = await tusPatch(s, created.headers.location!, await bufferOf(generated(120 * KiB, 3)));
    expect(finished.status).toBe(200);

    const total = 8 + 300 * KiB + 200 * KiB + 120 * KiB;
    expect(await usage(s)).toEqual({ studioId: s.user.studioId, logical: { bytes: total, versions: 4 }, physical: { bytes: total, objects: 4 }, reserved: { bytes: 0, uploads: 0 }, quota: { bytes: null, source: 'deployment' }, remainingBytes: null });
    // The same bytes again, as a second version of Mid: the quota counts what the studio keeps (logical), the
    // store holds them once (physical).
    const again = await tusCreate(s, mid.id, 120 * KiB);
    expect((await tusPatch(s, again.headers.location!, await bufferOf(generated(120 * KiB, 3)))).status).toBe(200);
    expect(await usage(s)).toMatchObject({ logical: { bytes: total + 120 * KiB, versions: 5 }, physical: { bytes: total, objects: 4 } });

    const first = await h.http.get('/storage/usage/assets?limit=2').set(s.auth).expect(200);
    expect(first.body.data.map((a: { name: string; bytes: number; versions: number }) => [a.name, a.bytes, a.versions])).toEqual([['Big', 500 * KiB, 2], ['Mid', 240 * KiB, 2]]);
    expect(first.body.data[0]).toEqual({ assetId: big.id, name: 'Big', type: 'PROP', shotId: null, archivedAt: null, bytes: 500 * KiB, versions: 2 });
    expect(first.body.page).toMatchObject({ limit: 2, hasMore: true });
    // An archived asset keeps its versions, so it still counts (and says it is archived).
    await h.http.delete(`/assets/${small.id}`).set(s.auth).expect(200);
    const second = await h.http.get(`/storage/usage/assets?limit=2&cursor=${first.body.page.nextCursor}`).set(s.auth).expect(200);
    expect(second.body.data.map((a: { name: string; bytes: number; archivedAt: string | null }) => [a.name, a.bytes, a.archivedAt !== null])).toEqual([['Small', 8, true], ['Empty', 0, false]]);
    expect(second.body.page).toEqual({ limit: 2, nextCursor: null, hasMore: false });
    // A cursor of another listing is refused, not misread.
    const foreign = encodeCursor('createdAt', 'desc', new Date(), new Types.ObjectId());
    expect((await h.http.get(`/storage/usage/assets?cursor=${foreign}`).set(s.auth)).body.error.code).toBe('INVALID_CURSOR');
  });

  if (driver === 's3') {
    it('counts a direct upload session\'s version, and refuses one the quota cannot hold at start and at completion', async () => {
      const s = await givenStudio(h);
      const a = await newAsset(s, 'Direct');
      const file = Buffer.concat([PNG_HEAD, Buffer.alloc(5000), await bufferOf(generated(100 * KiB, 4))]);
      const start = (size = file.length) => h.http.post(`/assets/${a.id}/uploads`).set(s.auth).send({ fileName: 'plate.png', size, sha256: hex(file), partSize: size, partSha256: [hex(file)] });
      const send = async (session: { parts: Array<{ url: string; checksumSha256: string }> }) =>
        expect((await fetch(session.parts[0]!.url, { method: 'PUT', body: file, headers: { 'x-amz-checksum-sha256': session.parts[0]!.checksumSha256 } })).status).toBe(200);

      const ok = (await start().expect(201)).body;
      await send(ok);
      await h.http.post(`/assets/${a.id}/uploads/${ok.id}/complete`).set(s.auth).expect(201);
      expect((await usage(s)).logical).toEqual({ bytes: file.length, versions: 1 });

      // At start: the announced size is over what is left.
      await setQuota(s.user.studioId, file.length + 10).expect(200);
      const before = await usage(s);
      const refused = await start();
      expectQuotaBody(refused.status, refused.body);
      expect(await h.container.models.UploadSession.countDocuments({ assetId: new Types.ObjectId(a.id) })).toBe(1);

      // At completion: it fitted when started, then the operator lowered the quota; the assembled object goes.
      await setQuota(s.user.studioId, 2 * file.length).expect(200);
      const late = (await start().expect(201)).body;
      await send(late);
      await setQuota(s.user.studioId, file.length).expect(200);
      const completed = await h.http.post(`/assets/${a.id}/uploads/${late.id}/complete`).set(s.auth);
      expectQuotaBody(completed.status, completed.body);
      expect(await h.container.models.UploadSession.findById(late.id).lean()).toMatchObject({ status: 'ABORTED', endReason: 'STORAGE_QUOTA_EXCEEDED' });
      expect((await h.container.storage.list(`studios/${s.user.studioId}/assets/${a.id}/`)).length).toBe(1);
      expect(await h.container.models.AssetVersion.countDocuments({ assetId: new Types.ObjectId(a.id) })).toBe(1);
      expect(await h.container.models.Asset.findById(a.id).lean()).toMatchObject({ latestVersion: 1, storage: { bytes: file.length, versions: 1 } });
      expect((await usage(s)).logical).toEqual(before.logical);
    });
  }

  it('refuses with 507 on every path an upload the quota cannot hold, keeping nothing; the per-file limit still answers 413', async () => {
    const s = await givenStudio(h);
    const a = await newAsset(s, 'Quota');
    const keep = await newAsset(s, 'Kept');
    await upload(s, keep.id, await bufferOf(generated(100 * KiB, 5))).expect(201);
    expect((await setQuota(s.user.studioId, 1 * MiB).expect(200)).body).toEqual({ studioId: s.user.studioId, logical: { bytes: 100 * KiB, versions: 1 }, physical: { bytes: 100 * KiB, objects: 1 }, reserved: { bytes: 0, uploads: 0 }, quota: { bytes: MiB, source: 'studio' }, remainingBytes: 924 * KiB });
    const before = await usage(s);

    // Multipart with a Content-Length past the remainder (and the form's overhead): refused before the body is read.
    const early = await upload(s, a.id, await bufferOf(generated(3 * MiB, 6)));
    expectQuotaBody(early.status, early.body);
    expect(early.body.error.message).toContain('This upload needs');
    await expectNothingKept(s, a.id, before);

    // Chunked multipart (no length): stopped mid-stream where the quota ends.
    const streamed = await multipartUpload(`${base}/assets/${a.id}/versions`, s.accessToken, 'big.obj', generated(2 * MiB, 7));
    expectQuotaBody(streamed.status, JSON.parse(streamed.body));
    expect(JSON.parse(streamed.body).error.message).toContain('The upload ran past');
    await expectNothingKept(s, a.id, before);

    // tus: the declared Upload-Length is refused at creation.
    const created = await tusCreate(s, a.id, 2 * MiB);
    expectQuotaBody(created.status, JSON.parse(created.body));
    expect(created.headers['content-type']).toMatch(/^application\/json/);
    await expectNothingKept(s, a.id, before);

    // tus: it fitted at creation, the quota shrank before the last byte: refused at the end, the staged upload gone.
    const fits = await tusCreate(s, a.id, 200 * KiB);
    expect(fits.status).toBe(201);
    await setQuota(s.user.studioId, 100 * KiB).expect(200);
    const finished = await tusPatch(s, fits.headers.location!, await bufferOf(generated(200 * KiB, 8)));
    expectQuotaBody(finished.status, JSON.parse(finished.body));
    expect((await tusRequest(`${base}${fits.headers.location!}`, 'HEAD', { Authorization: `Bearer ${s.accessToken}` })).status).toBe(404);
    await expectNothingKept(s, a.id, { ...before, quota: { bytes: 100 * KiB, source: 'studio' }, remainingBytes: 0 });

    // A file over MAX_UPLOAD_BYTES (8 MiB) is the per-file 413 whatever the quota: freeing space cannot help it.
    const overBoth = await upload(s, a.id, await bufferOf(generated(10 * MiB, 13)));
    expect([overBoth.status, overBoth.body.error.code]).toEqual([413, 'FILE_TOO_LARGE']);
    expect((await tusCreate(s, a.id, 9 * MiB)).status).toBe(413);
    await expectNothingKept(s, a.id, { ...before, quota: { bytes: 100 * KiB, source: 'studio' }, remainingBytes: 0 });
    await setQuota(s.user.studioId, 100 * MiB).expect(200);
    const tooBig = await multipartUpload(`${base}/assets/${a.id}/versions`, s.accessToken, 'huge.obj', generated(9 * MiB, 9));
    expect([tooBig.status, JSON.parse(tooBig.body).error.code]).toEqual([413, 'FILE_TOO_LARGE']);
    expect((await tusCreate(s, a.id, 9 * MiB)).status).toBe(413);
    // Back to the deployment's default (none here): the room is unlimited again.
    expect((await h.http.delete(`/admin/studios/${s.user.studioId}/storage-quota`).set(operator).expect(200)).body).toMatchObject({ quota: { bytes: null, source: 'deployment' }, remainingBytes: null });
    await upload(s, a.id, await bufferOf(generated(2 * MiB, 10))).expect(201);
  });

  it('lets uploads racing for the last bytes of the quota, on two API instances, commit only as many as fit: never over, every kept byte counted', async () => {
    const second = await startHarness({ ...driverOverrides, RATE_LIMIT_MAX: '100000', OPERATOR_TOKEN, MAX_UPLOAD_BYTES: '8mb' }, {}, h.identity);
    try {
      const s = await givenStudio(h);
      const size = 100 * KiB;
      const assets = await Promise.all(Array.from({ length: 8 }, (_, i) => newAsset(s, `Race ${i}`)));
      await setQuota(s.user.studioId, 3 * size + size / 2).expect(200);
      // Half through each instance (no shared memory: only the database and storage are common).
      const results = await Promise.all(
        assets.map((a, i) => (i % 2 ? second : h).http.post(`/assets/${a.id}/versions`).set(s.auth).attach('file', Buffer.concat([Buffer.from('v 0 0 0\n'), Buffer.alloc(size - 8, i)]), 'part.obj')),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([201, 201, 201, 507, 507, 507, 507, 507]);
      for (const r of results.filter((x) => x.status === 507)) expectQuotaBody(r.status, r.body);
      expect((await usage(s)).logical).toEqual({ bytes: 3 * size, versions: 3 });
      expect(await h.container.storage.list(`studios/${s.user.studioId}/`)).toHaveLength(3);
      expect(await h.container.models.AssetVersion.countDocuments({ studioId: new Types.ObjectId(s.user.studioId) })).toBe(3);
    } finally {
      await second.close();
    }
  });
});

describe('storage usage: who may read it, the operator\'s quota, purges, the backfill and the query shapes', () => {
  let h: Harness;
  let producer: Session;

  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '100000', OPERATOR_TOKEN, STORAGE_QUOTA_BYTES: '10mb' });
    producer = await givenStudio(h);
  });
  afterAll(() => h.close());

  const botToken = async (scopes: string[], role: 'ARTIST' | 'DIRECTOR' | 'PRODUCER') => {
    const { created } = await givenBotToken(h, producer, scopes, role);
    return { Authorization: `Bearer ${created.token}` };
  };

  it('shows usage to DIRECTORs and PRODUCERs (and their assets:read tokens), refuses ARTISTs and other scopes; each studio sees its own', async () => {
    const a = (await h.http.post('/assets').set(producer.auth).send({ name: 'Mine', type: 'PROP' }).expect(201)).body;
    await h.http.post(`/assets/${a.id}/versions`).set(producer.auth).attach('file', Buffer.from('v 0 0 0\n'), 'mine.obj').expect(201);
    const director = await givenMember(h, producer, 'DIRECTOR');
    const artist = await givenMember(h, producer, 'ARTIST');
    const mine = { studioId: producer.user.studioId, logical: { bytes: 8, versions: 1 }, physical: { bytes: 8, objects: 1 }, reserved: { bytes: 0, uploads: 0 }, quota: { bytes: 10 * MiB, source: 'deployment' }, remainingBytes: 10 * MiB - 8 };
    expect((await h.http.get('/storage/usage').set(director.auth).expect(200)).body).toEqual(mine);
    for (const path of ['/storage/usage', '/storage/usage/assets']) {
      const res = await h.http.get(path).set(artist.auth);
      expect([res.status, res.body.error.code]).toEqual([403, 'FORBIDDEN']);
    }
    expect((await h.http.get('/storage/usage').set(await botToken(['assets:read'], 'DIRECTOR')).expect(200)).body).toEqual(mine);
    const wrongScope = await h.http.get('/storage/usage/assets').set(await botToken(['renders:read'], 'PRODUCER'));
    expect([wrongScope.status, wrongScope.body.error.code]).toEqual([403, 'INSUFFICIENT_SCOPE']);
    expect((await h.http.get('/storage/usage').set(await botToken(['assets:read'], 'ARTIST'))).status).toBe(403);

    const other = await givenStudio(h);
    expect((await h.http.get('/storage/usage').set(other.auth).expect(200)).body).toEqual({ studioId: other.user.studioId, logical: { bytes: 0, versions: 0 }, physical: { bytes: 0, objects: 0 }, reserved: { bytes: 0, uploads: 0 }, quota: { bytes: 10 * MiB, source: 'deployment' }, remainingBytes: 10 * MiB });
    expect((await h.http.get('/storage/usage/assets').set(other.auth).expect(200)).body.data).toEqual([]);
  });

  it('lets only the operator token set or reset a studio\'s quota: a studio\'s own PRODUCER cannot, bad input changes nothing', async () => {
    const s = await givenStudio(h);
    const path = `/admin/studios/${s.user.studioId}/storage-quota`;
    for (const headers of [{}, s.auth, { Authorization: `Basic ${b64(`operator:${OPERATOR_TOKEN}`)}` }, { Authorization: 'Bearer not-the-operator-token-0123456789abcdef' }]) {
      const res = await h.http.put(path).set(headers).send({ quotaBytes: 10 ** 12 });
      expect([res.status, res.body.error.code]).toEqual([401, 'OPERATOR_TOKEN_REQUIRED']);
    }
    const before = await h.container.models.StorageUsage.findById(s.user.studioId).lean();
    for (const body of [{ quotaBytes: -1 }, { quotaBytes: 1.5 }, { quotaBytes: '1gb' }, {}, { quotaBytes: 1, extra: true }]) {
      const res = await h.http.put(path).set({ Authorization: `Bearer ${OPERATOR_TOKEN}` }).send(body);
      expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    }
    expect((await h.http.put(`/admin/studios/${new Types.ObjectId()}/storage-quota`).set({ Authorization: `Bearer ${OPERATOR_TOKEN}` }).send({ quotaBytes: 5 })).status).toBe(404);
    expect((await h.http.put('/admin/studios/not-an-id/storage-quota').set({ Authorization: `Bearer ${OPERATOR_TOKEN}` }).send({ quotaBytes: 5 })).status).toBe(400);
    expect(await h.container.models.StorageUsage.findById(s.user.studioId).lean()).toEqual(before);

    // null: no quota for this studio, whatever the deployment's default.
    expect((await h.http.put(path).set({ Authorization: `Bearer ${OPERATOR_TOKEN}` }).send({ quotaBytes: null }).expect(200)).body).toMatchObject({ quota: { bytes: null, source: 'studio' }, remainingBytes: null });
    expect((await h.http.get('/storage/usage').set(s.auth).expect(200)).body.quota).toEqual({ bytes: null, source: 'studio' });
    expect(h.logs.some((l) => l.message === 'storage quota set by the operator' && l.studioId === s.user.studioId)).toBe(true);
    expect((await h.http.delete(path).set({ Authorization: `Bearer ${OPERATOR_TOKEN}` }).expect(200)).body.quota).toEqual({ bytes: 10 * MiB, source: 'deployment' });
  });

  it('gives an asset\'s bytes back to its studio when asset.purged is emitted', async () => {
    const s = await givenStudio(h);
    const a = (await h.http.post('/assets').set(s.auth).send({ name: 'Doomed', type: 'PROP' }).expect(201)).body;
    await h.http.post(`/assets/${a.id}/versions`).set(s.auth).attach('file', await bufferOf(generated(64 * KiB, 11)), 'one.obj').expect(201);
    await h.http.post(`/assets/${a.id}/versions`).set(s.auth).attach('file', await bufferOf(generated(32 * KiB, 12)), 'two.obj').expect(201);
    const other = await givenStudio(h);
    const o = (await h.http.post('/assets').set(other.auth).send({ name: 'Bystander', type: 'PROP' }).expect(201)).body;
    await h.http.post(`/assets/${o.id}/versions`).set(other.auth).attach('file', Buffer.from('v 1 1 1\n'), 'o.obj').expect(201);
    expect((await h.http.get('/storage/usage').set(s.auth)).body.logical).toEqual({ bytes: 96 * KiB, versions: 2 });

    h.container.events.emit('asset.purged', { studioId: s.user.studioId, actorId: s.user.id, assetId: a.id, versions: 2, bytes: 96 * KiB });
    await waitFor('the purge to be counted', async () => (await h.http.get('/storage/usage').set(s.auth)).body.logical.versions === 0, 5000, 20);
    expect((await h.http.get('/storage/usage').set(s.auth)).body).toMatchObject({ logical: { bytes: 0, versions: 0 }, remainingBytes: 10 * MiB });
    expect((await h.http.get('/storage/usage').set(other.auth)).body.logical).toEqual({ bytes: 8, versions: 1 });
  });

  it('backfills the counters of data from before them (the migration), and converges when re-run', async () => {
    const db = h.container.mongo.db!;
    const studioId = new Types.ObjectId();
    const user = new Types.ObjectId();
    await db.collection('studios').insertOne({ _id: studioId, name: 'Legacy', slug: `legacy-${String(studioId)}`, settings: { autoRender: false } });
    const asset = (name: string) => ({ _id: new Types.ObjectId(), studioId, name, nameLower: name.toLowerCase(), type: 'PROP', description: '', tags: [], status: 'IN_PROGRESS', currentVersion: 1, latestVersion: 1, createdBy: user, updatedBy: user, archivedAt: null, projectId: null, shotId: null, revision: 1 });
    const [x, y, empty] = [asset('X'), asset('Y'), asset('Empty')];
    await db.collection('assets').insertMany([x, y, empty]);
    const version = (assetId: Types.ObjectId, n: number, size: number) => ({ studioId, assetId, version: n, file: { key: `k/${String(assetId)}/${n}`, size, sha256: 'a'.repeat(64), mimeType: 'model/obj', originalName: 'x.obj', verified: true }, changeNote: '', createdBy: user });
    await db.collection('assetversions').insertMany([version(x._id, 1, 1000), version(x._id, 2, 2500), version(y._id, 1, 700)]);

    // The operator set this studio's quota before the migration ran: the backfill keeps it.
    await db.collection<{ _id: Types.ObjectId; bytes: number; versions: number; quota: object }>('storageusages').insertOne({ _id: studioId, bytes: 0, versions: 0, quota: { override: true, bytes: 5000 } });
    expect(await runMigrations(h.container.mongo, h.container.locks)).toContain(STORAGE_USAGE);
    const check = async () => {
      expect(await db.collection('storageusages').findOne({ _id: studioId })).toMatchObject({ bytes: 4200, versions: 3, quota: { override: true, bytes: 5000 } });
      const byId = Object.fromEntries((await db.collection('assets').find({ studioId }).toArray()).map((d) => [String(d._id), d.storage]));
      expect(byId).toEqual({ [String(x._id)]: { bytes: 3500, versions: 2 }, [String(y._id)]: { bytes: 700, versions: 1 }, [String(empty._id)]: { bytes: 0, versions: 0 } });
    };
    await check();
    // A re-run from scratch (its marker gone) computes the same figures.
    await db.collection<{ _id: string }>('migration_progress').deleteOne({ _id: STORAGE_USAGE.replace(/\.js$/, '') });
    await storageUsageMigration.up(db);
    await check();
  });

  it('serves the by-asset listing (first and later pages) from a declared index', () => {
    const indexes = indexKeys(assetSchema);
    const studioId = new Types.ObjectId();
    for (const cursor of [undefined, encodeCursor('storage.bytes', 'desc', 1234, new Types.ObjectId())]) {
      const { filter, sort } = assetUsageQuery(studioId, { limit: 20, cursor });
      const { equality } = filterFields(filter as Record<string, unknown>);
      expect(equality).toEqual(['studioId']);
      expect(sort).toEqual({ 'storage.bytes': -1, _id: -1 });
      expect(servingIndex(indexes, equality, [], sort)).toEqual([['studioId', 1], ['storage.bytes', -1], ['_id', -1]]);
    }
  });
});
