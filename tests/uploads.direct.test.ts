// Direct uploads to S3 (moto on loopback): sessions with presigned part URLs, parallel and retried parts,
// resuming by listing landed parts, completion that verifies and commits through the one version path,
// abort and the sweep of abandoned sessions leaving nothing behind.
import { createHash } from 'node:crypto';
import { startHarness, STORAGE_DRIVERS, type Harness } from './support/harness';
import { givenStudio, type Session } from './support/factories';
import { bufferOf, generated } from './support/uploads';
import { pipelineWorkerFor, waitFor } from './support/workers';
import { S3StorageProvider } from '../src/infra/storage/S3StorageProvider';
import { uploadSessionSchema } from '../src/app/repositories/models/UploadSession';

const MiB = 1024 * 1024;
const PART = 5 * MiB;
const PNG_HEAD = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
const hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface PartDto {
  partNumber: number;
  size: number;
  landed: boolean;
  url?: string;
  checksumSha256: string;
}

/** A PNG-headed file of size bytes and its plan: whole sha256 and the sha256 of each PART-sized piece. */
async function fileOf(size: number, seed: number) {
  // Zeros after the signature keep the sniffer's chunk walk happy; the rest is pseudo-random.
  const bytes = Buffer.concat([PNG_HEAD, Buffer.alloc(5000), await bufferOf(generated(size - PNG_HEAD.length - 5000, seed))]);
  const parts: Buffer[] = [];
  for (let at = 0; at < size; at += PART) parts.push(bytes.subarray(at, Math.min(at + PART, size)));
  return { bytes, sha256: hex(bytes), parts, partSha256: parts.map(hex) };
}

const putPart = (p: PartDto, body: Buffer) => fetch(p.url!, { method: 'PUT', body, headers: { 'x-amz-checksum-sha256': p.checksumSha256 } });

