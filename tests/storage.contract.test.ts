// One storage contract, run against both providers: local disk and S3 (a real S3-compatible server on loopback: moto).
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { loadConfig } from '../src/config/env';
import { EMBEDDED_S3_CREDENTIALS } from '../src/infra/embedded/s3';
import { createStorage } from '../src/infra/storage';
import { LocalStorageProvider } from '../src/infra/storage/LocalStorageProvider';
import { createS3Client, S3StorageProvider } from '../src/infra/storage/S3StorageProvider';
import { objectKey, storageFailure, type StorageProvider } from '../src/infra/storage/StorageProvider';
import { NotFoundError, PayloadTooLargeError, StorageError, ValidationError } from '../src/shared/errors';
import { bufferOf, generated, sha256Of } from './support/uploads';

const MiB = 1024 * 1024;
const BUCKET = 'studio-test';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * Bytes made only when the consumer pulls them (so backpressure and early stops are observable through
 * `produced`); `at.run` fires once, after `at.bytes` bytes, to fail or cancel the write mid-way.
 */
class Source extends Readable {
  produced = 0;
  private fired = false;

  constructor(
    private readonly size: number,
    private readonly at?: { bytes: number; run: (s: Source) => void },
  ) {
    super({ highWaterMark: 256 * 1024 });
  }

  override _read(): void {
    if (this.at && !this.fired && this.produced >= this.at.bytes) {
      this.fired = true;
      this.at.run(this);
      if (this.destroyed) return;
    }
    if (this.produced >= this.size) {
      this.push(null);
      return;
    }
    const n = Math.min(256 * 1024, this.size - this.produced);
    this.produced += n;
    this.push(Buffer.alloc(n, this.produced % 251));
  }
}

/** True when err is original, or a wrapper whose cause chain reaches it (the contract allows either). */
function isOrWraps(err: unknown, original: Error): boolean {
  for (let e = err; e; e = (e as { cause?: unknown }).cause) if (e === original) return true;
  return false;
}

const within = <T>(ms: number, what: string, p: Promise<T>): Promise<T> =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms).unref())]);

/** Descriptors this process holds open on a file (Linux only; elsewhere nothing can be said). */
function descriptorsOpenOn(file: string): number {
  if (!existsSync('/proc/self/fd')) return 0;
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === file;
    } catch {
      return false;
    }
  }).length;
}

function partialFilesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.partial'));
}

interface Subject {
  storage: StorageProvider;
  /** What the backing store still holds for a prefix beyond complete objects: temp files, in-progress multipart uploads. */
  leftovers(prefix: string): Promise<string[]>;
  /** Multipart uploads begun under a prefix (S3 only), to show a failure test really had one in progress. */
  multipartStarted?(prefix: string): number;
  /** Where an object's bytes live on disk (local only). */
  fileOf?(key: string): string;
  /** The same provider over a backend that refuses every write: a root under a regular file, a bucket that does not exist. */
  broken: StorageProvider;
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'studio-storage-'));
const localRoot = path.join(tmp, 'local');
// The S3-compatible server globalSetup started (moto), or the one S3_ENDPOINT names.
const s3Endpoint = process.env.S3_ENDPOINT!;
const credentials = {
  accessKeyId: process.env.S3_ACCESS_KEY_ID ?? EMBEDDED_S3_CREDENTIALS.accessKeyId,
  secretAccessKey: process.env.S3_SECRET_ACCESS_KEY ?? EMBEDDED_S3_CREDENTIALS.secretAccessKey,
};
const subjects: Record<string, Subject> = {};

