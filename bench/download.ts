// bench:download — serves the same stored file through GET /assets/:id/download and through Debian's
// nginx in the same run; prints one JSON line with MiB/s and the API's peak RSS growth.
// BENCH_SIZE_MIB (default 2048) sets the file size.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { download, generated, givenAsset, MiB, postStream, round, sampleRss, startApi, startServices } from './lib/harness';
import { canConnect, findExecutable, freePort } from '../src/infra/embedded/embedded';
import { spawn } from 'node:child_process';

const size = Number(process.env.BENCH_SIZE_MIB ?? 2048) * MiB;
const boundary = '----studio-bench-boundary';

function findStored(root: string): string {
  const stack = [root];
  while (stack.length) {
    const dir = stack.pop()!;
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) stack.push(p);
      else if (statSync(p).size === size) return p;
    }
  }
  throw new Error('stored file not found');
}

async function main() {
  const nginx = findExecutable('nginx', ['/usr/sbin']);
  if (!nginx) throw new Error('nginx is needed for the baseline: apt-get install nginx-light');
  const services = await startServices();
  const api = await startApi(services);
  const prefix = path.join(services.dir, 'nginx');
  mkdirSync(path.join(prefix, 'logs'), { recursive: true });
  const port = await freePort();
  let nginxProc: ReturnType<typeof spawn> | undefined;
  try {
    const { token, assetId } = await givenAsset(api.url);
    const up = await postStream(`${api.url}/assets/${assetId}/versions`, { Authorization: `Bearer ${token}`, 'Content-Type': `multipart/form-data; boundary=${boundary}` }, {
      pre: `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="plate.obj"\r\n\r\n`,
      body: generated(size),
      post: `\r\n--${boundary}--\r\n`,
    });
    if (up.status !== 201) throw new Error(`upload failed: ${up.status} ${up.text}`);
    const stored = findStored(path.join(services.dir, 'storage'));

    writeFileSync(
      path.join(prefix, 'nginx.conf'),
      `${process.getuid?.() === 0 ? 'user root;' : ''} worker_processes 1; pid ${prefix}/nginx.pid; error_log ${prefix}/logs/error.log;
events { worker_connections 64; }
http { access_log off; sendfile on; tcp_nopush on;
  server { listen 127.0.0.1:${port}; location /file { alias ${stored}; default_type application/octet-stream; } } }`,
    );
    execFileSync(nginx, ['-t', '-q', '-p', prefix, '-c', path.join(prefix, 'nginx.conf')]);
    nginxProc = spawn(nginx, ['-p', prefix, '-c', path.join(prefix, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !(await canConnect(port)); i++) await new Promise((r) => setTimeout(r, 50));

    // The upload's dirty pages are flushed first, then BENCH_ROUNDS (default 2) rounds of A-B-B-A, each
    // side keeping its best run: run-to-run throughput here wanders more than the difference measured.
    execFileSync('sync');
    let growth = 0;
    const apiRuns: Array<Awaited<ReturnType<typeof download>>> = [];
    const nginxRuns: Array<Awaited<ReturnType<typeof download>>> = [];
    const viaApiOnce = async () => {
      const rss = sampleRss(api.pid);
      const r = await download(`${api.url}/assets/${assetId}/download`, { Authorization: `Bearer ${token}` });
      growth = Math.max(growth, rss.stop());
      apiRuns.push(r);
    };
    const viaNginxOnce = async () => void nginxRuns.push(await download(`http://127.0.0.1:${port}/file`));
    for (let i = 0; i < Number(process.env.BENCH_ROUNDS ?? 2); i++) {
      await viaApiOnce();
      await viaNginxOnce();
      await viaNginxOnce();
      await viaApiOnce();
    }
    for (const r of [...apiRuns, ...nginxRuns]) {
      if (r.status !== 200 || r.bytes !== size) throw new Error(`bad download: ${r.status}, ${r.bytes} of ${size} bytes`);
    }
    const fastest = (runs: typeof apiRuns) => runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const viaApi = fastest(apiRuns);
    const viaNginx = fastest(nginxRuns);

    const apiMiBs = size / MiB / viaApi.seconds;
    const nginxMiBs = size / MiB / viaNginx.seconds;
    process.stdout.write(
      `${JSON.stringify({
        bench: 'download',
        sizeMiB: size / MiB,
        runsPerSide: apiRuns.length,
        api: { MiBps: round(apiMiBs), seconds: round(viaApi.seconds, 2), peakRssGrowthMiB: round(growth / MiB) },
        nginx: { MiBps: round(nginxMiBs), seconds: round(viaNginx.seconds, 2) },
        ratio: round(apiMiBs / nginxMiBs, 2),
        targets: { rssGrowthMiBUnder: 64, ratioAtLeast: 0.7 },
        met: growth / MiB < 64 && apiMiBs / nginxMiBs >= 0.7,
      })}\n`,
    );
  } finally {
    nginxProc?.kill('SIGTERM');
    await api.stop();
    await services.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:download failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
