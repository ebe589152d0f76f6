// Plain HTTP over node:http(s) for the hand-written protocol helpers: tus PATCH bodies written slice by
// slice (progress, rate limit, abort), and downloads read as a stream. fetch cannot report upload progress.
import http from 'node:http';
import https from 'node:https';
import { StudioAbortError } from './errors';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface SendOptions {
  method: string;
  headers?: Record<string, string | number>;
  body?: Buffer;
  signal?: AbortSignal;
  /** Called with the bytes of the body written so far. */
  onBodyProgress?: (sent: number) => void;
  /** Bytes per second to stay under (0 or absent: as fast as the network goes). */
  rateLimit?: number;
}

const SLICE = 64 * 1024;

/** Waits so that `bytes` written since `start` stay under `rate` bytes/s. */
export async function throttle(rate: number | undefined, bytes: number, start: number, signal?: AbortSignal): Promise<void> {
  if (!rate) return;
  const due = start + (bytes / rate) * 1000;
  const wait = due - Date.now();
  if (wait > 0) await sleep(wait, signal);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new StudioAbortError('Aborted'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new StudioAbortError('Aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function open(url: string, options: SendOptions): http.ClientRequest {
  const lib = url.startsWith('https:') ? https : http;
  return lib.request(url, { method: options.method, headers: options.headers });
}

/** Sends a request with an in-memory body (written in slices for progress) and reads the whole answer. */
export function send(url: string, options: SendOptions): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new StudioAbortError('Aborted'));
    const req = open(url, options);
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      reject(err);
    };
    const onAbort = () => {
      req.destroy();
      fail(new StudioAbortError('Aborted'));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', fail);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('error', fail);
      res.on('end', () => {
        if (settled) return;
        settled = true;
        options.signal?.removeEventListener('abort', onAbort);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text });
      });
    });
    const body = options.body;
    if (!body) {
      req.end();
      return;
    }
    void (async () => {
      const start = Date.now();
      let sent = 0;
      while (sent < body.length && !settled) {
        const slice = body.subarray(sent, sent + SLICE);
        const ok = req.write(slice);
        sent += slice.length;
        if (!ok) await new Promise<void>((r) => req.once('drain', r));
        options.onBodyProgress?.(sent);
        await throttle(options.rateLimit, sent, start, options.signal).catch(() => undefined);
      }
      if (!settled) req.end();
    })().catch(fail);
  });
}

/** Opens a request and resolves with the answer's headers and body stream (the caller reads or destroys it). */
export function openStream(url: string, options: SendOptions): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new StudioAbortError('Aborted'));
    const req = open(url, options);
    const onAbort = () => {
      req.destroy(new StudioAbortError('Aborted'));
      reject(new StudioAbortError('Aborted'));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', reject);
    req.on('response', (res) => {
      res.once('close', () => options.signal?.removeEventListener('abort', onAbort));
      resolve(res);
    });
    req.end();
  });
}

export async function readAll(res: http.IncomingMessage): Promise<string> {
  let text = '';
  res.setEncoding('utf8');
  for await (const chunk of res) text += chunk as string;
  return text;
}
