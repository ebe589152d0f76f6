// bench:commits — what the per-studio storage lease (the quota's check-and-count at every commit) costs when
// one studio commits many versions at once. BENCH_COMMITS (default 32) small uploads (BENCH_COMMIT_KIB, 64)
// are sent in parallel, each to its own asset so that only the studio's `storage:` lease is shared:
//   one-studio  all of them in one studio (they queue on its lease), with a quota set so the check runs;
//   spread      the baseline in the same run: the same uploads, one per studio (no lease shared).
// Best of BENCH_ROUNDS (default 3) wall times, with per-upload p50/p95 and any non-201 answer counted.
// One JSON line: {"bench":"commits", ...}.
import { generated, json, postStream, round, startApi, startServices, givenAsset } from './lib/harness';

const count = Number(process.env.BENCH_COMMITS ?? 32);
const size = Number(process.env.BENCH_COMMIT_KIB ?? 64) * 1024;
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const boundary = '----studio-bench-boundary';
const parts = () => ({
  pre: `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="part.obj"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  body: generated(size),
  post: `\r\n--${boundary}--\r\n`,
});

interface Target {
  token: string;
  assetId: string;
}

type Burst = Awaited<ReturnType<typeof burst>>;

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

async function burst(api: string, targets: Target[]) {
  const started = process.hrtime.bigint();
  const results = await Promise.all(
    targets.map((t) => postStream(`${api}/assets/${t.assetId}/versions`, { Authorization: `Bearer ${t.token}`, 'Content-Type': `multipart/form-data; boundary=${boundary}` }, parts())),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const latencies = results.map((r) => r.seconds * 1000);
  return { seconds, p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95), failed: results.filter((r) => r.status !== 201).map((r) => `${r.status} ${r.text.slice(0, 80)}`) };
}

async function main() {
  const services = await startServices();
  // A quota far above what the run stores, so every commit takes the check path and none is refused.
  const api = await startApi(services, { STORAGE_QUOTA_BYTES: '1tib' });
  try {
    // One studio with `count` assets; `count` studios with one asset each. Each round adds a version to each.
    const owner = await givenAsset(api.url);
    const oneStudio: Target[] = [owner];
    for (let i = 1; i < count; i++) oneStudio.push({ token: owner.token, assetId: (await json<{ id: string }>(`${api.url}/assets`, 'POST', { name: `one-${i}`, type: 'PROP' }, owner.token)).id });
    const spread: Target[] = [];
    for (let i = 0; i < count; i++) spread.push(await givenAsset(api.url));
    // Warm-up (connections, JIT) outside the measurement.
    await burst(api.url, [await givenAsset(api.url)]);
    const one: Burst[] = [];
    const many: Burst[] = [];
    for (let r = 0; r < rounds; r++) {
      many.push(await burst(api.url, spread));
      one.push(await burst(api.url, oneStudio));
    }
    const best = (runs: typeof one) => runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const shape = (runs: typeof one) => {
      const b = best(runs);
      return { seconds: round(b.seconds, 3), commitsPerSecond: round(count / b.seconds), p50Ms: round(b.p50), p95Ms: round(b.p95), failed: runs.flatMap((x) => x.failed) };
    };
    process.stdout.write(
      `${JSON.stringify({ bench: 'commits', uploads: count, KiB: size / 1024, rounds, oneStudio: shape(one), spread: shape(many), ratio: round(best(many).seconds / best(one).seconds, 2) })}\n`,
    );
  } finally {
    await api.stop();
    await services.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:commits failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
