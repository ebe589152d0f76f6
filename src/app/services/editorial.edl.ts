// CMX 3600 edit decision lists as the editorial import reads them: each video event is a shot, named by its
// clip (`* FROM CLIP NAME:`, without the file's extension) or else its reel, in the sequence its name starts
// with (SQ010_SH0010 → SQ010); source and record timecodes at the project's rate (drop-frame when the FCM
// says so or the timecode is written with `;`). Audio events, transitions' outgoing halves and notes are
// read past. A line-by-line state machine fed text as it arrives, with the caps of editorial.ts.
import type { Rational } from '../repositories/models/Project';
import { UnprocessableEntityError } from '../../shared/errors';
import { CODE, Duplicates, MAX_SHOTS, Problems, SEQ, count, ordinal, sequenceOfName, tooManyShots, type CutReader, type CutRow } from './editorial';

/** A legitimate EDL at MAX_SHOTS has about 7 lines per shot (an event, its notes, audio events). */
export const EDL_MAX_LINES = 20 * MAX_SHOTS;
/** CMX lines are 80 columns; tools write longer notes (file paths), never this long. */
export const EDL_MAX_LINE_CHARS = 4096;

/** Lines of a text that arrives in pieces; a line past maxChars is cut there and flagged. */
class LineSplitter {
  private partial = '';
  private tooLong = false;
  private skipLf = false;

  constructor(
    private readonly onLine: (text: string, tooLong: boolean) => void,
    private readonly maxChars: number,
  ) {}

  write(text: string): void {
    let from = 0;
    if (this.skipLf && text.length > 0) {
      this.skipLf = false;
      if (text.charCodeAt(0) === 10) from = 1;
    }
    // The next LF and the next CR, each searched again only once passed: a text of LF lines and no CR
    // would otherwise be searched to its end for a CR on every line.
    let lf = text.indexOf('\n', from);
    let cr = text.indexOf('\r', from);
    for (;;) {
      if (lf >= 0 && lf < from) lf = text.indexOf('\n', from);
      if (cr >= 0 && cr < from) cr = text.indexOf('\r', from);
      const end = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
      if (end < 0) {
        this.keep(text, from, text.length);
        return;
      }
      this.keep(text, from, end);
      this.flush();
      from = end + 1;
      if (text.charCodeAt(end) === 13) {
        if (end + 1 === text.length) this.skipLf = true;
        else if (text.charCodeAt(end + 1) === 10) from++;
      }
    }
  }

  end(): void {
    if (this.partial || this.tooLong) this.flush();
  }

  private keep(text: string, from: number, to: number): void {
    const room = this.maxChars - this.partial.length;
    if (to - from > room) this.tooLong = true;
    if (room > 0) this.partial += text.slice(from, Math.min(to, from + room));
  }

  private flush(): void {
    const line = this.partial;
    const tooLong = this.tooLong;
    this.partial = '';
    this.tooLong = false;
    this.onLine(line, tooLong);
  }
}

const TIMECODE = /^(\d{2}):(\d{2}):(\d{2})([:;])(\d{2})$/;

/**
 * A timecode as a frame count at `base` frames per timecode second. Drop-frame (SMPTE 12M, at 30000/1001 and
 * 60000/1001 only) when `dropFrame` or the timecode is written HH:MM:SS;FF; null when it is no timecode.
 */
export function timecodeFrames(text: string, base: number, options: { dropFrame: boolean; dropCapable: boolean }): number | null {
  const m = TIMECODE.exec(text);
  if (!m) return null;
  const [hh, mm, ss, ff] = [m[1], m[2], m[3], m[5]].map(Number) as [number, number, number, number];
  if (mm > 59 || ss > 59 || ff >= base) return null;
  const isDrop = options.dropFrame || m[4] === ';';
  if (isDrop && !options.dropCapable) return null;
  const drop = isDrop ? base / 15 : 0;
  // Drop-frame timecode skips labels 00 and 01 (00-03 at 60) at the start of each minute but every tenth.
  if (drop && ss === 0 && ff < drop && mm % 10 !== 0) return null;
  const minutes = hh * 60 + mm;
  return (hh * 3600 + mm * 60 + ss) * base + ff - drop * (minutes - Math.floor(minutes / 10));
}

interface EventLine {
  line: number;
  reel: string;
  video: boolean;
  src: [number, number];
  rec: [number, number];
  clipName: string | null;
}

/** A clip's name as a shot code: its file's extension dropped (SQ010_SH0010.mov → SQ010_SH0010). */
function codeOfClip(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 && name.length - dot <= 6 && /^\.[A-Za-z0-9]{1,5}$/.test(name.slice(dot)) ? name.slice(0, dot) : name;
}

const IGNORED = ['TITLE:', 'FCM:', 'M2 ', 'M2\t', 'SPLIT:', '>>>', 'AUD', 'SWM', '%'];

