// Decides whether uploaded bytes may become a version: sniff the first bytes, refuse executables,
// scripts and HTML/SVG, refuse a detectable type that contradicts the file name, and accept formats
// that cannot be sniffed only for allow-listed extensions (stored as unverified).
import path from 'node:path';
import { fileTypeFromBuffer } from 'file-type';
import { UnsupportedMediaTypeError } from '../../shared/errors';

/** Bytes needed to sniff every format we recognise (file-type reads up to 4100). */
export const SNIFF_BYTES = 4100;

export interface ContentVerdict {
  mimeType: string;
  verified: boolean;
  ext: string;
}

/** Extensions a sniffed type may legitimately carry, beyond its own canonical one. */
const EXT_ALIASES: Record<string, string[]> = {
  jpg: ['jpg', 'jpeg', 'jpe'],
  tif: ['tif', 'tiff'],
  mov: ['mov', 'qt'],
  mp4: ['mp4', 'm4v'],
  m4a: ['m4a', 'aac'],
  mkv: ['mkv', 'mk3d'],
  gz: ['gz', 'tgz'],
  xml: ['xml', 'dae'],
  blend: ['blend', 'blend1'],
};

/** Production formats that are plain text or unsniffable binaries; accepted as unverified. */
const UNSNIFFABLE_ALLOWED: Record<string, string> = {
  fbx: 'application/octet-stream',
  ma: 'text/plain',
  mb: 'application/octet-stream',
  obj: 'text/plain',
  mtl: 'text/plain',
  usd: 'application/octet-stream',
  usda: 'text/plain',
  usdc: 'application/octet-stream',
  usdz: 'model/vnd.usdz+zip',
  abc: 'application/octet-stream',
  vdb: 'application/octet-stream',
  ass: 'text/plain',
  hip: 'application/octet-stream',
  nk: 'text/plain',
  bvh: 'text/plain',
  ply: 'application/octet-stream',
  stl: 'model/stl',
  gltf: 'model/gltf+json',
  srt: 'text/plain',
  txt: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  json: 'application/json',
  yaml: 'text/yaml',
  yml: 'text/yaml',
  c4d: 'application/octet-stream',
  max: 'application/octet-stream',
  ztl: 'application/octet-stream',
  spp: 'application/octet-stream',
  sbsar: 'application/octet-stream',
};

const REFUSED_EXTENSIONS = new Set([
  'exe', 'dll', 'so', 'dylib', 'bin', 'com', 'msi', 'app', 'elf', 'sh', 'bash', 'zsh', 'bat', 'cmd', 'ps1', 'vbs',
  'js', 'mjs', 'cjs', 'jar', 'class', 'py', 'pyc', 'rb', 'pl', 'php', 'html', 'htm', 'xhtml', 'svg', 'svgz', 'wasm', 'apk', 'deb', 'rpm',
]);

const REFUSED_SNIFFED_MIME = new Set(['application/x-msdownload', 'application/wasm', 'application/x-shockwave-flash', 'application/x-deb', 'application/x-rpm', 'application/x-apple-diskimage']);

/** Radiance RGBE header lines (Greg Ward's format); the newline keeps `#?RADIANCEfoo` out. */
const RADIANCE_MAGIC = [Buffer.from('#?RADIANCE\n'), Buffer.from('#?RGBE\n'), Buffer.from('#?RADIANCE\r\n'), Buffer.from('#?RGBE\r\n')];

/** Tags that make a browser treat the text as an HTML or SVG document when it opens with them. */
const MARKUP_TAGS = ['html', 'head', 'body', 'script', 'svg'];

/** JavaScript's whitespace, as trimStart and \s have it (the BOM included). */
const SPACE = /\s/;
function isSpace(c: string): boolean {
  // ASCII is decided without a regex call: whitespace runs are the longest stretch the scan walks.
  return c <= ' ' ? c === ' ' || (c >= '\t' && c <= '\r') : c > '\x7f' && SPACE.test(c);
}

function skipSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && isSpace(text.charAt(i))) i++;
  return i;
}

/**
 * Whether the lower-cased text opens, after what a parser passes over (whitespace, a BOM, comments, the
 * XML declaration and other processing instructions, a non-HTML doctype), with an HTML or SVG tag.
 * A scan rather than a regex: the regex it replaces backtracked exponentially on an XML declaration
 * followed by many `<!---->`. Every step moves `i` forward and each indexOf starts at `i`, so the cost
 * is linear in the head; an unterminated construct means there is no markup we can see.
 */
function opensAsMarkup(text: string, from: number): boolean {
  let i = from;
  for (;;) {
    i = skipSpace(text, i);
    let end: number;
    if (text.startsWith('<!--', i)) {
      end = text.indexOf('-->', i + 4);
      if (end < 0) return false;
      i = end + 3;
    } else if (text.startsWith('<?', i)) {
      // The first '>' ends it, as the old regex had it: an HTML parser reads `<?…>` as a bogus comment.
      end = text.indexOf('>', i + 2);
      if (end < 0) return false;
      i = end + 1;
    } else if (text.startsWith('<!doctype', i)) {
      const name = skipSpace(text, i + '<!doctype'.length);
      if (text.startsWith('html', name)) return true;
      end = text.indexOf('>', name);
      if (end < 0) return false;
      i = end + 1;
    } else {
      break;
    }
  }
  if (text.charAt(i) !== '<') return false;
  const tag = MARKUP_TAGS.find((t) => text.startsWith(t, i + 1));
  if (!tag) return false;
  const after = text.charAt(i + 1 + tag.length);
  return after === '>' || after === '/' || isSpace(after);
}

