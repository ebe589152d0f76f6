// Files under a root directory. A write goes to a temporary name in the same directory, is fsynced, then
// renamed into place, so a reader never sees a partial file; any failure removes the temporary file.
import { randomBytes } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { NotFoundError, StorageError, DomainError } from '../../shared/errors';
import { assertKey, assertPrefix, MeteringTransform, type ByteRange, type ObjectStat, type StorageProvider, type StoredObject, type WriteOptions } from './StorageProvider';

const PARTIAL = /\.partial$/;

export function storageFailure(err: unknown, what: string): Error {
  if (err instanceof DomainError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new StorageError('STORAGE_FULL', 'Storage is full', { status: 507, cause: err });
  return new StorageError('STORAGE_FAILED', `Storage ${what} failed`, { cause: err });
}

export class LocalStorageProvider implements StorageProvider {
  readonly driver = 'local' as const;
  private readonly root: string;

  constructor(options: { root: string }) {
    this.root = path.resolve(options.root);
  }

  private pathOf(key: string): string {
    assertKey(key);
    const p = path.join(this.root, ...key.split('/'));
    // Belt and braces: segments are already plain names, but the path must stay under the root.
    if (!p.startsWith(this.root + path.sep)) throw new StorageError('INVALID_STORAGE_KEY', 'Key escapes the storage root', { status: 400 });
    return p;
  }

  async write(key: string, body: NodeJS.ReadableStream, options: WriteOptions = {}): Promise<StoredObject> {
    const finalPath = this.pathOf(key);
    const dir = path.dirname(finalPath);
    const temp = path.join(dir, `.${path.basename(finalPath)}.${randomBytes(6).toString('hex')}.partial`);
    const meter = new MeteringTransform(options.maxBytes);
    try {
      await fs.mkdir(dir, { recursive: true });
      // flush: fsync before close, so the rename below publishes bytes that are really on disk.
      await pipeline(body, meter, createWriteStream(temp, { flags: 'wx', flush: true, highWaterMark: 1024 * 1024 }), { signal: options.signal });
      await fs.rename(temp, finalPath);
      return { key, size: meter.size, sha256: meter.digest() };
    } catch (err) {
      await fs.rm(temp, { force: true }).catch(() => undefined);
      // Make sure the source stops producing (a busboy part, a socket) when we give up on it.
      (body as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      throw storageFailure(err, 'write');
    }
  }

  async read(key: string, range?: ByteRange): Promise<NodeJS.ReadableStream> {
    const p = this.pathOf(key);
    // Open first, so a missing file is a clean 404 before any response is sent.
    const handle = await fs.open(p, 'r').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw new NotFoundError('OBJECT_NOT_FOUND', 'Stored object not found');
      throw storageFailure(err, 'read');
    });
    return handle.createReadStream({ autoClose: true, start: range?.start, end: range?.end, highWaterMark: 256 * 1024 });
  }

  async stat(key: string): Promise<ObjectStat | null> {
    try {
      const s = await fs.stat(this.pathOf(key));
      return s.isFile() ? { key, size: s.size, lastModified: s.mtime } : null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw storageFailure(err, 'stat');
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.stat(key)) !== null;
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.pathOf(key), { force: true }).catch((err: unknown) => {
      throw storageFailure(err, 'delete');
    });
  }

  async list(prefix: string): Promise<string[]> {
    assertPrefix(prefix);
    const keys: string[] = [];
    const walk = async (dir: string, rel: string): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw storageFailure(err, 'list');
      }
      for (const e of entries) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) await walk(path.join(dir, e.name), r);
        else if (e.isFile() && !PARTIAL.test(e.name) && !e.name.startsWith('.')) keys.push(r);
      }
    };
    // Walk from the deepest whole directory of the prefix, then filter by the full prefix.
    const dirPart = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    await walk(dirPart ? path.join(this.root, ...dirPart.split('/')) : this.root, dirPart);
    return keys.filter((k) => k.startsWith(prefix)).sort();
  }
}
