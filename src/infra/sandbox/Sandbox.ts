// Runs a program that parses a user's file (Blender, ffmpeg, ffprobe) where it can see only its own job
// directory and the program's install: a bubblewrap sandbox with fresh namespaces, no network, no
// environment of ours, no storage root, no other job. Every parser of user files goes through here.
import { copyFileSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, realpathSync, renameSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DomainError } from '../../shared/errors';
import { ProgramMissingError, programPath, runProcess, type RunOptions, type RunResult } from '../media/process';

/** `bwrap`: every tool runs in the sandbox. `off`: tools run as plain children (trusted single-studio installs only). */
export type SandboxMode = 'bwrap' | 'off';

export interface SandboxOptions {
  mode?: SandboxMode;
  /** The bubblewrap program (a bare name is searched on PATH). */
  bwrapPath?: string;
  /** Size of the tool's private /tmp (a tmpfs, so memory): a tool that fills it gets ENOSPC, not the host's RAM. */
  tmpBytes?: number;
}

/** What a job directory starts with. */
export interface JobSpec {
  /**
   * Files or directories of ours the tool reads, by plain name in the job directory (`scene.blend`). In the
   * sandbox they are bound read-only, so the tool can neither change nor replace them, and nothing is copied.
   */
  inputs?: Record<string, string>;
  /** Directories the tool may write into, made before it starts (`out`, `home`). */
  dirs?: string[];
}

export interface SandboxRunOptions extends Omit<RunOptions, 'cwd' | 'statusFd'> {
  /**
   * The tool's address-space limit in MiB (RLIMIT_AS through prlimit), 0 or unset for none. glibc's
   * per-thread malloc arenas reserve 64 MiB of address space each, so the limit also caps them at two.
   */
  memoryMb?: number;
}

export interface SandboxJob {
  /** The job directory as the tool sees it: `/job` in the sandbox, the directory itself when it is off. */
  readonly root: string;
  /** A path in the job directory as the tool sees it (for its command line). */
  inside(name: string): string;
  /** The same path on this machine, to read what the tool wrote once it has exited. */
  host(name: string): string;
  /** Runs one program with the job directory as its working directory; its exit is the whole sandbox's. */
  run(bin: string, args: string[], options: SandboxRunOptions): Promise<RunResult>;
}

/**
 * The sandbox cannot start on this machine (no bubblewrap, or no user namespaces). Not permanent: the job
 * works once the operator fixes the host.
 */
export class SandboxUnavailableError extends DomainError {
  constructor(detail: string, options: { cause?: unknown } = {}) {
    super('SANDBOX_UNAVAILABLE', `${detail}. ${SANDBOX_FIX}`, { status: 503, permanent: false, cause: options.cause });
  }
}

const SANDBOX_FIX =
  'Media tools (Blender, ffmpeg, ffprobe) must run in a bubblewrap sandbox that sees only their own job: install ' +
  'bubblewrap (apt-get install bubblewrap) and allow unprivileged user namespaces (Debian: sysctl ' +
  'kernel.unprivileged_userns_clone=1; Ubuntu 23.10 and later: kernel.apparmor_restrict_unprivileged_userns=0 or an ' +
  'AppArmor profile for bwrap; Docker: run the worker with the security_opt lines of docker-compose.yml). Only on a ' +
  'trusted single-studio installation, MEDIA_SANDBOX=off runs the tools without it';

/** Where the job directory appears in the sandbox. A fixed name: no path of this machine shows inside. */
const JOB_ROOT = '/job';
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
/** What the dynamic linker and the tools' libraries read from /etc; not passwd, hosts, resolv.conf or anything of ours. */
const ETC_FILES = ['/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d', '/etc/alternatives', '/etc/fonts'];
/** Merged-/usr systems have these as links into /usr; older ones as directories. */
const TOP_LEVEL = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
const SYSTEM_TREE = '/usr';

const isWithin = (child: string, parent: string) => child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);

function checkName(name: string): void {
  for (const segment of name.split('/')) if (!NAME.test(segment)) throw new Error(`sandbox: not a plain name in the job directory: ${JSON.stringify(name)}`);
}