type Magic = { kind: 'executable' | 'script' | 'markup'; what: string } | { kind: 'exr' } | { kind: 'radiance' };

function magic(head: Buffer): Magic | undefined {
  const startsWith = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (startsWith(0x7f, 0x45, 0x4c, 0x46)) return { kind: 'executable', what: 'ELF executable' };
  if (startsWith(0x4d, 0x5a)) return { kind: 'executable', what: 'Windows executable' };
  if (startsWith(0xfe, 0xed, 0xfa, 0xce) || startsWith(0xfe, 0xed, 0xfa, 0xcf) || startsWith(0xcf, 0xfa, 0xed, 0xfe) || startsWith(0xce, 0xfa, 0xed, 0xfe) || startsWith(0xca, 0xfe, 0xba, 0xbe)) {
    return { kind: 'executable', what: 'Mach-O or Java class binary' };
  }
  if (startsWith(0x00, 0x61, 0x73, 0x6d)) return { kind: 'executable', what: 'WebAssembly module' };
  if (startsWith(0x76, 0x2f, 0x31, 0x01)) return { kind: 'exr' };
  if (RADIANCE_MAGIC.some((m) => head.subarray(0, m.length).equals(m))) return { kind: 'radiance' };
  // The whole head, not a prefix of it: a shorter window let a long comment preamble hide an SVG.
  const text = head.subarray(0, SNIFF_BYTES).toString('utf8').toLowerCase();
  const start = skipSpace(text, 0);
  if (text.startsWith('#!', start)) return { kind: 'script', what: 'script with an interpreter line' };
  if (opensAsMarkup(text, start)) return { kind: 'markup', what: 'HTML or SVG document' };
  return undefined;
}

export async function judgeContent(originalName: string, head: Buffer): Promise<ContentVerdict> {
  const ext = path.extname(originalName).slice(1).toLowerCase();
  const m = magic(head);
  if (m && 'what' in m) throw new UnsupportedMediaTypeError('FILE_TYPE_REFUSED', `Refused: the file is an ${m.what}`);
  if (REFUSED_EXTENSIONS.has(ext)) throw new UnsupportedMediaTypeError('FILE_TYPE_REFUSED', `Refused: .${ext} files are not accepted`);

  if (m?.kind === 'exr') {
    if (ext !== 'exr') throw new UnsupportedMediaTypeError('FILE_TYPE_MISMATCH', `The content is OpenEXR but the name says .${ext || '(none)'}`);
    return { mimeType: 'image/x-exr', verified: true, ext };
  }
  if (m?.kind === 'radiance') {
    if (ext !== 'hdr') throw new UnsupportedMediaTypeError('FILE_TYPE_MISMATCH', `The content is a Radiance HDR image but the name says .${ext || '(none)'}`);
    return { mimeType: 'image/vnd.radiance', verified: true, ext };
  }
  // Both have a magic that nothing else sniffs for, so a .hdr or .exr without it is something else (a
  // playlist that media tools would follow, a page): never accept it as unverified on its name alone.
  if (ext === 'hdr') throw new UnsupportedMediaTypeError('FILE_TYPE_MISMATCH', 'The content is not a Radiance HDR image but the name says .hdr');
  if (ext === 'exr') throw new UnsupportedMediaTypeError('FILE_TYPE_MISMATCH', 'The content is not an OpenEXR image but the name says .exr');

  const sniffed = await fileTypeFromBuffer(head);
  if (sniffed) {
    if (REFUSED_SNIFFED_MIME.has(sniffed.mime)) throw new UnsupportedMediaTypeError('FILE_TYPE_REFUSED', `Refused: ${sniffed.mime} is not accepted`);
    const allowed = EXT_ALIASES[sniffed.ext] ?? [sniffed.ext];
    if (!allowed.includes(ext)) {
      // Containers that formats are built on (zip, xml) may carry the format's own extension.
      const container = (sniffed.ext === 'zip' || sniffed.ext === 'xml') && ext in UNSNIFFABLE_ALLOWED;
      if (!container) throw new UnsupportedMediaTypeError('FILE_TYPE_MISMATCH', `The content is ${sniffed.mime} but the name says .${ext || '(none)'}`);
      return { mimeType: UNSNIFFABLE_ALLOWED[ext]!, verified: false, ext };
    }
    return { mimeType: sniffed.mime, verified: true, ext };
  }
  const mimeType = UNSNIFFABLE_ALLOWED[ext];
  if (!mimeType) {
    throw new UnsupportedMediaTypeError('FILE_TYPE_UNKNOWN', `Cannot verify the content of a .${ext || '(no extension)'} file; allowed unverifiable types: ${Object.keys(UNSNIFFABLE_ALLOWED).join(', ')}`);
  }
  return { mimeType, verified: false, ext };
}
