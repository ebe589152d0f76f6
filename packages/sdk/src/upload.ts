// Resumable uploads over tus 1.0 (POST /uploads, HEAD and PATCH /uploads/:id). The upload's URL is kept in
// a local state file as soon as it exists, so a crashed or interrupted process resumes from the offset the
// server reports (HEAD) instead of starting over; the finished version's sha256 is checked against the
// bytes read from the source.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { StudioAbortError, StudioApiError, StudioError, StudioIntegrityError } from './errors';
import type { components } from './generated/api';
import { send, sleep, type RawResponse } from './transport';

export type AssetVersion = components['schemas']['AssetVersion'];

export interface UploadProgress {
  /** Bytes the server has (or is receiving in the current request). */
  sent: number;
  total: number;
  /** The offset this run started from: more than 0 when it resumed an earlier upload. */
  resumedFrom: number;
}

export interface UploadOptions {
  assetId: string;
  /** A file path, or a stream of exactly `size` bytes (on resume the same bytes from the start: the part the server has is skipped). */
  source: string | { stream: Readable | AsyncIterable<Uint8Array>; size: number };
  /** Defaults to the file's base name; required for a stream. */
  filename?: string;
  changeNote?: string;
  /** Where to keep the upload's URL between runs; without one an interrupted upload cannot be resumed by another process. */
  stateFile?: string;
  /** Bytes per PATCH request (default 8 MiB): the most that is sent again after a dropped connection. */
  chunkSize?: number;
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
  /** Bytes per second to stay under. */
  rateLimit?: number;
  /** Network failures tolerated in a row before giving up (default 5). */
  retries?: number;
}

export interface UploadResult {
  version: AssetVersion;
  resumedFrom: number;
  sha256: string;
}

/** What a state file holds: enough to find the upload again and to tell whether the source is still the same. */
interface UploadState {
  uploadUrl: string;
  assetId: string;
  filename: string;
  size: number;
  mtimeMs?: number;
  createdAt: string;
}

export interface UploadContext {
  baseUrl: string;
  bearer: () => Promise<string | undefined>;
}

const TUS = { 'Tus-Resumable': '1.0.0' };
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

async function readState(file: string | undefined): Promise<UploadState | undefined> {
  if (!file) return undefined;
  try {
    return JSON.parse(await readFile(file, 'utf8')) as UploadState;
  } catch {
    return undefined;
  }
}

