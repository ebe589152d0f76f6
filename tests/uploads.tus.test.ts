import { createHash } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { CompleteMultipartUploadCommand, CopyObjectCommand, HeadObjectCommand, PutObjectCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { startHarness, STORAGE_DRIVERS, type Harness } from './support/harness';
import { givenStudio, type Session } from './support/factories';
import { bufferOf, generated, onReply, stagedUploads } from './support/uploads';
import { createS3Client, S3StorageProvider } from '../src/infra/storage/S3StorageProvider';
import { s3Settings } from '../src/infra/storage';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function request(url: string, method: string, headers: Record<string, string | number>, body?: Buffer, cutAfter?: number, dropWhen?: Promise<unknown>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: { 'Tus-Resumable': '1.0.0', ...headers } });
    onReply(req, resolve, reject);
    req.on('error', (err) => (cutAfter !== undefined ? resolve({ status: 0, headers: {}, body: err.message }) : reject(err)));
    if (body && cutAfter !== undefined) {
      // Send part of the body, then (once dropWhen has resolved) drop the connection like a flaky network would.
      req.write(body.subarray(0, cutAfter), () => void Promise.resolve(dropWhen).catch(() => undefined).then(() => req.destroy()));
    } else {
      req.end(body);
    }
  });
}

describe.each(STORAGE_DRIVERS)('tus resumable uploads (%s storage)', (driver, driverOverrides) => {
  let h: Harness;
  let base: string;
  let s: Session;
  const size = 5 * 1024 * 1024;
  let bytes: Buffer;

  beforeAll(async () => {
    h = await startHarness({ ...driverOverrides, RATE_LIMIT_MAX: '100000' });
    base = await h.listen();
    s = await givenStudio(h);
    bytes = await bufferOf(generated(size, 77));
  });
  afterAll(() => h.close());

  const auth = () => ({ Authorization: `Bearer ${s.accessToken}` });
  const create = (assetId: string, length: number, filename = 'layout.obj', who: Record<string, string> = auth()) =>
    request(`${base}/uploads`, 'POST', { ...who, 'Upload-Length': length, 'Upload-Metadata': `assetId ${b64(assetId)},filename ${b64(filename)},changeNote ${b64('via tus')}` });

  it('resumes an upload interrupted at 40% from the offset HEAD reports and completes it into the next version', async () => {
    const asset = (await h.http.post('/assets').set(s.auth).send({ name: 'Layout', type: 'SHOT' })).body;
    await h.http.post(`/assets/${asset.id}/versions`).set(s.auth).attach('file', Buffer.from('; FBX 7.4.0 project file\n'), 'v1.fbx').expect(201);

    const created = await create(asset.id, size);
    expect(created.status).toBe(201);
    const url = `${base}${created.headers.location}`;
    expect(created.headers.location).toMatch(new RegExp(`^/uploads/${s.user.studioId}-`));

    const cut = Math.floor(size * 0.4);
    const requestId = 'interrupted-patch-0001';
    // Dropped once the app reads the body; then the offset is final only once the app has answered the cut
    // PATCH (to the dead socket): until then the staged file still grows with what was received.
    await request(url, 'PATCH', { ...auth(), 'X-Request-Id': requestId, 'Upload-Offset': 0, 'Content-Type': 'application/offset+octet-stream' }, bytes, cut, h.reading(requestId));
    expect(await h.answered(requestId)).toEqual({ status: 204 });
    const head = await request(url, 'HEAD', auth());
    expect(head.status).toBe(200);
    const offset = Number(head.headers['upload-offset']);
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThanOrEqual(cut);
    expect(await h.container.models.AssetVersion.countDocuments({ assetId: asset.id })).toBe(1);

    const done = await request(url, 'PATCH', { ...auth(), 'Upload-Offset': offset, 'Content-Type': 'application/offset+octet-stream' }, bytes.subarray(offset));
    expect(done.status).toBe(200);
    const result = JSON.parse(done.body);
    expect(result.version).toMatchObject({ version: 2, changeNote: 'via tus', file: { size, sha256: createHash('sha256').update(bytes).digest('hex'), originalName: 'layout.obj' } });
    const dl = await h.http.get(`/assets/${asset.id}/download`).set(s.auth).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(Buffer.compare(dl.body as Buffer, bytes)).toBe(0);
    // The staged copy is gone once the version exists.
    expect(await stagedUploads(h)).toEqual([]);
  });

  it('finishes, on an empty PATCH at its end offset, an upload whose bytes were all staged but whose version was never made', async () => {
    const asset = (await h.http.post('/assets').set(s.auth).send({ name: 'Died Before Commit', type: 'PROP' })).body;
    const data = bytes.subarray(0, 64 * 1024);
    const created = await create(asset.id, data.length);
    const url = `${base}${created.headers.location}`;
    const id = created.headers.location!.split('/').pop()!;
    // What an instance that died right after staging the last byte leaves: every byte staged (on S3 the
    // multipart upload completed into tus/<id>), no version.
    if (driver === 's3') {
      const s3 = createS3Client(s3Settings(h.config));
      const Bucket = h.config.S3_BUCKET!;
      const Key = `tus/${id}`;
      const UploadId = (await s3.send(new HeadObjectCommand({ Bucket, Key: `${Key}.info` }))).Metadata!['upload-id']!;
      const { ETag } = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: data }));
      await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ ETag, PartNumber: 1 }] } }));
      s3.destroy();
    } else {
      writeFileSync(path.join(h.config.TUS_STAGING_DIR, id), data);
    }
    const head = await request(url, 'HEAD', auth());
    expect([head.status, head.headers['upload-offset']]).toEqual([200, String(data.length)]);
    expect(await h.container.models.AssetVersion.countDocuments({ assetId: asset.id })).toBe(0);

    // The SDK resumes from HEAD's offset, so its next PATCH is this one: no bytes, at the end.
    const done = await request(url, 'PATCH', { ...auth(), 'Upload-Offset': data.length, 'Content-Type': 'application/offset+octet-stream' }, Buffer.alloc(0));
    expect([done.status, done.body.slice(0, 200)]).toEqual([200, expect.any(String)]);
    expect(JSON.parse(done.body).version).toMatchObject({ version: 1, file: { size: data.length, sha256: createHash('sha256').update(data).digest('hex') } });
    expect(await stagedUploads(h)).not.toContain(id);
  });

  it('runs the same content checks: a finished upload of an executable becomes no version', async () => {
    const asset = (await h.http.post('/assets').set(s.auth).send({ name: 'Sneaky', type: 'PROP' })).body;
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(1000, 2)]);
    const created = await create(asset.id, elf.length, 'texture.png');
    const res = await request(`${base}${created.headers.location}`, 'PATCH', { ...auth(), 'Upload-Offset': 0, 'Content-Type': 'application/offset+octet-stream' }, elf);
    expect(res.status).toBe(415);
    expect(JSON.parse(res.body).error.code).toBe('FILE_TYPE_REFUSED');
    expect(await h.container.models.AssetVersion.countDocuments({ assetId: asset.id })).toBe(0);
    expect(await h.container.storage.list(`studios/${s.user.studioId}/assets/${asset.id}/`)).toEqual([]);
    // Refused is finished too: the staged bytes are gone.
    expect(await stagedUploads(h)).not.toContain(created.headers.location!.split('/').pop());
  });

  it('requires a token, refuses another studio\'s asset at creation, and hides another studio\'s upload', async () => {
    const asset = (await h.http.post('/assets').set(s.auth).send({ name: 'Guarded', type: 'PROP' })).body;
    expect((await request(`${base}/uploads`, 'POST', { 'Upload-Length': 10 })).status).toBe(401);
    const other = await givenStudio(h);
    const foreign = await create(asset.id, 10, 'x.obj', { Authorization: `Bearer ${other.accessToken}` });
    expect(foreign.status).toBe(404);
    expect(JSON.parse(foreign.body).error.code).toBe('ASSET_NOT_FOUND');
    const mine = await create(asset.id, 10);
    const peek = await request(`${base}${mine.headers.location}`, 'HEAD', { Authorization: `Bearer ${other.accessToken}` });
    expect(peek.status).toBe(404);
    const missingMeta = await request(`${base}/uploads`, 'POST', { ...auth(), 'Upload-Length': 10 });
    expect(missingMeta.status).toBe(400);
  });

  it('answers 404 for any upload id not of the exact generated shape, before the store looks at the disk', async () => {
    const asset = (await h.http.post('/assets').set(s.auth).send({ name: 'Shaped Ids', type: 'PROP' })).body;
    const mine = await create(asset.id, 10);
    expect((await request(`${base}${mine.headers.location}`, 'HEAD', auth())).status).toBe(200);
    const studio = s.user.studioId;
    // Decoded, this climbs out of the staging directory to the repository's package.json, which the file
    // store would read as an upload's metadata (the old answer was 410, where a missing id is 404).
    const climb = path.relative(path.join(h.config.TUS_STAGING_DIR, `${studio}-`), path.resolve(__dirname, '..', 'package'));
    const traversal = `${studio}-${encodeURIComponent(`/${climb}`)}`;
    // A real staged upload copied under ids of the wrong shape (short, upper-case): the store would find and
    // serve these, so only the shape check keeps them out.
    const mineId = mine.headers.location!.split('/').pop()!;
    const planted = [`${studio}-${mineId.slice(-31)}`, `${studio}-${mineId.split('-')[1]!.toUpperCase()}`];
    for (const id of planted) {
      if (driver === 's3') {
        // The S3 store finds an upload by its `.info` object (its upload-id rides along in the object's metadata).
        const s3 = createS3Client(s3Settings(h.config));
        await s3.send(new CopyObjectCommand({ Bucket: h.config.S3_BUCKET!, CopySource: `${h.config.S3_BUCKET}/tus/${mineId}.info`, Key: `tus/${id}.info` }));
        s3.destroy();
        continue;
      }
      copyFileSync(path.join(h.config.TUS_STAGING_DIR, mineId), path.join(h.config.TUS_STAGING_DIR, id));
      const meta = JSON.parse(readFileSync(path.join(h.config.TUS_STAGING_DIR, `${mineId}.json`), 'utf8')) as { id: string };
      writeFileSync(path.join(h.config.TUS_STAGING_DIR, `${id}.json`), JSON.stringify({ ...meta, id }));
    }
    expect(await stagedUploads(h)).toEqual(expect.arrayContaining(planted));
    for (const id of [traversal, ...planted, `${studio}-${'0'.repeat(32)}%00`]) {
      const res = await request(`${base}/uploads/${id}`, 'HEAD', auth());
      expect({ id, status: res.status }).toEqual({ id, status: 404 });
    }
  });

  it('follows the API\'s CORS policy: no origin is allowed unless CORS_ORIGINS names it', async () => {
    const asset = (await h.http.post('/assets').set(s.auth).send({ name: 'Cross Origin', type: 'PROP' })).body;
    const res = await create(asset.id, 10, 'x.obj', { ...auth(), Origin: 'https://evil.example' });
    expect(res.status).toBe(201);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const h2 = await startHarness({ CORS_ORIGINS: 'https://studio.example' });
    try {
      const base2 = await h2.listen();
      const p = await givenStudio(h2);
      const a2 = (await h2.http.post('/assets').set(p.auth).send({ name: 'Allowed Origin', type: 'PROP' })).body;
      const meta = `assetId ${b64(a2.id)},filename ${b64('a.obj')}`;
      const allowed = await request(`${base2}/uploads`, 'POST', { Authorization: `Bearer ${p.accessToken}`, Origin: 'https://studio.example', 'Upload-Length': 10, 'Upload-Metadata': meta });
      expect(allowed.headers['access-control-allow-origin']).toBe('https://studio.example');
      const refused = await request(`${base2}/uploads`, 'POST', { Authorization: `Bearer ${p.accessToken}`, Origin: 'https://evil.example', 'Upload-Length': 10, 'Upload-Metadata': meta });
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await h2.close();
    }
  });

  it('removes expired incomplete uploads with the bytes they had received (on S3 also a finished upload left behind), and nothing else', async () => {
    const h2 = await startHarness({ ...driverOverrides, TUS_EXPIRATION_HOURS: '0.001' }); // 3.6 s (S3 dates uploads to the second)
    try {
      const base2 = await h2.listen();
      const p = await givenStudio(h2);
      const asset = (await h2.http.post('/assets').set(p.auth).send({ name: 'Stale', type: 'PROP' })).body;
      const created = await request(`${base2}/uploads`, 'POST', { Authorization: `Bearer ${p.accessToken}`, 'Upload-Length': 100, 'Upload-Metadata': `assetId ${b64(asset.id)},filename ${b64('a.obj')}` });
      expect(created.status).toBe(201);
      // Half the bytes: on S3 they wait in a `.part` object (shorter than a part), which must go too.
      const half = await request(`${base2}${created.headers.location}`, 'PATCH', { Authorization: `Bearer ${p.accessToken}`, 'Upload-Offset': 0, 'Content-Type': 'application/offset+octet-stream' }, bytes.subarray(0, 50));
      expect(half.status).toBe(204);
      const id = created.headers.location!.split('/').pop()!;
      expect(await stagedUploads(h2)).toEqual([id]);
      // Not yet expired: the sweep keeps it.
      expect(await h2.container.tus.cleanUpExpired()).toBe(0);
      expect(await stagedUploads(h2)).toEqual([id]);
      // What else lives in the deployment's storage is not the sweep's: a version's object, and on S3 (one
      // bucket) a direct upload session's open multipart upload, as old as the tus upload.
      const kept = (await h2.http.post('/assets').set(p.auth).send({ name: 'Kept', type: 'PROP' })).body;
      await h2.http.post(`/assets/${kept.id}/versions`).set(p.auth).attach('file', Buffer.from('# Wavefront OBJ\nv 0 0 0\n'), 'kept.obj').expect(201);
      if (driver === 's3') {
        const file = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(84)]);
        const sha = createHash('sha256').update(file).digest('hex');
        await h2.http.post(`/assets/${kept.id}/uploads`).set(p.auth).send({ fileName: 'kept.png', size: file.length, sha256: sha, partSize: 5 * 1024 * 1024, partSha256: [sha] }).expect(201);
      }
      const others = async () => ({
        objects: await h2.container.storage.list(`studios/${p.user.studioId}/`),
        open: h2.container.storage instanceof S3StorageProvider ? await h2.container.storage.inProgress(`studios/${p.user.studioId}/`) : [],
      });
      const before = await others();
      expect(before.objects).toHaveLength(1);
      expect(before.open).toHaveLength(driver === 's3' ? 1 : 0);
      // On S3, also what an instance that died between completing an upload and committing its version
      // leaves: the completed object and its `.info`, with no multipart upload open any more.
      const leftover = `${p.user.studioId}-${'e'.repeat(32)}`;
      if (driver === 's3') {
        const s3 = createS3Client(s3Settings(h2.config));
        for (const Key of [`tus/${leftover}`, `tus/${leftover}.info`]) await s3.send(new PutObjectCommand({ Bucket: h2.config.S3_BUCKET!, Key, Body: 'left over' }));
        s3.destroy();
        expect(await stagedUploads(h2)).toEqual([id, leftover].sort());
      }
      await new Promise((r) => setTimeout(r, 4000));
      const removed = await h2.container.tus.cleanUpExpired();
      expect(removed).toBe(driver === 's3' ? 2 : 1);
      expect(await stagedUploads(h2)).toEqual([]);
      expect(await others()).toEqual(before);
      const head = await request(`${base2}${created.headers.location}`, 'HEAD', { Authorization: `Bearer ${p.accessToken}` });
      expect([404, 410]).toContain(head.status);
    } finally {
      await h2.close();
    }
  });
});
