// Editorial cuts in and out: CSV rows, CMX 3600 EDLs (editorial.edl.ts) and OpenTimelineIO (.otio JSON)
// timelines become one list of shot rows (sequence, code, source range, record range, rate), every problem
// reported with where it is; and the project's cut goes back out as an OTIO timeline. The CSV and EDL readers
// are state machines fed text as it arrives and the OTIO walk is iterative: each is linear and stops at its
// caps while it scans, so no file costs more than its caps allow (docs/performance.md). Pure: no I/O;
// EditorialService streams request bodies into them and stores.
import type { Rational } from '../repositories/models/Project';
import { isStorableText } from '../../shared/security/storableText';
import { UnprocessableEntityError } from '../../shared/errors';

export type CutFormat = 'csv' | 'edl' | 'otio';

export interface CutRow {
  /** CSV and EDL: the line number; OTIO: the clip's position in the file (1-based, in document order). */
  line: number;
  sequence: string;
  code: string;
  frameIn: number;
  frameOut: number;
  recordIn: number | null;
  recordOut: number | null;
  /** The clip's rate when it differs from the project's (the shot's override). */
  fps: Rational | null;
  description?: string;
}

export interface CutProblem {
  line: number;
  message: string;
}

export interface CutResult {
  rows: CutRow[];
  /** The first MAX_REPORTED_PROBLEMS problems; problemCount says how many there were. */
  problems: CutProblem[];
  problemCount: number;
}

/** A reader of one format: text in as it arrives (it throws as soon as a cap is passed), the cut at the end. */
export interface CutReader {
  write(text: string): void;
  end(): CutResult;
}

const MiB = 1024 * 1024;
export const MAX_SHOTS = 10_000;
export const MAX_DESCRIPTION = 5000;
/** As many problems as an answer lists; past that they are counted. */
export const MAX_REPORTED_PROBLEMS = 200;

/**
 * Request body caps per format, from the largest legitimate file at MAX_SHOTS (tests/support/cuts.ts writes
 * them, tests/editorial.limits.test.ts imports them, docs/performance.md has the figures): a CSV with every
 * column and 400-character descriptions is 4.5 MiB, an EDL with two audio events per shot 4.2 MiB, an OTIO
 * timeline as OpenTimelineIO's writer indents it 24.1 MiB. Each cap leaves room for longer descriptions,
 * comments or metadata, and bounds what one import may make the server read.
 */
export const EDITORIAL_MAX_BYTES: Record<CutFormat, number> = { csv: 8 * MiB, edl: 8 * MiB, otio: 32 * MiB };
/** The import reads 8 columns; a header of more than this many is not a cut sheet. */
export const CSV_MAX_COLUMNS = 32;
/** Nesting of stacks and tracks in an OTIO timeline (editors nest a handful of levels). */
export const OTIO_MAX_DEPTH = 64;
/** Clips, gaps, transitions and nested tracks walked in an OTIO timeline: room for a gap and a transition per shot and more. */
export const OTIO_MAX_ITEMS = 5 * MAX_SHOTS;
/**
 * JSON values an OTIO file may hold, as JsonValueCounter counts them: a 10,000-clip timeline as
 * OpenTimelineIO writes it has about 400,000. At the cap no shape of JSON needs more than 128 MiB to parse
 * (measured: docs/performance.md), half the parse thread's heap, which matters because a worker's heap limit
 * is not a safe boundary: a JSON.parse growing one array past it aborts the whole process, not only the
 * thread (nodejs/node#47224; 32 MiB of `{},` did so to the API in bench:parsers before this cap).
 */
export const OTIO_MAX_JSON_VALUES = 2_000_000;

