// Content sniffing stays linear on hostile heads (judged in a child process that is killed after 10 s,
// since a catastrophic regex blocks the event loop where no Jest timeout can reach it), and Radiance HDR is sniffed.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { judgeContent, SNIFF_BYTES } from '../src/app/services/ContentPolicy';

const ROOT = path.resolve(__dirname, '..');
const KILL_AFTER_MS = 10_000;
/** Runs per head; the fastest one is kept, so a GC pause or JIT warm-up is not read as a slow scan. */
const REPEATS = 50;
/**
 * How much slower than a plain-text head of the same size a hostile head may be judged. Linear scans stay
 * near 1; a quadratic pass over 4 KiB is hundreds of times slower, and an exponential one never finishes.
 */
const MAX_SLOWDOWN = 20;

/** prefix + as many copies of unit as fit in the sniffed window + suffix. */
function fill(prefix: string, unit: string, suffix = ''): string {
  const room = SNIFF_BYTES - Buffer.byteLength(prefix) - Buffer.byteLength(suffix);
  return prefix + unit.repeat(Math.floor(room / Buffer.byteLength(unit))) + suffix;
}

const XML_DECL = '<?xml version="1.0"?>';
/** The reproduction from the review: 5 ms at n=20, 352 ms at n=26, doubling per copy with the old regex. */
const reviewRepro = (n: number) => `${XML_DECL}${'<!---->'.repeat(n)}<x`;
const REVIEW_MAX_N = Math.floor((SNIFF_BYTES - XML_DECL.length - 2) / '<!---->'.length);

const TEXT = 'unverified text/plain';
const REFUSED = 'FILE_TYPE_REFUSED';
const MISMATCH = 'FILE_TYPE_MISMATCH';

/** [what the head is, file name, head, expected outcome: an error code or "(un)verified mime"]. */
const HOSTILE: [string, string, string, string][] = [
  ['the review reproduction with n=20', 'notes.txt', reviewRepro(20), TEXT],
  ['the review reproduction with n=26', 'notes.txt', reviewRepro(26), TEXT],
  [`the review reproduction with n=${REVIEW_MAX_N}, filling the head`, 'notes.txt', reviewRepro(REVIEW_MAX_N), TEXT],
  ['an XML declaration, 500 empty comments, then an SVG', 'icon.txt', `${XML_DECL}${'<!---->'.repeat(500)}<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>`, REFUSED],
  ['an upper-case XML declaration and as many empty comments as fit, then an SVG', 'icon.txt', fill('<?XML VERSION="1.0"?>', '<!---->', '<SVG>'), REFUSED],
  ['comments with text in them filling the head, then HTML', 'notes.txt', fill('', '<!-- c -->\n', '<html>'), REFUSED],
  ['unterminated comment openers filling the head', 'notes.txt', fill('', '<!--'), TEXT],
  ['an XML declaration, then unterminated comment openers', 'notes.txt', fill(XML_DECL, '<!--'), TEXT],
  ['a comment of dashes that never closes', 'notes.txt', fill('<!--', '-'), TEXT],
  ['a comment of dashes that closes at the end, then HTML', 'notes.txt', fill('<!--', '-', '-><html>'), REFUSED],
  ['half-closed comments (--) filling the head', 'notes.txt', fill('<!--', '--'), TEXT],
  ['ASCII whitespace filling the head, then an SVG', 'notes.txt', fill('', ' \t\r\n', '<svg>'), REFUSED],
  ['spaces filling the head, then text', 'notes.txt', fill('', ' ', 'x'), TEXT],
  ['a BOM and Unicode spaces filling the head, then HTML', 'notes.txt', fill('\uFEFF', '\u00a0\u2028\u3000', '<html>'), REFUSED],
  ['BOMs filling the head, then an interpreter line', 'notes.txt', fill('', '\uFEFF', '#!/bin/sh\n'), REFUSED],
  ['a doctype whose name never ends', 'notes.txt', fill('<!doctype svg ', 'a'), TEXT],
  ['a doctype with whitespace filling the head before html', 'notes.txt', fill('<!doctype', ' ', 'html>'), REFUSED],
  ['non-HTML doctypes filling the head, then an SVG', 'notes.txt', fill('', '<!doctype svg>', '<svg>'), REFUSED],
  ['doctype openers that never close', 'notes.txt', fill('', '<!doctype'), TEXT],
  ['processing instructions filling the head, then HTML', 'notes.txt', fill('', '<?x?>', '<html>'), REFUSED],
  ['processing-instruction openers that never close', 'notes.txt', fill('', '<?'), TEXT],
  ['one tag name repeating svg to the end of the head', 'notes.txt', fill('<', 'svg'), TEXT],
  ['attribute-less tag openers filling the head', 'notes.txt', fill('', '<svg'), TEXT],
  ['bare angle brackets filling the head', 'notes.txt', fill('', '<'), TEXT],
  ['a Radiance header with header lines filling the head', 'sky.hdr', fill('#?RADIANCE\n', 'FORMAT=32-bit_rle_rgbe\n'), 'verified image/vnd.radiance'],
  ['the Radiance magic repeated without a newline, named .hdr', 'sky.hdr', fill('', '#?RADIANCE'), MISMATCH],
  ['header-line openers (#?) filling the head, named .hdr', 'sky.hdr', fill('', '#?'), MISMATCH],
  ['an HLS playlist filling the head, named .hdr', 'sky.hdr', fill('#EXTM3U\n', '#EXTINF:4.0,\nseg.ts\n'), MISMATCH],
];

