// Files under a root directory, published atomically: a reader never sees a partial file.
import { randomBytes } from 'node:crypto';
import { createWriteStream, promises as fs, type Dirent } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { NotFoundError } from '../../shared/errors';
import {
  assertKey,
  assertPrefix,
  assertRange,
  MeteringTransform,
  storageFailure,
  writeFailure,
  type ByteRange,
  type ObjectStat,
  type StorageProvider,
  type StoredObject,
  type WriteOptions,
} from './StorageProvider';

/** The file (or a parent of it) is not there: a missing object, not a storage failure. */
const isMissing = (err: unknown) => {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
};

/**
 * The bytes must be on disk before the name is published, or a crash could leave a complete-looking
 * truncated file. fsync works on the file, whichever descriptor asks; 'r+' because Windows wants write access.
 */
async function syncFile(file: string): Promise<void> {
  const handle = await fs.open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Makes a completed rename survive a power cut (POSIX only promises that after the directory is fsynced).
 * Best effort: some platforms cannot open a directory, and the object's own bytes are already synced.
 */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => undefined);
  await handle.close().catch(() => undefined);
}

export class LocalStorageProvider implements StorageProvider {
  readonly driver = 'local' as const;
  private readonly root: string;

  constructor(options: { root: string }) {
    this.root = path.resolve(options.root);
  }

  private pathOf(key: string): string {
    assertKey(key);
    return path.join(this.root, ...key.split('/'));
  }

  async write(key: string, body: NodeJS.ReadableStream, options: WriteOptions = {}): Promise<StoredObject> {
    const finalPath = this.pathOf(key);
    const { signal } = options;
    const dir = path.dirname(finalPath);
    // Same directory as the final file, so the rename is atomic (never a cross-device copy); the leading
    // dot and the suffix keep it out of list(), and the random part lets concurrent writers of one key coexist.
    const temp = path.join(dir, `.${path.basename(finalPath)}.${randomBytes(8).toString('hex')}.partial`);
    const meter = new MeteringTransform(options.maxBytes);
    try {
      signal?.throwIfAborted();
      await fs.mkdir(dir, { recursive: true });
      await pipeline(body, meter, createWriteStream(temp, { flags: 'wx', highWaterMark: 1024 * 1024 }), { signal });
      await syncFile(temp);
      // An abort that lands after the last byte still means the caller no longer wants the object.
      signal?.throwIfAborted();
      await fs.rename(temp, finalPath);
      await syncDirectory(dir);
      return { key, size: meter.size, sha256: meter.digest() };
    } catch (err) {
      await fs.rm(temp, { force: true }).catch(() => undefined);
      // pipeline() destroys the source on its own failures; this also covers a failure before pipeline() ran.
      (body as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      throw writeFailure(err, signal);
    }
  }

  async read(key: string, range?: ByteRange): Promise<NodeJS.ReadableStream> {
    const p = this.pathOf(key);
    assertRange(range);
    // Open first, so a missing file is a clean 404 before the caller commits to a response.
    let handle: FileHandle;
    try {
      handle = await fs.open(p, 'r');
    } catch (err) {
      if (isMissing(err)) throw new NotFoundError('OBJECT_NOT_FOUND', 'Stored object not found');
      throw storageFailure(err, 'read');
    }
    try {
      // A directory is a prefix, not an object; on Linux it opens fine and only fails on the first read.
      if (!(await handle.stat()).isFile()) throw new NotFoundError('OBJECT_NOT_FOUND', 'Stored object not found');
      // autoClose: destroying the stream (a client that went away) closes the descriptor.
      return handle.createReadStream({ autoClose: true, start: range?.start, end: range?.end, highWaterMark: 256 * 1024 });
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw storageFailure(err, 'read');
    }
  }

  async stat(key: string): Promise<ObjectStat | null> {
    const p = this.pathOf(key);
    try {
      const s = await fs.stat(p);
      return s.isFile() ? { key, size: s.size, lastModified: s.mtime } : null;
    } catch (err) {
      if (isMissing(err)) return null;
      throw storageFailure(err, 'stat');
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.stat(key)) !== null;
  }

  async delete(key: string): Promise<void> {
    const p = this.pathOf(key);
    try {
      await fs.unlink(p);
    } catch (err) {
      if (isMissing(err)) return;
      // A directory is a prefix, not an object: there is nothing to delete, as on S3.
      const s = await fs.stat(p).catch(() => undefined);
      if (s?.isDirectory()) return;
      throw storageFailure(err, 'delete');
    }
  }

  async list(prefix: string): Promise<string[]> {
    assertPrefix(prefix);
    const keys: string[] = [];
    const walk = async (dir: string, rel: string): Promise<void> => {
      let entries: Dirent[];
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch (err) {
        if (isMissing(err)) return;
        throw storageFailure(err, 'list');
      }
      for (const e of entries) {
        // Temporary files start with '.', which no valid key segment can: they are never listed.
        if (e.name.startsWith('.')) continue;
        const r = rel ? `${rel}/${e.name}` : e.name;
        // Descend only where keys under the prefix can be, so listing one studio does not walk them all.
        if (e.isDirectory() && (r.startsWith(prefix) || prefix.startsWith(`${r}/`))) await walk(path.join(dir, e.name), r);
        else if (e.isFile() && r.startsWith(prefix)) keys.push(r);
      }
    };
    // A prefix may end in a partial name ('studios/ab'): walk its last whole directory, then filter.
    const dirPart = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    await walk(dirPart ? path.join(this.root, ...dirPart.split('/')) : this.root, dirPart);
    return keys.sort();
  }
}
