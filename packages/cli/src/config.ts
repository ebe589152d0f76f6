// Where the CLI keeps things: credentials (mode 0600) and resumable-upload state, in the user's config dir.
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type StoredCredentials =
  | { apiUrl: string; kind: 'token'; token: string }
  | { apiUrl: string; kind: 'session'; email: string; accessToken: string; refreshToken: string };

/** STUDIO_CONFIG_DIR, else $XDG_CONFIG_HOME/studio, else %APPDATA%\studio on Windows, else ~/.config/studio. */
export function configDir(): string {
  if (process.env.STUDIO_CONFIG_DIR) return process.env.STUDIO_CONFIG_DIR;
  if (process.env.XDG_CONFIG_HOME) return path.join(process.env.XDG_CONFIG_HOME, 'studio');
  if (process.platform === 'win32' && process.env.APPDATA) return path.join(process.env.APPDATA, 'studio');
  return path.join(os.homedir(), '.config', 'studio');
}

export const credentialsPath = () => path.join(configDir(), 'credentials.json');

export function readCredentials(): StoredCredentials | undefined {
  try {
    return JSON.parse(readFileSync(credentialsPath(), 'utf8')) as StoredCredentials;
  } catch {
    return undefined;
  }
}

export function writeCredentials(credentials: StoredCredentials): void {
  const file = credentialsPath();
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Created 0600 before the secret is in it, then renamed over the old file: never readable by others, never torn.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

export function removeCredentials(): boolean {
  const file = credentialsPath();
  try {
    readFileSync(file);
  } catch {
    return false;
  }
  rmSync(file, { force: true });
  return true;
}

/** One state file per (API, asset, file): the same command finds it again after Ctrl-C or a crash. */
export function uploadStatePath(apiUrl: string, assetId: string, file: string): string {
  const key = createHash('sha256').update(`${apiUrl}\n${assetId}\n${path.resolve(file)}`).digest('hex').slice(0, 32);
  return path.join(configDir(), 'uploads', `${key}.json`);
}
