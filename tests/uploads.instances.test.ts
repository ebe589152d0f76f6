// Two API instances of one deployment (same database, Redis prefix and bucket; no shared memory): an upload
// started on one resumes and completes on the other, over tus and over a direct multipart session.
// S3 only: local tus staging is one machine's disk (README: tus resumes on any instance only with S3), and
// direct uploads exist only on S3, so there is nothing to show on the local driver.
import { createHash } from 'node:crypto';
import http from 'node:http';
import { startHarness, type Harness } from './support/harness';
import { givenStudio, type Session } from './support/factories';
import { bufferOf, generated, onReply, stagedUploads } from './support/uploads';
import { S3StorageProvider } from '../src/infra/storage/S3StorageProvider';

const MiB = 1024 * 1024;
const b64 = (s: string) => Buffer.from(s).toString('base64');
const hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const octets = { 'Content-Type': 'application/offset+octet-stream' };

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A tus request over a real socket. With `hold`, only `hold.bytes` of the body are sent, then the request
 * waits for `hold.until` and is destroyed (cut) or left open without another byte (stalled) until then.
 */
function tus(url: string, method: string, headers: Record<string, string | number>, body?: Buffer, hold?: { bytes: number; after: Promise<unknown> }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: { 'Tus-Resumable': '1.0.0', ...headers } });
    onReply(req, resolve, reject);
    req.on('error', (err) => (hold ? resolve({ status: 0, headers: {}, body: err.message }) : reject(err)));
    if (body && hold) req.write(body.subarray(0, hold.bytes), () => void hold.after.catch(() => undefined).then(() => req.destroy()));
    else req.end(body);
  });
}

async function download(h: Harness, s: Session, assetId: string, version: number): Promise<Buffer> {
  const res = await h.http.get(`/assets/${assetId}/versions/${version}/download`).set(s.auth).buffer(true).parse((r, cb) => {
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c));
    r.on('end', () => cb(null, Buffer.concat(chunks)));
  });
  expect(res.status).toBe(200);
  return res.body as Buffer;
}

