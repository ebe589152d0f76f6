// The media sandbox itself: a tool run through it sees its job directory and the system's programs, nothing of
// the worker's (storage root, other jobs, environment, network), and a parser that follows every reference a
// file makes still reads nothing outside its job. The controls run the same commands without the sandbox, so
// each test shows the attack is real on this machine.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { runProcess } from '../src/infra/media/process';
import { Sandbox, SandboxUnavailableError, takeOutput } from '../src/infra/sandbox/Sandbox';
import { aliasMovie, concatList } from './support/hostileMedia';

/** A TCP listener on loopback that counts the connections it accepts. */
async function listener() {
  const accepted: string[] = [];
  const server = net.createServer((socket) => {
    accepted.push(`${socket.remoteAddress}:${socket.remotePort}`);
    socket.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, accepted, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const centre = async (file: string) => {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  const i = (Math.floor(info.height / 2) * info.width + Math.floor(info.width / 2)) * info.channels;
  return [...data.subarray(i, i + 3)];
};

describe('the media sandbox (bubblewrap)', () => {
  const sandbox = new Sandbox();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'studio-sandbox-'));
  /** Stands for the storage root, with studio B's stored objects in it. */
  const storage = path.join(dir, 'storage', 'studios', 'b', 'assets', 'x', 'versions', '1');
  const secret = `secret-${Date.now()}`;
  const victimText = path.join(storage, 'notes.txt');
  /** Studio B's stored QuickTime movie: one green frame. */
  const victimMovie = path.join(storage, 'proxy.mov');

  beforeAll(() => {
    mkdirSync(storage, { recursive: true });
    writeFileSync(victimText, secret);
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=green:s=32x32:d=1:r=1', '-frames:v', '1', '-c:v', 'png', '-f', 'mov', victimMovie]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const sh = (script: string, o: { inputs?: Record<string, string>; memoryMb?: number } = {}) =>
    sandbox.withJob({ inputs: o.inputs, dirs: ['out'] }, async (job) => {
      const res = await job.run('/bin/sh', ['-c', script], { timeoutMs: 20_000, collectStdout: true, memoryMb: o.memoryMb });
      return { ...res, job };
    });

  it('shows a tool its job directory, the system\'s programs and libraries and a private /tmp, and nothing else', async () => {
    // Another job's directory beside this one, and the project tree the worker runs from.
    const otherJob = mkdtempSync(path.join(os.tmpdir(), 'job-'));
    writeFileSync(path.join(otherJob, 'scene.blend'), secret);
    try {
      const res = await sh(
        [
          'echo "root: $(ls -A / | tr "\\n" " ")"',
          'echo "etc: $(ls -A /etc | tr "\\n" " ")"',
          'echo "tmp: $(ls -A /tmp | tr "\\n" " ")"',
          'echo "cwd: $(pwd)"',
          'echo "id: $(id -u):$(id -g)"',
          `for f in /etc/passwd /etc/hostname /etc/resolv.conf ${victimText} ${path.join(otherJob, 'scene.blend')} ${path.join(process.cwd(), 'package.json')} /proc/1/environ; do if [ -e "$f" ]; then echo "seen: $f"; cat "$f"; fi; done`,
          'unshare -U true 2>/dev/null && echo "nested namespaces: yes"',
          'exit 0',
        ].join('\n'),
      );
      expect(res.code).toBe(0);
      const line = (name: string) => res.stdout.split('\n').find((l) => l.startsWith(`${name}: `))!.slice(name.length + 2).trim().split(' ').filter(Boolean).sort();
      // Merged /usr: /bin, /lib, /lib64 and /sbin are links into it.
      expect(line('root')).toEqual(['dev', 'etc', 'job', 'tmp', 'usr', ...['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'].filter((e) => existsSync(`/${e}`))].sort());
      expect(line('etc').every((e) => ['ld.so.cache', 'ld.so.conf', 'ld.so.conf.d', 'alternatives', 'fonts'].includes(e))).toBe(true);
      expect(line('tmp')).toEqual([]);
      expect(line('cwd')).toEqual(['/job']);
      expect(line('id')).toEqual(['65534:65534']);
      expect(res.stdout).not.toContain('seen:');
      expect(res.stdout).not.toContain(secret);
      expect(res.stdout).not.toContain('nested namespaces');
      // Control: the same worker process reads all of it without the sandbox.
      const plain = await runProcess('/bin/sh', ['-c', `cat ${victimText} ${path.join(otherJob, 'scene.blend')} /etc/passwd`], { timeoutMs: 10_000, collectStdout: true });
      expect(plain.stdout).toContain(secret);
      expect(plain.stdout).toContain('root:');
    } finally {
      rmSync(otherJob, { recursive: true, force: true });
    }
  });

  it('binds inputs read-only, and takes out only regular files (not a link a tool planted)', async () => {
    const input = path.join(dir, 'input.bin');
    writeFileSync(input, 'original');
    const res = await sh('echo changed > /job/input.bin; exit 0', { inputs: { 'input.bin': input } });
    expect(res.tail.join('\n')).toMatch(/Read-only file system/);
    expect(readFileSync(input, 'utf8')).toBe('original');
    // The job directory is gone once withJob returns; take out files while it lives.
    await sandbox.withJob({ dirs: ['out'] }, async (job) => {
      await job.run('/bin/sh', ['-c', 'ln -s /etc/passwd out/link.png; echo made > out/real.png'], { timeoutMs: 10_000 });
      const to = path.join(dir, 'taken');
      mkdirSync(to, { recursive: true });
      expect(takeOutput(job.host('out/link.png'), path.join(to, 'link.png'))).toBe(false);
      expect(takeOutput(job.host('out/real.png'), path.join(to, 'real.png'))).toBe(true);
      expect(readFileSync(path.join(to, 'real.png'), 'utf8')).toBe('made\n');
      expect(existsSync(path.join(to, 'link.png'))).toBe(false);
    });
  });

  it('gives a tool no network: its connection to a loopback listener never arrives', async () => {
    const l = await listener();
    try {
      const connect = `import socket\ntry:\n    socket.create_connection(('127.0.0.1', ${l.port}), 3).close()\n    print('connected')\nexcept OSError as e:\n    print('refused', e)\n`;
      const inside = await sandbox.withJob({}, (job) => job.run('/usr/bin/python3', ['-c', connect], { timeoutMs: 20_000, collectStdout: true }));
      expect(inside.stdout).toMatch(/^refused/);
      expect(l.accepted).toEqual([]);
      // Control: the same script outside the sandbox connects.
      const outside = await runProcess('/usr/bin/python3', ['-c', connect], { timeoutMs: 20_000, collectStdout: true });
      expect(outside.stdout).toMatch(/^connected/);
      expect(l.accepted).toHaveLength(1);
    } finally {
      await l.close();
    }
  });

  it('gives a tool none of the worker\'s environment', async () => {
    process.env.STUDIO_TEST_CANARY_SECRET = secret;
    try {
      const res = await sandbox.withJob({}, (job) => job.run('/usr/bin/env', [], { timeoutMs: 10_000, collectStdout: true, env: { TOOL_SETTING: 'on' } }));
      const env = Object.fromEntries(res.stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
      // PWD is bubblewrap's, for --chdir.
      expect(Object.keys(env).sort()).toEqual(['HOME', 'LANG', 'LC_ALL', 'PATH', 'PWD', 'TMPDIR', 'TOOL_SETTING']);
      expect(env).toMatchObject({ HOME: '/job', PWD: '/job', TMPDIR: '/tmp', LANG: 'C.UTF-8' });
      expect(res.stdout).not.toContain(secret);
      // MONGO_URI and REDIS_URL are in this worker's real environment (globalSetup put them there).
      expect(res.stdout).not.toMatch(/MONGO_URI|REDIS_URL/);
    } finally {
      delete process.env.STUDIO_TEST_CANARY_SECRET;
    }
  });

  it('limits a tool\'s address space when asked', async () => {
    const res = await sh('ulimit -v', { memoryMb: 512 });
    expect(res.stdout.trim()).toBe(String(512 * 1024));
    expect((await sh('ulimit -v')).stdout.trim()).toBe('unlimited');
  });

  describe('when bubblewrap cannot make a sandbox', () => {
    it('refuses with SANDBOX_UNAVAILABLE, saying what bubblewrap said and how to fix it', async () => {
      // bwrap as it answers on a host (or in a container) without unprivileged user namespaces.
      const bin = path.join(dir, 'no-userns');
      mkdirSync(bin);
      writeFileSync(path.join(bin, 'bwrap'), '#!/bin/sh\necho "bwrap: No permissions to create new namespace, likely because the kernel does not allow non-privileged user namespaces." >&2\nexit 1\n');
      chmodSync(path.join(bin, 'bwrap'), 0o755);
      for (const broken of [new Sandbox({ bwrapPath: path.join(bin, 'bwrap') }), new Sandbox({ bwrapPath: path.join(dir, 'not-installed', 'bwrap') })]) {
        const err = await broken.verify().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(SandboxUnavailableError);
        expect(err).toMatchObject({ code: 'SANDBOX_UNAVAILABLE', permanent: false });
        expect((err as Error).message).toMatch(/apt-get install bubblewrap/);
        expect((err as Error).message).toMatch(/kernel\.unprivileged_userns_clone=1/);
        expect((err as Error).message).toMatch(/MEDIA_SANDBOX=off/);
      }
      const err = (await new Sandbox({ bwrapPath: path.join(bin, 'bwrap') }).verify().catch((e: unknown) => e)) as Error;
      expect(err.message).toContain('No permissions to create new namespace');
      await expect(sandbox.verify()).resolves.toBeUndefined();
    });
  });

  describe('ffmpeg told to follow every reference (what a parser bug or a looser option would do)', () => {
    type Attack = { name: string; file: () => string; args: (input: string, output: string) => string[] };
    const output = 'leak.png';
    const attacks: Attack[] = [
      {
        name: 'a concat list naming another studio\'s movie',
        file: () => concatList(path.join(dir, 'list.ffconcat'), [victimMovie]),
        args: (input, out) => ['-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', input, '-frames:v', '1', '-update', '1', out],
      },
      {
        name: 'an HLS playlist naming another studio\'s movie',
        file: () => {
          writeFileSync(path.join(dir, 'list.m3u8'), `#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nfile://${victimMovie}\n#EXT-X-ENDLIST\n`);
          return path.join(dir, 'list.m3u8');
        },
        args: (input, out) => ['-v', 'error', '-y', '-f', 'hls', '-allowed_extensions', 'ALL', '-i', input, '-frames:v', '1', '-update', '1', out],
      },
      {
        name: 'a QuickTime movie whose samples are an alias of another studio\'s movie',
        file: () => aliasMovie(victimMovie, path.join(dir, 'alias.mov'), victimMovie),
        args: (input, out) => ['-v', 'error', '-y', '-f', 'mov', '-enable_drefs', '1', '-use_absolute_path', '1', '-i', input, '-frames:v', '1', '-update', '1', out],
      },
    ];

    it.each(attacks)('$name: read without the sandbox, nothing inside it', async ({ file, args }) => {
      const input = file();
      // Control: ffmpeg on this machine decodes studio B's green frame from it.
      const leaked = path.join(dir, `plain-${output}`);
      rmSync(leaked, { force: true });
      execFileSync('ffmpeg', args(input, leaked));
      const [r, g, b] = await centre(leaked);
      expect(g).toBeGreaterThan(100);
      expect(Math.max(r!, b!)).toBeLessThan(30);
      // In the sandbox the same command finds no such file.
      await sandbox.withJob({ inputs: { input } }, async (job) => {
        const res = await job.run('ffmpeg', args(job.inside('input'), job.inside(output)), { timeoutMs: 30_000 });
        expect(res.code).not.toBe(0);
        expect(existsSync(job.host(output))).toBe(false);
        expect(res.tail.join('\n')).not.toContain(secret);
      });
    });

    it('renders /etc/passwd as a picture without the sandbox (tty demuxer), and finds no such file inside it', async () => {
      const args = (out: string) => ['-v', 'error', '-y', '-f', 'tty', '-i', '/etc/passwd', '-frames:v', '1', '-update', '1', out];
      const plain = path.join(dir, 'passwd.png');
      execFileSync('ffmpeg', args(plain));
      expect((await sharp(plain).metadata()).width).toBeGreaterThan(0);
      await sandbox.withJob({}, async (job) => {
        const res = await job.run('ffmpeg', args(job.inside(output)), { timeoutMs: 30_000 });
        expect(res.code).not.toBe(0);
        expect(res.tail.join('\n')).toMatch(/No such file or directory/);
        expect(existsSync(job.host(output))).toBe(false);
      });
    });

    it('answers the same whether the named file exists or not: no presence signal', async () => {
      const target = path.join(storage, 'present-then-gone.mov');
      execFileSync('cp', [victimMovie, target]);
      const input = aliasMovie(victimMovie, path.join(dir, 'probe.mov'), target);
      const answer = () =>
        sandbox.withJob({ inputs: { input } }, async (job) => {
          const res = await job.run('ffmpeg', ['-v', 'error', '-y', '-f', 'mov', '-enable_drefs', '1', '-use_absolute_path', '1', '-i', job.inside('input'), '-frames:v', '1', '-update', '1', job.inside(output)], { timeoutMs: 30_000 });
          // Only ffmpeg's context addresses change between runs.
          return { code: res.code, said: res.tail.join('\n').replace(/0x[0-9a-f]+/g, '0x'), wrote: existsSync(job.host(output)) };
        });
      const whilePresent = await answer();
      rmSync(target);
      expect(whilePresent).toEqual(await answer());
      expect(whilePresent.wrote).toBe(false);
    });
  });
});
