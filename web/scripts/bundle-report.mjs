// Prints the gzip size of every built JS/CSS file and of the initial JavaScript of the assets page (the
// entry chunk and its static imports, from Vite's manifest); fails above the budget (issue 17: 250 KB gzip).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BUDGET_KB = Number(process.env.WEB_JS_BUDGET_KB ?? 250);
const dist = path.join(path.dirname(path.dirname(fileURLToPath(import.meta.url))), 'dist');
const manifest = JSON.parse(readFileSync(path.join(dist, '.vite/manifest.json'), 'utf8'));
const gz = (file) => gzipSync(readFileSync(path.join(dist, file)), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

const entryKey = Object.keys(manifest).find((k) => manifest[k].isEntry);
const initial = new Set();
const walk = (key) => {
  const chunk = manifest[key];
  if (!chunk || initial.has(chunk.file)) return;
  initial.add(chunk.file);
  for (const css of chunk.css ?? []) initial.add(css);
  for (const imp of chunk.imports ?? []) walk(imp);
};
walk(entryKey);
const files = new Set(Object.values(manifest).flatMap((c) => [c.file, ...(c.css ?? [])]));
for (const f of [...files].sort()) console.log(`${initial.has(f) ? 'initial' : 'lazy   '}  ${kb(gz(f)).padStart(10)} gzip  ${f}`);
const total = [...initial].filter((f) => f.endsWith('.js')).reduce((n, f) => n + gz(f), 0);
const ok = total <= BUDGET_KB * 1024;
console.log(`assets page initial JS: ${kb(total)} gzip (budget ${BUDGET_KB} KB) ${ok ? 'OK' : 'OVER BUDGET'}`);
if (!ok) process.exit(1);
