// The upload queue: rate and time-left maths, the states an upload goes through, concurrency, cancel,
// the API's refusal shown in its words, and which interrupted uploads are offered for resumption.
import { describe, expect, it, vi } from 'vitest';
import { UploadQueue, type Transport, type TransportCallbacks } from '../src/upload/queue';
import { RateMeter, formatEta, formatRate, MiB } from '../src/upload/rate';
import { offerFor, offersFor, type StoredUpload } from '../src/upload/resume';
import { chunkSizeFor, retriable, uploadErrorOf } from '../src/upload/tusTransport';

const file = (name: string, size: number) => new File([new Uint8Array(size)], name, { type: 'image/png', lastModified: 1 });

/** A transport the test drives by hand: each started upload's callbacks and whether it was cancelled. */
function manualTransport() {
  const runs: Array<{ name: string; cb: TransportCallbacks; cancelled: boolean }> = [];
  const transport: Transport = ({ file: f }, cb) => {
    const run = { name: f.name, cb, cancelled: false };
    runs.push(run);
    return { cancel: async () => { run.cancelled = true; } };
  };
  return { runs, transport };
}

describe('RateMeter', () => {
  it('measures bytes per second over its window and the time left at that rate', () => {
    const m = new RateMeter(4000);
    expect(m.rate()).toBeNull();
    m.add(0, 0);
    m.add(1000, 2 * MiB);
    m.add(2000, 4 * MiB);
    expect(m.rate()).toBe(2 * MiB);
    expect(m.eta(10 * MiB)).toBe(3);
    // Only the last 4 s count: a faster stretch changes the rate.
    m.add(6000, 16 * MiB);
    expect(m.rate()).toBe(((16 - 4) * MiB * 1000) / 4000);
    expect(m.eta(16 * MiB)).toBe(0);
  });

  it('starts again when the byte count goes back (a resume from the server offset)', () => {
    const m = new RateMeter();
    m.add(0, 0);
    m.add(1000, 8 * MiB);
    m.add(1500, 4 * MiB);
    expect(m.rate()).toBeNull();
    m.add(2500, 5 * MiB);
    expect(m.rate()).toBe(MiB);
  });

  it('formats MiB/s and time left for people', () => {
    expect(formatRate(null)).toBe('– MiB/s');
    expect(formatRate(1.5 * MiB)).toBe('1.50 MiB/s');
    expect(formatRate(12.34 * MiB)).toBe('12.3 MiB/s');
    expect(formatEta(null)).toBe('time left unknown');
    expect(formatEta(4.2)).toBe('5 s left');
    expect(formatEta(125)).toBe('2 min 05 s left');
    expect(formatEta(3725)).toBe('1 h 02 min left');
  });
});

describe('UploadQueue', () => {
  it('sends two files at a time, with progress, rate and ETA, then processing, then done with the version', () => {
    const { runs, transport } = manualTransport();
    let now = 0;
    const q = new UploadQueue(transport, { concurrency: 2, now: () => now });
    const seen = vi.fn();
    q.subscribe(seen);
    q.add('a1', [file('a.png', 100), file('b.png', 100), file('c.png', 100)], 'note');
    expect(runs.map((r) => r.name)).toEqual(['a.png', 'b.png']);
    expect(q.snapshot.map((i) => i.state)).toEqual(['uploading', 'uploading', 'queued']);

    runs[0]!.cb.onProgress(0, 100);
    now = 1000;
    runs[0]!.cb.onProgress(40, 100);
    const a = q.snapshot[0]!;
    expect(a).toMatchObject({ sent: 40, rate: 40, state: 'uploading' });
    expect(a.eta).toBeCloseTo(1.5);
    runs[0]!.cb.onProgress(100, 100);
    expect(q.snapshot[0]!.state).toBe('processing');
    runs[0]!.cb.onSuccess({ version: 3, sha256: 'ab'.repeat(32) });
    expect(q.snapshot[0]).toMatchObject({ state: 'done', version: { version: 3 } });
    // A slot freed: the third file starts.
    expect(runs.map((r) => r.name)).toEqual(['a.png', 'b.png', 'c.png']);
    expect(seen).toHaveBeenCalled();
  });

  it('cancels: the transport discards the upload, its late callbacks change nothing, and the next file starts', async () => {
    const { runs, transport } = manualTransport();
    const q = new UploadQueue(transport, { concurrency: 1 });
    const [first] = q.add('a1', [file('a.png', 100), file('b.png', 100)]);
    await q.cancel(first!);
    expect(runs[0]!.cancelled).toBe(true);
    expect(q.snapshot[0]!.state).toBe('cancelled');
    runs[0]!.cb.onProgress(50, 100);
    runs[0]!.cb.onSuccess({ version: 1, sha256: 'x' });
    expect(q.snapshot[0]!.state).toBe('cancelled');
    expect(runs[1]!.name).toBe('b.png');
    expect(q.snapshot[1]!.state).toBe('uploading');
  });

  it('shows the API refusal in its words, and a retry sends the file again', () => {
    const { runs, transport } = manualTransport();
    const q = new UploadQueue(transport);
    const [id] = q.add('a1', [file('x.exe', 10)]);
    runs[0]!.cb.onError({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'This file type is not accepted' });
    expect(q.snapshot[0]).toMatchObject({ state: 'failed', error: { status: 415, message: 'This file type is not accepted' } });
    q.retry(id!);
    expect(runs).toHaveLength(2);
    expect(q.snapshot[0]).toMatchObject({ state: 'uploading', error: null });
  });

  it('goes offline and back without losing its place, and marks a resumed upload', () => {
    const { runs, transport } = manualTransport();
    let now = 0;
    const q = new UploadQueue(transport, { now: () => now });
    q.add('a1', [file('big.mov', 1000)]);
    runs[0]!.cb.onProgress(400, 1000);
    runs[0]!.cb.onOffline();
    expect(q.snapshot[0]).toMatchObject({ state: 'offline', sent: 400, rate: null, eta: null });
    runs[0]!.cb.onOnline();
    now = 5000;
    runs[0]!.cb.onResumed(400);
    expect(q.snapshot[0]).toMatchObject({ state: 'uploading', resumed: true, sent: 400 });
    now = 6000;
    runs[0]!.cb.onProgress(600, 1000);
    // The rate counts from the resume, not from before the time offline.
    expect(q.snapshot[0]!.rate).toBe(200);
  });

  it('dismisses only finished items', () => {
    const { runs, transport } = manualTransport();
    const q = new UploadQueue(transport);
    const [id] = q.add('a1', [file('a.png', 10)]);
    q.dismiss(id!);
    expect(q.snapshot).toHaveLength(1);
    runs[0]!.cb.onSuccess({ version: 1, sha256: 'x' });
    q.dismiss(id!);
    expect(q.snapshot).toHaveLength(0);
  });
});

