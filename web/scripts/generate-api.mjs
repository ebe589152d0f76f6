// Regenerates src/api/schema.d.ts from the API's OpenAPI document (written by the root's `npm run openapi`),
// so the client's types cannot drift from the API. `--check` fails when the checked-in file is stale.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const web = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const root = path.dirname(web);
const target = path.join(web, 'src/api/schema.d.ts');
const doc = path.join(root, 'dist/openapi.json');
execFileSync('npx', ['tsx', 'scripts/openapi.ts', doc], { cwd: root, stdio: 'inherit' });
const out = path.join(mkdtempSync(path.join(tmpdir(), 'studio-web-api-')), 'schema.d.ts');
execFileSync(path.join(root, 'node_modules/.bin/openapi-typescript'), [doc, '-o', out], { cwd: root, stdio: 'inherit' });
const fresh = readFileSync(out, 'utf8');
if (process.argv.includes('--check')) {
  if (readFileSync(target, 'utf8') !== fresh) {
    console.error('web/src/api/schema.d.ts is stale: run `npm run api:generate --prefix web`');
    process.exit(1);
  }
  console.log('web/src/api/schema.d.ts is up to date');
} else {
  writeFileSync(target, fresh);
  console.log(`wrote ${path.relative(root, target)}`);
}
