// The editorial screen's pure logic: an import's dry-run report (src/app/services/EditorialService.ts) in words
// for people — counts, the sentence the Apply button and its confirmation say, each shot's change and the work
// it touches — and the pages and search that keep a 10,000-shot report usable.
import type { components } from '../api/schema';

export type Report = components['schemas']['EditorialImportReport'];
export type Affects = components['schemas']['EditorialAffects'];
export type ShotRef = Report['shots']['new'][number];
export type Retimed = Report['shots']['retimed'][number];
export type Moved = Report['shots']['moved'][number];
export type Omitted = Report['shots']['omitted'][number];
export type CutFormat = Report['format'];
type Rate = NonNullable<ShotRef['fps']>;

/**
 * What each format is sent as: one the import reads for it (ProductionController's EDITORIAL_TYPES), whatever
 * the browser guessed from the file's name (an .edl or .otio gets none, a .csv on Windows gets Excel's).
 */
export const CONTENT_TYPES: Record<CutFormat, string> = { csv: 'text/csv', edl: 'application/x-edl', otio: 'application/vnd.opentimelineio+json' };
export const FORMAT_NAMES: Record<CutFormat, string> = { csv: 'CSV', edl: 'EDL', otio: 'OpenTimelineIO timeline' };
/** "a CSV", "an EDL", "an OpenTimelineIO timeline" */
export const aFormat = (format: CutFormat) => `${/^[AEIO]/.test(FORMAT_NAMES[format]) ? 'an' : 'a'} ${FORMAT_NAMES[format]}`;

const MiB = 1024 * 1024;
/**
 * The import's byte caps (EDITORIAL_MAX_BYTES in src/app/services/editorial.ts; tests/editorial.test.ts checks
 * these equal it). A larger file is refused here, before it is sent: the server refuses it too, but only after
 * reading up to the cap, and it then closes the connection, which a browser may report as a failed request
 * instead of the refusal.
 */
export const MAX_BYTES: Record<CutFormat, number> = { csv: 8 * MiB, edl: 8 * MiB, otio: 32 * MiB };
const SHRINK: Record<CutFormat, string> = {
  csv: 'Shorten long descriptions or leave out columns the import does not read',
  edl: 'Export the video track only, without audio events',
  otio: 'Export the video track only, without audio and reference tracks',
};

export const count = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, one: string, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;
const sizeInWords = (bytes: number) => (bytes >= MiB ? `${(bytes / MiB).toFixed(1)} MiB` : `${Math.max(1, Math.round(bytes / 1024))} KiB`);

/** The format a file's name says, or null (the person picks one). */
export function formatOf(fileName: string): CutFormat | null {
  const ext = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase();
  return ext === 'otio' ? 'otio' : ext === 'edl' ? 'edl' : ext === 'csv' ? 'csv' : null;
}

/** Why a file is not sent at all (null: send it): larger than the import reads, or empty. */
export function tooLargeToSend(file: { name: string; size: number }, format: CutFormat): string | null {
  if (file.size === 0) return `${file.name} is empty. Choose the cut file your editing tool exported.`;
  if (file.size <= MAX_BYTES[format]) return null;
  return `${file.name} is ${sizeInWords(file.size)}; the import reads ${aFormat(format)} of up to ${MAX_BYTES[format] / MiB} MiB, more than a 10,000-shot cut needs. ${SHRINK[format]}, and choose the new file. Nothing was sent.`;
}

export interface Summary {
  added: number;
  retimed: number;
  moved: number;
  /** Of `moved`: omitted shots that come back into the cut. */
  returning: number;
  omitted: number;
  unchanged: number;
  newSequences: string[];
  /** The work on the re-timed and on the omitted shots. */
  work: { retimed: WorkTotals; omitted: WorkTotals };
}
export interface WorkTotals { tasks: number; versions: number; renders: number }

const totals = (list: ReadonlyArray<{ affects: Affects }>): WorkTotals => {
  const t = { tasks: 0, versions: 0, renders: 0 };
  for (const { affects } of list) {
    t.tasks += affects.tasks.length;
    t.versions += affects.versions;
    t.renders += affects.renders;
  }
  return t;
};

