// Writes a brotli (.br) and a gzip (.gz) copy beside every text file of the built app (JS, CSS, HTML, SVG,
// JSON, maps), once at build time: the API then serves the copy a browser accepts with no compression work
// on its event loop (issue 28: the 462 KB main script went uncompressed). Usage: node precompress.mjs [dist]
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const TEXT = /\.(js|mjs|css|html|svg|json|map|txt|webmanifest)$/;
/** Smaller than this, compression saves less than the bytes of its headers. */
const MIN_BYTES = 1024;

export function precompress(dir) {
  let written = 0;
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) {
      written += precompress(file);
      continue;
    }
    if (!TEXT.test(name)) continue;
    const raw = readFileSync(file);
    if (raw.length < MIN_BYTES) continue;
    writeFileSync(`${file}.br`, brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }));
    writeFileSync(`${file}.gz`, gzipSync(raw, { level: 9 }));
    written++;
  }
  return written;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dist = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist'));
  console.log(`precompressed ${precompress(dist)} files in ${dist} (.br, .gz)`);
}