const storableDescription = (d: string) => d.length <= MAX_DESCRIPTION && isStorableText(d);
export const count = (n: number) => n.toLocaleString('en-US');
export const ordinal = (n: number) => `${count(n)}${n % 100 >= 11 && n % 100 <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
const FORMAT_NAMES: Record<CutFormat, string> = { csv: 'CSV', edl: 'EDL', otio: 'timeline' };

/** Problems found so far: the first MAX_REPORTED_PROBLEMS kept with where they are, all of them counted. */
export class Problems {
  readonly list: CutProblem[] = [];
  count = 0;
  add(line: number, message: string): void {
    this.count++;
    if (this.list.length < MAX_REPORTED_PROBLEMS) this.list.push({ line, message });
  }
}

/** The 10,001st shot: the reader stops there, before reading the rest of the file. */
export function tooManyShots(format: CutFormat, where: string): never {
  throw new UnprocessableEntityError(
    'EDITORIAL_TOO_MANY_SHOTS',
    `The ${FORMAT_NAMES[format]} holds more than ${count(MAX_SHOTS)} shots (the ${ordinal(MAX_SHOTS + 1)} is at ${where}); a project's cut holds at most ${count(MAX_SHOTS)}. Split the show into projects (for example one per episode) and import each cut into its own project. Nothing was changed.`,
    { details: [{ path: where, message: `the ${ordinal(MAX_SHOTS + 1)} shot` }] },
  );
}

/** Shots named twice in one file, reported on the second and later rows. */
export class Duplicates {
  private readonly seen = new Map<string, number>();
  check(row: CutRow, problems: Problems, where: (line: number) => string): void {
    const key = row.code.toLowerCase();
    const first = this.seen.get(key);
    if (first !== undefined) problems.add(row.line, `shot ${row.code} appears again (first at ${where(first)})`);
    else this.seen.set(key, row.line);
  }
}

export const CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$/;
export const SEQ = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/;

export const sameRate = (a: Rational, b: Rational) => a.num * b.den === b.num * a.den;
export const rateValue = (r: Rational) => r.num / r.den;

/** A float rate (OTIO stores 24000/1001 as 23.976023976…) back to its fraction; null when it is neither integral nor NTSC. */
export function toRational(rate: number): Rational | null {
  if (!Number.isFinite(rate) || rate <= 0 || rate > 1000) return null;
  if (Math.abs(rate - Math.round(rate)) < 1e-6) return { num: Math.round(rate), den: 1 };
  const ntsc = rate * 1.001;
  if (Math.abs(ntsc - Math.round(ntsc)) < 1e-3) return { num: Math.round(ntsc) * 1000, den: 1001 };
  return null;
}

/** "24000/1001", "24" or "23.976" */
export function parseRate(text: string): Rational | null {
  const t = text.trim();
  const frac = /^(\d{1,7})\/(\d{1,6})$/.exec(t);
  if (frac) {
    const num = Number(frac[1]);
    const den = Number(frac[2]);
    return num > 0 && den > 0 ? { num, den } : null;
  }
  return /^\d{1,4}(\.\d{1,12})?$/.test(t) ? toRational(Number(t)) : null;
}

/** frames at `from` as whole frames at `to`; null when they do not land on a frame. */
function convert(frames: number, from: Rational, to: Rational): number | null {
  const num = frames * to.num * from.den;
  const den = to.den * from.num;
  return num % den === 0 ? num / den : null;
}

/** The sequence a shot code names before its first underscore (SQ010_SH0010 → SQ010), or ''. */
export const sequenceOfName = (name: string) => {
  const i = name.indexOf('_');
  return i > 0 ? name.slice(0, i) : '';
};

// ---------------------------------------------------------------------------------------------------------
// CSV (RFC 4180)

const QUOTE = 34;
const COMMA = 44;
const CR = 13;
const LF = 10;
// Scanner states.
const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** A quote inside a quoted field: the next character says whether it was doubled or closed the field. */
const QUOTE_IN_QUOTED = 3;
/** After a closing quote: what follows up to the separator is kept, as lenient readers do. */
const AFTER_QUOTE = 4;

export interface CsvRecord {
  /** The line the record starts on (quoted fields may span lines). */
  line: number;
  fields: string[];
  /** Fields past maxFields: counted, not kept. */
  extra: number;
  /** A field was longer than maxFieldChars (it is kept cut there). */
  tooLong: boolean;
  /** The file ended inside a quoted field. */
  unterminated: boolean;
}

/**
 * RFC 4180 records of a text that arrives in pieces: one pass over each character, a state carried from one
 * piece to the next, fields sliced out of the text (no per-character string building). Fields longer than
 * maxFieldChars and fields past maxFields are counted instead of kept, so a record's memory is bounded
 * whatever the file holds. Records go to onRecord as they end; an exception there stops the scan.
 */
