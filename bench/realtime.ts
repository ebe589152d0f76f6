// bench:realtime — 1,000 Socket.IO clients of one studio spread over 2 API instances (Redis adapter):
// the delivery latency of a comment to all of them, p50/p99, against a bare Socket.IO server
// broadcasting the same payload in the same run. BENCH_CLIENTS (default 1000), BENCH_MESSAGES (default 20).
// Comments go to the studio's `assets` sub-room (issue 27), which every client of the member is in.
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import { givenAsset, round, startApi, startProcess, startServices, type ChildServer } from './lib/harness';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 1000);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 20);

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function connectAll(urls: string[], token: string | undefined, n: number): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < n; i += 50) {
    const batch = Array.from({ length: Math.min(50, n - i) }, (_, j) => {
      const s = connect(urls[(i + j) % urls.length]!, { auth: token ? { token } : {}, transports: ['websocket'], reconnection: false, forceNew: true });
      sockets.push(s);
      return new Promise<void>((resolve, reject) => {
        s.once('connect', () => resolve());
        s.once('connect_error', reject);
      });
    });
    await Promise.all(batch);
  }
  return sockets;
}

/** Sends MESSAGES messages one after another and records each one's arrival at every listener. */
async function measure(listeners: Socket[], event: string, send: (body: string) => Promise<void>, bodyOf: (p: unknown) => string): Promise<number[]> {
  const sentAt = new Map<string, bigint>();
  const latencies: number[] = [];
  for (const s of listeners) {
    s.on(event, (p: unknown) => {
      const t0 = sentAt.get(bodyOf(p));
      if (t0 !== undefined) latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    });
  }
  for (let i = 0; i < MESSAGES; i++) {
    const body = `bench ${i} ${randomBytes(4).toString('hex')}`;
    const expected = latencies.length + listeners.length;
    sentAt.set(body, process.hrtime.bigint());
    await send(body);
    const deadline = Date.now() + 10_000;
    while (latencies.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 550)); // stay under the per-socket comment limit (20 per 10 s)
  }
  return latencies.sort((a, b) => a - b);
}

async function main() {
  const services = await startServices();
  const secret = randomBytes(48).toString('base64url');
  // All clients are one member on one address (one token): the per-member socket cap and handshake budget
  // are lifted for that, while every event still spends its socket's and member's budget (one Redis count each).
  const env = {
    JWT_ACCESS_SECRET: secret,
    REDIS_KEY_PREFIX: 'rtbench:',
    AUTH_RATE_LIMIT_MAX_PER_IP: '100000',
    SOCKET_MAX_PER_MEMBER: String(CLIENTS + 10),
    SOCKET_HANDSHAKES_PER_MINUTE_PER_MEMBER: '100000',
    SOCKET_HANDSHAKES_PER_MINUTE_PER_IP: '100000',
  };
  const apis: ChildServer[] = [await startApi(services, env), await startApi(services, env)];
  const bare = await startProcess(path.resolve(__dirname, 'baselines/bare-socketio-server.ts'), {});
  const all: Socket[] = [];
  try {
    const { token, assetId } = await givenAsset(apis[0]!.url);
    const clients = await connectAll(apis.map((a) => a.url), token, CLIENTS);
    all.push(...clients);
    const sender = clients[0]!;
    const api = await measure(
      clients,
      'asset:commented',
      async (body) => {
        const reply = (await sender.timeout(10_000).emitWithAck('asset:comment', { assetId, body })) as { error?: unknown };
        if (reply.error) throw new Error(`comment refused: ${JSON.stringify(reply.error)}`);
      },
      (p) => (p as { body: string }).body,
    );

    const bareClients = await connectAll([bare.url], undefined, CLIENTS);
    all.push(...bareClients);
    const baseline = await measure(
      bareClients,
      'msg',
      async (body) => void (await bareClients[0]!.timeout(10_000).emitWithAck('msg', { body })),
      (p) => (p as { body: string }).body,
    );

    const expected = CLIENTS * MESSAGES;
    process.stdout.write(
      `${JSON.stringify({
        bench: 'realtime',
        clients: CLIENTS,
        instances: 2,
        messages: MESSAGES,
        api: { deliveries: api.length, expected, p50Ms: round(pct(api, 50)), p99Ms: round(pct(api, 99)), maxMs: round(api.at(-1) ?? 0) },
        bareSocketIo: { deliveries: baseline.length, expected, p50Ms: round(pct(baseline, 50)), p99Ms: round(pct(baseline, 99)), maxMs: round(baseline.at(-1) ?? 0) },
        targets: { p99MsUnder: 250 },
        met: api.length === expected && pct(api, 99) < 250,
      })}\n`,
    );
  } finally {
    for (const s of all) s.disconnect();
    for (const a of apis) await a.stop();
    await bare.stop();
    await services.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:realtime failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