describe('direct uploads to S3', () => {
  let h: Harness;
  let s: Session;
  let other: Session;
  const s3 = () => h.container.storage as S3StorageProvider;

  beforeAll(async () => {
    h = await startHarness({ STORAGE_DRIVER: 's3', RATE_LIMIT_MAX: '100000', MAX_UPLOAD_BYTES: '64mb' });
    s = await givenStudio(h);
    other = await givenStudio(h);
  });
  afterAll(() => h.close());

  const newAsset = async (name: string, who = s) => (await h.http.post('/assets').set(who.auth).send({ name, type: 'TEXTURE' }).expect(201)).body as { id: string };
  const start = (assetId: string, f: Awaited<ReturnType<typeof fileOf>>, fileName = 'plate.png', who = s) =>
    h.http.post(`/assets/${assetId}/uploads`).set(who.auth).send({ fileName, size: f.bytes.length, sha256: f.sha256, partSize: PART, partSha256: f.partSha256, changeNote: 'direct' });

  /** Nothing of a direct upload remains: no version, no consumed number, no object, no open multipart upload. */
  async function expectNothingLeft(assetId: string) {
    expect(await h.container.models.AssetVersion.countDocuments({ assetId })).toBe(0);
    expect(await h.container.models.Asset.findById(assetId).lean()).toMatchObject({ latestVersion: 0, currentVersion: null });
    expect(await s3().list(`studios/${s.user.studioId}/assets/${assetId}/`)).toEqual([]);
    expect(await s3().inProgress(`studios/${s.user.studioId}/assets/${assetId}/`)).toEqual([]);
  }

  it('takes parts in parallel (one sent twice), lists the landed ones for a resume, and completes into v1 whose download matches', async () => {
    const a = await newAsset('Direct Plate');
    const f = await fileOf(3 * PART - 123, 5);
    const started = await start(a.id, f);
    expect(started.status).toBe(201);
    expect(started.headers.location).toBe(`/assets/${a.id}/uploads/${started.body.id}`);
    expect(started.body).toMatchObject({ status: 'OPEN', size: f.bytes.length, partSize: PART, sha256: f.sha256 });
    const parts = started.body.parts as PartDto[];
    expect(parts.map((p) => [p.partNumber, p.size, p.landed])).toEqual([[1, PART, false], [2, PART, false], [3, PART - 123, false]]);

    // Parts 1 and 3 in parallel; part 1 again (a retry after a lost answer): the same bytes land once.
    const sent = await Promise.all([putPart(parts[0]!, f.parts[0]!), putPart(parts[2]!, f.parts[2]!)]);
    expect(sent.map((r) => r.status)).toEqual([200, 200]);
    expect((await putPart(parts[0]!, f.parts[0]!)).status).toBe(200);

    // The client crashed here: asking again says what landed and hands a fresh URL for the rest only.
    const resumed = await h.http.get(`/assets/${a.id}/uploads/${started.body.id}`).set(s.auth).expect(200);
    const rp = resumed.body.parts as PartDto[];
    expect(rp.map((p) => [p.partNumber, p.landed, Boolean(p.url)])).toEqual([[1, true, false], [2, false, true], [3, true, false]]);
    expect((await putPart(rp[1]!, f.parts[1]!)).status).toBe(200);

    const done = await h.http.post(`/assets/${a.id}/uploads/${started.body.id}/complete`).set(s.auth);
    expect([done.status, done.body.error]).toEqual([201, undefined]);
    expect(done.headers.location).toBe(`/assets/${a.id}/versions/1`);
    expect(done.body.version).toMatchObject({ version: 1, changeNote: 'direct', file: { size: f.bytes.length, sha256: f.sha256, mimeType: 'image/png', originalName: 'plate.png', verified: true } });
    expect(done.body.asset).toMatchObject({ latestVersion: 1, currentVersion: 1 });

    const dl = await h.http.get(`/assets/${a.id}/download`).set(s.auth).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(dl.status).toBe(200);
    expect(hex(dl.body as Buffer)).toBe(f.sha256);
    expect(await s3().inProgress(`studios/${s.user.studioId}/`)).toEqual([]);

    const session = await h.http.get(`/assets/${a.id}/uploads/${started.body.id}`).set(s.auth).expect(200);
    expect(session.body).toMatchObject({ status: 'COMPLETED', version: 1, urlsExpireAt: null });
    expect((session.body.parts as PartDto[]).every((p) => p.url === undefined)).toBe(true);
    const again = await h.http.post(`/assets/${a.id}/uploads/${started.body.id}/complete`).set(s.auth);
    expect([again.status, again.body.error.code]).toEqual([409, 'UPLOAD_SESSION_CLOSED']);
  });

  it('refuses to complete while parts are missing, naming them, and completes once they land', async () => {
    const a = await newAsset('Missing Parts');
    const f = await fileOf(2 * PART + 10, 6);
    const started = (await start(a.id, f).expect(201)).body;
    await putPart(started.parts[0], f.parts[0]!);
    const early = await h.http.post(`/assets/${a.id}/uploads/${started.id}/complete`).set(s.auth);
    expect(early.status).toBe(409);
    expect(early.body.error).toMatchObject({ code: 'UPLOAD_PARTS_MISSING', details: [{ path: 'parts.2', message: 'not uploaded' }, { path: 'parts.3', message: 'not uploaded' }] });
    expect(await h.container.models.AssetVersion.countDocuments({ assetId: a.id })).toBe(0);
    await Promise.all([putPart(started.parts[1], f.parts[1]!), putPart(started.parts[2], f.parts[2]!)]);
    const done = await h.http.post(`/assets/${a.id}/uploads/${started.id}/complete`).set(s.auth);
    expect(done.status).toBe(201);
    expect(done.body.version.version).toBe(1);
  });

  it('refuses a part whose size differs from the plan, and keeps the session open for a resend', async () => {
    const a = await newAsset('Wrong Part');
    const f = await fileOf(PART + 100, 7);
    const started = (await start(a.id, f).expect(201)).body;
    await putPart(started.parts[0], f.parts[0]!);
    // moto does not verify x-amz-checksum-sha256 (S3 does, and would refuse this PUT): the size check here catches it.
    await putPart(started.parts[1], Buffer.alloc(99, 1));
    const res = await h.http.post(`/assets/${a.id}/uploads/${started.id}/complete`).set(s.auth);
    expect([res.status, res.body.error.code, res.body.error.details[0].path]).toEqual([409, 'UPLOAD_PARTS_INVALID', 'parts.2']);
    await putPart(started.parts[1], f.parts[1]!);
    expect((await h.http.post(`/assets/${a.id}/uploads/${started.id}/complete`).set(s.auth)).status).toBe(201);
  });

  it('abort mid-way leaves no object, no version, no consumed number and no open multipart upload', async () => {
    const a = await newAsset('Aborted Direct');
    const f = await fileOf(2 * PART, 8);
    const started = (await start(a.id, f).expect(201)).body;
    await putPart(started.parts[0], f.parts[0]!);
    expect(await s3().inProgress(`studios/${s.user.studioId}/assets/${a.id}/`)).toHaveLength(1);
    await h.http.delete(`/assets/${a.id}/uploads/${started.id}`).set(s.auth).expect(204);
    await expectNothingLeft(a.id);
    const after = await h.http.post(`/assets/${a.id}/uploads/${started.id}/complete`).set(s.auth);
    expect([after.status, after.body.error.code]).toEqual([409, 'UPLOAD_SESSION_CLOSED']);
    // Aborting twice is fine; the next version is still v1.
    await h.http.delete(`/assets/${a.id}/uploads/${started.id}`).set(s.auth).expect(204);
    const v = await h.http.post(`/assets/${a.id}/versions`).set(s.auth).attach('file', f.bytes.subarray(0, 1000), 'small.png');
    expect(v.body.version.version).toBe(1);
  });

  it('refuses content that fails sniffing at completion (415), removing the assembled object', async () => {
    const a = await newAsset('Sniffed');
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(1000, 1)]);
    const res = await h.http.post(`/assets/${a.id}/uploads`).set(s.auth).send({ fileName: 'texture.png', size: elf.length, sha256: hex(elf), partSize: PART, partSha256: [hex(elf)] }).expect(201);
    expect((await putPart(res.body.parts[0], elf)).status).toBe(200);
    const done = await h.http.post(`/assets/${a.id}/uploads/${res.body.id}/complete`).set(s.auth);
    expect([done.status, done.body.error.code]).toEqual([415, 'FILE_TYPE_REFUSED']);
    await expectNothingLeft(a.id);
    expect((await h.http.get(`/assets/${a.id}/uploads/${res.body.id}`).set(s.auth)).body).toMatchObject({ status: 'ABORTED', endReason: 'FILE_TYPE_REFUSED' });
  });

  it('records the claimed sha256 and the pipeline re-hash fails a version whose bytes do not match it before READY', async () => {
    const a = await newAsset('Lying Client');
    const f = await fileOf(PART + 1, 9);
    const claimed = 'ab'.repeat(32);
    const started = (await h.http.post(`/assets/${a.id}/uploads`).set(s.auth).send({ fileName: 'plate.png', size: f.bytes.length, sha256: claimed, partSize: PART, partSha256: f.partSha256 }).expect(201)).body;
    await Promise.all(f.parts.map((p, i) => putPart(started.parts[i], p)));
    const done = await h.http.post(`/assets/${a.id}/uploads/${started.id}/complete`).set(s.auth).expect(201);
    expect(done.body.version.file.sha256).toBe(claimed);
    const worker = await pipelineWorkerFor(h);
    try {
      const p = await waitFor('the pipeline to judge the version', async () => {
        const r = await h.http.get(`/assets/${a.id}/versions/1/pipeline`).set(s.auth);
        return ['READY', 'FAILED'].includes(r.body.status) && r.body;
      });
      expect(p.status).toBe('FAILED');
      expect(JSON.stringify(p)).toContain('STORED_OBJECT_CORRUPT');
    } finally {
      await worker.close();
    }
  });

  it('the sweep aborts sessions left open past their expiry', async () => {
    const a = await newAsset('Abandoned');
    const f = await fileOf(PART + 5, 10);
    const started = (await start(a.id, f).expect(201)).body;
    await putPart(started.parts[0], f.parts[0]!);
    expect(await h.container.services.uploadSessions.sweep(new Date())).toBe(0);
    expect(await h.container.services.uploadSessions.sweep(new Date(Date.now() + 25 * 3_600_000))).toBe(1);
    await expectNothingLeft(a.id);
    expect((await h.http.get(`/assets/${a.id}/uploads/${started.id}`).set(s.auth)).body).toMatchObject({ status: 'ABORTED', endReason: 'EXPIRED' });
  });

  it('the sweep removes the object S3 assembled for a session whose instance died inside complete, before its commit', async () => {
    const a = await newAsset('Crashed');
    const f = await fileOf(PART + 5, 11);
    const started = (await start(a.id, f).expect(201)).body as { id: string; parts: PartDto[] };
    for (const [i, p] of started.parts.entries()) expect((await putPart(p, f.parts[i]!)).status).toBe(200);
    // What complete() does up to the commit, done here and then left: the instance died before claiming the object.
    const session = (await h.container.models.UploadSession.findById(started.id).lean())!;
    const landed = await s3().direct.listParts(session.key, session.uploadId);
    await s3().direct.completeMultipart(session.key, session.uploadId, landed.map((p, i) => ({ partNumber: p.partNumber, etag: p.etag, sha256: session.partSha256[i]! })));
    expect(await s3().exists(session.key)).toBe(true);
    expect(await h.container.services.uploadSessions.sweep(new Date(Date.now() + 25 * 3_600_000))).toBe(1);
    await expectNothingLeft(a.id);
    expect((await h.http.get(`/assets/${a.id}/uploads/${started.id}`).set(s.auth)).body).toMatchObject({ status: 'ABORTED', endReason: 'EXPIRED' });
  });

  it('validates the plan: part checksums per part, S3\'s smallest part, the upload limit', async () => {
    const a = await newAsset('Plans');
    const body = { fileName: 'a.png', size: 2 * PART, sha256: 'a'.repeat(64), partSize: PART, partSha256: ['a'.repeat(64)] };
    const count = await h.http.post(`/assets/${a.id}/uploads`).set(s.auth).send(body);
    expect([count.status, count.body.error.code]).toEqual([400, 'PART_CHECKSUMS_MISMATCH']);
    const small = await h.http.post(`/assets/${a.id}/uploads`).set(s.auth).send({ ...body, partSize: MiB, partSha256: Array(10).fill('a'.repeat(64)) });
    expect([small.status, small.body.error.code]).toEqual([400, 'PART_TOO_SMALL']);
    const big = await h.http.post(`/assets/${a.id}/uploads`).set(s.auth).send({ ...body, size: 65 * MiB, partSize: 65 * MiB });
    expect([big.status, big.body.error.code]).toEqual([413, 'FILE_TOO_LARGE']);
    const bad = await h.http.post(`/assets/${a.id}/uploads`).set(s.auth).send({ ...body, sha256: 'nope' });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(await h.container.models.UploadSession.countDocuments({ assetId: a.id })).toBe(0);
    expect(await s3().inProgress(`studios/${s.user.studioId}/assets/${a.id}/`)).toEqual([]);
  });

  it('answers 404 to another studio on every session route, and changes nothing', async () => {
    const a = await newAsset('Private Direct');
    const f = await fileOf(PART + 1, 11);
    const started = (await start(a.id, f).expect(201)).body;
    const base = `/assets/${a.id}/uploads`;
    const answers = [
      await h.http.post(base).set(other.auth).send({ fileName: 'x.png', size: 10, sha256: 'a'.repeat(64), partSize: PART, partSha256: ['a'.repeat(64)] }),
      await h.http.get(`${base}/${started.id}`).set(other.auth),
      await h.http.post(`${base}/${started.id}/complete`).set(other.auth),
      await h.http.delete(`${base}/${started.id}`).set(other.auth),
    ];
    expect(answers.map((r) => [r.status, r.body.error.code])).toEqual(Array(4).fill([404, 'ASSET_NOT_FOUND']));
    // Another studio's own asset with this session id: still not found.
    const theirs = await newAsset('Theirs', other);
    const cross = await h.http.get(`/assets/${theirs.id}/uploads/${started.id}`).set(other.auth);
    expect([cross.status, cross.body.error.code]).toEqual([404, 'UPLOAD_SESSION_NOT_FOUND']);
    expect((await h.http.get(`${base}/${started.id}`).set(s.auth)).body.status).toBe('OPEN');
  });
});

