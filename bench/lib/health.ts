// A /health prober in its own process, so what it measures is the API's event loop and not this one's (the
// bench generating and sending multi-MiB files would delay its own timers). It sends a GET /health every
// PROBE_EVERY_MS over a keep-alive socket (the next as soon as an answer is late); a request that arrives
// while the API's loop is blocked waits for it, so the slowest answer bounds the longest stall from below.
// Paced rather than back to back, so the prober does not itself keep the API's loop busy.
import { spawn } from 'node:child_process';
import { round } from './harness';

const PROBE_EVERY_MS = 5;

const PROBE_SOURCE = `
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const url = process.argv[1];
let running = true;
const ms = [];
let failed = 0;
process.stdin.on('data', () => (running = false));
function once() {
  return new Promise((resolve) => {
    const t = process.hrtime.bigint();
    const req = http.get(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode === 200) ms.push(Number(process.hrtime.bigint() - t) / 1e6);
        else failed++;
        resolve();
      });
    });
    req.on('error', () => { failed++; resolve(); });
  });
}
(async () => {
  process.stdout.write('ready\\n');
  while (running) {
    const next = Date.now() + ${PROBE_EVERY_MS};
    await once();
    const wait = next - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  ms.sort((a, b) => a - b);
  const at = (p) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))] ?? null;
  process.stdout.write(JSON.stringify({ answered: ms.length, failed, p50: at(0.5), p99: at(0.99), max: ms.at(-1) ?? null }) + '\\n');
  agent.destroy();
})();
`;

export interface HealthStats {
  answered: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
  /** The slowest /health answer: the longest the API's event loop kept it waiting (plus one round trip). */
  maxMs: number;
}

/** Starts probing `${apiUrl}/health`; stop() ends it and returns what it saw. */
export async function probeHealth(apiUrl: string): Promise<{ stop(): Promise<HealthStats> }> {
  const child = spawn(process.execPath, ['-e', PROBE_SOURCE, `${apiUrl}/health`], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => (out += d));
  await new Promise<void>((resolve, reject) => {
    const check = () => (out.includes('ready\n') ? resolve() : undefined);
    child.stdout.on('data', check);
    child.once('exit', (code) => reject(new Error(`health probe exited with ${code}`)));
  });
  return {
    stop: () =>
      new Promise<HealthStats>((resolve, reject) => {
        child.once('exit', () => {
          const line = out.split('\n').find((l) => l.startsWith('{'));
          if (!line) return reject(new Error(`health probe printed no result: ${out}`));
          const r = JSON.parse(line) as { answered: number; failed: number; p50: number; p99: number; max: number };
          resolve({ answered: r.answered, failed: r.failed, p50Ms: round(r.p50, 2), p99Ms: round(r.p99, 2), maxMs: round(r.max, 2) });
        });
        child.stdin.end('stop\n');
      }),
  };
}

/**
 * The API's own record of its longest event-loop delay since the previous call (prom-client's
 * nodejs_eventloop_lag_max_seconds, from monitorEventLoopDelay at 10 ms resolution, reset on every scrape).
 */
export async function eventLoopMaxMs(apiUrl: string): Promise<number> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  const m = /^nodejs_eventloop_lag_max_seconds(?:\{[^}]*\})? (\S+)$/m.exec(text);
  if (!m) throw new Error('the API reported no nodejs_eventloop_lag_max_seconds');
  return round(Number(m[1]) * 1000, 1);
}

/**
 * Runs `work` while probing /health; returns its result, its wall time, what the prober saw and the API's
 * longest event-loop delay meanwhile.
 */
export async function whileProbing<T>(apiUrl: string, work: () => Promise<T>): Promise<{ result: T; seconds: number; health: HealthStats; eventLoopMaxMs: number }> {
  await eventLoopMaxMs(apiUrl);
  const probe = await probeHealth(apiUrl);
  const t = performance.now();
  try {
    const result = await work();
    const seconds = (performance.now() - t) / 1000;
    const health = await probe.stop();
    return { result, seconds, health, eventLoopMaxMs: await eventLoopMaxMs(apiUrl) };
  } catch (err) {
    await probe.stop().catch(() => undefined);
    throw err;
  }
}
