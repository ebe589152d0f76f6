// Sends one signed webhook request: no redirects followed, at most WEBHOOK_MAX_RESPONSE_BYTES of the answer
// read, a hard timeout, and the UrlGuard at connect time (an IP literal is checked before connecting,
// since Node does not look those up).
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { hostOf, type UrlGuard } from './UrlGuard';

export interface SendResult {
  ok: boolean;
  status: number | null;
  durationMs: number;
  error: string | null;
}

/** The signature header: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>"> (documented in the README). */
export function signature(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export class WebhookSender {
  constructor(
    private readonly guard: UrlGuard,
    private readonly options: { timeoutMs: number; maxResponseBytes: number; userAgent: string },
  ) {}

  async send(rawUrl: string, input: { secret: string; body: string; headers: Record<string, string>; now?: Date }): Promise<SendResult> {
    const started = Date.now();
    const done = (r: Omit<SendResult, 'durationMs'>): SendResult => ({ ...r, durationMs: Date.now() - started });
    let url: URL;
    try {
      url = this.guard.parse(rawUrl);
    } catch (err) {
      return done({ ok: false, status: null, error: (err as Error).message });
    }
    const host = hostOf(url);
    if (net.isIP(host) && !this.guard.addressAllowed(host)) return done({ ok: false, status: null, error: `forbidden address ${host}` });
    const timestamp = Math.floor((input.now ?? new Date()).getTime() / 1000);
    const headers = {
      ...input.headers,
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(input.body)),
      'User-Agent': this.options.userAgent,
      'X-Studio-Signature': signature(input.secret, timestamp, input.body),
    };
    const client = url.protocol === 'https:' ? https : http;
    return new Promise<SendResult>((resolve) => {
      let settled = false;
      const finish = (r: Omit<SendResult, 'durationMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(done(r));
      };
      const req = client.request(url, { method: 'POST', headers, lookup: this.guard.lookup, agent: false }, (res) => {
        const status = res.statusCode ?? 0;
        let read = 0;
        // Only the status matters; the body is read at most up to the cap, then the connection is dropped.
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > this.options.maxResponseBytes) res.destroy();
        });
        const end = () => finish({ ok: status >= 200 && status < 300, status, error: status >= 200 && status < 300 ? null : status >= 300 && status < 400 ? `redirect (${status}) not followed` : `HTTP ${status}` });
        res.on('end', end);
        res.on('close', end);
        res.on('error', end);
      });
      const timer = setTimeout(() => {
        req.destroy();
        finish({ ok: false, status: null, error: `timed out after ${this.options.timeoutMs} ms` });
      }, this.options.timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) => finish({ ok: false, status: null, error: err.code === 'WEBHOOK_ADDRESS_FORBIDDEN' ? err.message : `${err.code ?? 'ERROR'}: ${err.message}` }));
      req.end(input.body);
    });
  }
}