export function summarise(report: Report): Summary {
  const { shots } = report;
  return {
    added: shots.new.length,
    retimed: shots.retimed.length,
    moved: shots.moved.length,
    returning: shots.moved.filter((m) => m.returning).length,
    omitted: shots.omitted.length,
    unchanged: shots.unchanged,
    newSequences: report.sequences.new,
    work: { retimed: totals(shots.retimed), omitted: totals(shots.omitted) },
  };
}

/** True when applying would change nothing: the cut is the project's. */
export const isNoChange = (s: Summary) => s.added + s.retimed + s.moved + s.omitted === 0 && s.newSequences.length === 0;

/** "a, b and c" */
export function listInWords(parts: readonly string[]): string {
  if (parts.length <= 1) return parts[0] ?? '';
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/** Sequence codes, the first five named: "SQ010 and SQ020", "SQ010, …, SQ050 and 7 more". */
export const sequencesInWords = (seqs: readonly string[]) => (seqs.length <= 5 ? listInWords(seqs) : `${seqs.slice(0, 5).join(', ')} and ${count(seqs.length - 5)} more`);

/**
 * What applying does, most consequential first, the noun once: "Omit 3 shots and re-time 12", "Add 1 shot,
 * re-time 2 and create sequence SQ020". For the Apply button, its confirmation and the result ("Omitted …").
 */
export function actionSentence(s: Summary, tense: 'do' | 'done' = 'do'): string {
  const verbs = tense === 'do'
    ? { omitted: 'omit', retimed: 're-time', moved: 'move', added: 'add', create: 'create' }
    : { omitted: 'omitted', retimed: 're-timed', moved: 'moved', added: 'added', create: 'created' };
  const parts: string[] = [];
  let noun = false;
  for (const kind of ['omitted', 'retimed', 'moved', 'added'] as const) {
    const n = s[kind];
    if (!n) continue;
    parts.push(`${verbs[kind]} ${noun ? count(n) : plural(n, 'shot')}`);
    noun = true;
  }
  const seqs = s.newSequences;
  if (seqs.length) parts.push(`${verbs.create} ${seqs.length === 1 ? `sequence ${seqs[0]}` : `${count(seqs.length)} sequences (${sequencesInWords(seqs)})`}`);
  const sentence = listInWords(parts);
  return sentence ? sentence.charAt(0).toUpperCase() + sentence.slice(1) : tense === 'do' ? 'Change nothing' : 'Nothing changed';
}

/** "2 tasks, 3 versions and 1 render", or null when there is no work. */
export function totalsInWords(t: WorkTotals): string | null {
  const parts = [t.tasks && plural(t.tasks, 'task'), t.versions && plural(t.versions, 'version'), t.renders && plural(t.renders, 'render')].filter((p): p is string => Boolean(p));
  return parts.length ? listInWords(parts) : null;
}

/** The confirmation's lines after the action sentence: what happens to the work on the shots it touches. */
export function consequences(s: Summary): string[] {
  const out: string[] = [];
  const omittedWork = totalsInWords(s.work.omitted);
  if (s.omitted) out.push(`The ${s.omitted === 1 ? 'omitted shot stays' : `${count(s.omitted)} omitted shots stay`} in the project, marked omitted${omittedWork ? `, with ${omittedWork}` : ''}; importing a cut that holds ${s.omitted === 1 ? 'it' : 'them'} brings ${s.omitted === 1 ? 'it' : 'them'} back.`);
  const retimedWork = totalsInWords(s.work.retimed);
  if (s.retimed) out.push(`${s.retimed === 1 ? 'The re-timed shot gets' : `The ${count(s.retimed)} re-timed shots get`} new frame ranges${retimedWork ? `; ${retimedWork} on ${s.retimed === 1 ? 'it' : 'them'} may no longer fit` : ''}.`);
  if (s.returning) out.push(`${plural(s.returning, 'omitted shot comes', 'omitted shots come')} back into the cut.`);
  return out;
}

const rate = (r: Rate) => (r.den === 1 ? String(r.num) : String(Math.round((r.num / r.den) * 1000) / 1000));
const frames = (ref: Pick<ShotRef, 'frameIn' | 'frameOut'>) => ref.frameOut - ref.frameIn + 1;
export const rangeInWords = (ref: Pick<ShotRef, 'frameIn' | 'frameOut'>) => `${ref.frameIn}–${ref.frameOut} (${plural(frames(ref), 'frame')})`;
export const recordInWords = (ref: Pick<ShotRef, 'recordIn' | 'recordOut'>) => (ref.recordIn === null || ref.recordOut === null ? 'not placed' : `${ref.recordIn}–${ref.recordOut}`);

/** How a shot's source range changed: "slipped 10 frames later", "tail extended by 5 frames", "now at 25 fps". */
export function retimeInWords(from: ShotRef, to: ShotRef): string {
  const head = to.frameIn - from.frameIn;
  const tail = to.frameOut - from.frameOut;
  const parts: string[] = [];
  if (head !== 0 && head === tail) parts.push(`slipped ${plural(Math.abs(head), 'frame')} ${head > 0 ? 'later' : 'earlier'}`);
  else {
    if (head) parts.push(`head ${head > 0 ? 'trimmed' : 'extended'} by ${plural(Math.abs(head), 'frame')}`);
    if (tail) parts.push(`tail ${tail > 0 ? 'extended' : 'trimmed'} by ${plural(Math.abs(tail), 'frame')}`);
  }
  const sameRate = from.fps === null || to.fps === null ? from.fps === to.fps : from.fps.num * to.fps.den === to.fps.num * from.fps.den;
  if (!sameRate) parts.push(to.fps ? `now at ${rate(to.fps)} fps` : 'now at the project\'s rate');
  return listInWords(parts);
}

/** How a shot's place in the cut changed (only its place: its frames are the same). */
export function moveInWords(m: Moved): string {
  const parts: string[] = [];
  if (m.returning) parts.push('comes back into the cut');
  if (m.from.sequence.toLowerCase() !== m.to.sequence.toLowerCase()) parts.push(`moves from ${m.from.sequence} to ${m.to.sequence}`);
  if (m.from.recordIn !== m.to.recordIn || m.from.recordOut !== m.to.recordOut) {
    parts.push(m.from.recordIn === null ? `placed in the cut at ${recordInWords(m.to)}` : `cut position ${recordInWords(m.from)} → ${recordInWords(m.to)}`);
  }
  return parts.length ? listInWords(parts) : 'its order in the cut changes';
}

/** A shot's work in words: its tasks with their statuses' names, then versions and renders; or "no work yet". */
export function affectsInWords(a: Affects, statusName: (code: string) => string = (c) => c): string {
  const tasks = a.tasks.map((t) => `${t.name} (${statusName(t.status)})`);
  const rest = [a.versions && plural(a.versions, 'version'), a.renders && plural(a.renders, 'render')].filter((p): p is string => Boolean(p));
  const all = [...tasks, ...rest];
  return all.length ? all.join(', ') : 'no tasks, versions or renders yet';
}

/** A page of a list: the items shown and the words for where they are ("Shots 51–100 of 4,000"). */
export function pageOf<T>(list: readonly T[], page: number, size: number): { items: T[]; page: number; pages: number; from: number; to: number } {
  const pages = Math.max(1, Math.ceil(list.length / size));
  const at = Math.min(Math.max(0, page), pages - 1);
  const items = list.slice(at * size, at * size + size);
  return { items, page: at, pages, from: list.length ? at * size + 1 : 0, to: at * size + items.length };
}

/** The rows whose shot code holds the search, case-insensitively; all of them for an empty search. */
export function matching<T extends { code: string }>(list: readonly T[], search: string): readonly T[] {
  const q = search.trim().toLowerCase();
  return q ? list.filter((r) => r.code.toLowerCase().includes(q)) : list;
}
