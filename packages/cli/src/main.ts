// studio: the Studio API from a shell. `studio --help` lists the commands; exit codes are in exitCodes.ts.
import path from 'node:path';
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { StudioAbortError, StudioApiError, StudioClient, StudioIntegrityError, type Asset, type components, type ListAssetsQuery, type RenderJob, type Session } from '../../sdk/src';
import { bashCompletion, zshCompletion } from './completion';
import { credentialsPath, readCredentials, removeCredentials, uploadStatePath, writeCredentials, type StoredCredentials } from './config';
import { EXIT, exitCodeOf, isNetworkError } from './exitCodes';
import { MiB, duration, mib, parseRate, transferBar } from './format';

type TokenScope = components['schemas']['ApiToken']['scopes'][number];

const out = (line = '') => void process.stdout.write(`${line}\n`);
const err = (line = '') => void process.stderr.write(`${line}\n`);

/** A usage problem found after parsing (missing credentials are not one: they exit UNAUTHENTICATED). */
class UsageError extends Error {}
class NotSignedInError extends Error {}

interface Globals {
  apiUrl?: string;
}

const DEFAULT_API_URL = 'http://localhost:3000';

function apiUrlOf(globals: Globals, stored?: StoredCredentials): string {
  return (globals.apiUrl ?? process.env.STUDIO_API_URL ?? stored?.apiUrl ?? DEFAULT_API_URL).replace(/\/$/, '');
}

/** STUDIO_TOKEN wins over stored credentials, so CI and scripts never depend on a login. */
function clientFor(globals: Globals): StudioClient {
  const stored = readCredentials();
  const baseUrl = apiUrlOf(globals, stored);
  if (process.env.STUDIO_TOKEN) return new StudioClient({ baseUrl, token: process.env.STUDIO_TOKEN });
  if (!stored) throw new NotSignedInError('not signed in: run `studio login`, or set STUDIO_TOKEN to an API token (sapi_…)');
  if (stored.kind === 'token') return new StudioClient({ baseUrl, token: stored.token });
  return new StudioClient({
    baseUrl,
    session: { accessToken: stored.accessToken, refreshToken: stored.refreshToken },
    // Refresh tokens rotate: the old one is spent the moment a new pair exists, so store it at once.
    onSession: (s: Session) => writeCredentials({ ...stored, accessToken: s.accessToken, refreshToken: s.refreshToken }),
  });
}

/** Ctrl-C aborts the operation cleanly (state files stay for a resume); a second Ctrl-C exits at once. */
function interruptible(): AbortSignal {
  const controller = new AbortController();
  process.once('SIGINT', () => {
    controller.abort();
    process.once('SIGINT', () => process.exit(EXIT.INTERRUPTED));
  });
  process.once('SIGTERM', () => controller.abort());
  return controller.signal;
}

const positiveInt = (name: string) => (value: string) => {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`${name} must be a whole number of at least 1`);
  return Number(value);
};

