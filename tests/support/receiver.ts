// A webhook receiver: a real HTTP server on loopback that records each request and answers with the
// statuses it is told (then 200), so tests see exactly what a studio's endpoint would. It can be slow (answer
// after a delay, or only when released), and it counts requests in flight, its own and with other receivers
// in a group; `order` numbers every request
// received by any receiver of the test file, so tests can say which arrived first.
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  json: { id: string; seq: number; type: string; time: string; studioId: string; data: Record<string, unknown> };
  at: number;
  /** Arrival position among all receivers' requests. */
  order: number;
}

/** Requests being answered now, and the most there were at once: of one receiver, or of several together. */
export interface InFlight {
  inFlight: number;
  maxInFlight: number;
}

export const inFlightCounter = (): InFlight => ({ inFlight: 0, maxInFlight: 0 });

export interface ReceiverOptions {
  /** Answer only after this long: a slow but successful endpoint. */
  answerAfterMs?: number;
  /** Also count this receiver's requests in flight here (e.g. all of one studio's receivers together). */
  group?: InFlight;
}

export interface Receiver extends InFlight {
  url: string;
  port: number;
  received: Received[];
  /** Statuses to answer with, in order; when empty, 200. */
  answers: number[];
  /** Holds every answer until the returned function is called. */
  hold(): () => void;
  close(): Promise<void>;
}

let arrivals = 0;

export async function startReceiver(options: ReceiverOptions = {}): Promise<Receiver> {
  const received: Received[] = [];
  const answers: number[] = [];
  let held: Promise<void> = Promise.resolve();
  const self = inFlightCounter();
  const counters = options.group ? [self, options.group] : [self];
  const server = http.createServer((req, res) => {
    let body = '';
    for (const c of counters) {
      c.inFlight++;
      c.maxInFlight = Math.max(c.maxInFlight, c.inFlight);
    }
    res.on('close', () => {
      for (const c of counters) c.inFlight--;
    });
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      received.push({ headers: req.headers, body, json: JSON.parse(body) as Received['json'], at: Date.now(), order: ++arrivals });
      const status = answers.shift() ?? 200;
      void held
        .then(() => new Promise((r) => setTimeout(r, options.answerAfterMs ?? 0)))
        .then(() => {
          res.statusCode = status;
          res.end('ok');
        });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(self, {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    received,
    answers,
    hold() {
      let release!: () => void;
      held = new Promise<void>((r) => (release = r));
      return release;
    },
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  });
}

/** The README's verification: t and v1 from X-Studio-Signature, HMAC-SHA256 over "<t>.<raw body>", a 5-minute tolerance. */
export function verifySignature(secret: string, header: string | undefined, body: string, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((kv) => kv.split('=') as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > 300 || !parts.v1) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
