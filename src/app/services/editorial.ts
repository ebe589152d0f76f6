// Editorial cuts in and out: CSV rows and OpenTimelineIO (.otio JSON) timelines become one list of shot
// rows (sequence, code, source range, record range, rate), every problem reported with where it is; and
// the project's cut goes back out as an OTIO timeline. Pure functions: EditorialService stores.
import type { Rational } from '../repositories/models/Project';
import { isStorableText } from '../../shared/security/storableText';

const storableDescription = (d: string) => d.length <= 5000 && isStorableText(d);

export interface CutRow {
  /** CSV: the line number; OTIO: the clip's position in the file (1-based, in document order). */
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

const CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$/;
const SEQ = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/;
export const MAX_SHOTS = 10_000;

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

/**
 * RFC 4180 fields of one CSV text, with the line each record starts on; quotes may span lines. One pass that
 * slices unquoted fields out of the text (no per-character string building), so 10,000 rows take milliseconds.
 */
export function csvRecords(text: string): Array<{ line: number; fields: string[] }> {
  const out: Array<{ line: number; fields: string[] }> = [];
  let fields: string[] = [];
  let line = 1;
  let start = 1;
  let i = 0;
  const n = text.length;
  while (i <= n) {
    let field: string;
    if (text.charCodeAt(i) === 34 /* " */) {
      const parts: string[] = [];
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        const chunk = text.slice(from, q < 0 ? n : q);
        for (let k = chunk.indexOf('\n'); k >= 0; k = chunk.indexOf('\n', k + 1)) line++;
        parts.push(chunk);
        if (q < 0) {
          i = n;
          break;
        }
        if (text.charCodeAt(q + 1) === 34) {
          parts.push('"');
          from = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      field = parts.join('');
      // Anything between the closing quote and the separator is kept, as lenient readers do.
      let j = i;
      while (j < n && text[j] !== ',' && text[j] !== '\n' && text[j] !== '\r') j++;
      field += text.slice(i, j);
      i = j;
    } else {
      let j = i;
      while (j < n && text[j] !== ',' && text[j] !== '\n' && text[j] !== '\r') j++;
      field = text.slice(i, j);
      i = j;
    }
    fields.push(field);
    if (i < n && text[i] === ',') {
      i++;
      continue;
    }
    // End of a record (newline or end of text).
    if (!(fields.length === 1 && fields[0] === '')) out.push({ line: start, fields });
    fields = [];
    if (i < n && text[i] === '\r' && text[i + 1] === '\n') i++;
    i++;
    line++;
    start = line;
  }
  return out;
}

const int = (s: string | undefined) => (s !== undefined && /^-?\d{1,9}$/.test(s.trim()) ? Number(s.trim()) : null);

/** sequence,shot,frame_in,frame_out[,record_in,record_out][,fps][,description], columns named by the header. */
export function parseCsv(text: string, projectFps: Rational): { rows: CutRow[]; problems: CutProblem[] } {
  const records = csvRecords(text);
  const problems: CutProblem[] = [];
  const rows: CutRow[] = [];
  const header = records.shift();
  if (!header) return { rows, problems: [{ line: 1, message: 'the file is empty: expected a header line sequence,shot,frame_in,frame_out' }] };
  const cols = header.fields.map((f) => f.trim().toLowerCase());
  for (const needed of ['sequence', 'shot', 'frame_in', 'frame_out']) {
    if (!cols.includes(needed)) problems.push({ line: header.line, message: `the header has no ${needed} column` });
  }
  if (problems.length) return { rows, problems };
  const at = (fields: string[], name: string) => {
    const i = cols.indexOf(name);
    return i < 0 ? undefined : fields[i];
  };
  for (const { line, fields } of records) {
    if (records.length > MAX_SHOTS) {
      problems.push({ line, message: `more than ${MAX_SHOTS} shots` });
      break;
    }
    if (fields.length !== cols.length) {
      problems.push({ line, message: `${fields.length} fields where the header has ${cols.length}` });
      continue;
    }
    const sequence = (at(fields, 'sequence') ?? '').trim();
    const code = (at(fields, 'shot') ?? '').trim();
    const frameIn = int(at(fields, 'frame_in'));
    const frameOut = int(at(fields, 'frame_out'));
    const recordInText = at(fields, 'record_in')?.trim();
    const recordOutText = at(fields, 'record_out')?.trim();
    const recordIn = recordInText ? int(recordInText) : null;
    const recordOut = recordOutText ? int(recordOutText) : null;
    const fpsText = at(fields, 'fps')?.trim();
    const fps = fpsText ? parseRate(fpsText) : null;
    const bad: string[] = [];
    if (!SEQ.test(sequence)) bad.push(`sequence "${sequence}" is not a code (letters, digits, _ . -)`);
    if (!CODE.test(code)) bad.push(`shot "${code}" is not a code (letters, digits, _ . -)`);
    if (frameIn === null) bad.push('frame_in is not a whole number');
    if (frameOut === null) bad.push('frame_out is not a whole number');
    if (frameIn !== null && frameOut !== null && frameOut < frameIn) bad.push('frame_out is before frame_in');
    if (recordInText && recordIn === null) bad.push('record_in is not a whole number');
    if (recordOutText && recordOut === null) bad.push('record_out is not a whole number');
    if ((recordIn === null) !== (recordOut === null)) bad.push('give both record_in and record_out, or neither');
    if (recordIn !== null && recordOut !== null && recordOut < recordIn) bad.push('record_out is before record_in');
    if (fpsText && !fps) bad.push(`fps "${fpsText}" is not a rate (24, 25, 24000/1001, 23.976)`);
    const descriptionText = at(fields, 'description');
    if (descriptionText !== undefined && !storableDescription(descriptionText)) bad.push('description is longer than 5000 characters or holds a NUL or an unpaired surrogate');
    if (bad.length) {
      for (const message of bad) problems.push({ line, message });
      continue;
    }
    const description = at(fields, 'description');
    rows.push({ line, sequence, code, frameIn: frameIn!, frameOut: frameOut!, recordIn, recordOut, fps: fps && !sameRate(fps, projectFps) ? fps : null, ...(description !== undefined ? { description } : {}) });
  }
  return { rows, problems: [...problems, ...duplicates(rows)] };
}

function duplicates(rows: CutRow[]): CutProblem[] {
  const seen = new Map<string, number>();
  const out: CutProblem[] = [];
  for (const r of rows) {
    const key = r.code.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) out.push({ line: r.line, message: `shot ${r.code} appears again (first on line ${first})` });
    else seen.set(key, r.line);
  }
  return out;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const schemaOf = (v: Json) => (typeof v.OTIO_SCHEMA === 'string' ? v.OTIO_SCHEMA.split('.')[0] : '');

/**
 * An OTIO timeline: the first video track of the timeline's stack; each clip is a shot (its name the code,
 * unless metadata.studio.shot says), gaps advance the record position, a nested stack names the sequence
 * of the clips inside it; otherwise metadata.studio.sequence, otherwise the clip name's part before the
 * first underscore (SQ010_SH0010 → SQ010).
 */
export function parseOtio(doc: unknown, projectFps: Rational): { rows: CutRow[]; problems: CutProblem[] } {
  const problems: CutProblem[] = [];
  const rows: CutRow[] = [];
  if (!isObj(doc) || schemaOf(doc) !== 'Timeline') return { rows, problems: [{ line: 0, message: 'not an OpenTimelineIO Timeline (OTIO_SCHEMA "Timeline.1")' }] };
  const stack = doc.tracks;
  if (!isObj(stack) || !Array.isArray(stack.children)) return { rows, problems: [{ line: 0, message: 'the timeline has no tracks' }] };
  const track = stack.children.find((t) => isObj(t) && schemaOf(t) === 'Track' && (t.kind ?? 'Video') === 'Video');
  if (!isObj(track) || !Array.isArray(track.children)) return { rows, problems: [{ line: 0, message: 'the timeline has no video track' }] };
  let start = 0;
  if (isObj(doc.global_start_time)) {
    const g = time(doc.global_start_time, projectFps);
    if (g === null) problems.push({ line: 0, message: 'global_start_time is not a whole frame at the project rate' });
    else start = g.record;
  }
  let item = 0;
  const walk = (children: unknown[], offset: number, sequence: string | null): number => {
    let position = offset;
    for (const child of children) {
      item++;
      const line = item;
      if (!isObj(child)) {
        problems.push({ line, message: 'not an OTIO object' });
        continue;
      }
      const kind = schemaOf(child);
      if (kind === 'Transition') continue;
      if (kind === 'Stack' || kind === 'Track') {
        const inner = kind === 'Stack' ? (Array.isArray(child.children) ? child.children.find((t) => isObj(t) && schemaOf(t) === 'Track') : undefined) : child;
        if (!isObj(inner) || !Array.isArray(inner.children)) {
          problems.push({ line, message: `${kind} "${String(child.name ?? '')}" holds no track` });
          continue;
        }
        position = walk(inner.children, position, typeof child.name === 'string' && child.name ? child.name : sequence);
        continue;
      }
      const range = isObj(child.source_range) ? child.source_range : null;
      const duration = range && isObj(range.duration) ? time(range.duration, projectFps) : null;
      if (kind === 'Gap') {
        if (!duration) problems.push({ line, message: 'a gap without a whole-frame duration' });
        else position += duration.record;
        continue;
      }
      if (kind !== 'Clip') {
        problems.push({ line, message: `unsupported OTIO object ${String(child.OTIO_SCHEMA)}` });
        continue;
      }
      const meta = isObj(child.metadata) && isObj(child.metadata.studio) ? child.metadata.studio : {};
      const name = typeof child.name === 'string' ? child.name.trim() : '';
      const code = typeof meta.shot === 'string' ? meta.shot : name;
      const seq = typeof meta.sequence === 'string' ? meta.sequence : (sequence ?? (name.includes('_') ? name.split('_')[0]! : ''));
      const startTime = range && isObj(range.start_time) ? time(range.start_time, projectFps) : null;
      const bad: string[] = [];
      if (!CODE.test(code)) bad.push(`clip "${name}": "${code}" is not a shot code (letters, digits, _ . -)`);
      if (!SEQ.test(seq)) bad.push(`clip "${name}": no sequence (a nested stack, metadata.studio.sequence, or a name like SQ010_SH0010)`);
      if (!range) bad.push(`clip "${name}" has no source_range`);
      else if (!startTime || !duration) bad.push(`clip "${name}": source_range is not whole frames at a supported rate`);
      else if (duration.value < 1) bad.push(`clip "${name}" is empty`);
      else if (!sameRate(startTime.rate, duration.rate)) bad.push(`clip "${name}": start and duration at different rates`);
      if (typeof meta.description === 'string' && !storableDescription(meta.description)) bad.push(`clip "${name}": metadata.studio.description is longer than 5000 characters or holds a NUL or an unpaired surrogate`);
      if (bad.length) {
        for (const message of bad) problems.push({ line, message });
        if (duration) position += duration.record;
        continue;
      }
      rows.push({
        line,
        sequence: seq,
        code,
        frameIn: startTime!.value,
        frameOut: startTime!.value + duration!.value - 1,
        recordIn: position,
        recordOut: position + duration!.record - 1,
        fps: sameRate(duration!.rate, projectFps) ? null : duration!.rate,
        description: typeof meta.description === 'string' ? meta.description : undefined,
      });
      if (rows.length > MAX_SHOTS) {
        problems.push({ line, message: `more than ${MAX_SHOTS} shots` });
        break;
      }
      position += duration!.record;
    }
    return position;
  };
  walk(track.children, start, null);
  return { rows, problems: [...problems, ...duplicates(rows)] };
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