export function edlCutReader(projectFps: Rational): CutReader {
  const base = Math.round(projectFps.num / projectFps.den);
  const dropCapable = projectFps.den === 1001 && (base === 30 || base === 60);
  const problems = new Problems();
  const rows: CutRow[] = [];
  const duplicates = new Duplicates();
  const where = (line: number) => `line ${line}`;
  let dropFrame = false;
  let lines = 0;
  let shots = 0;
  /** The lines of the event being read (two for a dissolve: the outgoing clip, then the incoming). */
  let event: { number: string; lines: EventLine[] } | null = null;

  const flush = () => {
    if (!event) return;
    for (const e of event.lines) {
      // The outgoing half of a dissolve (and any event with no length) is not a shot.
      if (!e.video || e.src[1] <= e.src[0]) continue;
      const code = codeOfClip(e.clipName ?? e.reel);
      const sequence = sequenceOfName(code);
      const bad: string[] = [];
      if (!CODE.test(code)) bad.push(`"${code.slice(0, 100)}" is not a shot code (letters, digits, _ . -): name the clip after its shot`);
      else if (!SEQ.test(sequence)) bad.push(`clip "${code}": no sequence (name it like SQ010_SH0010)`);
      if (e.rec[1] <= e.rec[0]) bad.push('the record out is not after the record in');
      if (bad.length) {
        for (const message of bad) problems.add(e.line, message);
        continue;
      }
      if (++shots > MAX_SHOTS) tooManyShots('edl', where(e.line));
      const row: CutRow = { line: e.line, sequence, code, frameIn: e.src[0], frameOut: e.src[1] - 1, recordIn: e.rec[0], recordOut: e.rec[1] - 1, fps: null };
      duplicates.check(row, problems, where);
      rows.push(row);
    }
    event = null;
  };

  const onLine = (raw: string, tooLong: boolean) => {
    const line = ++lines;
    if (lines > EDL_MAX_LINES) {
      throw new UnprocessableEntityError(
        'EDITORIAL_TOO_MANY_ITEMS',
        `The EDL has more than ${count(EDL_MAX_LINES)} lines, more than a ${count(MAX_SHOTS)}-shot cut needs. Export the video track only, without audio events, and import again. Nothing was changed.`,
        { details: [{ path: where(line), message: `the ${ordinal(EDL_MAX_LINES + 1)} line` }] },
      );
    }
    if (tooLong) {
      problems.add(line, `the line is longer than ${count(EDL_MAX_LINE_CHARS)} characters: not an EDL line`);
      return;
    }
    const text = raw.trim();
    if (text === '') return;
    if (text.startsWith('*')) {
      const note = text.slice(1).trim();
      const upper = note.slice(0, 16).toUpperCase();
      const target = upper.startsWith('FROM CLIP NAME:') ? 0 : upper.startsWith('TO CLIP NAME:') ? 1 : -1;
      const e = target >= 0 ? event?.lines[Math.min(target, event.lines.length - 1)] : undefined;
      if (e) e.clipName = note.slice(note.indexOf(':') + 1).trim();
      return;
    }
    const upper = text.slice(0, 8).toUpperCase();
    if (upper.startsWith('FCM:')) {
      dropFrame = /^FCM:\s*DROP/i.test(text);
      if (dropFrame && !dropCapable) problems.add(line, `drop-frame timecode, but the project runs at ${projectFps.num}/${projectFps.den} (drop-frame is for 30000/1001 and 60000/1001)`);
      return;
    }
    if (IGNORED.some((k) => upper.startsWith(k))) return;
    const parsed = eventLine(text, line, base, { dropFrame: dropFrame && dropCapable, dropCapable });
    if (typeof parsed === 'string') {
      problems.add(line, parsed);
      return;
    }
    if (!event || event.number !== parsed.number) {
      flush();
      event = { number: parsed.number, lines: [] };
    }
    event.lines.push(parsed.line);
  };

  const splitter = new LineSplitter(onLine, EDL_MAX_LINE_CHARS);
  return {
    write: (text) => splitter.write(text),
    end: () => {
      splitter.end();
      flush();
      if (lines === 0) problems.add(1, 'the file is empty: expected CMX 3600 events (001  REEL  V  C  01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00)');
      return { rows, problems: problems.list, problemCount: problems.count };
    },
  };
}

/** `001  REEL  V  C  [dur]  srcIn srcOut recIn recOut`, or what is wrong with it. */
function eventLine(text: string, line: number, base: number, timecode: { dropFrame: boolean; dropCapable: boolean }): { number: string; line: EventLine } | string {
  const t = text.split(/\s+/);
  if (!/^\d{1,6}$/.test(t[0]!)) return 'not an EDL line (an event, a * note, TITLE: or FCM:)';
  if (t.length !== 8 && t.length !== 9) return `event ${t[0]}: expected number, reel, track, transition, source in/out and record in/out`;
  const track = t[2]!.toUpperCase();
  const video = track.includes('V') || track === 'B';
  // Audio events are read past: their timecodes are not the cut's.
  if (!video) return { number: t[0]!, line: { line, reel: t[1]!, video, src: [0, 0], rec: [0, 0], clipName: null } };
  const [srcIn, srcOut, recIn, recOut] = t.slice(-4).map((tc) => timecodeFrames(tc, base, timecode)) as [number | null, number | null, number | null, number | null];
  if (srcIn === null || srcOut === null || recIn === null || recOut === null) return `event ${t[0]}: a timecode is not HH:MM:SS:FF at ${base} frames per second${timecode.dropCapable ? ' (or HH:MM:SS;FF, drop-frame)' : ''}`;
  return { number: t[0]!, line: { line, reel: t[1]!, video, src: [srcIn, srcOut], rec: [recIn, recOut], clipName: null } };
}
