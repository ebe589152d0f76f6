// The off-thread sha256 of streamed uploads: the same digest as node:crypto, bounded batches in flight.
import nodeCrypto from 'node:crypto';
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { OffThreadHash } from '../src/infra/storage/OffThreadHasher';
import { MeteringTransform } from '../src/infra/storage/StorageProvider';
import { PayloadTooLargeError } from '../src/shared/errors';

const MiB = 1024 * 1024;

describe('sha256 off the main thread', () => {
  it('matches node:crypto for chunks of every size, across batch boundaries, and for no bytes at all', async () => {
    const bytes = randomBytes(5 * MiB + 12_345);
    const sizes = [1, 7, 65_536, MiB - 1, MiB, MiB + 3, 300_000];
    const h = new OffThreadHash();
    let at = 0;
    for (let i = 0; at < bytes.length; i++) {
      const n = Math.min(sizes[i % sizes.length]!, bytes.length - at);
      await h.update(bytes.subarray(at, at + n));
      at += n;
    }
    expect(await h.digest()).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(await new OffThreadHash().digest()).toBe(createHash('sha256').digest('hex'));
  });

  it('keeps two interleaved streams apart', async () => {
    const a = randomBytes(3 * MiB);
    const b = randomBytes(3 * MiB);
    const ha = new OffThreadHash();
    const hb = new OffThreadHash();
    for (let i = 0; i < 3; i++) {
      await ha.update(a.subarray(i * MiB, (i + 1) * MiB));
      await hb.update(b.subarray(i * MiB, (i + 1) * MiB));
    }
    expect(await hb.digest()).toBe(createHash('sha256').update(b).digest('hex'));
    expect(await ha.digest()).toBe(createHash('sha256').update(a).digest('hex'));
  });

  it('makes the writer wait once four 1 MiB batches are unacknowledged (backpressure, bounded memory)', async () => {
    const h = new OffThreadHash();
    const chunk = randomBytes(MiB);
    const waits: boolean[] = [];
    for (let i = 0; i < 6; i++) waits.push(h.update(chunk) !== undefined);
    // The first three batches go out without waiting; the fourth reaches the bound synchronously.
    expect(waits.slice(0, 3)).toEqual([false, false, false]);
    expect(waits.slice(3)).toEqual([true, true, true]);
    await h.digest();
  });

  it('does the hashing of 256 MiB on another thread: the main thread never creates a hash, and the digest is right', async () => {
    const size = 256 * MiB;
    const chunk = randomBytes(MiB);
    const reference = createHash('sha256');
    for (let i = 0; i < size / MiB; i++) reference.update(chunk);
    // Any sha256 made on this thread goes through node:crypto's createHash (the worker's is another isolate's
    // module, which this spy cannot see). How much main-thread CPU that saves is measured by bench:upload, not
    // here: CPU time on a contended machine is no assertion.
    const spy = jest.spyOn(nodeCrypto, 'createHash');
    try {
      const meter = new MeteringTransform();
      let sent = 0;
      const source = new Readable({
        read() {
          if (sent >= size) this.push(null);
          else {
            sent += MiB;
            this.push(chunk);
          }
        },
      });
      await pipeline(source, meter, new Writable({ write: (_c, _e, cb) => cb() }));
      expect(spy).not.toHaveBeenCalled();
      expect(meter.digest()).toBe(reference.digest('hex'));
      expect(meter.size).toBe(size);
    } finally {
      spy.mockRestore();
    }
  });

  it('still fails at maxBytes with FILE_TOO_LARGE and reads no further', async () => {
    const meter = new MeteringTransform(10);
    await expect(pipeline(Readable.from([Buffer.alloc(6), Buffer.alloc(6), Buffer.alloc(6)]), meter, new Writable({ write: (_c, _e, cb) => cb() }))).rejects.toBeInstanceOf(PayloadTooLargeError);
    expect(meter.size).toBe(12);
  });
});