async function writeState(file: string, state: UploadState): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  // Write then rename: a crash mid-write never leaves a torn state file behind.
  await writeFile(`${file}.tmp`, JSON.stringify(state, null, 2), { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}

/** Pulls exact byte ranges from a sequential source, hashing every byte once, in order. */
class SequentialSource {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private buffer = Buffer.alloc(0);
  /** Source offset of buffer[0]. */
  private bufferStart = 0;
  private readonly hash = createHash('sha256');
  private done = false;

  constructor(stream: Readable | AsyncIterable<Uint8Array>) {
    this.iterator = (stream as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  }

  /** The bytes [offset, offset + length) of the source (fewer at its end); offset may go back only within the last range read. */
  async range(offset: number, length: number): Promise<Buffer> {
    if (offset < this.bufferStart) throw new StudioError(`cannot rewind a stream source to ${offset} (it is at ${this.bufferStart})`);
    // Read until the range is in memory, dropping whole reads that lie before it (a resume skips what the server has).
    for (;;) {
      if (this.buffer.length && this.bufferStart + this.buffer.length <= offset) {
        this.bufferStart += this.buffer.length;
        this.buffer = Buffer.alloc(0);
      }
      if (this.done || this.bufferStart + this.buffer.length >= offset + length) break;
      await this.pull();
    }
    const from = Math.min(offset - this.bufferStart, this.buffer.length);
    this.buffer = this.buffer.subarray(from);
    this.bufferStart += from;
    return this.buffer.subarray(0, length);
  }

  private async pull(): Promise<void> {
    const next = await this.iterator.next();
    if (next.done) {
      this.done = true;
      return;
    }
    const chunk = Buffer.from(next.value);
    this.hash.update(chunk);
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
  }

  /** sha256 of the whole source: reads (and hashes) whatever was not read yet. */
  async digest(): Promise<string> {
    while (!this.done) {
      await this.pull();
      this.bufferStart += this.buffer.length;
      this.buffer = Buffer.alloc(0);
    }
    return this.hash.digest('hex');
  }

  close(): void {
    void this.iterator.return?.();
  }
}

export async function uploadResumable(ctx: UploadContext, options: UploadOptions): Promise<UploadResult> {
  const chunkSize = options.chunkSize ?? 8 * 1024 * 1024;
  const retries = options.retries ?? 5;
  let size: number;
  let mtimeMs: number | undefined;
  let filename = options.filename;
  let stream: Readable | AsyncIterable<Uint8Array>;
  if (typeof options.source === 'string') {
    const info = await stat(options.source);
    if (!info.isFile()) throw new StudioError(`${options.source} is not a file`);
    size = info.size;
    mtimeMs = info.mtimeMs;
    filename ??= path.basename(options.source);
    stream = createReadStream(options.source, { highWaterMark: 1024 * 1024 });
  } else {
    size = options.source.size;
    stream = options.source.stream;
    if (!filename) throw new StudioError('a stream upload needs a filename');
  }
  const source = new SequentialSource(stream);
  const headers = async (extra: Record<string, string | number> = {}) => {
    const bearer = await ctx.bearer();
    return { ...TUS, ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}), ...extra };
  };
  const refused = (res: RawResponse) => StudioApiError.fromBody(res.status, res.body, res.headers['retry-after'] as string | undefined);

  try {
    // An earlier run's upload of the same source to the same asset is resumed; anything else starts afresh.
    let state = await readState(options.stateFile);
    if (state && !(state.assetId === options.assetId && state.filename === filename && state.size === size && state.mtimeMs === mtimeMs && state.uploadUrl.startsWith(new URL(ctx.baseUrl).origin))) state = undefined;
    let offset = 0;
    if (state) {
      const head = await send(state.uploadUrl, { method: 'HEAD', headers: await headers(), signal: options.signal });
      if (head.status === 200) offset = Number(head.headers['upload-offset'] ?? 0);
      else if (head.status === 404 || head.status === 410) state = undefined; // expired or cleaned up: start over
      else throw refused(head);
    }
    if (!state) {
      const metadata = [`assetId ${b64(options.assetId)}`, `filename ${b64(filename)}`, ...(options.changeNote ? [`changeNote ${b64(options.changeNote)}`] : [])].join(',');
      const created = await send(new URL('/uploads', ctx.baseUrl).toString(), { method: 'POST', headers: await headers({ 'Upload-Length': size, 'Upload-Metadata': metadata }), signal: options.signal });
      if (created.status !== 201 || typeof created.headers.location !== 'string') throw refused(created);
      state = { uploadUrl: new URL(created.headers.location, ctx.baseUrl).toString(), assetId: options.assetId, filename, size, mtimeMs, createdAt: new Date().toISOString() };
      if (options.stateFile) await writeState(options.stateFile, state);
    }
    const resumedFrom = offset;
    options.onProgress?.({ sent: offset, total: size, resumedFrom });

    let failures = 0;
    let finished: RawResponse | undefined;
    while (!finished) {
      const chunk = await source.range(offset, chunkSize);
      const base = offset;
      let res: RawResponse;
      try {
        res = await send(state.uploadUrl, {
          method: 'PATCH',
          headers: await headers({ 'Upload-Offset': base, 'Content-Type': 'application/offset+octet-stream', 'Content-Length': chunk.length }),
          body: chunk,
          signal: options.signal,
          rateLimit: options.rateLimit,
          onBodyProgress: (n) => options.onProgress?.({ sent: base + n, total: size, resumedFrom }),
        });
      } catch (err) {
        if (err instanceof StudioAbortError || ++failures > retries) throw err;
        await sleep(Math.min(8000, 250 * 2 ** failures), options.signal);
        offset = await serverOffset(state.uploadUrl, await headers(), options.signal, refused);
        continue;
      }
      if (res.status === 204) {
        failures = 0;
        offset = Number(res.headers['upload-offset']);
        options.onProgress?.({ sent: offset, total: size, resumedFrom });
      } else if (res.status === 200 || res.status === 201) {
        finished = res;
      } else if (res.status === 409 || res.status === 423) {
        // Another request (the one a crash cut off) still holds the upload: ask where it stands and go on from there.
        if (++failures > retries) throw refused(res);
        await sleep(200 * failures, options.signal);
        offset = await serverOffset(state.uploadUrl, await headers(), options.signal, refused);
      } else {
        throw refused(res);
      }
    }
    if (options.stateFile) await rm(options.stateFile, { force: true });
    const version = (JSON.parse(finished.body) as { version: AssetVersion }).version;
    options.onProgress?.({ sent: size, total: size, resumedFrom });
    const sha256 = await source.digest();
    if (version.file.sha256 !== sha256) throw new StudioIntegrityError(version.file.sha256, sha256, `version ${version.version} of asset ${options.assetId}`);
    return { version, resumedFrom, sha256 };
  } finally {
    source.close();
  }
}

async function serverOffset(url: string, headers: Record<string, string | number>, signal: AbortSignal | undefined, refused: (res: RawResponse) => StudioApiError): Promise<number> {
  const head = await send(url, { method: 'HEAD', headers, signal });
  if (head.status !== 200) throw refused(head);
  return Number(head.headers['upload-offset'] ?? 0);
}
