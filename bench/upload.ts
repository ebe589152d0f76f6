// bench:upload — the three ways a file reaches storage, each beside a bare Node stream-to-disk server measured
// in the same run, one JSON line each:
//   streamed-local  POST /assets/:id/versions on local disk (BENCH_SIZE_MIB, default 2048), plus 20 parallel
//                   200 MiB uploads (BENCH_PARALLEL, BENCH_PARALLEL_MIB);
//   streamed-s3     the same request on the S3 driver (BENCH_S3_SIZE_MIB, default 512);
//   direct-s3       POST /assets/:id/uploads, 8 parts sent in parallel to presigned URLs, one part sent twice,
//                   complete, then the version downloaded through the API and its sha256 checked
//                   (BENCH_DIRECT_SIZE_MIB, default 1024); the API's RSS growth is sampled during the transfer.
// The S3 server is S3_ENDPOINT when set, else moto started here (in-memory, single-threaded Python: its
// MiB/s is the test server's, not S3's).
import { execSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { EMBEDDED_S3_CREDENTIALS, startS3 } from '../src/infra/embedded/s3';
import type { RunningService } from '../src/infra/embedded/embedded';
import { generated, givenAsset, MiB, postStream, round, sampleRss, startApi, startProcess, startServices, type ChildServer } from './lib/harness';

const size = Number(process.env.BENCH_SIZE_MIB ?? 2048) * MiB;
const s3Size = Number(process.env.BENCH_S3_SIZE_MIB ?? 512) * MiB;
const directSize = Number(process.env.BENCH_DIRECT_SIZE_MIB ?? 1024) * MiB;
const parallel = Number(process.env.BENCH_PARALLEL ?? 20);
const parallelSize = Number(process.env.BENCH_PARALLEL_MIB ?? 200) * MiB;
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
/** BENCH_PATHS (comma-separated, default all three) picks which paths run. */
const paths = new Set((process.env.BENCH_PATHS ?? 'streamed-local,streamed-s3,direct-s3').split(','));
const boundary = '----studio-bench-boundary';
const multipart = (body: ReturnType<typeof generated>) => ({
  pre: `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="plate.obj"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  body,
  post: `\r\n--${boundary}--\r\n`,
});
const headersFor = (token: string) => ({ Authorization: `Bearer ${token}`, 'Content-Type': `multipart/form-data; boundary=${boundary}` });
const line = (o: object) => process.stdout.write(`${JSON.stringify({ bench: 'upload', ...o })}\n`);

interface Run {
  seconds: number;
  growth: number;
}

async function timedUpload(server: ChildServer, url: string, token: string, bytes: number): Promise<Run> {
  execSync('sync');
  const rss = sampleRss(server.pid);
  const r = await postStream(url, headersFor(token), multipart(generated(bytes)));
  const growth = rss.stop();
  if (r.status !== 201) throw new Error(`upload to ${url} failed: ${r.status} ${r.text}`);
  return { seconds: r.seconds, growth };
}

const best = (runs: Run[]) => runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
const peak = (runs: Run[]) => Math.max(...runs.map((r) => r.growth));
const side = (bytes: number, runs: Run[]) => ({ MiBps: round(bytes / MiB / best(runs).seconds), seconds: round(best(runs).seconds, 2), peakRssGrowthMiB: round(peak(runs) / MiB) });

/** The whole direct file: deterministic bytes held once in the bench process (the API never sees them). */
async function directFile(bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of generated(bytes)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function putPart(url: string, body: Buffer, checksum: string, cutAfter?: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'PUT', headers: { 'Content-Length': body.length, 'x-amz-checksum-sha256': checksum } });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (err) => (cutAfter !== undefined ? resolve(0) : reject(err)));
    if (cutAfter !== undefined) {
      // A part that dies half-way (the client's network dropped): the connection goes, the part is retried.
      req.write(body.subarray(0, cutAfter), () => req.destroy());
      return;
    }
    req.end(body);
  });
}

async function sha256OfDownload(url: string, token: string): Promise<{ sha256: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: { Authorization: `Bearer ${token}` } }, (res) => {
      const h = createHash('sha256');
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        h.update(c);
      });
      res.on('end', () => resolve({ sha256: h.digest('hex'), bytes }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

async function main() {
  const services = await startServices();
  let s3: RunningService | undefined;
  const s3Endpoint = process.env.S3_ENDPOINT ?? (s3 = await startS3({ dataDir: services.dir, detached: false, persistent: false })).url;
  const apiLocal = await startApi(services);
  const apiS3 = await startApi(services, {
    STORAGE_DRIVER: 's3',
    S3_ENDPOINT: s3Endpoint,
    S3_BUCKET: `bench-${Date.now()}`,
    S3_ACCESS_KEY_ID: process.env.S3_ACCESS_KEY_ID ?? EMBEDDED_S3_CREDENTIALS.accessKeyId,
    S3_SECRET_ACCESS_KEY: process.env.S3_SECRET_ACCESS_KEY ?? EMBEDDED_S3_CREDENTIALS.secretAccessKey,
    S3_FORCE_PATH_STYLE: 'true',
    S3_CREATE_BUCKET: 'true',
  });
  const bareDir = path.join(services.dir, 'bare');
  mkdirSync(bareDir, { recursive: true });
  const bare = await startProcess(path.resolve(__dirname, 'baselines/bare-upload-server.ts'), { BARE_DIR: bareDir });
  const bareUrl = `${bare.url}/upload`;
  try {
    // streamed-local: rounds of A-B-B-A (each run after a sync), best of each side, since the disk's
    // throughput wanders by ±30% from run to run here.
    if (paths.has('streamed-local')) await streamedLocal();
    if (paths.has('streamed-s3')) await streamedS3();
    if (paths.has('direct-s3')) await directS3();
  } finally {
    await apiLocal.stop();
    await apiS3.stop();
    await bare.stop();
    await s3?.stop();
    await services.stop();
  }

  async function streamedLocal() {
    const local = await givenAsset(apiLocal.url);
    const apiRuns: Run[] = [];
    const bareRuns: Run[] = [];
    for (let i = 0; i < rounds; i++) {
      apiRuns.push(await timedUpload(apiLocal, `${apiLocal.url}/assets/${local.assetId}/versions`, local.token, size));
      bareRuns.push(await timedUpload(bare, bareUrl, local.token, size), await timedUpload(bare, bareUrl, local.token, size));
      apiRuns.push(await timedUpload(apiLocal, `${apiLocal.url}/assets/${local.assetId}/versions`, local.token, size));
    }
    const targets = await Promise.all(Array.from({ length: parallel }, () => givenAsset(apiLocal.url)));
    const parRss = sampleRss(apiLocal.pid);
    const t0 = Date.now();
    const results = await Promise.all(targets.map((t) => postStream(`${apiLocal.url}/assets/${t.assetId}/versions`, headersFor(t.token), multipart(generated(parallelSize)))));
    const parGrowth = parRss.stop();
    const parSeconds = (Date.now() - t0) / 1000;
    if (results.some((r) => r.status !== 201)) throw new Error(`parallel uploads failed: ${results.map((r) => r.status).join(',')}`);
    const ratio = best(bareRuns).seconds / best(apiRuns).seconds;
    line({
      path: 'streamed-local',
      sizeMiB: size / MiB,
      runsPerSide: apiRuns.length,
      api: side(size, apiRuns),
      bareNode: side(size, bareRuns),
      ratio: round(ratio, 2),
      parallel: { uploads: parallel, eachMiB: parallelSize / MiB, totalMiBps: round((parallel * parallelSize) / MiB / parSeconds), peakRssGrowthMiB: round(parGrowth / MiB) },
      targets: { rssGrowthMiBUnder: 64, ratioAtLeast: 0.9 },
      met: peak(apiRuns) / MiB < 64 && ratio >= 0.9,
    });

  }

  // streamed-s3: the same request on the S3 driver, beside the bare server at the same size.
  async function streamedS3() {
    const viaS3 = await givenAsset(apiS3.url);
    const s3Runs = [await timedUpload(apiS3, `${apiS3.url}/assets/${viaS3.assetId}/versions`, viaS3.token, s3Size)];
    const bareS3 = [await timedUpload(bare, bareUrl, viaS3.token, s3Size)];
    line({ path: 'streamed-s3', sizeMiB: s3Size / MiB, api: side(s3Size, s3Runs), bareNode: side(s3Size, bareS3), ratio: round(best(bareS3).seconds / best(s3Runs).seconds, 2), s3: s3 ? 'moto (embedded)' : s3Endpoint });

  }

  // direct-s3: 8 parts in parallel to presigned URLs, part 3 cut half-way and sent again.
  async function directS3() {
    const direct = await givenAsset(apiS3.url);
    const file = await directFile(directSize);
    const partSize = Math.ceil(directSize / 8);
    const pieces = Array.from({ length: 8 }, (_, i) => file.subarray(i * partSize, Math.min((i + 1) * partSize, directSize)));
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    const wholeSha = sha(file);
    const bareDirect = [await timedUpload(bare, bareUrl, direct.token, directSize)];
    const rss = sampleRss(apiS3.pid);
    const d0 = process.hrtime.bigint();
    const started = await fetch(`${apiS3.url}/assets/${direct.assetId}/uploads`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${direct.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ fileName: 'plate.obj', size: directSize, sha256: wholeSha, partSize, partSha256: pieces.map(sha) }),
    });
    if (started.status !== 201) throw new Error(`direct start failed: ${started.status} ${await started.text()}`);
    const session = (await started.json()) as { id: string; parts: Array<{ partNumber: number; url: string; checksumSha256: string }> };
    const cut = await putPart(session.parts[2]!.url, pieces[2]!, session.parts[2]!.checksumSha256, Math.floor(partSize / 2));
    const statuses = await Promise.all(session.parts.map((p, i) => putPart(p.url, pieces[i]!, p.checksumSha256)));
    if (statuses.some((s) => s !== 200)) throw new Error(`direct parts failed: ${statuses.join(',')}`);
    const completed = await fetch(`${apiS3.url}/assets/${direct.assetId}/uploads/${session.id}/complete`, { method: 'POST', headers: { Authorization: `Bearer ${direct.token}` } });
    const directSeconds = Number(process.hrtime.bigint() - d0) / 1e9;
    const directGrowth = rss.stop();
    if (completed.status !== 201) throw new Error(`direct complete failed: ${completed.status} ${await completed.text()}`);
    const downloaded = await sha256OfDownload(`${apiS3.url}/assets/${direct.assetId}/download`, direct.token);
    line({
      path: 'direct-s3',
      sizeMiB: directSize / MiB,
      parts: 8,
      retriedPart: { partNumber: 3, firstAttemptCutAtMiB: round(partSize / 2 / MiB), firstAttemptStatus: cut },
      api: { MiBps: round(directSize / MiB / directSeconds), seconds: round(directSeconds, 2), peakRssGrowthMiB: round(directGrowth / MiB) },
      bareNode: side(directSize, bareDirect),
      downloadSha256Matches: downloaded.sha256 === wholeSha && downloaded.bytes === directSize,
      s3: s3 ? 'moto (embedded)' : s3Endpoint,
      targets: { rssGrowthMiBUnder: 32 },
      met: directGrowth / MiB < 32 && downloaded.sha256 === wholeSha,
    });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:upload failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