export class CsvScanner {
  maxFields: number;
  private fields: string[] = [];
  private extra = 0;
  private field = '';
  private tooLong = false;
  private state = FIELD_START;
  private line = 1;
  private recordLine = 1;
  /** A record ended on CR at the end of a piece: an LF starting the next piece belongs to it. */
  private skipLf = false;

  constructor(
    private readonly onRecord: (record: CsvRecord) => void,
    options: { maxFields?: number; maxFieldChars?: number } = {},
  ) {
    this.maxFields = options.maxFields ?? Number.POSITIVE_INFINITY;
    this.maxFieldChars = options.maxFieldChars ?? Number.POSITIVE_INFINITY;
  }

  private readonly maxFieldChars: number;

  write(text: string): void {
    const n = text.length;
    let i = 0;
    if (this.skipLf && n > 0) {
      this.skipLf = false;
      if (text.charCodeAt(0) === LF) i = 1;
    }
    let from = i;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (this.state === QUOTED) {
        if (c === QUOTE) {
          this.append(text, from, i);
          this.state = QUOTE_IN_QUOTED;
        } else if (c === LF) this.line++;
        i++;
        continue;
      }
      if (this.state === QUOTE_IN_QUOTED) {
        if (c === QUOTE) {
          // A doubled quote: the second one is the field's character, kept by the next slice.
          this.state = QUOTED;
          from = i;
          i++;
          continue;
        }
        this.state = AFTER_QUOTE;
        from = i;
      }
      if (c === COMMA) {
        this.append(text, from, i);
        this.endField();
        from = i + 1;
      } else if (c === CR || c === LF) {
        this.append(text, from, i);
        this.endField();
        this.endRecord();
        if (c === CR) {
          if (i + 1 === n) this.skipLf = true;
          else if (text.charCodeAt(i + 1) === LF) i++;
        }
        this.line++;
        this.recordLine = this.line;
        from = i + 1;
      } else if (this.state === FIELD_START) {
        if (c === QUOTE) {
          this.state = QUOTED;
          from = i + 1;
        } else {
          this.state = UNQUOTED;
          from = i;
        }
      }
      i++;
    }
    if (this.state === UNQUOTED || this.state === QUOTED || this.state === AFTER_QUOTE) this.append(text, from, n);
  }

  end(): void {
    const unterminated = this.state === QUOTED;
    if (this.state !== FIELD_START || this.fields.length > 0) {
      this.endField();
      this.endRecord(unterminated);
    }
  }

  private append(text: string, from: number, to: number): void {
    if (to <= from) return;
    // One character past the cap is kept, so the record says it was too long.
    const room = this.maxFieldChars + 1 - this.field.length;
    if (room <= 0) return;
    this.field += to - from > room ? text.slice(from, from + room) : text.slice(from, to);
    if (this.field.length > this.maxFieldChars) this.tooLong = true;
  }

  private endField(): void {
    if (this.fields.length < this.maxFields) this.fields.push(this.field.length > this.maxFieldChars ? this.field.slice(0, this.maxFieldChars) : this.field);
    else this.extra++;
    this.field = '';
    this.state = FIELD_START;
  }

  private endRecord(unterminated = false): void {
    const { fields, extra, tooLong } = this;
    this.fields = [];
    this.extra = 0;
    this.tooLong = false;
    // A blank line is no record.
    if (fields.length === 1 && fields[0] === '' && extra === 0 && !unterminated) return;
    this.onRecord({ line: this.recordLine, fields, extra, tooLong, unterminated });
  }
}

/** Every record of a whole CSV text, with the line each starts on (no caps: for tests and small texts). */
export function csvRecords(text: string): Array<{ line: number; fields: string[] }> {
  const out: Array<{ line: number; fields: string[] }> = [];
  const scanner = new CsvScanner(({ line, fields }) => out.push({ line, fields }));
  scanner.write(text);
  scanner.end();
  return out;
}

const int = (s: string | undefined) => (s !== undefined && /^-?\d{1,9}$/.test(s.trim()) ? Number(s.trim()) : null);
const CSV_COLUMNS = ['sequence', 'shot', 'frame_in', 'frame_out', 'record_in', 'record_out', 'fps', 'description'] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];

/**
 * sequence,shot,frame_in,frame_out[,record_in,record_out][,fps][,description], columns named by the header.
 * Each record is checked as it ends; the 10,001st data record stops the read.
 */