const rate = (value: string) => {
  try {
    return parseRate(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
};

function frameRange(value: string): { start: number; end: number } {
  const m = /^(\d+)(?:-(\d+))?$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError('frames are a range like 1-100 (or one frame: 42)');
  const start = Number(m[1]);
  const end = Number(m[2] ?? m[1]);
  if (end < start) throw new InvalidArgumentError(`the range ends (${end}) before it starts (${start})`);
  return { start, end };
}

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text.trim();
}

/** Reads a line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    if (!stdin.isTTY) return reject(new UsageError('no terminal to ask for the password: use --password-stdin'));
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    let value = '';
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stderr.write('\n');
          return resolve(value);
        }
        if (ch === '\u0003') {
          stdin.setRawMode(false);
          process.exit(EXIT.INTERRUPTED);
        }
        if (ch === '\u007f') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** Columns padded to their widest cell; the last one (a name) is left as it is. */
function printTable(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [head, ...rows]) out(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '));
}

const when = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') : '-');

function printAssets(assets: Asset[]): void {
  printTable(['ID', 'TYPE', 'STATUS', 'VERSION', 'UPDATED', 'NAME'], assets.map((a) => [a.id, a.type, a.status, a.currentVersion === null ? '-' : `v${a.currentVersion}`, when(a.updatedAt), a.name]));
}

function chunkLine(job: RenderJob, index: number): string {
  const c = job.chunks[index]!;
  return `chunk ${c.index + 1}/${job.chunks.length} frames ${c.start}-${c.end}: ${c.status} ${c.progress}%`;
}

export function buildProgram(): Command {
  const program = new Command('studio')
    .description('The Studio API from a shell: assets, resumable uploads and downloads, renders with live progress, comments.')
    .option('--api-url <url>', `API base URL (default: $STUDIO_API_URL, the URL you logged in to, or ${DEFAULT_API_URL})`)
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Credentials: STUDIO_TOKEN (an API token, sapi_…) if set, else what \`studio login\` stored in
${path.join('<config dir>', 'credentials.json')} (mode 0600; config dir: $STUDIO_CONFIG_DIR, $XDG_CONFIG_HOME/studio or ~/.config/studio).

Exit codes: 0 ok · 1 unexpected failure · 2 usage · 3 not signed in / credentials refused (401)
            4 forbidden: role or token scope (403) · 5 not found (404) · 6 refused: validation, conflict (other 4xx)
            7 API unreachable, rate limited or failing (429, 5xx) · 8 sha256 mismatch · 9 render/pipeline failed
            130 interrupted (Ctrl-C): run the same upload or download again to resume`,
    );
  const globals = () => program.opts<Globals>();

  program
    .command('login')
    .description('Sign in and store the credentials (mode 0600); with STUDIO_TOKEN set and no options, checks that token instead')
    .option('--email <email>', 'sign in with email and password (the password is asked for, or read with --password-stdin)')
    .option('--password-stdin', 'read the password from standard input')
    .option('--token-stdin', 'store an API token (sapi_…) read from standard input')
    .option('--studio <id>', 'the studio to sign in to (default: the one used last)')
    .action(async (opts: { email?: string; passwordStdin?: boolean; tokenStdin?: boolean; studio?: string }) => {
      const baseUrl = apiUrlOf(globals(), readCredentials());
      if (opts.tokenStdin) {
        const token = await readStdin();
        if (!token.startsWith('sapi_')) throw new UsageError('an API token starts with sapi_');
        const client = new StudioClient({ baseUrl, token });
        const me = await client.call(client.api.GET('/auth/me'));
        writeCredentials({ apiUrl: baseUrl, kind: 'token', token });
        out(`Signed in to ${baseUrl} as ${me.name} (${me.role}) with an API token; stored in ${credentialsPath()}`);
        return;
      }
      if (!opts.email) {
        if (!process.env.STUDIO_TOKEN) throw new UsageError('say how to sign in: --email <email> (password) or --token-stdin (API token), or set STUDIO_TOKEN');
        const client = new StudioClient({ baseUrl, token: process.env.STUDIO_TOKEN });
        const me = await client.call(client.api.GET('/auth/me'));
        out(`STUDIO_TOKEN works for ${baseUrl} as ${me.name} (${me.role}); commands use it while it is set (nothing stored)`);
        return;
      }
      const password = opts.passwordStdin ? await readStdin() : await promptHidden(`Password for ${opts.email}: `);
      let email = opts.email;
      const client = await StudioClient.login({ baseUrl, email, password, studioId: opts.studio });
      const session = client.session!;
      writeCredentials({ apiUrl: baseUrl, kind: 'session', email, accessToken: session.accessToken, refreshToken: session.refreshToken });
      const me = await client.call(client.api.GET('/auth/me'));
      email = me.email;
      out(`Signed in to ${baseUrl} as ${me.name} <${email}> (${me.role}); stored in ${credentialsPath()}`);
    });

  program
    .command('logout')
    .description('Sign out: revoke the stored session (if any) and delete the stored credentials')
    .action(async () => {
      const stored = readCredentials();
      if (stored?.kind === 'session') {
        const client = new StudioClient({ baseUrl: apiUrlOf(globals(), stored), session: { accessToken: stored.accessToken, refreshToken: stored.refreshToken } });
        await client.call(client.api.POST('/auth/logout', { body: { refreshToken: stored.refreshToken } })).catch(() => undefined);
      }
      out(removeCredentials() ? 'Signed out; stored credentials deleted' : 'No stored credentials');
    });

  program
    .command('whoami')
    .description('Show who the credentials act as')
    .option('--json', 'print the user as JSON')
    .action(async (opts: { json?: boolean }) => {
      const client = clientFor(globals());
      const me = await client.call(client.api.GET('/auth/me'));
      out(opts.json ? JSON.stringify(me) : `${me.name} <${me.email}> ${me.role} in studio ${me.studioId} at ${client.baseUrl}`);
    });

  const tokens = program.command('tokens').description('Your personal API tokens for scripts and CI: create (signed in with `studio login --email`), list, revoke');
  tokens
    .command('create')
    .description('Create a personal API token that acts as you; asks for your password again (a session alone cannot mint) and mails you a notice. Only the secret goes to standard output, once')
    .requiredOption('--name <name>', 'what it is for, e.g. "CI publish"')
    .requiredOption('--scope <scopes...>', 'what it may do, e.g. assets:read assets:write (the list: studio tokens ls --json, under policy)')
    .requiredOption('--days <n>', 'how many days it lives (at most the server\'s maximum, 90 by default)', positiveInt('--days'))
    .option('--password-stdin', 'read your password from standard input')
    .action(async (opts: { name: string; scope: string[]; days: number; passwordStdin?: boolean }) => {
      const client = clientFor(globals());
      const me = await client.call(client.api.GET('/auth/me'));
      const currentPassword = opts.passwordStdin ? await readStdin() : await promptHidden(`Password for ${me.email}: `);
      const body = { name: opts.name, scopes: opts.scope as TokenScope[], expiresInDays: opts.days, currentPassword };
      const created = await client.call(client.api.POST('/tokens', { body }));
      err(`Created "${created.name}" (${created.hint}, id ${created.id}) with ${created.scopes.join(', ')}; expires ${when(created.expiresAt)} UTC. Store it now: it is not shown again.`);
      out(created.token);
    });
  tokens
    .command('ls')
    .alias('list')
    .description('List your API tokens (an API token sees only itself)')
    .option('--json', 'print {data, policy} as JSON: the tokens, the longest lifetime and every scope in words')
    .action(async (opts: { json?: boolean }) => {
      const client = clientFor(globals());
      const listed = await client.call(client.api.GET('/tokens'));
      if (opts.json) return out(JSON.stringify(listed, null, 2));
      if (listed.data.length === 0) return err('No tokens.');
      printTable(['ID', 'STATUS', 'EXPIRES', 'LAST USED', 'SCOPES', 'NAME'], listed.data.map((t) => [t.id, t.status, when(t.expiresAt), when(t.lastUsedAt), t.scopes.join(','), t.name]));
    });
  tokens
    .command('revoke')
    .description('Revoke one of your tokens (an API token may revoke only itself); it is refused from its next request on')
    .argument('<id>', 'token id (studio tokens ls)')
    .action(async (id: string) => {
      const client = clientFor(globals());
      const revoked = await client.call(client.api.DELETE('/tokens/{id}', { params: { path: { id } } }));
      out(`Revoked "${revoked.name}" (${revoked.hint})`);
    });

  const assets = program.command('assets').description('List and inspect assets');
  assets
    .command('ls')
    .alias('list')
    .description('List assets, following every page (filters combine)')
    .addOption(new Option('--type <type>', 'asset type').choices(['CHARACTER', 'PROP', 'ENVIRONMENT', 'SET', 'SHOT', 'ANIMATION', 'RIG', 'TEXTURE', 'AUDIO', 'OTHER']))
    .addOption(new Option('--status <status>', 'review status').choices(['IN_PROGRESS', 'PENDING_REVIEW', 'APPROVED', 'CHANGES_REQUESTED']))
    .option('--tag <tag>', 'has this tag')
    .option('--name <prefix>', 'name starts with')
    .option('--created-by <userId>', 'created by this user')
    .option('--archived', 'archived assets instead of live ones')
    .addOption(new Option('--sort <field>', 'sort by').choices(['createdAt', 'updatedAt', 'name']))
    .addOption(new Option('--order <order>', 'sort order').choices(['asc', 'desc']))
    .option('--limit <n>', 'stop after n assets', positiveInt('--limit'))
    .option('--page-size <n>', 'assets per request (1-100)', positiveInt('--page-size'))
    .option('--json', 'print a JSON array')
    .action(async (opts: { type?: ListAssetsQuery['type']; status?: ListAssetsQuery['status']; tag?: string; name?: string; createdBy?: string; archived?: boolean; sort?: ListAssetsQuery['sort']; order?: ListAssetsQuery['order']; limit?: number; pageSize?: number; json?: boolean }) => {
      const client = clientFor(globals());
      const query: Omit<ListAssetsQuery, 'cursor'> = {
        ...(opts.type ? { type: opts.type } : {}),
        ...(opts.status ? { status: opts.status } : {}),
        ...(opts.tag ? { tag: opts.tag } : {}),
        ...(opts.name ? { q: opts.name } : {}),
        ...(opts.createdBy ? { createdBy: opts.createdBy } : {}),
        ...(opts.archived ? { archived: 'true' as const } : {}),
        ...(opts.sort ? { sort: opts.sort } : {}),
        ...(opts.order ? { order: opts.order } : {}),
        ...(opts.pageSize ? { limit: opts.pageSize } : {}),
      };
      const found: Asset[] = [];
      for await (const asset of client.assets.list(query, { max: opts.limit })) found.push(asset);
      if (opts.json) out(JSON.stringify(found, null, 2));
      else if (found.length === 0) err('No assets match.');
      else printAssets(found);
    });

  program
    .command('upload')
    .description('Upload FILE as the next version of an asset (tus, resumable: after Ctrl-C or a crash, run the same command again)')
    .argument('<file>', 'the file to upload')
    .requiredOption('--asset <id>', 'the asset that gets the new version')
    .option('--note <text>', 'change note for the version')
    .option('--chunk-size <MiB>', 'MiB per request: at most this much is sent again after a dropped connection', positiveInt('--chunk-size'), 8)
    .option('--limit-rate <rate>', 'bandwidth cap, e.g. 512k or 4M (per second)', rate)
    .option('--no-progress', 'no progress bar')
    .option('--json', 'print the new version as JSON')
    .action(async (file: string, opts: { asset: string; note?: string; chunkSize: number; limitRate?: number; progress: boolean; json?: boolean }) => {
      const client = clientFor(globals());
      const signal = interruptible();
      const stateFile = uploadStatePath(client.baseUrl, opts.asset, file);
      const bar = transferBar(`upload ${path.basename(file)}`, opts.progress);
      let last = { sent: 0, total: 0 };
      try {
        const result = await client.upload({
          assetId: opts.asset,
          source: file,
          changeNote: opts.note,
          stateFile,
          chunkSize: opts.chunkSize * MiB,
          rateLimit: opts.limitRate,
          signal,
          onProgress: (p) => {
            if (last.total === 0 && p.resumedFrom > 0) err(`Resuming at ${mib(p.resumedFrom)} of ${mib(p.total)} MiB (${Math.floor((p.resumedFrom / p.total) * 100)}%)`);
            last = p;
            bar.update(p.sent, p.total);
          },
        });
        bar.stop();
        const v = result.version;
        if (opts.json) out(JSON.stringify(v));
        else out(`Uploaded ${path.basename(file)} as version ${v.version} of asset ${v.assetId} (${mib(v.file.size)} MiB, sha256 ${v.file.sha256}${result.resumedFrom ? `, resumed at ${mib(result.resumedFrom)} MiB` : ''})`);
      } catch (e) {
        bar.stop();
        if (e instanceof StudioAbortError) err(`Interrupted at ${last.total ? Math.floor((last.sent / last.total) * 100) : 0}%; run the same command again to resume (state: ${stateFile})`);
        throw e;
      }
    });

  program
    .command('download')
    .description('Download a version of an asset, verified by sha256 (resumes a partial download left by an earlier run)')
    .argument('<asset>', 'asset id')
    .option('--version <n>', 'version number (default: the current one)', positiveInt('--version'))
    .option('-o, --output <file>', 'where to write it (default: the file name it was uploaded with)')
    .option('--limit-rate <rate>', 'bandwidth cap, e.g. 512k or 4M (per second)', rate)
    .option('--no-progress', 'no progress bar')
    .action(async (assetId: string, opts: { version?: number; output?: string; limitRate?: number; progress: boolean }) => {
      const client = clientFor(globals());
      const signal = interruptible();
      let to = opts.output;
      let version = opts.version;
      if (!to) {
        version ??= (await client.assets.get(assetId)).currentVersion ?? undefined;
        if (version === undefined) throw new StudioApiError(404, { code: 'VERSION_NOT_FOUND', message: `asset ${assetId} has no version yet` });
        to = path.basename((await client.assets.version(assetId, version)).file.originalName) || `${assetId}-v${version}`;
      }
      const bar = transferBar(`download ${path.basename(to)}`, opts.progress);
      let announced = false;
      try {
        const result = await client.download({
          assetId,
          version,
          to,
          rateLimit: opts.limitRate,
          signal,
          onProgress: (p) => {
            if (!announced && p.resumedFrom > 0) err(`Resuming at ${mib(p.resumedFrom)} of ${mib(p.total)} MiB`);
            announced = true;
            bar.update(p.received, p.total);
          },
        });
        bar.stop();
        out(`Downloaded version ${result.version} to ${result.path} (${mib(result.size)} MiB, sha256 verified${result.resumedFrom ? `, resumed at ${mib(result.resumedFrom)} MiB` : ''})`);
      } catch (e) {
        bar.stop();
        if (e instanceof StudioAbortError) err(`Interrupted; run the same command again to resume (partial file: ${to}.part)`);
        if (e instanceof StudioIntegrityError) err('The partial file was removed; the next run downloads it again from the start.');
        throw e;
      }
    });

  program
    .command('render')
    .description('Queue a render of an asset version; with --watch, follow it chunk by chunk until it ends')
    .argument('<asset>', 'asset id')
    .option('--version <n>', 'version to render (default: the current one)', positiveInt('--version'))
    .option('--frames <range>', 'frame range, e.g. 1-100', frameRange)
    .option('--chunk <n>', 'frames per chunk', positiveInt('--chunk'))
    .addOption(new Option('--engine <engine>', 'render engine').choices(['blender', 'simulated']))
    .option('--idempotency-key <key>', 'a retried command with the same key returns the same render')
    .option('--watch', 'follow live progress until the render ends (exit 9 if it fails)')
    .option('--json', 'print the render job as JSON (with --watch: the finished job)')
    .action(async (assetId: string, opts: { version?: number; frames?: { start: number; end: number }; chunk?: number; engine?: 'blender' | 'simulated'; idempotencyKey?: string; watch?: boolean; json?: boolean }) => {
      const client = clientFor(globals());
      const job = await client.renders.request(
        assetId,
        { ...(opts.version ? { version: opts.version } : {}), ...(opts.frames ? { frames: opts.frames } : {}), ...(opts.chunk ? { chunkSize: opts.chunk } : {}), ...(opts.engine ? { engine: opts.engine } : {}) },
        { idempotencyKey: opts.idempotencyKey },
      );
      if (!opts.watch) {
        out(opts.json ? JSON.stringify(job) : `Render ${job.id} queued: version ${job.version}, frames ${job.frames.start}-${job.frames.end} in ${job.chunks.length} chunks (studio render ${job.id}; watch with --watch)`);
        return;
      }
      if (!opts.json) err(`Render ${job.id}: version ${job.version}, frames ${job.frames.start}-${job.frames.end} in ${job.chunks.length} chunks of ${job.chunkSize}`);
      const signal = interruptible();
      // One line per change of a chunk's status or each further 10% of it (a log scripts and CI can read);
      // on a terminal, a bar per chunk instead.
      const seen = new Map<number, { status: string; step: number }>();
      const tty = process.stderr.isTTY === true && !opts.json;
      const bars = tty ? await import('cli-progress').then((m) => new m.default.MultiBar({ stream: process.stderr, format: '{label} [{bar}] {percentage}% {status}', hideCursor: true, clearOnComplete: false }, m.default.Presets.shades_classic)) : undefined;
      const chunkBars = new Map<number, { update: (v: number, p: object) => void }>();
      const started = Date.now();
      try {
        const finished = await client.renders.wait(job.id, {
          signal,
          throwOnFailure: true,
          onUpdate: ({ job: j }) => {
            for (const c of j.chunks) {
              if (bars) {
                let b = chunkBars.get(c.index);
                if (!b) chunkBars.set(c.index, (b = bars.create(100, 0, { label: `chunk ${String(c.index + 1).padStart(3)} (${c.start}-${c.end})`, status: c.status })));
                b.update(c.progress, { status: c.status });
                continue;
              }
              if (opts.json) continue;
              const before = seen.get(c.index);
              const step = Math.floor(c.progress / 10);
              if (before && before.status === c.status && before.step === step) continue;
              seen.set(c.index, { status: c.status, step });
              if (c.status === 'QUEUED' && !before) continue;
              err(`${chunkLine(j, c.index)} | render ${Math.round(j.progress)}%`);
            }
          },
        });
        bars?.stop();
        if (opts.json) out(JSON.stringify(finished));
        else out(`Render ${finished.id} COMPLETED: ${finished.outputs.frames.length} frames in ${duration((Date.now() - started) / 1000)}`);
      } catch (e) {
        bars?.stop();
        throw e;
      }
    });

  program
    .command('comments')
    .description('Print the comments on an asset; with --follow, keep printing new ones as they are posted (Ctrl-C to stop)')
    .argument('<asset>', 'asset id')
    .option('--after <seq>', 'only comments after this sequence number', (v) => Number(positiveInt('--after')(v)))
    .option('--follow', 'stay connected and print new comments live (Socket.IO)')
    .option('--json', 'one JSON object per line')
    .action(async (assetId: string, opts: { after?: number; follow?: boolean; json?: boolean }) => {
      const client = clientFor(globals());
      const print = (c: { seq: number; createdAt: string; authorId: string; body: string; version: number | null; frame: number | null }) =>
        out(opts.json ? JSON.stringify(c) : `#${c.seq} ${c.createdAt.slice(0, 19).replace('T', ' ')} ${c.authorId}${c.version !== null ? ` v${c.version}` : ''}${c.frame !== null ? ` f${c.frame}` : ''}: ${c.body}`);
      if (!opts.follow) {
        for await (const c of client.comments.list(assetId, opts.after ? { after: opts.after } : {})) print(c);
        return;
      }
      const signal = interruptible();
      if (!opts.json) err(`Following comments on ${assetId} (Ctrl-C to stop)`);
      for await (const c of client.comments.follow(assetId, { after: opts.after, signal })) print(c);
    });

  program
    .command('completion')
    .description('Print a shell completion script: source <(studio completion bash)')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
    .action((shell: string) => out(shell === 'zsh' ? zshCompletion(program) : bashCompletion(program)));

  return program;
}