describe('presigned URLs name the endpoint clients reach (S3_PUBLIC_ENDPOINT)', () => {
  let h: Harness;
  // The same moto, reached by another name: the api talks to S3_ENDPOINT, clients get URLs for this one.
  const publicEndpoint = () => {
    const u = new URL(process.env.S3_ENDPOINT!);
    u.hostname = u.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
    return u.toString().replace(/\/$/, '');
  };
  beforeAll(async () => {
    h = await startHarness({ STORAGE_DRIVER: 's3', DOWNLOAD_REDIRECT_TTL_SECONDS: '60', S3_PUBLIC_ENDPOINT: publicEndpoint() });
  });
  afterAll(() => h.close());

  it('signs part URLs and download redirects for S3_PUBLIC_ENDPOINT, and they work there', async () => {
    const s = await givenStudio(h);
    const a = (await h.http.post('/assets').set(s.auth).send({ name: 'Public', type: 'TEXTURE' }).expect(201)).body as { id: string };
    const f = await fileOf(PART + 7, 12);
    const started = (await h.http.post(`/assets/${a.id}/uploads`).set(s.auth).send({ fileName: 'plate.png', size: f.bytes.length, sha256: f.sha256, partSize: PART, partSha256: f.partSha256 }).expect(201)).body as { id: string; parts: PartDto[] };
    for (const p of started.parts) expect(p.url!.startsWith(`${publicEndpoint()}/`)).toBe(true);
    for (const [i, p] of started.parts.entries()) expect((await putPart(p, f.parts[i]!)).status).toBe(200);
    await h.http.post(`/assets/${a.id}/uploads/${started.id}/complete`).set(s.auth).expect(201);
    const res = await h.http.get(`/assets/${a.id}/download`).set(s.auth).redirects(0).expect(302);
    expect(res.headers.location!.startsWith(`${publicEndpoint()}/`)).toBe(true);
    const fetched = await fetch(res.headers.location!);
    expect(hex(Buffer.from(await fetched.arrayBuffer()))).toBe(f.sha256);
  });
});

