// Writes the OpenAPI document the API serves at /openapi.json to a file (default dist/openapi.json), without
// starting anything: the linter and the client generators read it from there.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildOpenApiDocument } from '../src/infra/http/openapi';
import '../src/infra/http/validators';

const out = process.argv[2] ?? 'dist/openapi.json';
mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
writeFileSync(out, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