function explain(e: unknown, apiUrl: string): void {
  if (e instanceof StudioApiError) {
    err(`studio: ${e.message.replace(/^[A-Z_]+: /, '')}`);
    err(`  ${e.code} (HTTP ${e.status})${e.correlationId ? `, correlation id ${e.correlationId}` : ''}`);
    if (e.details !== undefined) err(`  details: ${JSON.stringify(e.details)}`);
    const hint =
      e.code === 'INSUFFICIENT_SCOPE' ? 'the API token lacks the scope this needs: make a token with it (studio uses STUDIO_TOKEN or `studio login --token-stdin`)'
      : e.code === 'TOKEN_NOT_ALLOWED' ? 'API tokens cannot do this: sign in with `studio login --email`'
      : e.code === 'CURRENT_PASSWORD_WRONG' ? 'that is not your password: creating a token asks for it again'
      : e.status === 401 ? 'sign in again with `studio login`, or set STUDIO_TOKEN'
      : e.status === 429 && e.retryAfter ? `rate limited: retry in ${e.retryAfter}s`
      : undefined;
    if (hint) err(`  hint: ${hint}`);
  } else if (e instanceof NotSignedInError || e instanceof UsageError) {
    err(`studio: ${e.message}`);
  } else if (isNetworkError(e)) {
    const cause = (e as { code?: string; cause?: { code?: string; message?: string } }).code ?? (e as { cause?: { code?: string; message?: string } }).cause?.code ?? (e as { cause?: { message?: string } }).cause?.message;
    err(`studio: cannot reach the API at ${apiUrl} (${cause ?? 'network error'}); start it or point --api-url / STUDIO_API_URL at it`);
  } else if (e instanceof StudioAbortError) {
    // the command said what was interrupted
  } else {
    err(`studio: ${(e as Error)?.message ?? String(e)}`);
  }
}

export async function main(argv = process.argv): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  for (const cmd of program.commands.flatMap((c) => [c, ...c.commands])) cmd.exitOverride();
  try {
    await program.parseAsync(argv);
    return EXIT.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version "fail" with exit code 0; every other parse error is a usage error.
      return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    explain(e, apiUrlOf(program.opts<Globals>(), readCredentials()));
    if (e instanceof UsageError) return EXIT.USAGE;
    if (e instanceof NotSignedInError) return EXIT.UNAUTHENTICATED;
    return exitCodeOf(e);
  }
}

if (require.main === module || process.argv[1]?.endsWith(`${path.sep}studio.js`)) {
  void main().then((code) => {
    process.exitCode = code;
    // Sockets and timers of a finished command must not keep the process alive.
    setImmediate(() => process.exit(code));
  });
}