export function csvCutReader(projectFps: Rational): CutReader {
  const problems = new Problems();
  const rows: CutRow[] = [];
  const duplicates = new Duplicates();
  let columns: Record<CsvColumn, number> | null = null;
  let width = 0;
  let records = 0;
  const where = (line: number) => `line ${line}`;
  const refuseHeader = (line: number, messages: string[]): never => {
    throw new UnprocessableEntityError('EDITORIAL_INVALID', `The CSV's header (line ${line}) cannot be read: ${messages.join('; ')}. The first line names the columns: sequence,shot,frame_in,frame_out and optionally record_in,record_out,fps,description. Nothing was changed.`, {
      details: messages.map((message) => ({ path: where(line), message })),
    });
  };
  const scanner = new CsvScanner(
    (r) => {
      if (!columns) {
        if (r.extra > 0) refuseHeader(r.line, [`more than ${CSV_MAX_COLUMNS} columns`]);
        const names = r.fields.map((f) => f.trim().toLowerCase());
        const missing = CSV_COLUMNS.slice(0, 4).filter((c) => !names.includes(c));
        if (missing.length) refuseHeader(r.line, missing.map((c) => `the header has no ${c} column`));
        columns = Object.fromEntries(CSV_COLUMNS.map((c) => [c, names.indexOf(c)])) as Record<CsvColumn, number>;
        width = names.length;
        // One more than the header, to tell a record that has too many fields; the rest are only counted.
        scanner.maxFields = width + 1;
        return;
      }
      records++;
      if (records > MAX_SHOTS) tooManyShots('csv', where(r.line));
      const row = csvRow(r, columns, width, projectFps, problems);
      if (row) {
        duplicates.check(row, problems, where);
        rows.push(row);
      }
    },
    { maxFields: CSV_MAX_COLUMNS, maxFieldChars: MAX_DESCRIPTION },
  );
  return {
    write: (text) => scanner.write(text),
    end: () => {
      scanner.end();
      if (!columns) problems.add(1, 'the file is empty: expected a header line sequence,shot,frame_in,frame_out');
      return { rows, problems: problems.list, problemCount: problems.count };
    },
  };
}

function csvRow(r: CsvRecord, columns: Record<CsvColumn, number>, width: number, projectFps: Rational, problems: Problems): CutRow | null {
  const { line, fields } = r;
  if (r.unterminated) {
    problems.add(line, 'a quoted field opens on this line and is never closed (a " is missing)');
    return null;
  }
  if (fields.length + r.extra !== width) {
    problems.add(line, `${count(fields.length + r.extra)} fields where the header has ${width}`);
    return null;
  }
  if (r.tooLong) {
    problems.add(line, `a field is longer than ${count(MAX_DESCRIPTION)} characters (the longest a description may be)`);
    return null;
  }
  const at = (name: CsvColumn) => (columns[name] < 0 ? undefined : fields[columns[name]]);
  const sequence = (at('sequence') ?? '').trim();
  const code = (at('shot') ?? '').trim();
  const frameIn = int(at('frame_in'));
  const frameOut = int(at('frame_out'));
  const recordInText = at('record_in')?.trim();
  const recordOutText = at('record_out')?.trim();
  const recordIn = recordInText ? int(recordInText) : null;
  const recordOut = recordOutText ? int(recordOutText) : null;
  const fpsText = at('fps')?.trim();
  const fps = fpsText ? parseRate(fpsText) : null;
  const description = at('description');
  const bad: string[] = [];
  if (!SEQ.test(sequence)) bad.push(`sequence "${sequence.slice(0, 60)}" is not a code (letters, digits, _ . -)`);
  if (!CODE.test(code)) bad.push(`shot "${code.slice(0, 100)}" is not a code (letters, digits, _ . -)`);
  if (frameIn === null) bad.push('frame_in is not a whole number');
  if (frameOut === null) bad.push('frame_out is not a whole number');
  if (frameIn !== null && frameOut !== null && frameOut < frameIn) bad.push('frame_out is before frame_in');
  if (recordInText && recordIn === null) bad.push('record_in is not a whole number');
  if (recordOutText && recordOut === null) bad.push('record_out is not a whole number');
  if ((recordIn === null) !== (recordOut === null)) bad.push('give both record_in and record_out, or neither');
  if (recordIn !== null && recordOut !== null && recordOut < recordIn) bad.push('record_out is before record_in');
  if (fpsText && !fps) bad.push(`fps "${fpsText.slice(0, 40)}" is not a rate (24, 25, 24000/1001, 23.976)`);
  if (description !== undefined && !storableDescription(description)) bad.push(`description is longer than ${count(MAX_DESCRIPTION)} characters or holds a NUL or an unpaired surrogate`);
  if (bad.length) {
    for (const message of bad) problems.add(line, message);
    return null;
  }
  return { line, sequence, code, frameIn: frameIn!, frameOut: frameOut!, recordIn, recordOut, fps: fps && !sameRate(fps, projectFps) ? fps : null, ...(description !== undefined ? { description } : {}) };
}