describe('part URLs are signed by write-only credentials when the deployment has them (S3_UPLOAD_SIGNER_*)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ STORAGE_DRIVER: 's3', DOWNLOAD_REDIRECT_TTL_SECONDS: '60', S3_UPLOAD_SIGNER_ACCESS_KEY_ID: 'studio-part-signer', S3_UPLOAD_SIGNER_SECRET_ACCESS_KEY: 'part-signer-secret-0123456789' });
  });
  afterAll(() => h.close());

  it('binds each part URL to its key, upload, part number and checksum, signs it with the upload signer, and downloads with the api\'s own key', async () => {
    const s = await givenStudio(h);
    const a = (await h.http.post('/assets').set(s.auth).send({ name: 'Signed', type: 'TEXTURE' }).expect(201)).body as { id: string };
    const f = await fileOf(PART + 9, 13);
    const started = (await h.http.post(`/assets/${a.id}/uploads`).set(s.auth).send({ fileName: 'plate.png', size: f.bytes.length, sha256: f.sha256, partSize: PART, partSha256: f.partSha256 }).expect(201)).body as { id: string; parts: PartDto[] };
    const session = (await h.container.models.UploadSession.findById(started.id).lean())!;
    for (const p of started.parts) {
      const url = new URL(p.url!);
      // Path and query are always signed; of the headers, the host and the part's checksum (so S3 takes only those bytes).
      expect([url.pathname.endsWith(`/${session.key}`), url.searchParams.get('uploadId'), url.searchParams.get('partNumber')]).toEqual([true, session.uploadId, String(p.partNumber)]);
      expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-amz-checksum-sha256');
      expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^studio-part-signer\//);
    }
    for (const [i, p] of started.parts.entries()) expect((await putPart(p, f.parts[i]!)).status).toBe(200);
    await h.http.post(`/assets/${a.id}/uploads/${started.id}/complete`).set(s.auth).expect(201);
    const res = await h.http.get(`/assets/${a.id}/download`).set(s.auth).redirects(0).expect(302);
    expect(new URL(res.headers.location!).searchParams.get('X-Amz-Credential')).toMatch(new RegExp(`^${h.config.S3_ACCESS_KEY_ID}/`));
  });
});