/** Judges every head in a fresh Node (tsx loads the TypeScript source) and prints one JSON line. */
const CHILD = `
const { judgeContent, SNIFF_BYTES } = require('./src/app/services/ContentPolicy.ts');
const outcome = async (name, head) => {
  try {
    const v = await judgeContent(name, head);
    return (v.verified ? 'verified ' : 'unverified ') + v.mimeType;
  } catch (err) {
    return err.code || String(err);
  }
};
const timed = async (name, head) => {
  let result;
  let ms = Infinity;
  for (let i = 0; i < ${REPEATS}; i++) {
    const start = process.hrtime.bigint();
    result = await outcome(name, head);
    ms = Math.min(ms, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { outcome: result, ms };
};
(async () => {
  const cases = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
  const baseline = await timed('notes.txt', Buffer.alloc(SNIFF_BYTES, 'a'));
  const results = {};
  for (const c of cases) results[c.label] = await timed(c.name, Buffer.from(c.head, 'base64'));
  process.stdout.write(JSON.stringify({ baseline, results }) + '\\n');
})();
`;

interface Timed {
  outcome: string;
  ms: number;
}

describe('content sniffing: hostile heads are judged in linear time', () => {
  let run: ReturnType<typeof spawnSync>;
  let report: { baseline: Timed; results: Record<string, Timed> } | undefined;

  beforeAll(() => {
    const input = JSON.stringify(HOSTILE.map(([label, name, head]) => ({ label, name, head: Buffer.from(head).toString('base64') })));
    run = spawnSync(process.execPath, ['--import', 'tsx', '-e', CHILD], { cwd: ROOT, input, encoding: 'utf8', timeout: KILL_AFTER_MS, killSignal: 'SIGKILL' });
    if (run.status === 0) report = JSON.parse(String(run.stdout));
  });

  it('judges every hostile head before the 10 s kill', () => {
    expect({ status: run.status, signal: run.signal, stderr: run.status === 0 ? '' : String(run.stderr).slice(0, 2000) }).toEqual({ status: 0, signal: null, stderr: '' });
    expect(report?.baseline.outcome).toBe(TEXT);
  });

  it.each(HOSTILE.map(([label, name, , expected]) => [label, name, expected]))('judges %s (as %s) to %s', (label, _name, expected) => {
    expect(report?.results[label]?.outcome).toBe(expected);
  });

  it(`judges each hostile head within ${MAX_SLOWDOWN}× the time of a plain-text head of the same size`, () => {
    expect(report).toBeDefined();
    const limit = report!.baseline.ms * MAX_SLOWDOWN;
    const slow = Object.entries(report!.results).filter(([, r]) => r.ms > limit).map(([label, r]) => `${label}: ${r.ms.toFixed(3)} ms`);
    expect({ baselineMs: report!.baseline.ms, slow }).toEqual({ baselineMs: report!.baseline.ms, slow: [] });
  });
});

