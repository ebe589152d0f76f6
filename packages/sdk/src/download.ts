// Ranged, resumable downloads of a version's file. Bytes land in `<to>.part` next to a small state file
// naming the version, its sha256 and ETag; a later run asks only for the rest (Range + If-Range, RFC 9110
// §13.1.5), and the whole file is checked against the sha256 the API stored before it takes the final name.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StudioAbortError, StudioApiError, StudioIntegrityError } from './errors';
import { openStream, readAll, throttle } from './transport';

export interface DownloadProgress {
  received: number;
  total: number;
  resumedFrom: number;
}

export interface DownloadOptions {
  assetId: string;
  /** Defaults to the asset's current version. */
  version?: number;
  /** The file to write. `<to>.part` and `<to>.part.json` hold an unfinished download. */
  to: string;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
  rateLimit?: number;
}

export interface DownloadResult {
  path: string;
  version: number;
  size: number;
  sha256: string;
  resumedFrom: number;
}

interface PartState {
  assetId: string;
  version: number;
  sha256: string;
  size: number;
  etag?: string;
}

export interface DownloadContext {
  baseUrl: string;
  bearer: () => Promise<string | undefined>;
  /** The version's stored file facts (GET /assets/:id/versions/:v). */
  versionFile: (assetId: string, version: number | undefined) => Promise<{ version: number; size: number; sha256: string }>;
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

async function hashFile(file: string, hash: ReturnType<typeof createHash>): Promise<void> {
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
}

export async function downloadResumable(ctx: DownloadContext, options: DownloadOptions): Promise<DownloadResult> {
  const target = await ctx.versionFile(options.assetId, options.version);
  const part = `${options.to}.part`;
  const stateFile = `${part}.json`;
  let state: PartState | undefined;
  try {
    state = JSON.parse(await readFile(stateFile, 'utf8')) as PartState;
  } catch {
    state = undefined;
  }
  // A part of another version (or another file altogether) is thrown away, never spliced.
  if (!state || state.assetId !== options.assetId || state.version !== target.version || state.sha256 !== target.sha256) {
    await rm(part, { force: true });
    state = { assetId: options.assetId, version: target.version, sha256: target.sha256, size: target.size };
  }
  let have = await sizeOf(part);
  if (have > target.size) {
    await rm(part, { force: true });
    have = 0;
  }
  const bearer = await ctx.bearer();
  const headers: Record<string, string> = { ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}), 'Accept-Encoding': 'identity' };
  if (have > 0 && have < target.size) {
    headers.Range = `bytes=${have}-`;
    if (state.etag) headers['If-Range'] = state.etag;
  }
  const url = new URL(`/assets/${encodeURIComponent(options.assetId)}/versions/${target.version}/download`, ctx.baseUrl).toString();
  const hash = createHash('sha256');
  let resumedFrom = 0;
  if (have < target.size || target.size === 0) {
    const res = await openStream(url, { method: 'GET', headers, signal: options.signal });
    // 206 continues the part; 200 is the whole file (the part was empty, or If-Range found another file): the part starts over.
    if (res.statusCode === 206) {
      const start = Number(/^bytes (\d+)-/.exec(String(res.headers['content-range'] ?? ''))?.[1]);
      if (start !== have) {
        res.destroy();
        throw new StudioApiError(res.statusCode, { code: 'RANGE_MISMATCH', message: `asked for bytes from ${have}, got ${String(res.headers['content-range'])}` });
      }
      resumedFrom = have;
    } else if (res.statusCode !== 200) {
      throw StudioApiError.fromBody(res.statusCode ?? 0, await readAll(res), res.headers['retry-after'] as string | undefined);
    }
    if (typeof res.headers.etag === 'string') state.etag = res.headers.etag;
    await writeFile(stateFile, JSON.stringify(state));
    if (resumedFrom > 0) await hashFile(part, hash);
    let received = resumedFrom;
    const started = Date.now();
    options.onProgress?.({ received, total: target.size, resumedFrom });
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        received += chunk.length;
        options.onProgress?.({ received, total: target.size, resumedFrom });
        throttle(options.rateLimit, received - resumedFrom, started, options.signal).then(() => done(null, chunk), done);
      },
    });
    try {
      await pipeline(res, meter, createWriteStream(part, { flags: resumedFrom > 0 ? 'a' : 'w' }), { signal: options.signal });
    } catch (err) {
      if (options.signal?.aborted) throw new StudioAbortError('Download interrupted; run it again to resume', { cause: err });
      throw err;
    }
  } else {
    // A previous run received every byte but stopped before checking them.
    resumedFrom = have;
    await hashFile(part, hash);
  }
  const sha256 = hash.digest('hex');
  if (sha256 !== target.sha256) {
    // Bytes that fail the check are useless for a resume too: remove them so the next run starts clean.
    await rm(part, { force: true });
    await rm(stateFile, { force: true });
    throw new StudioIntegrityError(target.sha256, sha256, `download of asset ${options.assetId} version ${target.version}`);
  }
  await rename(part, options.to);
  await rm(stateFile, { force: true });
  return { path: options.to, version: target.version, size: target.size, sha256, resumedFrom };
}