describe('downloads redirected to presigned S3 URLs (DOWNLOAD_REDIRECT_TTL_SECONDS)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ STORAGE_DRIVER: 's3', DOWNLOAD_REDIRECT_TTL_SECONDS: '60' });
  });
  afterAll(() => h.close());

  it('authorises in the API, then answers 302 to a short-lived URL that serves the bytes under the file name; other studios get 404', async () => {
    const s = await givenStudio(h);
    const other = await givenStudio(h);
    const a = (await h.http.post('/assets').set(s.auth).send({ name: 'Redirected', type: 'PROP' })).body;
    const bytes = Buffer.from('; FBX 7.4.0 project file\nredirected bytes\n');
    await h.http.post(`/assets/${a.id}/versions`).set(s.auth).attach('file', bytes, 'prop näme.fbx').expect(201);
    const res = await h.http.get(`/assets/${a.id}/versions/1/download`).set(s.auth).redirects(0);
    expect(res.status).toBe(302);
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.headers['content-disposition']).toBeUndefined();
    const fetched = await fetch(res.headers.location!);
    expect(fetched.status).toBe(200);
    expect(hex(Buffer.from(await fetched.arrayBuffer()))).toBe(hex(bytes));
    // The signed URL asks storage to serve the file under its name (S3 honours response-content-disposition;
    // moto ignores it, so the request is what can be checked here).
    expect(new URL(res.headers.location!).searchParams.get('response-content-disposition')).toContain("filename*=UTF-8''prop%20n%C3%A4me.fbx");
    expect(h.logs.some((l) => l.message === 'download redirected to storage' && l.assetId === a.id && l.userId === s.user.id)).toBe(true);
    const foreign = await h.http.get(`/assets/${a.id}/versions/1/download`).set(other.auth).redirects(0);
    expect([foreign.status, foreign.headers.location]).toEqual([404, undefined]);
    // HEAD still answers from the API with the file's headers (no redirect to follow for metadata).
    const head = await h.http.head(`/assets/${a.id}/download`).set(s.auth);
    expect([head.status, head.headers['content-length']]).toEqual([200, String(bytes.length)]);
  });
});

