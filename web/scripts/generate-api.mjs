// Checks that the API types the web app uses (the SDK's generated file, packages/sdk/src/generated/api.d.ts)
// match a fresh generation from the API's OpenAPI document, so the client cannot drift from the API.
// Regenerate with the root's `npm run sdk:generate`.
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const web = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const root = path.dirname(web);
const target = path.join(root, 'packages/sdk/src/generated/api.d.ts');
const doc = path.join(root, 'dist/openapi.json');
execFileSync('npx', ['tsx', 'scripts/openapi.ts', doc], { cwd: root, stdio: 'inherit' });
const out = path.join(mkdtempSync(path.join(tmpdir(), 'studio-web-api-')), 'api.d.ts');
execFileSync(path.join(root, 'node_modules/.bin/openapi-typescript'), [doc, '-o', out], { cwd: root, stdio: 'inherit' });
if (readFileSync(target, 'utf8') !== readFileSync(out, 'utf8')) {
  console.error('packages/sdk/src/generated/api.d.ts is stale: run `npm run sdk:generate`');
  process.exit(1);
}
console.log('packages/sdk/src/generated/api.d.ts is up to date');