/**
 * Moves a file the tool wrote out of its job directory. Only a regular file counts: a link (to anything
 * of the worker's) or a device made by a compromised tool is refused.
 */
export function takeOutput(from: string, to: string): boolean {
  const st = lstatSync(from, { throwIfNoEntry: false });
  if (!st?.isFile()) return false;
  try {
    renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    copyFileSync(from, to);
    unlinkSync(from);
  }
  return true;
}

export class Sandbox {
  readonly mode: SandboxMode;
  private readonly bwrapPath: string;
  private readonly tmpBytes: number;
  private verified?: Promise<void>;

  constructor(options: SandboxOptions = {}) {
    this.mode = options.mode ?? 'bwrap';
    this.bwrapPath = options.bwrapPath ?? 'bwrap';
    this.tmpBytes = options.tmpBytes ?? 64 * 1024 * 1024;
  }

  static fromConfig(config: { MEDIA_SANDBOX: SandboxMode; BWRAP_PATH: string }): Sandbox {
    return new Sandbox({ mode: config.MEDIA_SANDBOX, bwrapPath: config.BWRAP_PATH });
  }

  /**
   * Proves once that a sandbox can start here (a worker calls it before taking jobs), or throws
   * SANDBOX_UNAVAILABLE naming the fix. Without it a worker would take jobs only to fail each one.
   */
  verify(): Promise<void> {
    this.verified ??= this.withJob({}, async (job) => {
      const res = await job.run('true', [], { timeoutMs: 30_000 });
      if (res.code !== 0) throw new SandboxUnavailableError(`A test run in the sandbox exited with ${res.code ?? res.signal}: ${res.tail.slice(-3).join(' | ')}`);
    }).catch((err: unknown) => {
      this.verified = undefined;
      throw err;
    });
    return this.verified;
  }