beforeAll(async () => {
  subjects.local = {
    storage: new LocalStorageProvider({ root: localRoot }),
    leftovers: async (prefix) => partialFilesUnder(path.join(localRoot, ...prefix.split('/').filter(Boolean))),
    fileOf: (key) => path.join(localRoot, ...key.split('/')),
    broken: new LocalStorageProvider({ root: path.join(tmp, 'not-a-directory', 'root') }),
  };
  writeFileSync(path.join(tmp, 'not-a-directory'), 'a regular file where a directory should be');

  const client = createS3Client({ region: 'us-east-1', endpoint: s3Endpoint, ...credentials, forcePathStyle: true });
  // Records, on the real client and without changing any request, which multipart uploads were begun, so a
  // failure test can show it really had one in progress (not a single PUT that never started).
  const started = new Map<string, string>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Key?: string };
      const result = await next(args);
      const uploadId = (result.output as { UploadId?: string }).UploadId;
      if (context.commandName === 'CreateMultipartUploadCommand' && uploadId && input.Key) started.set(uploadId, input.Key);
      return result;
    },
    { step: 'initialize', name: 'recordMultipartUploads' },
  );
  const storage = new S3StorageProvider({ bucket: BUCKET, client });
  await storage.ensureBucket();
  subjects.s3 = {
    storage,
    // The server's own answer: multipart uploads still in progress (none may survive a failed write).
    leftovers: async (prefix) => {
      const res = await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: prefix }));
      return (res.Uploads ?? []).map((u) => `${u.Key} (multipart upload ${u.UploadId})`);
    },
    multipartStarted: (prefix) => [...started.values()].filter((k) => k.startsWith(prefix)).length,
    broken: new S3StorageProvider({ bucket: 'no-such-bucket', client }),
  };
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe.each([
  ['LocalStorageProvider', 'local'],
  ['S3StorageProvider', 's3'],
])('storage contract: %s', (_name, id) => {
  const subject = () => subjects[id]!;
  const st = () => subject().storage;
  let n = 0;
  const prefix = () => `contract/${id}/t${++n}`;

  async function expectNothingLeft(p: string, key: string): Promise<void> {
    expect(await st().exists(key)).toBe(false);
    expect(await st().stat(key)).toBeNull();
    expect(await st().list(`${p}/`)).toEqual([]);
    expect(await subject().leftovers(`${p}/`)).toEqual([]);
  }

  /** Proves a failure test hit S3 with a multipart upload in progress, not a single PUT that never started. */
  function expectMultipartWasInProgress(p: string): void {
    if (subject().multipartStarted) expect(subject().multipartStarted!(`${p}/`)).toBeGreaterThan(0);
  }

  it('returns the exact size and sha256 of the streamed bytes, and reads back the same bytes', async () => {
    const p = prefix();
    const bytes = await bufferOf(generated(1_000_003, 11));
    const stored = await st().write(`${p}/a.bin`, generated(1_000_003, 11), { contentType: 'application/octet-stream' });
    expect(stored).toEqual({ key: `${p}/a.bin`, size: bytes.length, sha256: sha(bytes) });
    expect(sha(await bufferOf(await st().read(`${p}/a.bin`)))).toBe(sha(bytes));
  });

  it('stores an empty stream as an empty object', async () => {
    const p = prefix();
    expect(await st().write(`${p}/empty.bin`, Readable.from([]))).toEqual({ key: `${p}/empty.bin`, size: 0, sha256: sha(Buffer.alloc(0)) });
    expect((await bufferOf(await st().read(`${p}/empty.bin`))).length).toBe(0);
    expect((await st().stat(`${p}/empty.bin`))?.size).toBe(0);
  });

  it('round-trips a 20 MiB stream generated on the fly, across several multipart parts', async () => {
    const p = prefix();
    const size = 20 * MiB + 17;
    const stored = await st().write(`${p}/big.bin`, generated(size, 5));
    const expected = await sha256Of(generated(size, 5));
    expect(stored).toEqual({ key: `${p}/big.bin`, size, sha256: expected });
    expect(await sha256Of(await st().read(`${p}/big.bin`))).toBe(expected);
    expect((await st().stat(`${p}/big.bin`))?.size).toBe(size);
    expectMultipartWasInProgress(p);
  });

  it('reads exact inclusive byte ranges: the first byte, the last 500, a middle slice and the whole', async () => {
    const p = prefix();
    const bytes = await bufferOf(generated(100_000, 3));
    await st().write(`${p}/r.bin`, Readable.from([bytes]));
    const ranges: Array<[number, number]> = [[0, 0], [bytes.length - 500, bytes.length - 1], [12_345, 54_321], [0, bytes.length - 1]];
    for (const [start, end] of ranges) {
      const got = await bufferOf(await st().read(`${p}/r.bin`, { start, end }));
      expect({ start, end, length: got.length }).toEqual({ start, end, length: end - start + 1 });
      expect(got.equals(bytes.subarray(start, end + 1))).toBe(true);
    }
  });

  it('stats, checks existence, lists by prefix and deletes idempotently', async () => {
    const p = prefix();
    const before = Date.now();
    await st().write(`${p}/x/one.bin`, Readable.from([Buffer.from('one')]));
    await st().write(`${p}/x/two.bin`, Readable.from([Buffer.from('two!')]));
    await st().write(`${p}/xy/three.bin`, Readable.from([Buffer.from('3')]));
    const after = Date.now();

    const stat = await st().stat(`${p}/x/two.bin`);
    expect(stat).toMatchObject({ key: `${p}/x/two.bin`, size: 4 });
    // S3's Last-Modified has whole-second resolution.
    expect(stat!.lastModified.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(stat!.lastModified.getTime()).toBeLessThanOrEqual(after + 1000);
    expect(await st().stat(`${p}/x/none.bin`)).toBeNull();
    expect(await st().exists(`${p}/x/one.bin`)).toBe(true);
    expect(await st().exists(`${p}/x/none.bin`)).toBe(false);
    // A "directory" is a prefix, not an object.
    expect(await st().exists(`${p}/x`)).toBe(false);

    expect(await st().list(`${p}/x/`)).toEqual([`${p}/x/one.bin`, `${p}/x/two.bin`]);
    expect(await st().list(`${p}/x`)).toEqual([`${p}/x/one.bin`, `${p}/x/two.bin`, `${p}/xy/three.bin`]);
    expect(await st().list(`${p}/x/t`)).toEqual([`${p}/x/two.bin`]);
    expect(await st().list(`${p}/nothing/`)).toEqual([]);

    await st().delete(`${p}/x/one.bin`);
    await st().delete(`${p}/x/one.bin`);
    await st().delete(`${p}/x/never-was.bin`);
    expect(await st().exists(`${p}/x/one.bin`)).toBe(false);
    expect(await st().list(`${p}/`)).toEqual([`${p}/x/two.bin`, `${p}/xy/three.bin`]);
  });

  it('accepts a stream of exactly maxBytes and refuses one byte more', async () => {
    const p = prefix();
    expect((await st().write(`${p}/exact.bin`, Readable.from([Buffer.alloc(1000, 1)]), { maxBytes: 1000 })).size).toBe(1000);
    await expect(st().write(`${p}/over.bin`, Readable.from([Buffer.alloc(1001, 1)]), { maxBytes: 1000 })).rejects.toMatchObject({ code: 'FILE_TOO_LARGE' });
    expect(await st().list(`${p}/`)).toEqual([`${p}/exact.bin`]);
  });

  it('refuses a stream over maxBytes with FILE_TOO_LARGE as soon as the limit is crossed, and keeps nothing', async () => {
    const p = prefix();
    const maxBytes = 10 * MiB;
    const source = new Source(1024 * MiB);
    const err = await st().write(`${p}/big.bin`, source, { maxBytes }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    expect(err).toMatchObject({ code: 'FILE_TOO_LARGE', status: 413 });
    // Stopped at the limit, not after reading the whole gigabyte.
    expect(source.produced).toBeLessThanOrEqual(maxBytes + 2 * MiB);
    expect(source.destroyed).toBe(true);
    await expectNothingLeft(p, `${p}/big.bin`);
    expectMultipartWasInProgress(p);
  });

  it('rejects and keeps nothing when the source stream fails half-way', async () => {
    const p = prefix();
    const wentAway = new Error('client went away');
    const source = new Source(1024 * MiB, { bytes: 12 * MiB, run: (s) => s.destroy(wentAway) });
    const err = await st().write(`${p}/half.bin`, source).catch((e: unknown) => e);
    expect(isOrWraps(err, wentAway)).toBe(true);
    await expectNothingLeft(p, `${p}/half.bin`);
    expectMultipartWasInProgress(p);
  });

  it('rejects and keeps nothing when the caller aborts mid-write', async () => {
    const p = prefix();
    const ac = new AbortController();
    const cancelled = new Error('cancelled by the user');
    const source = new Source(1024 * MiB, { bytes: 12 * MiB, run: () => ac.abort(cancelled) });
    const err = await st().write(`${p}/aborted.bin`, source, { signal: ac.signal }).catch((e: unknown) => e);
    expect(isOrWraps(err, cancelled)).toBe(true);
    expect(source.produced).toBeLessThanOrEqual(12 * MiB + 2 * MiB);
    expect(source.destroyed).toBe(true);
    await expectNothingLeft(p, `${p}/aborted.bin`);
    expectMultipartWasInProgress(p);
  });

  it('rejects at once, reading nothing, when the signal is already aborted', async () => {
    const p = prefix();
    const cancelled = new Error('cancelled before it started');
    const source = new Source(10 * MiB);
    const err = await st().write(`${p}/never.bin`, source, { signal: AbortSignal.abort(cancelled) }).catch((e: unknown) => e);
    expect(isOrWraps(err, cancelled)).toBe(true);
    expect(source.destroyed).toBe(true);
    await expectNothingLeft(p, `${p}/never.bin`);
  });

  it('fails with STORAGE_FAILED, carrying the cause, and stops reading the source when the backend refuses the write', async () => {
    const source = new Source(1024 * MiB);
    const err = await within(10_000, 'the refused write', subject().broken.write('contract/refused/x.bin', source)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect(err).toMatchObject({ code: 'STORAGE_FAILED', status: 500 });
    // Not toBeInstanceOf(Error): Node's own errors come from another realm than Jest's.
    expect((err as Error).cause).toMatchObject({ message: expect.any(String) });
    expect(source.destroyed).toBe(true);
    expect(source.produced).toBeLessThan(32 * MiB);
  });

  const badKeys = ['..', '../etc/passwd', 'a/../b', 'a/./b', '/abs/key', 'a//b', 'a/', '', 'sp ace/x', 'ok/.hidden', 'ok/-dash', 'back\\slash', 'nul\0byte', 'uni/ü.bin', 'C:/windows', 'a/%2e%2e', 'x'.repeat(201)];
  it.each(badKeys)('refuses the key %j in every method with INVALID_STORAGE_KEY', async (key) => {
    const source = new Source(1024);
    await expect(st().write(key, source)).rejects.toMatchObject({ code: 'INVALID_STORAGE_KEY', status: 400 });
    expect(source.produced).toBe(0);
    await expect(st().read(key)).rejects.toMatchObject({ code: 'INVALID_STORAGE_KEY' });
    await expect(st().read(key, { start: 0, end: 0 })).rejects.toMatchObject({ code: 'INVALID_STORAGE_KEY' });
    await expect(st().stat(key)).rejects.toMatchObject({ code: 'INVALID_STORAGE_KEY' });
    await expect(st().exists(key)).rejects.toMatchObject({ code: 'INVALID_STORAGE_KEY' });
    await expect(st().delete(key)).rejects.toMatchObject({ code: 'INVALID_STORAGE_KEY' });
  });

  it.each(['..', '../', '/abs', 'a//', 'a/../b', 'ok/.hid'])('refuses the list prefix %j with INVALID_STORAGE_KEY', async (bad) => {
    await expect(st().list(bad)).rejects.toMatchObject({ code: 'INVALID_STORAGE_KEY' });
  });

  it('answers a missing key with OBJECT_NOT_FOUND on read, null on stat, false on exists', async () => {
    const key = `${prefix()}/missing.bin`;
    const err = await st().read(key).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toMatchObject({ code: 'OBJECT_NOT_FOUND', status: 404 });
    await expect(st().read(key, { start: 0, end: 9 })).rejects.toMatchObject({ code: 'OBJECT_NOT_FOUND' });
    expect(await st().stat(key)).toBeNull();
    expect(await st().exists(key)).toBe(false);
  });

  it('refuses a malformed byte range', async () => {
    const p = prefix();
    await st().write(`${p}/r.bin`, Readable.from([Buffer.alloc(100, 1)]));
    for (const range of [{ start: 10, end: 5 }, { start: -1, end: 5 }, { start: 0.5, end: 5 }]) {
      await expect(st().read(`${p}/r.bin`, range)).rejects.toMatchObject({ code: 'INVALID_RANGE', status: 400 });
    }
  });

  it('releases the file or socket of every reader destroyed early', async () => {
    const p = prefix();
    const key = `${p}/d.bin`;
    const size = 5 * MiB;
    await st().write(key, generated(size, 4));
    // 55 of each kind: a leaked S3 socket per reader would exhaust the SDK's pool of 50 and hang the last read.
    for (let i = 0; i < 165; i++) {
      const range = [undefined, { start: MiB, end: 4 * MiB }, { start: 0, end: 0 }][i % 3];
      const stream = (await st().read(key, range)) as Readable;
      const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
      if (i % 3 === 2) await bufferOf(stream);
      else stream.once('data', () => stream.destroy());
      await within(5000, `closing reader ${i}`, closed);
    }
    expect(await within(10_000, 'a full read after 165 early stops', sha256Of(await st().read(key)))).toBe(await sha256Of(generated(size, 4)));
    if (subject().fileOf) expect(descriptorsOpenOn(subject().fileOf!(key))).toBe(0);
  });
});

describe('objectKey', () => {
  it('joins plain segments with "/"', () => {
    expect(objectKey('studios', 'abc', 'versions', 'frame_000001.png')).toBe('studios/abc/versions/frame_000001.png');
    expect(objectKey('v1.2-final_b')).toBe('v1.2-final_b');
    expect(objectKey('x'.repeat(200))).toHaveLength(200);
  });

  it.each([['..'], ['.'], [''], ['a/b'], ['/abs'], ['.hidden'], ['-dash'], ['sp ace'], ['ü'], ['x'.repeat(201)], ['a\\b']])(
    'refuses the segment %j with INVALID_STORAGE_KEY',
    (bad) => {
      expect(() => objectKey('studios', bad, 'file.bin')).toThrow(ValidationError);
      expect(() => objectKey('studios', bad, 'file.bin')).toThrow(expect.objectContaining({ code: 'INVALID_STORAGE_KEY', status: 400 }));
    },
  );

  it('refuses no segments at all', () => {
    expect(() => objectKey()).toThrow(expect.objectContaining({ code: 'INVALID_STORAGE_KEY' }));
  });
});

describe('LocalStorageProvider only', () => {
  const local = () => subjects.local!.storage;

  it('never shows an object before its write completes, while the bytes go to a .partial file beside it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let step = 0;
    const slow = new Readable({
      read() {
        if (step === 0) {
          step = 1;
          this.push(Buffer.alloc(1024, 1));
        } else if (step === 1) {
          step = 2;
          void gate.then(() => {
            this.push(Buffer.alloc(1024, 2));
            this.push(null);
          });
        }
      },
    });
    const key = 'contract/partial/slow.bin';
    const writing = local().write(key, slow);
    const dir = path.join(localRoot, 'contract', 'partial');
    await within(5000, 'the temporary file to appear', (async () => {
      while (partialFilesUnder(dir).length === 0) await new Promise((r) => setTimeout(r, 10));
    })());

    expect(readdirSync(dir)).toEqual([expect.stringMatching(/^\.slow\.bin\.[0-9a-f]+\.partial$/)]);
    expect(await local().exists(key)).toBe(false);
    expect(await local().stat(key)).toBeNull();
    expect(await local().list('contract/partial/')).toEqual([]);
    await expect(local().read(key)).rejects.toMatchObject({ code: 'OBJECT_NOT_FOUND' });

    release();
    expect((await writing).size).toBe(2048);
    expect(await local().list('contract/partial/')).toEqual([key]);
    expect(readdirSync(dir)).toEqual(['slow.bin']);
  });

  it('leaves one whole object when two writes of the same key race', async () => {
    const key = 'contract/race/same.bin';
    const [a, b] = await Promise.all([local().write(key, generated(3 * MiB, 21)), local().write(key, generated(2 * MiB, 22))]);
    const now = await sha256Of(await local().read(key));
    expect([a.sha256, b.sha256]).toContain(now);
    expect(readdirSync(path.join(localRoot, 'contract', 'race'))).toEqual(['same.bin']);
  });

  it('maps a full disk (ENOSPC) to 507 STORAGE_FULL and other failures to STORAGE_FAILED with the cause', () => {
    const full = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    expect(storageFailure(full, 'write')).toMatchObject({ code: 'STORAGE_FULL', message: 'Storage is full', status: 507 });
    const io = Object.assign(new Error('i/o error'), { code: 'EIO' });
    const failed = storageFailure(io, 'write');
    expect(failed).toBeInstanceOf(StorageError);
    expect(failed).toMatchObject({ code: 'STORAGE_FAILED', status: 500, cause: io });
  });
});

describe('createStorage', () => {
  it('builds a local provider whose relative root is resolved to an absolute directory', async () => {
    const root = path.join(tmp, 'from-config');
    const storage = createStorage(loadConfig({ NODE_ENV: 'test', STORAGE_DRIVER: 'local', STORAGE_LOCAL_ROOT: path.relative(process.cwd(), root) }));
    expect(storage.driver).toBe('local');
    await storage.write('cfg/a.bin', Readable.from([Buffer.from('local')]));
    expect(readFileSync(path.join(root, 'cfg', 'a.bin'), 'utf8')).toBe('local');
  });

  it('builds an S3 provider from the S3_* settings that works against an S3-compatible server', async () => {
    const storage = createStorage(
      loadConfig({
        NODE_ENV: 'test',
        STORAGE_DRIVER: 's3',
        S3_BUCKET: BUCKET,
        S3_REGION: 'us-east-1',
        S3_ENDPOINT: s3Endpoint,
        S3_ACCESS_KEY_ID: credentials.accessKeyId,
        S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        S3_FORCE_PATH_STYLE: 'true',
      }),
    );
    expect(storage.driver).toBe('s3');
    const stored = await storage.write('cfg/b.bin', generated(9 * MiB, 8));
    expect(stored.sha256).toBe(await sha256Of(generated(9 * MiB, 8)));
    expect(await sha256Of(await storage.read('cfg/b.bin'))).toBe(stored.sha256);
    await storage.delete('cfg/b.bin');
  });
});