/** A whole CSV text at once (tests, small files). */
export function parseCsv(text: string, projectFps: Rational): CutResult {
  const reader = csvCutReader(projectFps);
  reader.write(text);
  return reader.end();
}

// ---------------------------------------------------------------------------------------------------------
// OpenTimelineIO

/**
 * The JSON structure a parse would build, counted from the bytes as they arrive: each `{`, `[` and `,`
 * outside strings (an upper bound of the values, less one). A byte scan is exact on UTF-8, whose multi-byte
 * sequences hold no ASCII byte. Throws past OTIO_MAX_JSON_VALUES, so such a file never reaches JSON.parse.
 */
export class JsonValueCounter {
  count = 0;
  private inString = false;
  private escaped = false;

  write(bytes: Uint8Array): void {
    let { inString, escaped } = this;
    let n = this.count;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (b === 92 /* \ */) escaped = true;
        else if (b === 34 /* " */) inString = false;
      } else if (b === 34) inString = true;
      else if (b === 44 /* , */ || b === 91 /* [ */ || b === 123 /* { */) n++;
    }
    this.count = n;
    this.inString = inString;
    this.escaped = escaped;
    if (n > OTIO_MAX_JSON_VALUES) {
      throw new UnprocessableEntityError(
        'EDITORIAL_TOO_COMPLEX',
        `The timeline holds more than ${count(OTIO_MAX_JSON_VALUES)} JSON values (objects, lists and their items), far more than a ${count(MAX_SHOTS)}-shot cut needs (about 400,000 as OpenTimelineIO writes one). Check that the file is an OpenTimelineIO timeline as an editing tool writes it. Nothing was changed.`,
      );
    }
  }
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const schemaOf = (v: Json) => (typeof v.OTIO_SCHEMA === 'string' ? v.OTIO_SCHEMA.split('.')[0] : '');

/** An OTIO document's text (what the parse thread gets), refused with the parser's words when it is not JSON. */
export function readOtioText(text: string, projectFps: Rational): CutResult {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new UnprocessableEntityError('EDITORIAL_INVALID', 'The timeline is not JSON: export it again as an OpenTimelineIO (.otio) file. Nothing was changed.', { details: [{ path: 'item 0', message: (err as Error).message }] });
  }
  return parseOtio(doc, projectFps);
}

function walkLimit(code: 'EDITORIAL_TOO_DEEP' | 'EDITORIAL_TOO_MANY_ITEMS', item: number, message: string): never {
  throw new UnprocessableEntityError(code, `${message} Nothing was changed.`, { details: [{ path: `item ${item}`, message: code === 'EDITORIAL_TOO_DEEP' ? `nested more than ${OTIO_MAX_DEPTH} levels deep` : `the ${ordinal(OTIO_MAX_ITEMS + 1)} item` }] });
}

/** A track (or the first track of a stack) whose children the walk enters. */
interface Level {
  children: unknown[];
  next: number;
  sequence: string | null;
}

/**
 * An OTIO timeline: the first video track of the timeline's stack; each clip is a shot (its name the code,
 * unless metadata.studio.shot says), gaps advance the record position, a nested stack names the sequence
 * of the clips inside it; otherwise metadata.studio.sequence, otherwise the clip name's part before the
 * first underscore (SQ010_SH0010 → SQ010). Walked with an explicit stack (a file nests as deep as it likes;
 * the call stack does not), stopping past OTIO_MAX_DEPTH levels, OTIO_MAX_ITEMS items or MAX_SHOTS shots.
 */
