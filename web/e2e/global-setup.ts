// Starts the real, built API (dist/server.js, serving web/dist at /app/) on a free port with its own
// embedded services under a temp dir, as scripts/fuzz.sh does, then the workers (pipeline: thumbnails and
// previews; render: Blender; webhook: deliveries) on the same services; the returned function tears it all down.
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, openSync, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** scripts/test-limits.env: the limits every stand-alone test API lifts (KEY=VALUE lines, # comments). */
const liftedLimits = (): Record<string, string> =>
  Object.fromEntries(
    readFileSync(path.join(root, 'scripts/test-limits.env'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

export default async function globalSetup() {
  for (const built of ['dist/server.js', 'dist/workers/pipeline.worker.js', 'dist/workers/render.worker.js', 'dist/workers/webhook.worker.js', 'web/dist/index.html']) {
    if (!existsSync(path.join(root, built))) throw new Error(`${built} is missing: run \`npm run build\` first`);
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'studio-e2e-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // The operator's token, for the admin spec to give its own studio a storage quota (PUT /admin/studios/…).
  const operatorToken = randomBytes(24).toString('hex');
  const env = {
    ...process.env,
    NODE_ENV: 'development', PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: base,
    EMBEDDED_DATA_DIR: dir, STORAGE_LOCAL_ROOT: `${dir}/storage`, TUS_STAGING_DIR: `${dir}/tus`,
    // Small enough that the web e2e can show the API's 413 for an upload over the limit.
    MAX_UPLOAD_BYTES: '64mib',
    // The admin spec's webhook receiver listens on 127.0.0.1 (as the server tests' receiver does): only that one
    // address is let past the URL guard, and only here; every other loopback and private address stays refused.
    OPERATOR_TOKEN: operatorToken,
    WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32', WEBHOOK_RETRY_BASE_MS: '500', WEBHOOK_RETRY_MAX_MS: '2000',
    LOG_LEVEL: 'warn',
    ...liftedLimits(),
    // Its own keys in a Redis that CI's earlier stages used too, so none of their counters carries over.
    REDIS_KEY_PREFIX: `studio-e2e-${port}:`,
  };
  const log = openSync(path.join(dir, 'api.log'), 'a');
  const node = path.join(root, 'node_modules/.bin/node');
  const api = spawn(existsSync(node) ? node : process.execPath, ['dist/server.js'], { cwd: root, env, stdio: ['ignore', log, log] });
  const workers: ReturnType<typeof spawn>[] = [];
  const stop = async () => {
    for (const p of [...workers, api]) p.kill('SIGTERM');
    await Promise.all([...workers, api].map((p) => new Promise((r) => (p.exitCode === null ? p.once('exit', r) : r(null)))));
    try {
      execFileSync(path.join(root, 'node_modules/.bin/tsx'), ['scripts/services-stop.ts'], { cwd: root, env, stdio: 'ignore' });
    } finally {
      if (!process.env.E2E_KEEP_DIR) rmSync(dir, { recursive: true, force: true });
    }
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (api.exitCode !== null) throw new Error(`the API exited (${api.exitCode}); see ${dir}/api.log`);
    if (Date.now() > deadline) { await stop(); throw new Error(`the API did not become ready; see ${dir}/api.log`); }
    const ready = await fetch(`${base}/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  // The API started the embedded services and wrote their addresses under the data dir; the workers find
  // them there through the same EMBEDDED_DATA_DIR.
  for (const name of ['pipeline', 'render', 'webhook']) {
    const wlog = openSync(path.join(dir, `${name}.worker.log`), 'a');
    workers.push(spawn(existsSync(node) ? node : process.execPath, [`dist/workers/${name}.worker.js`], { cwd: root, env, stdio: ['ignore', wlog, wlog] }));
  }
  for (const [i, w] of workers.entries()) {
    await new Promise((r) => setTimeout(r, 200));
    if (w.exitCode !== null) { await stop(); throw new Error(`worker ${i} exited (${w.exitCode}); see ${dir}/*.worker.log`); }
  }
  process.env.STUDIO_E2E_URL = base;
  process.env.STUDIO_E2E_MAIL = path.join(dir, 'mail');
  process.env.STUDIO_E2E_OPERATOR = operatorToken;
  return stop;
}
