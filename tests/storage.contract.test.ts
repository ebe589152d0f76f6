// One contract, two providers: local disk and S3 (against a real s3rver on loopback).
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import S3rver from 's3rver';
import { freePort } from '../src/infra/embedded/embedded';
import { LocalStorageProvider } from '../src/infra/storage/LocalStorageProvider';
import { createS3Client, S3StorageProvider } from '../src/infra/storage/S3StorageProvider';
import { objectKey, type StorageProvider } from '../src/infra/storage/StorageProvider';
import { bufferOf, generated } from './support/uploads';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Emits some bytes, then fails like a client that went away. */
function failingHalfWay(bytes: number): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(Buffer.alloc(bytes, 9));
      } else {
        setTimeout(() => this.destroy(new Error('client went away')), 20);
      }
    },
  });
}

interface Subject {
  name: string;
  storage: StorageProvider;
  /** Extra "nothing left behind" checks beyond list(). */
  leftovers(prefix: string): Promise<string[]>;
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'studio-storage-'));
let s3rver: S3rver;
const subjects: Subject[] = [];

beforeAll(async () => {
  const root = path.join(tmp, 'local');
  subjects.push({
    name: 'LocalStorageProvider',
    storage: new LocalStorageProvider({ root }),
    leftovers: async (prefix) => {
      const dir = path.join(root, ...prefix.split('/').filter(Boolean));
      try {
        return readdirSync(dir).filter((f) => f.endsWith('.partial'));
      } catch {
        return [];
      }
    },
  });
  const port = await freePort();
  s3rver = new S3rver({ port, address: '127.0.0.1', silent: true, directory: path.join(tmp, 's3'), configureBuckets: [{ name: 'studio-test', configs: [] }] });
  await s3rver.run();
  const client = createS3Client({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true });
  // Records which keys the provider asked to abort (a spy on the real client; requests still go to s3rver).
  const aborted = new Set<string>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'AbortMultipartUploadCommand') aborted.add((args.input as { Key: string }).Key);
      return next(args);
    },
    { step: 'initialize', name: 'recordAborts' },
  );
  subjects.push({
    name: 'S3StorageProvider',
    storage: new S3StorageProvider({ bucket: 'studio-test', client }),
    // s3rver implements neither ListMultipartUploads nor AbortMultipartUpload (it answers 405), so its
    // on-disk record of in-progress uploads is read directly, and an upload counts as left behind unless
    // the provider sent the abort that real S3 would honour.
    leftovers: async (prefix) => {
      const uploads = path.join(tmp, 's3', 'studio-test', '._S3rver_uploads');
      let ids: string[] = [];
      try {
        ids = readdirSync(uploads);
      } catch {
        return [];
      }
      return ids.map((id) => readFileSync(path.join(uploads, id, 'key'), 'utf8')).filter((k) => k.startsWith(prefix) && !aborted.has(k));
    },
  });
});
afterAll(async () => {
  await s3rver?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe.each(['LocalStorageProvider', 'S3StorageProvider'])('storage contract: %s', (name) => {
  const subject = () => subjects.find((s) => s.name === name)!;
  const st = () => subject().storage;
  let n = 0;
  const prefix = () => `contract/${name}/${++n}`;

  it('writes a stream and returns its exact size and sha256, and reads back the same bytes', async () => {
    const p = prefix();
    const bytes = await bufferOf(generated(1_000_003, 11));
    const stored = await st().write(`${p}/a.bin`, Readable.from([bytes]));
    expect(stored).toEqual({ key: `${p}/a.bin`, size: bytes.length, sha256: sha(bytes) });
    expect(sha(await bufferOf(await st().read(`${p}/a.bin`)))).toBe(sha(bytes));
  });

  it('round-trips a 20 MiB stream that spans several multipart parts', async () => {
    const p = prefix();
    const size = 20 * 1024 * 1024 + 17;
    const stored = await st().write(`${p}/big.bin`, generated(size, 5));
    const expected = sha(await bufferOf(generated(size, 5)));
    expect(stored.size).toBe(size);
    expect(stored.sha256).toBe(expected);
    expect(sha(await bufferOf(await st().read(`${p}/big.bin`)))).toBe(expected);
  });

  it('reads exact byte ranges: first byte, last 500, and a middle slice', async () => {
    const p = prefix();
    const bytes = await bufferOf(generated(100_000, 3));
    await st().write(`${p}/r.bin`, Readable.from([bytes]));
    for (const [start, end] of [[0, 0], [bytes.length - 500, bytes.length - 1], [12_345, 54_321]] as const) {
      const got = await bufferOf(await st().read(`${p}/r.bin`, { start, end }));
      expect({ start, end, length: got.length }).toEqual({ start, end, length: end - start + 1 });
      expect(got.equals(bytes.subarray(start, end + 1))).toBe(true);
    }
  });

  it('stats, checks existence, lists by prefix and deletes idempotently', async () => {
    const p = prefix();
    await st().write(`${p}/x/one.bin`, Readable.from([Buffer.from('one')]));
    await st().write(`${p}/x/two.bin`, Readable.from([Buffer.from('two!')]));
    await st().write(`${p}/y/three.bin`, Readable.from([Buffer.from('3')]));
    const stat = await st().stat(`${p}/x/two.bin`);
    expect(stat).toMatchObject({ key: `${p}/x/two.bin`, size: 4 });
    expect(Math.abs(stat!.lastModified.getTime() - Date.now())).toBeLessThan(60_000);
    expect(await st().stat(`${p}/x/none.bin`)).toBeNull();
    expect(await st().exists(`${p}/x/one.bin`)).toBe(true);
    expect(await st().list(`${p}/x/`)).toEqual([`${p}/x/one.bin`, `${p}/x/two.bin`]);
    expect(await st().list(`${p}/`)).toHaveLength(3);
    await st().delete(`${p}/x/one.bin`);
    await st().delete(`${p}/x/one.bin`);
    expect(await st().exists(`${p}/x/one.bin`)).toBe(false);
    expect(await st().list(`${p}/x/`)).toEqual([`${p}/x/two.bin`]);
  });

  it('refuses a stream over maxBytes with FILE_TOO_LARGE and keeps nothing', async () => {
    const p = prefix();
    await expect(st().write(`${p}/big.bin`, generated(12 * 1024 * 1024, 1), { maxBytes: 10 * 1024 * 1024 })).rejects.toMatchObject({ code: 'FILE_TOO_LARGE', status: 413 });
    expect(await st().exists(`${p}/big.bin`)).toBe(false);
    expect(await st().list(`${p}/`)).toEqual([]);
    expect(await subject().leftovers(`${p}/`)).toEqual([]);
  });

  it('keeps nothing when the source stream fails half-way', async () => {
    const p = prefix();
    await expect(st().write(`${p}/half.bin`, failingHalfWay(64 * 1024))).rejects.toBeDefined();
    expect(await st().list(`${p}/`)).toEqual([]);
    expect(await subject().leftovers(`${p}/`)).toEqual([]);
  });

  it('keeps nothing when the write is aborted through its signal', async () => {
    const p = prefix();
    const ac = new AbortController();
    const slow = generated(50 * 1024 * 1024, 2, 64 * 1024);
    setTimeout(() => ac.abort(new Error('cancelled')), 50);
    await expect(st().write(`${p}/aborted.bin`, slow, { signal: ac.signal })).rejects.toBeDefined();
    expect(await st().list(`${p}/`)).toEqual([]);
    expect(await subject().leftovers(`${p}/`)).toEqual([]);
  });

  it.each(['../etc/passwd', '/abs/key', 'a//b', 'a/./b', 'a/../b', 'sp ace/x', '', 'ok/.hidden'])('refuses the key %j', async (key) => {
    await expect(st().write(key, Readable.from([Buffer.from('x')]))).rejects.toMatchObject({ code: 'INVALID_STORAGE_KEY' });
    await expect(st().read(key)).rejects.toMatchObject({ code: 'INVALID_STORAGE_KEY' });
    await expect(st().stat(key)).rejects.toMatchObject({ code: 'INVALID_STORAGE_KEY' });
    await expect(st().delete(key)).rejects.toMatchObject({ code: 'INVALID_STORAGE_KEY' });
  });

  it('answers a missing key with OBJECT_NOT_FOUND', async () => {
    await expect(st().read(`${prefix()}/missing.bin`)).rejects.toMatchObject({ code: 'OBJECT_NOT_FOUND', status: 404 });
  });

  it('releases the reader when a read stream is destroyed early', async () => {
    const p = prefix();
    await st().write(`${p}/d.bin`, generated(5 * 1024 * 1024, 4));
    const stream = (await st().read(`${p}/d.bin`)) as Readable;
    const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
    stream.once('data', () => stream.destroy());
    await expect(closed).resolves.toBeUndefined();
  });
});

describe('objectKey', () => {
  it('joins plain segments and refuses traversal', () => {
    expect(objectKey('studios', 'abc', 'v1.bin')).toBe('studios/abc/v1.bin');
    expect(() => objectKey('studios', '..', 'x')).toThrow(expect.objectContaining({ code: 'INVALID_STORAGE_KEY' }));
    expect(() => objectKey('a/b')).not.toThrow();
    expect(() => objectKey('a', '')).toThrow();
  });
});

describe('LocalStorageProvider: readers never see a partial file', () => {
  it('hides an object until its write completes', async () => {
    const st = subjects[0]!.storage;
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
    const writing = st.write('contract/partial/slow.bin', slow);
    await new Promise((r) => setTimeout(r, 100));
    expect(await st.exists('contract/partial/slow.bin')).toBe(false);
    expect(await st.list('contract/partial/')).toEqual([]);
    release();
    expect((await writing).size).toBe(2048);
    expect(await st.exists('contract/partial/slow.bin')).toBe(true);
  });
});