describe('resume offers', () => {
  const stored = (over: Partial<StoredUpload> & { name: string; asset: string; at: string }): StoredUpload => ({
    size: over.size ?? 100, metadata: { assetId: over.asset, filename: over.name }, creationTime: over.at, urlStorageKey: `tus::${over.name}::${over.at}`, uploadUrl: over.uploadUrl === undefined ? `/uploads/${over.name}` : over.uploadUrl,
  });

  it('offers this asset\'s interrupted uploads, newest per file, not those running or without a URL', () => {
    const all = [
      stored({ name: 'a.mov', asset: 'A', at: '2026-01-01T00:00:00Z' }),
      stored({ name: 'a.mov', asset: 'A', at: '2026-01-02T00:00:00Z' }),
      stored({ name: 'b.mov', asset: 'B', at: '2026-01-02T00:00:00Z' }),
      stored({ name: 'c.mov', asset: 'A', at: '2026-01-02T00:00:00Z', uploadUrl: null }),
      stored({ name: 'd.mov', asset: 'A', at: '2026-01-03T00:00:00Z' }),
    ];
    const offers = offersFor(all, 'A', [{ name: 'd.mov', size: 100 }]);
    expect(offers.map((o) => [o.fileName, o.createdAt])).toEqual([['a.mov', '2026-01-02T00:00:00Z']]);
    expect(offerFor(offers, { name: 'a.mov', size: 100 })?.uploadUrl).toBe('/uploads/a.mov');
    expect(offerFor(offers, { name: 'a.mov', size: 99 })).toBeUndefined();
  });
});

describe('tus transport helpers', () => {
  it('cuts files into about twenty chunks of 4 to 64 MiB', () => {
    expect(chunkSizeFor(1000)).toBe(4 * MiB);
    expect(chunkSizeFor(200 * MiB)).toBe(10 * MiB);
    expect(chunkSizeFor(100 * 1024 * MiB)).toBe(64 * MiB);
  });

  it('reads the API\'s error contract from a refused tus request, and names a network failure', () => {
    const res = (status: number, body: string) => ({ getStatus: () => status, getBody: () => body, getHeader: () => undefined, getUnderlyingObject: () => null });
    const err = Object.assign(new Error('tus: unexpected response'), { originalResponse: res(413, JSON.stringify({ error: { code: 'FILE_TOO_LARGE', message: 'Upload-Length exceeds the maximum upload size' } })) });
    expect(uploadErrorOf(err)).toEqual({ status: 413, code: 'FILE_TOO_LARGE', message: 'Upload-Length exceeds the maximum upload size' });
    expect(uploadErrorOf(Object.assign(new Error('x'), { originalResponse: res(502, 'Bad gateway') }))).toEqual({ status: 502, code: 'UPLOAD_FAILED', message: 'The server answered 502' });
    expect(uploadErrorOf(new Error('tus: failed to upload chunk'))).toMatchObject({ status: null, code: 'NETWORK' });
  });

  it('retries what a retry can cure, and shows at once a quota refusal (507) or too many open uploads (429), at creation or later', () => {
    expect([0, 500, 502, 503, 409, 423].map(retriable)).toEqual([true, true, true, true, true, true]);
    expect([507, 429, 413, 415, 403, 404].map(retriable)).toEqual([false, false, false, false, false, false]);
    const res = (status: number, body: string) => ({ getStatus: () => status, getBody: () => body, getHeader: () => undefined, getUnderlyingObject: () => null });
    const busy = 'Your studio has 100 uploads in progress, the most it may have at once. Finish or cancel some of them, then try again; an abandoned upload is cancelled once it expires.';
    const err = Object.assign(new Error('tus: unexpected response while creating upload'), { originalResponse: res(429, JSON.stringify({ error: { code: 'TOO_MANY_OPEN_UPLOADS', message: busy } })) });
    expect(uploadErrorOf(err)).toEqual({ status: 429, code: 'TOO_MANY_OPEN_UPLOADS', message: busy });
  });
});