export function parseOtio(doc: unknown, projectFps: Rational): CutResult {
  const problems = new Problems();
  const rows: CutRow[] = [];
  const done = () => ({ rows, problems: problems.list, problemCount: problems.count });
  const refuse = (message: string) => {
    problems.add(0, message);
    return done();
  };
  if (!isObj(doc) || schemaOf(doc) !== 'Timeline') return refuse('not an OpenTimelineIO Timeline (OTIO_SCHEMA "Timeline.1")');
  const stack = doc.tracks;
  if (!isObj(stack) || !Array.isArray(stack.children)) return refuse('the timeline has no tracks');
  const track = stack.children.find((t) => isObj(t) && schemaOf(t) === 'Track' && (t.kind ?? 'Video') === 'Video');
  if (!isObj(track) || !Array.isArray(track.children)) return refuse('the timeline has no video track');
  let position = 0;
  if (isObj(doc.global_start_time)) {
    const g = time(doc.global_start_time, projectFps);
    if (g === null) problems.add(0, 'global_start_time is not a whole frame at the project rate');
    else position = g.record;
  }
  const duplicates = new Duplicates();
  const where = (item: number) => `item ${item}`;
  const levels: Level[] = [{ children: track.children, next: 0, sequence: null }];
  let item = 0;
  while (levels.length > 0) {
    const level = levels[levels.length - 1]!;
    if (level.next >= level.children.length) {
      levels.pop();
      continue;
    }
    const child = level.children[level.next++];
    const line = ++item;
    if (item > OTIO_MAX_ITEMS) walkLimit('EDITORIAL_TOO_MANY_ITEMS', item, `The timeline's video track holds more than ${count(OTIO_MAX_ITEMS)} items (clips, gaps, transitions, nested tracks), more than a ${count(MAX_SHOTS)}-shot cut needs. Remove what the import does not read (reference or audio tracks nested in the video track) and export again.`);
    if (!isObj(child)) {
      problems.add(line, 'not an OTIO object');
      continue;
    }
    const kind = schemaOf(child);
    if (kind === 'Transition') continue;
    if (kind === 'Stack' || kind === 'Track') {
      const inner = kind === 'Stack' ? (Array.isArray(child.children) ? child.children.find((t) => isObj(t) && schemaOf(t) === 'Track') : undefined) : child;
      if (!isObj(inner) || !Array.isArray(inner.children)) {
        problems.add(line, `${kind} "${String(child.name ?? '').slice(0, 100)}" holds no track`);
        continue;
      }
      if (levels.length >= OTIO_MAX_DEPTH) {
        walkLimit('EDITORIAL_TOO_DEEP', line, `The timeline nests stacks and tracks more than ${OTIO_MAX_DEPTH} levels deep (at item ${count(line)}); editorial cuts nest a few. Flatten the nested stacks (OpenTimelineIO's flatten_stack, or your editing tool's "collapse" or "flatten") and export again.`);
      }
      levels.push({ children: inner.children, next: 0, sequence: typeof child.name === 'string' && child.name ? child.name : level.sequence });
      continue;
    }
    const range = isObj(child.source_range) ? child.source_range : null;
    const duration = range && isObj(range.duration) ? time(range.duration, projectFps) : null;
    if (kind === 'Gap') {
      if (!duration) problems.add(line, 'a gap without a whole-frame duration');
      else position += duration.record;
      continue;
    }
    if (kind !== 'Clip') {
      problems.add(line, `unsupported OTIO object ${String(child.OTIO_SCHEMA).slice(0, 100)}`);
      continue;
    }
    const meta = isObj(child.metadata) && isObj(child.metadata.studio) ? child.metadata.studio : {};
    const name = typeof child.name === 'string' ? child.name.trim() : '';
    const shown = name.slice(0, 100);
    const code = typeof meta.shot === 'string' ? meta.shot : name;
    const seq = typeof meta.sequence === 'string' ? meta.sequence : (level.sequence ?? sequenceOfName(name));
    const startTime = range && isObj(range.start_time) ? time(range.start_time, projectFps) : null;
    const bad: string[] = [];
    if (!CODE.test(code)) bad.push(`clip "${shown}": "${code.slice(0, 100)}" is not a shot code (letters, digits, _ . -)`);
    if (!SEQ.test(seq)) bad.push(`clip "${shown}": no sequence (a nested stack, metadata.studio.sequence, or a name like SQ010_SH0010)`);
    if (!range) bad.push(`clip "${shown}" has no source_range`);
    else if (!startTime || !duration) bad.push(`clip "${shown}": source_range is not whole frames at a supported rate`);
    else if (duration.value < 1) bad.push(`clip "${shown}" is empty`);
    else if (!sameRate(startTime.rate, duration.rate)) bad.push(`clip "${shown}": start and duration at different rates`);
    if (typeof meta.description === 'string' && !storableDescription(meta.description)) bad.push(`clip "${shown}": metadata.studio.description is longer than ${count(MAX_DESCRIPTION)} characters or holds a NUL or an unpaired surrogate`);
    if (bad.length) {
      for (const message of bad) problems.add(line, message);
      if (duration) position += duration.record;
      continue;
    }
    if (rows.length === MAX_SHOTS) tooManyShots('otio', where(line));
    const row: CutRow = {
      line,
      sequence: seq,
      code,
      frameIn: startTime!.value,
      frameOut: startTime!.value + duration!.value - 1,
      recordIn: position,
      recordOut: position + duration!.record - 1,
      fps: sameRate(duration!.rate, projectFps) ? null : duration!.rate,
      ...(typeof meta.description === 'string' ? { description: meta.description } : {}),
    };
    duplicates.check(row, problems, where);
    rows.push(row);
    position += duration!.record;
  }
  return done();
}