describe.each(STORAGE_DRIVERS.filter(([d]) => d === 'local'))('direct uploads on %s storage', (_driver, overrides) => {
  it('answers 409 DIRECT_UPLOADS_UNAVAILABLE and points at the streamed paths', async () => {
    const h = await startHarness(overrides);
    try {
      const s = await givenStudio(h);
      const a = (await h.http.post('/assets').set(s.auth).send({ name: 'Local', type: 'PROP' })).body;
      const res = await h.http.post(`/assets/${a.id}/uploads`).set(s.auth).send({ fileName: 'a.png', size: 10, sha256: 'a'.repeat(64), partSize: PART, partSha256: ['a'.repeat(64)] });
      expect([res.status, res.body.error.code]).toEqual([409, 'DIRECT_UPLOADS_UNAVAILABLE']);
      expect(await h.container.models.UploadSession.countDocuments({})).toBe(0);
    } finally {
      await h.close();
    }
  });
});

describe('upload session query shapes have an index', () => {
  const indexes = uploadSessionSchema.indexes().map(([keys]) => Object.keys(keys as Record<string, number>).join(','));

  it('serves the tenant-scoped read and the sweep\'s expiry scan from declared indexes', () => {
    // UploadSessionRepository.find: { studioId, assetId, _id }; expired: { status } with a range and sort on expiresAt.
    expect(indexes).toContain('studioId,assetId,_id');
    expect(indexes).toContain('status,expiresAt');
  });
});