  /** Makes a fresh job directory, hands it to body, and removes it afterwards whatever happened. */
  async withJob<T>(spec: JobSpec, body: (job: SandboxJob) => Promise<T>): Promise<T> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'job-'));
    try {
      const inputs = Object.entries(spec.inputs ?? {}).map(([name, source]) => {
        checkName(name);
        const st = lstatSync(source);
        if (!st.isFile() && !st.isDirectory()) throw new Error(`sandbox: an input must be a regular file or a directory: ${source}`);
        return { name, source: path.resolve(source), directory: st.isDirectory() };
      });
      for (const d of spec.dirs ?? []) {
        checkName(d);
        mkdirSync(path.join(dir, d), { recursive: true });
      }
      const root = this.mode === 'bwrap' ? JOB_ROOT : dir;
      if (this.mode === 'off') for (const input of inputs) symlinkSync(input.source, path.join(dir, input.name));
      const job: SandboxJob = {
        root,
        inside: (name) => {
          checkName(name);
          return path.posix.join(root, name);
        },
        host: (name) => {
          checkName(name);
          return path.join(dir, name);
        },
        run: (bin, args, options) => (this.mode === 'bwrap' ? this.runSandboxed(dir, inputs, bin, args, options) : this.runPlain(dir, bin, args, options)),
      };
      return await body(job);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** The tool's own environment: nothing of the worker's (no MONGO_URI, S3 keys, JWT secrets). */
  private environment(root: string, options: SandboxRunOptions): Record<string, string> {
    return {
      PATH: '/usr/local/bin:/usr/bin:/bin',
      HOME: root,
      TMPDIR: this.mode === 'bwrap' ? '/tmp' : root,
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      ...(options.memoryMb ? { MALLOC_ARENA_MAX: '2' } : {}),
      ...options.env,
    };
  }

  /** prlimit in front of the tool when a memory limit applies; rlimits pass through exec to the tool. */
  private command(tool: string, args: string[], options: SandboxRunOptions): string[] {
    if (!options.memoryMb) return [tool, ...args];
    const prlimit = programPath('prlimit');
    if (!prlimit) throw new ProgramMissingError('prlimit (util-linux)');
    return [prlimit, `--as=${options.memoryMb * 1024 * 1024}`, '--', tool, ...args];
  }

  private async runPlain(dir: string, bin: string, args: string[], options: SandboxRunOptions): Promise<RunResult> {
    const tool = programPath(bin);
    if (!tool) throw new ProgramMissingError(bin);
    const [exe, ...rest] = this.command(tool, args, options);
    return runProcess(exe!, rest, { ...options, cwd: dir, env: this.environment(dir, options) });
  }

  private async runSandboxed(dir: string, inputs: Array<{ name: string; source: string }>, bin: string, args: string[], options: SandboxRunOptions): Promise<RunResult> {
    const tool = programPath(bin);
    if (!tool) throw new ProgramMissingError(bin);
    // The real file, so a tool that finds its data beside itself (Blender, from argv[0]: there is no /proc)
    // looks in its own install, and so that install can be bound when it lives outside /usr.
    const real = realpathSync(tool);
    const bwrap = programPath(this.bwrapPath);
    if (!bwrap) throw new SandboxUnavailableError(`bubblewrap (${this.bwrapPath}) is not installed`);
    const argv = [
      // Fresh user, mount, pid, network, ipc, uts and cgroup namespaces: no interface but a down loopback,
      // no process of ours to signal or read. Nobody inside, with no capabilities and no way to make
      // further namespaces (a kernel attack surface the tools never need).
      '--unshare-all',
      '--unshare-user',
      '--disable-userns',
      '--uid', '65534',
      '--gid', '65534',
      '--cap-drop', 'ALL',
      // A killed worker takes its tools with it; a new session keeps the tool from the worker's terminal.
      '--die-with-parent',
      '--new-session',
      '--clearenv',
      ...Object.entries(this.environment(JOB_ROOT, options)).flatMap(([k, v]) => ['--setenv', k, v]),
      '--ro-bind', SYSTEM_TREE, SYSTEM_TREE,
      ...TOP_LEVEL.flatMap((p) => {
        const st = lstatSync(p, { throwIfNoEntry: false });
        if (st?.isSymbolicLink()) return ['--symlink', readlinkSync(p), p];
        return st?.isDirectory() ? ['--ro-bind', p, p] : [];
      }),
      ...ETC_FILES.flatMap((p) => ['--ro-bind-try', p, p]),
      // No /proc: a fresh one cannot be mounted in a default Docker container, and the host's would show
      // the worker's own environment (its secrets) to a process of the same user.
      '--dev', '/dev',
      '--size', String(this.tmpBytes),
      '--tmpfs', '/tmp',
      // After /tmp: a later mount hides what an earlier one put beneath it.
      ...this.toolInstall(real, dir),
      '--bind', dir, JOB_ROOT,
      ...inputs.flatMap((i) => ['--ro-bind', i.source, path.posix.join(JOB_ROOT, i.name)]),
      '--chdir', JOB_ROOT,
      // bwrap reports the child's pid on fd 3 once the sandbox stands: without it, bwrap itself failed.
      '--json-status-fd', '3',
      '--',
      ...this.command(real, args, options),
    ];
    let res: RunResult;
    try {
      res = await runProcess(bwrap, argv, { ...options, statusFd: true });
    } catch (err) {
      if (err instanceof ProgramMissingError) throw new SandboxUnavailableError(`bubblewrap (${this.bwrapPath}) is not installed`, { cause: err });
      throw err;
    }
    if (!res.aborted && !res.timedOut && !res.status.includes('"child-pid"')) {
      throw new SandboxUnavailableError(`bubblewrap could not make the sandbox: ${res.tail.filter((l) => l.trim()).slice(-2).join(' | ').slice(0, 300) || `exit ${res.code ?? res.signal}`}`);
    }
    return res;
  }

  /**
   * A tool installed outside /usr (Blender's own tarball in /opt/blender) is bound read-only where it is.
   * Its directory must be its own: one holding the job directories (the temp directory) or the whole
   * filesystem would show the tool other jobs.
   */
  private toolInstall(real: string, jobDir: string): string[] {
    if (isWithin(real, SYSTEM_TREE)) return [];
    const install = path.dirname(real);
    if (install === path.parse(install).root || isWithin(jobDir, install) || isWithin(os.tmpdir(), install)) {
      throw new SandboxUnavailableError(`${real} is not in a directory of its own, so the sandbox cannot show it without showing more`);
    }
    return ['--ro-bind', install, install];
  }
}