/** An OTIO RationalTime: its whole-frame value at its own rate and its length in project frames (record). */
function time(t: Json, projectFps: Rational): { value: number; rate: Rational; record: number } | null {
  if (typeof t.value !== 'number' || typeof t.rate !== 'number') return null;
  const rate = toRational(t.rate);
  if (!rate || !Number.isFinite(t.value) || Math.abs(t.value - Math.round(t.value)) > 1e-6) return null;
  const value = Math.round(t.value);
  const record = convert(value, rate, projectFps);
  return record === null ? null : { value, rate, record };
}

export interface CutShot {
  sequence: string;
  code: string;
  frameIn: number;
  frameOut: number;
  recordIn: number | null;
  recordOut: number | null;
  fps: Rational | null;
  description: string;
}

const rt = (value: number, rate: Rational) => ({ OTIO_SCHEMA: 'RationalTime.1', rate: rateValue(rate), value });

/** The cut as an OTIO Timeline.1: one video track, clips in cut order, gaps where the record range jumps. */
export function toOtio(name: string, fps: Rational, shots: CutShot[]): Json {
  const children: Json[] = [];
  let position = 0;
  for (const s of shots) {
    const rate = s.fps ?? fps;
    const frames = s.frameOut - s.frameIn + 1;
    const length = convert(frames, rate, fps) ?? Math.round((frames * rateValue(fps)) / rateValue(rate));
    if (s.recordIn !== null && s.recordIn > position) {
      children.push({ OTIO_SCHEMA: 'Gap.1', name: '', source_range: { OTIO_SCHEMA: 'TimeRange.1', start_time: rt(0, fps), duration: rt(s.recordIn - position, fps) }, effects: [], markers: [], metadata: {} });
      position = s.recordIn;
    }
    children.push({
      OTIO_SCHEMA: 'Clip.2',
      name: s.code,
      source_range: { OTIO_SCHEMA: 'TimeRange.1', start_time: rt(s.frameIn, rate), duration: rt(frames, rate) },
      media_references: { DEFAULT_MEDIA: { OTIO_SCHEMA: 'MissingReference.1', name: '', available_range: null, available_image_bounds: null, metadata: {} } },
      active_media_reference_key: 'DEFAULT_MEDIA',
      effects: [],
      markers: [],
      enabled: true,
      metadata: { studio: { sequence: s.sequence, shot: s.code, ...(s.description ? { description: s.description } : {}) } },
    });
    position += length;
  }
  return {
    OTIO_SCHEMA: 'Timeline.1',
    name,
    global_start_time: null,
    metadata: { studio: { fps: `${fps.num}/${fps.den}` } },
    tracks: { OTIO_SCHEMA: 'Stack.1', name: 'tracks', source_range: null, effects: [], markers: [], enabled: true, metadata: {}, children: [{ OTIO_SCHEMA: 'Track.1', name: 'V1', kind: 'Video', source_range: null, effects: [], markers: [], enabled: true, metadata: {}, children }] },
  };
}
