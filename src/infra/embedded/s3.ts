// Starts an S3-compatible server on loopback for tests, benchmarks and development when no S3_ENDPOINT is
// configured: moto's server mode (PyPI `moto[server]`, installed by scripts/setup.sh into a venv beside the
// FerretDB build). Chosen over MinIO/SeaweedFS because it installs in under a minute with no compile; what it
// does not do as S3 does is listed in README.md (Storage) and checked by tests/storage.contract.test.ts.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { EmbeddedServiceError, findExecutable, freePort, launch, stopper, waitUntil, type RunningService, type StartOptions } from './process';
import { toolsBinDir } from './embedded';

/** Where scripts/setup.sh creates moto's virtual environment. */
export function motoVenvDir(): string {
  return path.join(path.dirname(toolsBinDir()), 'moto-venv');
}

export function findMotoServer(): string | undefined {
  return findExecutable('moto_server', [path.join(motoVenvDir(), 'bin')]);
}

/** Any key pair is accepted by moto; these are what the embedded server's clients sign with. */
export const EMBEDDED_S3_CREDENTIALS = { accessKeyId: 'studio', secretAccessKey: 'studio-secret' };

export async function startS3(opts: StartOptions): Promise<RunningService> {
  const bin = findMotoServer();
  if (!bin) {
    throw new EmbeddedServiceError(`An S3-compatible server is required: set S3_ENDPOINT, or run \`npm run setup\` (it installs moto[server] into ${motoVenvDir()}).`);
  }
  const dir = path.resolve(opts.dataDir, 's3');
  mkdirSync(dir, { recursive: true });
  const logFile = path.join(dir, 'moto.log');
  const port = opts.port ?? (await freePort());
  const child = launch(bin, ['-H', '127.0.0.1', '-p', String(port)], logFile, { detached: opts.detached });
  const url = `http://127.0.0.1:${port}`;
  // Ready when it answers HTTP (moto binds before its app is loaded).
  await waitUntil(
    () => fetch(`${url}/`, { signal: AbortSignal.timeout(1000) }).then((r) => r.status < 500, () => false),
    child,
    `moto_server on port ${port}`,
    logFile,
  );
  return { kind: 's3', url, pid: child.pid, stop: stopper(opts.detached ? undefined : child, child.pid) };
}