describe('content sniffing: markup behind what a parser skips', () => {
  it.each([
    ['an SVG that opens with <svg/', '<svg/onload=alert(1)>', REFUSED],
    ['HTML behind a comment, without an XML declaration', '<!-- generated --><html><body>', REFUSED],
    ['an SVG behind the SVG 1.1 doctype', `${XML_DECL}\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg>`, REFUSED],
    ['a stylesheet processing instruction before an SVG', `${XML_DECL}<?xml-stylesheet href="a.css"?><svg>`, REFUSED],
    ['a doctype html without a space', '<!DOCTYPEhtml><p>', REFUSED],
    ['a tag that only starts like svg', '<svgfoo>', TEXT],
    ['a comment that never closes before an SVG', '<!-- <svg> ', TEXT],
    ['an SVG past the first KiB of comments', `${'<!-- padding -->'.repeat(80)}<svg>`, REFUSED],
  ])('judges %s', async (_label, text, expected) => {
    expect(await outcomeOf('notes.txt', Buffer.from(text))).toBe(expected);
  });

  it('still accepts a COLLADA file, which is XML with comments but not markup', async () => {
    expect(await judgeContent('scene.dae', Buffer.from(`${XML_DECL}\n<!-- exported -->\n<COLLADA xmlns="http://www.collada.org/2005/11/COLLADASchema" version="1.4.1">`))).toEqual({ mimeType: 'application/xml', verified: true, ext: 'dae' });
  });
});

/** A 1×1 Radiance image: the magic, one header line, the blank line, the resolution line, one RGBE pixel. */
const RADIANCE_1x1 = Buffer.concat([Buffer.from('#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 1 +X 1\n'), Buffer.from([0x80, 0x80, 0x80, 0x81])]);
const PLAYLIST = Buffer.from('#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.0,\nhttps://example.invalid/seg0.ts\n#EXT-X-ENDLIST\n');

async function outcomeOf(name: string, head: Buffer): Promise<string> {
  try {
    const v = await judgeContent(name, head);
    return `${v.verified ? 'verified' : 'unverified'} ${v.mimeType}`;
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

describe('content sniffing: Radiance HDR is verified by its magic, not trusted by its name', () => {
  it('accepts a real Radiance file named .hdr as a verified image/vnd.radiance', async () => {
    expect(await judgeContent('sky.hdr', RADIANCE_1x1)).toEqual({ mimeType: 'image/vnd.radiance', verified: true, ext: 'hdr' });
    expect(await judgeContent('SKY.HDR', Buffer.from('#?RGBE\n\n-Y 1 +X 1\n\x80\x80\x80\x81', 'latin1'))).toEqual({ mimeType: 'image/vnd.radiance', verified: true, ext: 'hdr' });
  });

  it('refuses an HLS playlist named .hdr as a type mismatch', async () => {
    await expect(judgeContent('sky.hdr', PLAYLIST)).rejects.toMatchObject({ code: MISMATCH, status: 415, message: 'The content is not a Radiance HDR image but the name says .hdr' });
  });

  it.each([
    ['plain text', Buffer.from('just some notes')],
    ['the magic without its newline', Buffer.from('#?RADIANCEX\n')],
    ['a PNG', Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex')],
  ])('refuses %s named .hdr as a type mismatch', async (_label, head) => {
    expect(await outcomeOf('sky.hdr', head)).toBe(MISMATCH);
  });

  it.each(['sky.exr', 'sky.png', 'sky.txt', 'sky'])('refuses a Radiance file named %s as a type mismatch, as OpenEXR does', async (name) => {
    expect(await outcomeOf(name, RADIANCE_1x1)).toBe(MISMATCH);
  });

  it('refuses an HLS playlist named .exr as a type mismatch: OpenEXR is never accepted on its name alone', async () => {
    await expect(judgeContent('sky.exr', PLAYLIST)).rejects.toMatchObject({ code: MISMATCH, status: 415, message: 'The content is not an OpenEXR image but the name says .exr' });
  });

  it('refuses an #EXTM3U playlist named .mp4', async () => {
    await expect(judgeContent('clip.mp4', PLAYLIST)).rejects.toMatchObject({ status: 415, code: 'FILE_TYPE_UNKNOWN' });
  });
});