describe('two API instances of one deployment on S3: an upload started on one completes on the other', () => {
  let h1: Harness;
  let h2: Harness;
  let base1: string;
  let base2: string;
  let s: Session;
  const overrides = { STORAGE_DRIVER: 's3', RATE_LIMIT_MAX: '100000', MAX_UPLOAD_BYTES: '64mb', TUS_S3_PART_SIZE: '5mib' };

  beforeAll(async () => {
    h1 = await startHarness(overrides);
    h2 = await startHarness(overrides, {}, h1.identity);
    base1 = await h1.listen();
    base2 = await h2.listen();
    s = await givenStudio(h1);
  });
  afterAll(async () => {
    await h2?.close();
    await h1?.close();
  });

  const auth = () => ({ Authorization: `Bearer ${s.accessToken}` });
  const newAsset = async (name: string) => (await h1.http.post('/assets').set(s.auth).send({ name, type: 'SHOT' }).expect(201)).body as { id: string };
  const create = (base: string, assetId: string, length: number) =>
    tus(`${base}/uploads`, 'POST', { ...auth(), 'Upload-Length': length, 'Upload-Metadata': `assetId ${b64(assetId)},filename ${b64('layout.obj')},changeNote ${b64('two instances')}` });
  const s3 = () => h1.container.storage as S3StorageProvider;

  it('resumes on instance 2 a tus upload cut at 40% on instance 1 (one S3 part and a tail staged), into v1 whose download matches', async () => {
    const size = 16 * MiB;
    const bytes = await bufferOf(generated(size, 2101));
    const asset = await newAsset('Across Instances');
    const created = await create(base1, asset.id, size);
    expect(created.status).toBe(201);
    const location = created.headers.location!;

    const cut = Math.floor(size * 0.4);
    const requestId = 'instances-cut-0001';
    const cutReply = await tus(`${base1}${location}`, 'PATCH', { ...auth(), ...octets, 'X-Request-Id': requestId, 'Upload-Offset': 0 }, bytes, { bytes: cut, after: h1.reading(requestId) });
    expect(cutReply.status).toBe(0); // the client saw no answer: its connection died
    // Instance 1 has stored what it received (a 5 MiB part, the rest as a tail) once it answered the dead socket.
    expect(await h1.answered(requestId, 30_000)).toEqual({ status: 204 });
    expect(await s3().inProgress('tus/')).toHaveLength(1);

    // Instance 2 never saw this upload: it learns the offset from the bucket.
    const head = await tus(`${base2}${location}`, 'HEAD', auth());
    expect(head.status).toBe(200);
    const offset = Number(head.headers['upload-offset']);
    expect(offset).toBeGreaterThan(5 * MiB);
    expect(offset).toBeLessThanOrEqual(cut);
    expect(await h1.container.models.AssetVersion.countDocuments({ assetId: asset.id })).toBe(0);

    const done = await tus(`${base2}${location}`, 'PATCH', { ...auth(), ...octets, 'Upload-Offset': offset }, bytes.subarray(offset));
    expect([done.status, done.body.slice(0, 300)]).toEqual([200, expect.any(String)]);
    const { version } = JSON.parse(done.body) as { version: { version: number; file: { size: number; sha256: string } } };
    expect(version).toMatchObject({ version: 1, changeNote: 'two instances', file: { size, sha256: hex(bytes) } });
    expect(hex(await download(h1, s, asset.id, 1))).toBe(hex(bytes));
    // Nothing staged is left: no object and no open multipart upload under tus/.
    expect(await stagedUploads(h1)).toEqual([]);
  });

  it('asks a PATCH stalled on instance 1 to let go when the client resumes on instance 2 (the lock in Redis), then completes there', async () => {
    const size = 6 * MiB;
    const bytes = await bufferOf(generated(size, 2102));
    const asset = await newAsset('Stalled Elsewhere');
    const location = (await create(base1, asset.id, size)).headers.location!;
    const requestId = 'instances-stalled-0001';
    let dropStalled!: () => void;
    const dropped = new Promise<void>((r) => (dropStalled = r));
    // 2 MiB sent, then the connection stays open without another byte (a half-open connection, as after a
    // network change): instance 1 holds the upload's lock for as long as that request lives.
    const stalled = tus(`${base1}${location}`, 'PATCH', { ...auth(), ...octets, 'X-Request-Id': requestId, 'Upload-Offset': 0 }, bytes, { bytes: 2 * MiB, after: dropped });
    await h1.reading(requestId);

    // Instance 2's HEAD needs the lock: its release request reaches instance 1 through Redis, which ends the
    // stalled request (after @tus/server's drain delay) well before the lock wait's 30 s timeout.
    const head = await tus(`${base2}${location}`, 'HEAD', auth());
    expect(head.status).toBe(200);
    expect(await h1.answered(requestId)).toEqual({ status: 204 });
    const offset = Number(head.headers['upload-offset']);
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThanOrEqual(2 * MiB);

    const done = await tus(`${base2}${location}`, 'PATCH', { ...auth(), ...octets, 'Upload-Offset': offset }, bytes.subarray(offset));
    expect(done.status).toBe(200);
    expect(JSON.parse(done.body).version).toMatchObject({ version: 1, file: { size, sha256: hex(bytes) } });
    dropStalled();
    await stalled;
    expect(hex(await download(h2, s, asset.id, 1))).toBe(hex(bytes));
    expect(await stagedUploads(h1)).toEqual([]);
  });

  it('completes on instance 2 a direct multipart session opened on instance 1 that landed some parts', async () => {
    const PART = 5 * MiB;
    const PNG_HEAD = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
    const size = 3 * PART - 77;
    const bytes = Buffer.concat([PNG_HEAD, Buffer.alloc(5000), await bufferOf(generated(size - PNG_HEAD.length - 5000, 2103))]);
    const parts = [0, 1, 2].map((i) => bytes.subarray(i * PART, Math.min((i + 1) * PART, size)));
    const asset = await newAsset('Direct Across Instances');
    const started = await h1.http
      .post(`/assets/${asset.id}/uploads`)
      .set(s.auth)
      .send({ fileName: 'plate.png', size, sha256: hex(bytes), partSize: PART, partSha256: parts.map(hex), changeNote: 'direct, two instances' });
    expect(started.status).toBe(201);
    type PartDto = { partNumber: number; landed: boolean; url?: string; checksumSha256: string };
    const put = (p: PartDto, body: Buffer) => fetch(p.url!, { method: 'PUT', body, headers: { 'x-amz-checksum-sha256': p.checksumSha256 } });
    // Instance 1's client sends part 1, then dies.
    expect((await put(started.body.parts[0] as PartDto, parts[0]!)).status).toBe(200);

    // The client comes back through instance 2: it lists what landed and gets URLs for the rest.
    const listed = await h2.http.get(`/assets/${asset.id}/uploads/${started.body.id}`).set(s.auth).expect(200);
    const rest = listed.body.parts as PartDto[];
    expect(rest.map((p) => [p.partNumber, p.landed, Boolean(p.url)])).toEqual([[1, true, false], [2, false, true], [3, false, true]]);
    expect((await Promise.all([put(rest[1]!, parts[1]!), put(rest[2]!, parts[2]!)])).map((r) => r.status)).toEqual([200, 200]);
    const done = await h2.http.post(`/assets/${asset.id}/uploads/${started.body.id}/complete`).set(s.auth);
    expect([done.status, done.body.error]).toEqual([201, undefined]);
    expect(done.body.version).toMatchObject({ version: 1, changeNote: 'direct, two instances', file: { size, sha256: hex(bytes) } });
    expect(hex(await download(h1, s, asset.id, 1))).toBe(hex(bytes));
    expect(await s3().inProgress(`studios/${s.user.studioId}/`)).toEqual([]);
  });
});
