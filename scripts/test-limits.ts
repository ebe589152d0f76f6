// scripts/test-limits.env as an object: the limits every stand-alone test or benchmark API lifts (the e2e
// set-up and bench/lib/harness.ts; the shell scripts source the file itself).
import { readFileSync } from 'node:fs';
import path from 'node:path';

export function liftedLimits(): Record<string, string> {
  return Object.fromEntries(
    readFileSync(path.join(__dirname, 'test-limits.env'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}
