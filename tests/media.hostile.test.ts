// Hostile inputs against the media tools: a child never sees the service's secrets, and an upload that is
// really an HLS playlist makes ffmpeg read nothing but itself (it once turned another studio's video into
// the uploader's thumbnail).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { UnrecoverableError } from 'bullmq';
import { runProcess } from '../src/infra/media/process';
import { Ffmpeg, MediaError } from '../src/infra/media/ffmpeg';
import { makeImageThumbnail } from '../src/infra/media/images';
import { BlenderEngine } from '../src/infra/render/BlenderEngine';
import { Sandbox } from '../src/infra/sandbox/Sandbox';
import { processPreview, type PipelineDeps } from '../src/app/processors/pipeline.processor';
import { startHarness, type Harness } from './support/harness';
import { givenStudio, type Session } from './support/factories';
import { aliasMovie } from './support/hostileMedia';
import { waitFor } from './support/workers';

const MINIMAL_ENV = ['HOME', 'LANG', 'LC_ALL', 'PATH', 'TMPDIR'];

const parseEnv = (out: string) =>
  Object.fromEntries(
    out
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

const playlist = (segment: string) => `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n${segment}\n#EXT-X-ENDLIST\n`;

/** A loopback HTTP server that records every connection, so "ffmpeg fetched nothing" is observable. */
async function connectionRecorder() {
  const connections: string[] = [];
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  server.on('connection', (socket) => connections.push(`${socket.remoteAddress}:${socket.remotePort}`));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    /**
     * The connections made to the recorder so far, read only once a request of the test's own, made now,
     * has been answered. The server sees connections in the order they reached the listening socket, and
     * answers a request only after its connection was recorded, so any connection a tool made before
     * (even one still waiting to be accepted, as while spawnSync blocks the event loop) is in the list by then.
     */
    async connections(): Promise<string[]> {
      const sentinel = await new Promise<string>((resolve, reject) => {
        const req = http.get(`${url}/sentinel`, { agent: false }, (res) => {
          const self = `${req.socket!.localAddress}:${req.socket!.localPort}`;
          res.resume();
          res.on('end', () => resolve(self));
        });
        req.on('error', reject);
      });
      expect(connections).toContain(sentinel);
      connections.splice(connections.indexOf(sentinel), 1);
      return [...connections];
    },
    url,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('media tools: no secrets in their environment, no probing of what users upload', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'studio-hostile-'));
  const ffmpeg = new Ffmpeg({ ffmpegPath: 'ffmpeg' });
  /** Stands for studio A's stored proxy.mp4. */
  const victim = path.join(dir, 'victim.mp4');
  let recorder: Awaited<ReturnType<typeof connectionRecorder>>;

  beforeAll(async () => {
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=24', '-t', '2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', victim]);
    recorder = await connectionRecorder();
    for (const name of ['sky.hdr', 'sky.mp4', 'sky.exr']) writeFileSync(path.join(dir, name), playlist(`file://${victim}`));
    for (const name of ['remote.hdr', 'remote.mp4', 'remote.exr']) writeFileSync(path.join(dir, name), playlist(`${recorder.url}/seg.ts`));
  });
  afterAll(async () => {
    await recorder.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('environment', () => {
    it('gives a child PATH, HOME, TMPDIR and a locale, and none of the secrets of the process that runs it', () => {
      const canary = `canary-${randomBytes(8).toString('hex')}`;
      // A separate Node process: Jest gives a test file a copy of process.env that children never inherit,
      // while the API's secrets are in the real environment of the process that calls runProcess.
      const script = path.join(dir, 'child-env.ts');
      writeFileSync(
        script,
        `import { runProcess } from ${JSON.stringify(path.resolve(__dirname, '../src/infra/media/process'))};\n` +
          `runProcess('/usr/bin/env', [], { timeoutMs: 10_000, collectStdout: true, env: { TOOL_SETTING: 'on' } }).then((r) => process.stdout.write(r.stdout));\n`,
      );
      const secrets = { STUDIO_TEST_CANARY_SECRET: canary, JWT_ACCESS_SECRET: `jwt-${canary}`, MONGO_URI: `mongodb://u:${canary}@db/x`, S3_SECRET_ACCESS_KEY: `s3-${canary}` };
      const parentEnv = { ...process.env, ...secrets };
      const out = execFileSync(path.resolve(__dirname, '../node_modules/.bin/tsx'), [script], { env: parentEnv }).toString();
      const child = parseEnv(out);
      expect(out).not.toContain(canary);
      expect(Object.keys(child).sort()).toEqual([...MINIMAL_ENV, 'TOOL_SETTING'].sort());
      expect(child).toMatchObject({ PATH: process.env.PATH, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', TOOL_SETTING: 'on' });
      // What the child would have seen with the inherited environment: the test can tell the difference.
      expect(spawnSync('/usr/bin/env', { env: parentEnv }).stdout.toString()).toContain(canary);
    });

    it('keeps the test run\'s own MONGO_URI and REDIS_URL from a child started in this process', async () => {
      process.env.STUDIO_TEST_CANARY_SECRET = 'canary-in-process';
      const child = parseEnv((await runProcess('/usr/bin/env', [], { timeoutMs: 10_000, collectStdout: true })).stdout);
      expect(Object.keys(child).sort()).toEqual(MINIMAL_ENV);
      expect(child.PATH).toBe(process.env.PATH);
      for (const secret of ['STUDIO_TEST_CANARY_SECRET', 'MONGO_URI', 'REDIS_URL', 'JWT_ACCESS_SECRET', 'JWT_REFRESH_SECRET']) expect(child).not.toHaveProperty(secret);
      // Inherited, they would be there: globalSetup put them in this worker's real environment.
      expect(spawnSync('/usr/bin/env').stdout.toString()).toContain('MONGO_URI=');
      delete process.env.STUDIO_TEST_CANARY_SECRET;
    });

    it('runs Blender in its sandbox with factory settings, scripts off, and HOME and TMPDIR inside its job directory', async () => {
      const record = path.join(dir, 'fake-blender');
      mkdirSync(record);
      const fake = path.join(record, 'blender');
      // Writes what it was given where -o says the first frame goes (the one place a render's output is taken from).
      writeFileSync(fake, `#!/bin/sh\nout=""; prev=""; for a in "$@"; do [ "$prev" = "-o" ] && out="$a"; prev="$a"; done\nf=$(echo "$out" | sed 's/#####/00001/').png\n{ env; echo ---; pwd; echo ---; printf '%s\\n' "$@"; } > "$f"\n`);
      chmodSync(fake, 0o755);
      const scene = path.join(dir, 'scene.blend');
      writeFileSync(scene, 'BLENDER');
      const outputDir = path.join(dir, 'fake-blender-out');
      mkdirSync(outputDir);
      const frames = await new BlenderEngine(fake).render({ scenePath: scene, frameStart: 1, frameEnd: 1, outputDir, timeoutMs: 10_000 });
      const [envText, cwd, argText] = readFileSync(frames[0]!.path, 'utf8').split('---\n');
      const env = parseEnv(envText!);
      // PWD is set by bubblewrap (--chdir) and by the shell, SHLVL by the shell.
      expect(Object.keys(env).filter((k) => k !== 'PWD' && k !== 'SHLVL' && k !== '_').sort()).toEqual(MINIMAL_ENV);
      expect(env).toMatchObject({ HOME: '/job/home', TMPDIR: '/job/tmp', PATH: '/usr/local/bin:/usr/bin:/bin' });
      expect(cwd!.trim()).toBe('/job');
      const args = argText!.trim().split('\n');
      expect(args.slice(0, args.indexOf('/job/scene.blend'))).toEqual(['-b', '-Y', '--factory-startup', '-noaudio']);
    });
  });

  describe('a compromised media tool (what a parser exploit would run)', () => {
    /**
     * A stand-in for ffmpeg or Blender after a hostile file took it over: it tries to read another studio's
     * stored movie and /etc/passwd, to reach a loopback listener, and reports what it got, with its
     * environment, in its output file.
     */
    const compromised = (name: string) => {
      const bin = path.join(dir, `compromised-${name}`);
      mkdirSync(bin, { recursive: true });
      const tool = path.join(bin, name);
      const port = new URL(recorder.url).port;
      writeFileSync(
        tool,
        [
          '#!/usr/bin/python3',
          'import json, os, socket, sys',
          'report = {}',
          `for key, target in (('victim', ${JSON.stringify(victim)}), ('passwd', '/etc/passwd')):`,
          '    try:',
          "        report[key] = open(target, 'rb').read().hex()",
          '    except OSError as e:',
          "        report[key] = 'unreadable: ' + type(e).__name__",
          'try:',
          `    socket.create_connection(('127.0.0.1', ${port}), 3).close()`,
          "    report['network'] = 'connected'",
          'except OSError as e:',
          "    report['network'] = 'refused: ' + type(e).__name__",
          "report['env'] = dict(os.environ)",
          'args = sys.argv[1:]',
          "out = args[args.index('-o') + 1].replace('#####', '00001') + '.png' if '-o' in args else args[-1]",
          "open(out, 'w').write(json.dumps(report))",
        ].join('\n') + '\n',
      );
      chmodSync(tool, 0o755);
      return tool;
    };
    const expectNothingLeaked = async (reportFile: string) => {
      const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { victim: string; passwd: string; network: string; env: Record<string, string> };
      expect(report.victim).toBe('unreadable: FileNotFoundError');
      expect(report.passwd).toBe('unreadable: FileNotFoundError');
      expect(report.network).toMatch(/^refused: /);
      expect(Object.keys(report.env).sort()).toEqual(['HOME', 'LANG', 'LC_ALL', 'PATH', 'PWD', 'TMPDIR']);
      expect(JSON.stringify(report)).not.toContain('canary-compromised');
      expect(await recorder.connections()).toEqual([]);
    };
    beforeEach(() => {
      process.env.STUDIO_TEST_CANARY_SECRET = 'canary-compromised';
    });
    afterEach(() => {
      delete process.env.STUDIO_TEST_CANARY_SECRET;
    });

    it('ffmpeg gets neither another studio\'s file, /etc/passwd, the network nor the worker\'s environment', async () => {
      const tool = new Ffmpeg({ ffmpegPath: compromised('ffmpeg') });
      const output = path.join(dir, 'compromised-thumbnail.png');
      const input = path.join(dir, 'compromised-input.exr');
      writeFileSync(input, 'not really an EXR');
      await tool.thumbnail(input, output, { size: 8, mimeType: 'image/x-exr' });
      await expectNothingLeaked(output);
    });

    it('Blender gets neither another studio\'s file, /etc/passwd, the network nor the worker\'s environment', async () => {
      const scene = path.join(dir, 'compromised.blend');
      writeFileSync(scene, 'BLENDER');
      const outputDir = path.join(dir, 'compromised-frames');
      mkdirSync(outputDir, { recursive: true });
      const frames = await new BlenderEngine(compromised('blender')).render({ scenePath: scene, frameStart: 1, frameEnd: 1, outputDir, timeoutMs: 30_000 });
      await expectNothingLeaked(frames[0]!.path);
    });
  });

  describe('ffmpeg arguments', () => {
    it('pins every ffmpeg and ffprobe call to one demuxer and local files, never probing', async () => {
      const bin = path.join(dir, 'fake-ffmpeg');
      mkdirSync(bin);
      const log = path.join(bin, 'calls.log');
      const probeAnswer = JSON.stringify({ streams: [{ codec_type: 'video', width: 2, height: 2 }], format: { duration: '1' } });
      // The last argument is the output, which a run must write to succeed.
      writeFileSync(path.join(bin, 'ffmpeg'), `#!/bin/sh\nprintf '%s\\037' "$@" >> ${log}\necho >> ${log}\nfor last in "$@"; do :; done\n: > "$last"\n`);
      writeFileSync(path.join(bin, 'ffprobe'), `#!/bin/sh\nprintf '%s\\037' "$@" >> ${log}\necho >> ${log}\necho '${probeAnswer}'\n`);
      chmodSync(path.join(bin, 'ffmpeg'), 0o755);
      chmodSync(path.join(bin, 'ffprobe'), 0o755);
      // Outside the sandbox (whose tool directory is read-only), so the fakes can keep a log: this is about arguments.
      const fake = new Ffmpeg({ ffmpegPath: path.join(bin, 'ffmpeg'), sandbox: new Sandbox({ mode: 'off' }) });
      const input = path.join(dir, 'anything');
      writeFileSync(input, '');
      await fake.probe(input, { mimeType: 'video/webm' });
      await fake.posterFrame(input, path.join(dir, 'p.png'), { width: 8, mimeType: 'video/quicktime' });
      await fake.proxy(input, path.join(dir, 'p.mp4'), { height: 8, mimeType: 'video/x-matroska' });
      await fake.thumbnail(input, path.join(dir, 't.png'), { size: 8, mimeType: 'image/x-exr' });
      await fake.framesToMovie(path.join(dir, 'frame_%05d.png'), path.join(dir, 'm.mp4'), { fps: 24, startNumber: 1 });
      const calls = readFileSync(log, 'utf8').trim().split('\n').map((l) => l.split('\x1f').slice(0, -1));
      const demuxers = calls.map((args) => {
        const i = args.indexOf('-i');
        const before = args.slice(0, i);
        const at = (opt: string) => before[before.indexOf(opt) + 1];
        expect(at('-protocol_whitelist')).toBe('file,pipe');
        expect(at('-format_whitelist')).toBe(at('-f'));
        expect(args[i + 1]).toMatch(/^file:\//);
        expect(args.lastIndexOf('-i')).toBe(i);
        // QuickTime data references (alias records naming other files) stay closed, whatever the defaults.
        if (at('-f') === 'mov') expect([at('-enable_drefs'), at('-use_absolute_path')]).toEqual(['0', '0']);
        return at('-f');
      });
      // posterFrame probes first, with the same demuxer.
      expect(demuxers).toEqual(['matroska', 'mov', 'mov', 'matroska', 'exr_pipe', 'image2']);
    });

    it('refuses a MIME type without a known demuxer before running anything', async () => {
      const missing = new Ffmpeg({ ffmpegPath: '/nonexistent/ffmpeg' });
      for (const mimeType of ['application/x-mpegurl', 'text/plain', 'image/vnd.radiance', 'video/unknown']) {
        const err = await missing.proxy(path.join(dir, 'x'), path.join(dir, 'x.mp4'), { height: 8, mimeType }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(MediaError);
        expect(err).toMatchObject({ code: 'MEDIA_FORMAT_UNSUPPORTED', permanent: true });
      }
    });
  });

  describe('an HLS playlist uploaded under a media name', () => {
    const out = (tag: string, ext: string) => path.join(dir, `out-${tag}-${randomBytes(3).toString('hex')}.${ext}`);
    type Call = (input: string, mimeType: string, output: string) => Promise<unknown>;
    const methods: Record<string, [Call, string]> = {
      probe: [(i, m) => ffmpeg.probe(i, { mimeType: m }), 'json'],
      posterFrame: [(i, m, o) => ffmpeg.posterFrame(i, o, { width: 64, mimeType: m }), 'png'],
      proxy: [(i, m, o) => ffmpeg.proxy(i, o, { height: 64, mimeType: m }), 'mp4'],
      thumbnail: [(i, m, o) => ffmpeg.thumbnail(i, o, { size: 64, mimeType: m }), 'png'],
      makeImageThumbnail: [(i, m, o) => makeImageThumbnail(i, o, { size: 64, mimeType: m, ffmpeg }), 'png'],
    };
    // Each playlist under the MIME type its name would claim; `sky` reads the victim, `remote` the recorder.
    const cases: Array<[string, string, string]> = [];
    for (const base of ['sky', 'remote']) {
      for (const method of ['probe', 'posterFrame', 'proxy', 'thumbnail']) cases.push([`${base}.mp4`, 'video/mp4', method]);
      for (const method of ['probe', 'thumbnail', 'makeImageThumbnail']) cases.push([`${base}.hdr`, 'image/vnd.radiance', method]);
      for (const method of ['thumbnail', 'makeImageThumbnail']) cases.push([`${base}.exr`, 'image/x-exr', method]);
    }

    it.each(cases)('%s as %s: %s fails with a MediaError, writes nothing and connects nowhere', async (file, mimeType, method) => {
      const [run, ext] = methods[method]!;
      const output = out(file, ext);
      const err = await run(path.join(dir, file), mimeType, output).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MediaError);
      expect((err as MediaError).permanent).toBe(true);
      expect(existsSync(output)).toBe(false);
      expect(await recorder.connections()).toEqual([]);
    });

    it('is a real attack: plain `ffmpeg -i` on the same playlists renders a frame of the victim', async () => {
      const frame = async (file: string) => sharp(file).raw().toBuffer({ resolveWithObject: true });
      const reference = out('victim', 'png');
      execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', victim, '-frames:v', '1', reference]);
      for (const file of ['sky.mp4', 'sky.hdr']) {
        const leaked = out('leak', 'png');
        execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', path.join(dir, file), '-frames:v', '1', leaked]);
        const [a, b] = [await frame(leaked), await frame(reference)];
        expect(a.info).toMatchObject({ width: 320, height: 240 });
        expect(a.data.equals(b.data)).toBe(true);
      }
      // This ffmpeg (5.1) keeps hls segments to `file,crypto,data` on its own, so http was never fetched.
      expect(spawnSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', path.join(dir, 'remote.mp4'), '-frames:v', '1', out('remote', 'png')]).status).not.toBe(0);
      expect(await recorder.connections()).toEqual([]);
    });
  });

  describe('a QuickTime movie whose samples are an alias of another studio\'s file', () => {
    const methods: Record<string, (input: string, output: string) => Promise<unknown>> = {
      probe: (i) => ffmpeg.probe(i, { mimeType: 'video/quicktime' }),
      posterFrame: (i, o) => ffmpeg.posterFrame(i, o, { width: 64, mimeType: 'video/quicktime' }),
      proxy: (i, o) => ffmpeg.proxy(i, o, { height: 64, mimeType: 'video/quicktime' }),
      thumbnail: (i, o) => ffmpeg.thumbnail(i, o, { size: 64, mimeType: 'video/quicktime' }),
    };
    it.each(Object.keys(methods))('%s reads none of it, and answers the same whether the file exists or not', async (method) => {
      // A copy of the victim as QuickTime, so the alias's sample offsets line up with the file it names.
      const target = path.join(dir, `victim-${method}.mov`);
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', victim, '-c', 'copy', '-f', 'mov', target]);
      const hostile = aliasMovie(target, path.join(dir, `alias-${method}.mov`), target);
      const output = path.join(dir, `alias-${method}.png`);
      const answer = async () => {
        const result = await methods[method]!(hostile, output).catch((e: unknown) => e);
        const written = existsSync(output);
        rmSync(output, { force: true });
        return result instanceof MediaError ? { code: result.code, message: result.message, permanent: result.permanent, written } : { result, written };
      };
      const whilePresent = await answer();
      expect(whilePresent.written).toBe(false);
      if (method === 'probe') expect(whilePresent).toMatchObject({ result: { videoStreams: [{ width: 320, height: 240 }] } });
      else expect(whilePresent).toMatchObject({ code: 'MEDIA_PROCESSING_FAILED', permanent: true });
      rmSync(target);
      expect(await answer()).toEqual(whilePresent);
    });
  });

  describe('the preview step of the pipeline', () => {
    let h: Harness;
    let s: Session;
    let deps: PipelineDeps;
    const tool = new Ffmpeg({ ffmpegPath: 'ffmpeg' });

    beforeAll(async () => {
      h = await startHarness({ RATE_LIMIT_MAX: '100000', THUMBNAIL_SIZE: '128', PROXY_HEIGHT: '120' });
      s = await givenStudio(h);
      const c = h.container;
      deps = {
        pipelines: c.repos.pipelines,
        versions: c.repos.versions,
        studios: c.repos.studios,
        storage: c.storage,
        ffmpeg: tool,
        queue: c.queue,
        renders: c.services.renders,
        emit: () => undefined,
        thumbnailSize: 128,
        proxyHeight: 120,
      };
    });
    afterAll(() => h.close());
    afterEach(() => jest.restoreAllMocks());

    /**
     * A version stored before uploads were judged as strictly as now: its bytes are `bytes`, and its record
     * says what the file name claimed, unverified. No pipeline worker runs, so only the step under test acts.
     */
    async function givenStoredVersion(bytes: Buffer, file: { originalName: string; mimeType: string; verified: boolean }) {
      const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).png().toBuffer();
      const asset = (await h.http.post('/assets').set(s.auth).send({ name: file.originalName, type: 'OTHER' }).expect(201)).body as { id: string };
      await h.http.post(`/assets/${asset.id}/versions`).set(s.auth).attach('file', png, 'placeholder.png').expect(201);
      // The pipeline record is made by the version.created listener, after the 201: wait for it, or the step
      // under test would find no pipeline and skip.
      await waitFor('the pipeline of the placeholder version', async () => (await h.http.get(`/assets/${asset.id}/versions/1/pipeline`).set(s.auth)).status === 200, 10_000, 50);
      const v = await h.container.models.AssetVersion.findOne({ assetId: asset.id }).lean();
      await h.container.storage.write(v!.file.key, Readable.from([bytes]));
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      await h.container.models.AssetVersion.updateOne({ _id: v!._id }, { $set: { 'file.originalName': file.originalName, 'file.mimeType': file.mimeType, 'file.verified': file.verified, 'file.size': bytes.length, 'file.sha256': sha256 } });
      return { studioId: s.user.studioId, assetId: asset.id, version: 1 };
    }

    const spyOnTools = () => [
      jest.spyOn(tool, 'probe'),
      jest.spyOn(tool, 'posterFrame'),
      jest.spyOn(tool, 'proxy'),
      jest.spyOn(tool, 'thumbnail'),
      jest.spyOn(deps.storage, 'read'),
    ];

    it.each([
      ['sky.hdr', 'image/vnd.radiance'],
      ['sky.mp4', 'video/mp4'],
      ['sky.exr', 'image/x-exr'],
    ])('fails with MEDIA_UNVERIFIED, and feeds no tool, for an unverified %s stored as %s', async (originalName, mimeType) => {
      const data = await givenStoredVersion(Buffer.from(playlist(`${recorder.url}/seg.ts`)), { originalName, mimeType, verified: false });
      const spies = spyOnTools();
      await expect(processPreview(data, deps, { attemptsLeft: true })).rejects.toBeInstanceOf(UnrecoverableError);
      const p = (await h.http.get(`/assets/${data.assetId}/versions/1/pipeline`).set(s.auth).expect(200)).body;
      expect(p.status).toBe('FAILED');
      expect(p.error).toEqual({ step: 'PROCESSING_PREVIEW', code: 'MEDIA_UNVERIFIED', message: expect.stringMatching(/^No preview is made from content that could not be verified.*upload it in a format whose content can be checked/) });
      expect(p.steps).toEqual([expect.objectContaining({ name: 'PROCESSING_PREVIEW', status: 'FAILED' })]);
      // Not even the stored bytes were read, so neither sharp nor ffmpeg saw them.
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
      expect(await recorder.connections()).toEqual([]);
      expect((await h.http.get(`/assets/${data.assetId}/versions/1/thumbnail`).set(s.auth)).status).toBe(404);
    });

    it('still skips the preview of an unverified type that has none (an FBX scene)', async () => {
      const data = await givenStoredVersion(Buffer.from('; FBX 7.4.0 project file\n'), { originalName: 'rig.fbx', mimeType: 'application/octet-stream', verified: false });
      const spies = spyOnTools();
      expect(await processPreview(data, deps, { attemptsLeft: true })).toBe('ready');
      const p = (await h.http.get(`/assets/${data.assetId}/versions/1/pipeline`).set(s.auth).expect(200)).body;
      expect(p.status).toBe('READY');
      expect(p.steps.map((st: { name: string; status: string }) => [st.name, st.status])).toEqual([
        ['PROCESSING_PREVIEW', 'SKIPPED'],
        ['RENDER_QUEUED', 'SKIPPED'],
      ]);
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    });

    it('still previews a verified video, reading it with the demuxer of its stored type', async () => {
      const data = await givenStoredVersion(readFileSync(victim), { originalName: 'clip.mp4', mimeType: 'video/mp4', verified: true });
      const [probe, poster, proxy] = spyOnTools();
      expect(await processPreview(data, deps, { attemptsLeft: true })).toBe('ready');
      expect(poster).toHaveBeenCalledWith(expect.stringMatching(/\/input$/), expect.any(String), expect.objectContaining({ mimeType: 'video/mp4' }));
      expect(proxy).toHaveBeenCalledWith(expect.stringMatching(/\/input$/), expect.any(String), expect.objectContaining({ mimeType: 'video/mp4' }));
      expect(probe).toHaveBeenCalled();
      const thumb = await h.http.get(`/assets/${data.assetId}/versions/1/thumbnail`).set(s.auth).buffer(true).parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
      expect(thumb.status).toBe(200);
      expect(await sharp(thumb.body as Buffer).metadata()).toMatchObject({ width: 128, format: 'png' });
    });
  });
});
