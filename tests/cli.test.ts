// The `studio` command (packages/cli) run as a real child process against a real API: help, exit codes,
// login with stored credentials (0600), listing, an upload stopped by Ctrl-C (SIGINT) at about half that
// the same command resumes, a download killed outright (SIGKILL) that resumes with Range, render --watch.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startHarness, type Harness } from './support/harness';
import { givenBotToken, givenStudio, type Session } from './support/factories';
import { bufferOf, generated } from './support/uploads';
import { renderWorkerFor, waitFor } from './support/workers';

const root = path.resolve(__dirname, '..');
// The package's bin entry, run by this Node in one process (tsx as a loader), so a signal reaches the CLI itself.
const bin = path.join(root, 'packages/cli/bin/studio.js');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

describe('studio CLI', () => {
  let h: Harness;
  let base: string;
  let s: Session;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'studio-cli-'));
  const configDir = path.join(dir, 'config');

  /** Starts `studio ...args` with its own config dir (never the user's) and the API's URL. */
  function studio(args: string[], env: Record<string, string> = {}, input?: string): Run {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: dir, STUDIO_CONFIG_DIR: configDir, STUDIO_API_URL: base, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin!.end(input);
    const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
    );
    return { child, stdout: () => stdout, stderr: () => stderr, done };
  }
  const run = (args: string[], env: Record<string, string> = {}, input?: string) => studio(args, env, input).done;

  /** The highest percentage a progress bar printed so far. */
  const percent = (text: string) => Math.max(0, ...[...text.matchAll(/\b(\d{1,3})%/g)].map((m) => Number(m[1])));

  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '100000', SIMULATED_RENDER_MS_PER_FRAME: '40' });
    ({ url: base } = await h.listenRealtime());
    s = await givenStudio(h);
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const asset = async (name: string) => (await h.http.post('/assets').set(s.auth).send({ name, type: 'SHOT' }).expect(201)).body as { id: string };
  const botToken = async (scopes: string[]) => (await givenBotToken(h, s, scopes)).created.token;

  it('has --help for every command, exits 2 on bad usage and 3 without credentials', async () => {
    const top = await run(['--help']);
    expect(top.code).toBe(0);
    for (const cmd of ['login', 'logout', 'whoami', 'tokens', 'assets', 'upload', 'download', 'render', 'comments', 'completion']) expect(top.stdout).toContain(cmd);
    expect(top.stdout).toMatch(/Exit codes:/);
    for (const cmd of [['login'], ['tokens', 'create'], ['assets', 'ls'], ['upload'], ['download'], ['render'], ['comments'], ['completion']]) {
      const help = await run([...cmd, '--help']);
      expect({ cmd, code: help.code }).toEqual({ cmd, code: 0 });
      expect(help.stdout).toMatch(/^Usage: studio /);
    }
    const bad = await run(['upload', 'x.bin']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/required option '--asset <id>'/);
    expect((await run(['render', 'a', '--frames', '10-1'])).code).toBe(2);
    expect((await run(['frobnicate'])).code).toBe(2);
    const anonymous = await run(['assets', 'ls']);
    expect(anonymous.code).toBe(3);
    expect(anonymous.stderr).toMatch(/studio login/);
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const unreachable = await run(['assets', 'ls'], { STUDIO_TOKEN: 'sapi_x', STUDIO_API_URL: `http://127.0.0.1:${port}` });
    expect(unreachable.code).toBe(7);
    expect(unreachable.stderr).toMatch(/cannot reach the API at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    const completion = await run(['completion', 'bash']);
    expect(completion.code).toBe(0);
    expect(completion.stdout).toContain('complete -o filenames -F _studio studio');
    expect(completion.stdout).toContain('"assets ls") opts="--type --status');
  }, 120_000);

  it('logs in with email and password, stores the session with mode 0600, lists assets with filters and --json', async () => {
    await asset('Shot 010');
    await h.http.post('/assets').set(s.auth).send({ name: 'Hero Rig', type: 'RIG' }).expect(201);
    const login = await run(['login', '--email', s.user.email, '--password-stdin'], {}, `${s.password}\n`);
    expect(login.code).toBe(0);
    expect(login.stdout).toMatch(/Signed in to .* as Owner/);
    const file = path.join(configDir, 'credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ apiUrl: base, kind: 'session', email: s.user.email });

    const rigs = await run(['assets', 'ls', '--type', 'RIG', '--json']);
    expect(rigs.code).toBe(0);
    expect((JSON.parse(rigs.stdout) as Array<{ name: string }>).map((a) => a.name)).toEqual(['Hero Rig']);
    const table = await run(['assets', 'ls', '--name', 'Shot']);
    expect(table.stdout).toMatch(/^ID\s+TYPE\s+STATUS/);
    expect(table.stdout).toContain('Shot 010');
    expect((await run(['assets', 'ls', '--type', 'NOPE'])).code).toBe(2);
  }, 60_000);

  it('tokens create asks for the password again and prints only the secret; ls and revoke; a token cannot mint', async () => {
    const login = await run(['login', '--email', s.user.email, '--password-stdin'], {}, `${s.password}\n`);
    expect(login.code).toBe(0);
    const wrong = await run(['tokens', 'create', '--name', 'ci', '--scope', 'assets:read', '--days', '7', '--password-stdin'], {}, 'not my password\n');
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toMatch(/CURRENT_PASSWORD_WRONG \(HTTP 403\)/);
    expect(wrong.stderr).toMatch(/hint: that is not your password/);
    const created = await run(['tokens', 'create', '--name', 'ci publish', '--scope', 'assets:read', 'assets:write', '--days', '7', '--password-stdin'], {}, `${s.password}\n`);
    expect(created.code).toBe(0);
    const secret = created.stdout.trim();
    expect(secret).toMatch(/^sapi_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toMatch(/Created "ci publish" \(sapi_.{6}…, id [0-9a-f]{24}\) with assets:read, assets:write; expires .* UTC/);
    expect(h.mailbox.messages.filter((m) => m.to.includes(s.user.email)).map((m) => m.subject)).toContain('New API token "ci publish" on your Studio API account');
    // The secret works as STUDIO_TOKEN; it cannot mint another.
    expect((await run(['assets', 'ls', '--json'], { STUDIO_TOKEN: secret })).code).toBe(0);
    const chained = await run(['tokens', 'create', '--name', 'child', '--scope', 'assets:read', '--days', '1', '--password-stdin'], { STUDIO_TOKEN: secret }, `${s.password}\n`);
    expect([chained.code, /TOKEN_NOT_ALLOWED/.test(chained.stderr)]).toEqual([4, true]);
    const listed = await run(['tokens', 'ls', '--json']);
    const body = JSON.parse(listed.stdout) as { data: Array<{ id: string; name: string; status: string }>; policy: { maxExpiresInDays: number } };
    const mine = body.data.find((t) => t.name === 'ci publish')!;
    expect([mine.status, body.policy.maxExpiresInDays]).toEqual(['ACTIVE', 90]);
    expect((await run(['tokens', 'ls'])).stdout).toMatch(/^ID\s+STATUS\s+EXPIRES\s+LAST USED\s+SCOPES\s+NAME/);
    const revoked = await run(['tokens', 'revoke', mine.id]);
    expect([revoked.code, revoked.stdout.trim()]).toEqual([0, `Revoked "ci publish" (${secret.slice(0, 11)}…)`]);
    expect((await run(['assets', 'ls'], { STUDIO_TOKEN: secret })).code).toBe(3);
  }, 60_000);

  it('exits 4 with INSUFFICIENT_SCOPE for a token without the scope, and 5 for an unknown asset', async () => {
    const reader = await botToken(['assets:read']);
    const target = await asset('Scoped');
    writeFileSync(path.join(dir, 'small.obj'), '# OBJ\nv 0 0 0\n');
    const refused = await run(['upload', 'small.obj', '--asset', target.id], { STUDIO_TOKEN: reader });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/INSUFFICIENT_SCOPE \(HTTP 403\), correlation id/);
    expect(refused.stderr).toMatch(/hint: the API token lacks the scope/);
    const missing = await run(['download', '0123456789abcdef01234567'], { STUDIO_TOKEN: reader });
    expect(missing.code).toBe(5);
    expect(missing.stderr).toContain('ASSET_NOT_FOUND');
  }, 60_000);

  it('exits 6, not 7, when the studio\'s storage quota cannot hold the upload (507): waiting and retrying would not help', async () => {
    const writer = await botToken(['assets:read', 'assets:write']);
    const target = await asset('Over Quota');
    writeFileSync(path.join(dir, 'quota.obj'), '# OBJ\nv 0 0 0\n');
    const usage = h.container.services.storageUsage;
    const uploadId = `${s.user.studioId}-${'1'.repeat(32)}`;
    await usage.setQuota(s.user.studioId, (await usage.room(s.user.studioId)).used + 4);
    try {
      const refused = await run(['upload', 'quota.obj', '--asset', target.id], { STUDIO_TOKEN: writer });
      expect(refused.code).toBe(6);
      expect(refused.stderr).toMatch(/STORAGE_QUOTA_EXCEEDED \(HTTP 507\)/);
      // Room held by another upload in progress: the same.
      await usage.setQuota(s.user.studioId, (await usage.room(s.user.studioId)).used + 1024);
      await usage.reserveUpload(s.user.studioId, { kind: 'tus', uploadId, bytes: 1024, expiresAt: new Date(Date.now() + 3_600_000) });
      expect((await run(['upload', 'quota.obj', '--asset', target.id], { STUDIO_TOKEN: writer })).code).toBe(6);
    } finally {
      await usage.releaseUpload(s.user.studioId, 'tus', uploadId);
      await usage.setQuota(s.user.studioId, 'default');
    }
  }, 60_000);

  it('uploads with a progress bar; Ctrl-C at about half exits 130, and the same command resumes and finishes', async () => {
    const writer = await botToken(['assets:read', 'assets:write']);
    const target = await asset('Big Upload');
    const size = 8 * 1024 * 1024;
    const bytes = await bufferOf(generated(size, 31));
    writeFileSync(path.join(dir, 'big.obj'), bytes);
    const args = ['upload', 'big.obj', '--asset', target.id, '--note', 'blocking', '--chunk-size', '1', '--limit-rate', '4M'];

    const first = studio(args, { STUDIO_TOKEN: writer });
    await waitFor('the progress bar to pass 40%', async () => percent(first.stderr()) >= 40, 30_000, 50);
    first.child.kill('SIGINT');
    const stopped = await first.done;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toMatch(/MiB\/s \| ETA/);
    expect(stopped.stderr).toMatch(/Interrupted at \d+%; run the same command again to resume/);
    expect(readdirSync(path.join(configDir, 'uploads'))).toHaveLength(1);
    expect(await h.container.models.AssetVersion.countDocuments({ assetId: target.id })).toBe(0);

    const second = await run([...args.slice(0, -2), '--json'], { STUDIO_TOKEN: writer });
    expect(second.code).toBe(0);
    const resumedAt = Number(/Resuming at ([\d.]+) of 8\.0 MiB/.exec(second.stderr)?.[1]);
    expect(resumedAt).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(second.stdout)).toMatchObject({ version: 1, changeNote: 'blocking', file: { size, sha256: sha(bytes) } });
    expect(readdirSync(path.join(configDir, 'uploads'))).toHaveLength(0);
  }, 120_000);

  it('downloads; a process killed mid-download (SIGKILL) resumes with Range on the next run and verifies sha256', async () => {
    const token = await botToken(['assets:read', 'assets:write']);
    const target = await asset('Big Download');
    const size = 6 * 1024 * 1024;
    const bytes = await bufferOf(generated(size, 41));
    await h.http.post(`/assets/${target.id}/versions`).set(s.auth).attach('file', bytes, 'cache.obj').expect(201);
    const args = ['download', target.id, '-o', 'out.obj', '--limit-rate', '3M'];
    const first = studio(args, { STUDIO_TOKEN: token });
    await waitFor('the download to pass 30%', async () => percent(first.stderr()) >= 30, 30_000, 50);
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(path.join(dir, 'out.obj'))).toBe(false);
    const partial = statSync(path.join(dir, 'out.obj.part')).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(size);

    const second = await run(args.slice(0, 4), { STUDIO_TOKEN: token });
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/Resuming at/);
    expect(second.stdout).toMatch(/Downloaded version 1 to out\.obj \(6\.0 MiB, sha256 verified, resumed at/);
    expect(sha(readFileSync(path.join(dir, 'out.obj')))).toBe(sha(bytes));
    expect(existsSync(path.join(dir, 'out.obj.part'))).toBe(false);
  }, 120_000);

  it('render --watch prints per-chunk progress live until the render completes', async () => {
    const token = await botToken(['assets:read', 'assets:write', 'renders:read', 'renders:write']);
    const target = await asset('Watched Render');
    await h.http.post(`/assets/${target.id}/versions`).set(s.auth).attach('file', Buffer.from('# OBJ\nv 0 0 0\n'), 'scene.obj').expect(201);
    const worker = await renderWorkerFor(h, { reconcileEveryMs: 3_600_000 });
    try {
      const res = await run(['render', target.id, '--frames', '1-40', '--chunk', '10', '--engine', 'simulated', '--watch'], { STUDIO_TOKEN: token });
      expect({ code: res.code, stderr: res.stderr }).toMatchObject({ code: 0 });
      expect(res.stderr).toMatch(/in 4 chunks of 10/);
      for (const [i, range] of [[1, '1-10'], [2, '11-20'], [3, '21-30'], [4, '31-40']] as const) {
        // Each chunk seen while it ran (a partial percentage, live from Socket.IO) and when it completed.
        expect(res.stderr).toMatch(new RegExp(`chunk ${i}/4 frames ${range}: PROCESSING [1-9]\\d?%`));
        expect(res.stderr).toContain(`chunk ${i}/4 frames ${range}: COMPLETED 100%`);
      }
      expect(res.stdout).toMatch(/COMPLETED: 40 frames in/);
    } finally {
      await worker.close();
    }
  }, 120_000);

  it('comments --follow prints comments posted while it runs', async () => {
    const token = await botToken(['assets:read', 'reviews:write']);
    const target = await asset('Commented');
    await h.http.post(`/assets/${target.id}/comments`).set(s.auth).send({ body: 'before' }).expect(201);
    const follow = studio(['comments', target.id, '--follow'], { STUDIO_TOKEN: token });
    await waitFor('the earlier comment', async () => follow.stdout().includes('#1 '), 30_000, 50);
    await h.http.post(`/assets/${target.id}/comments`).set(s.auth).send({ body: 'fix the hands on frame 12' }).expect(201);
    await waitFor('the live comment', async () => follow.stdout().includes('fix the hands'), 30_000, 50);
    follow.child.kill('SIGINT');
    const end = await follow.done;
    expect(end.code).toBe(0);
    expect(end.stdout).toMatch(/#1 .*: before\n#2 .*: fix the hands on frame 12/);
  }, 60_000);
});
