// Streams a stored object as an HTTP download with validators and a single byte range (RFC 9110 §14).
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { DomainError } from '../../shared/errors';
import type { ByteRange } from '../storage/StorageProvider';

export interface Downloadable {
  size: number;
  etag: string; // strong, quoted
  lastModified: Date;
  contentType: string;
  fileName: string;
  open(range?: ByteRange): Promise<NodeJS.ReadableStream>;
}

const httpDate = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000);

function matchesAny(header: string | undefined, etag: string, weak: boolean): boolean {
  if (!header) return false;
  return header.split(',').some((raw) => {
    const t = raw.trim();
    if (t === '*') return true;
    return t === etag || (weak && t === `W/${etag}`);
  });
}

/** If-Range: a strong ETag must match exactly, or a date must not be older than the representation. */
function ifRangeHolds(header: string | undefined, file: Downloadable): boolean {
  if (!header) return true;
  const v = header.trim();
  if (v.startsWith('"') || v.startsWith('W/')) return v === file.etag;
  const since = Date.parse(v);
  return !Number.isNaN(since) && httpDate(file.lastModified).getTime() <= since;
}

export async function sendDownload(req: Request, res: Response, file: Downloadable): Promise<void> {
  res.set({
    'Accept-Ranges': 'bytes',
    ETag: file.etag,
    'Last-Modified': httpDate(file.lastModified).toUTCString(),
    'Content-Type': file.contentType,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'private, no-cache',
  });
  // res.attachment encodes the name per RFC 6266 (ASCII fallback plus filename*=UTF-8).
  res.attachment(file.fileName);

  // If-None-Match uses weak comparison (RFC 9110 §13.1.2); versions are immutable, so a match is final.
  if (matchesAny(req.header('if-none-match'), file.etag, true)) {
    res.status(304).end();
    return;
  }

  let range: ByteRange | undefined;
  const rangeHeader = req.header('range');
  if (rangeHeader && ifRangeHolds(req.header('if-range'), file)) {
    const parsed = req.range(file.size, { combine: true });
    if (parsed === -1 || (parsed !== -2 && parsed !== undefined && file.size === 0)) {
      res.set('Content-Range', `bytes */${file.size}`);
      throw new DomainError('RANGE_NOT_SATISFIABLE', `The range is outside the file's ${file.size} bytes`, { status: 416 });
    }
    // Malformed ranges are ignored (RFC 9110 §14.2); several disjoint ranges are served whole rather than as multipart.
    if (Array.isArray(parsed) && parsed.type === 'bytes' && parsed.length === 1) range = { start: parsed[0]!.start, end: parsed[0]!.end };
  }

  const length = range ? range.end - range.start + 1 : file.size;
  res.status(range ? 206 : 200).set('Content-Length', String(length));
  if (range) res.set('Content-Range', `bytes ${range.start}-${range.end}/${file.size}`);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const body = await file.open(range);
  // pipeline destroys the storage stream if the client goes away, so no descriptor or socket leaks.
  await pipeline(body, res).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ERR_STREAM_PREMATURE_CLOSE') throw err;
  });
}
