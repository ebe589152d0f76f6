// Editorial import and export. An import validates the whole file first (every problem reported with its
// line, nothing stored), then compares it with the project's cut, and on apply writes single-document
// upserts keyed by (project, code), so a repeated or interrupted import converges on the same cut.
// Reading is bounded: CSV and EDL bodies stream through their readers as they arrive (a few hundred
// microseconds per socket chunk; the 10,001st shot stops the read), an OTIO body is parsed on a
// BudgetedThread; the comparison is linear, with its reads in `$in` batches (docs/performance.md).
import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import { DomainError, PayloadTooLargeError, PreconditionFailedError, ServiceUnavailableError, UnprocessableEntityError } from '../../shared/errors';
import type { LeaseLock } from '../../infra/database/LeaseLock';
import { ThreadLimitError, type BudgetedThread } from '../../infra/threads/BudgetedThread';
import { TimeSlicer } from '../../shared/scheduling/timeSlicer';
import type { ProjectRepository } from '../repositories/ProjectRepository';
import type { ShotRepository } from '../repositories/ShotRepository';
import type { TaskRepository, TaskSummary } from '../repositories/TaskRepository';
import type { AssetRepository } from '../repositories/AssetRepository';
import type { RenderRepository } from '../repositories/RenderRepository';
import type { ShotDoc } from '../repositories/models/Shot';
import type { Rational } from '../repositories/models/Project';
import type { ProjectService } from './ProjectService';
import type { ShotService } from './ShotService';
import type { AuditService } from './AuditService';
import type { DomainEvents } from '../events';
import type { Actor } from './types';
import { EDITORIAL_MAX_BYTES, JsonValueCounter, MAX_SHOTS, count, csvCutReader, parseOtio, sameRate, toOtio, type CutFormat, type CutReader, type CutResult, type CutRow } from './editorial';
import { edlCutReader } from './editorial.edl';
import type { OtioJob } from './editorial.thread';

export interface ShotRef {
  code: string;
  sequence: string;
  frameIn: number;
  frameOut: number;
  recordIn: number | null;
  recordOut: number | null;
  fps: Rational | null;
}

/** The work on a shot that a change to it touches: its tasks, how many versions it has, how many renders were made of it. */
export interface Affects {
  tasks: Array<{ id: string; name: string; status: string }>;
  versions: number;
  renders: number;
}

export interface ImportReport {
  dryRun: boolean;
  format: CutFormat;
  /** What the import decides (not the work it reports), hashed: an apply given it as `expect` does only what its dry run showed. */
  digest: string;
  sequences: { new: string[]; existing: string[] };
  shots: {
    new: ShotRef[];
    removed: string[];
    /** The shots in `removed`, in its order, with the work each carries: applying marks them omitted. */
    omitted: Array<{ code: string; affects: Affects }>;
    /** Source range or rate changed: the work on the shot may no longer fit. */
    retimed: Array<{ code: string; from: ShotRef; to: ShotRef; affects: Affects }>;
    /** Only its place in the cut changed (record range, order, sequence) or, `returning`, it was omitted and comes back into the cut. */
    moved: Array<{ code: string; from: ShotRef; to: ShotRef; returning: boolean }>;
    unchanged: number;
  };
}

/** An import's file: a request body as it arrives, or (OTIO sent as application/json) the document the JSON body parser already read. */
export type CutSource = { body: AsyncIterable<Uint8Array>; declaredBytes?: number } | { document: unknown };

/** Text handed to a reader at once, so a time slice is checked at least this often: 8 KiB is 4,096 records of the review's "a" lines (about 10 ms of checking them on this machine, 20 ms at 16 KiB; a whole 64 KiB socket chunk was 23 ms of CPU and 61 ms of /health delay with four such imports at once). */
const SLICE_BYTES = 8 * 1024;
const MiB = 1024 * 1024;

const NO_WORK: Affects = { tasks: [], versions: 0, renders: 0 };
const sameFps = (a: Rational | null, b: Rational | null) => (a === null || b === null ? a === b : sameRate(a, b));
const FORMAT_NAMES: Record<CutFormat, string> = { csv: 'CSV', edl: 'EDL', otio: 'timeline' };
const SHRINK_ADVICE: Record<CutFormat, string> = {
  csv: 'Shorten long descriptions or leave out columns the import does not read',
  edl: 'Export the video track only, without audio events',
  otio: 'Export the video track only, without audio and reference tracks',
};

/**
 * Existing shots by the names a file may give them, for re-imports across naming conventions: a shot stored
 * as SH0010 in sequence SQ010 is the clip SQ010_SH0010 (or sq010_sh0010), and a shot stored as SQ010_SH0010 is
 * the clip SH0010 in a stack or sequence named SQ010. A code without the prefix names a shot only within its
 * own sequence (SH0010 of SQ010 is not SH0010 of SQ020).
 */
export function shotMatcher(shots: ShotDoc[], sequenceCodeOf: (s: ShotDoc) => string): (row: CutRow) => ShotDoc | undefined {
  const byCode = new Map(shots.map((s) => [s.codeLower, s]));
  return (row) => {
    const code = row.code.toLowerCase();
    const exact = byCode.get(code);
    if (exact) return exact;
    const prefix = `${row.sequence.toLowerCase()}_`;
    if (code.startsWith(prefix) && code.length > prefix.length) {
      const short = byCode.get(code.slice(prefix.length));
      if (short && sequenceCodeOf(short).toLowerCase() === row.sequence.toLowerCase()) return short;
    }
    return byCode.get(prefix + code);
  };
}

/**
 * A hash of what an import decides: its format, new sequences, and each new, removed, re-timed and moved
 * shot with where it goes. Not the work the report lists (a task moving on meanwhile changes nothing the
 * import does). Hashed entry by entry with turns of the event loop: 10,000 entries are a few MiB of text.
 */
async function decisionsDigest(report: ImportReport): Promise<string> {
  const hash = createHash('sha256');
  const slicer = new TimeSlicer();
  const { shots } = report;
  hash.update(JSON.stringify([report.format, report.sequences.new]));
  const lists: Array<[string, readonly unknown[]]> = [
    ['new', shots.new],
    ['removed', shots.removed],
    ['retimed', shots.retimed.map((r) => [r.code, r.to])],
    ['moved', shots.moved.map((m) => [m.code, m.to, m.returning])],
  ];
  for (const [name, list] of lists) {
    hash.update(`\n${name}:${list.length}`);
    for (const entry of list) {
      hash.update(`\n${JSON.stringify(entry)}`);
      await slicer.turn();
    }
  }
  return hash.digest('hex');
}

export class EditorialService {
  constructor(
    private readonly deps: {
      projects: ProjectRepository;
      projectService: ProjectService;
      shots: ShotRepository;
      shotService: ShotService;
      tasks: TaskRepository;
      assets: AssetRepository;
      renders: RenderRepository;
      locks: LeaseLock;
      audit: AuditService;
      events: DomainEvents;
      /** Where OTIO documents are parsed, off the event loop, within a CPU and memory budget. */
      otioThread: BudgetedThread;
      /** The thread's budgets, for the words of a refusal. */
      otioBudget: { cpuMs: number; heapMib: number };
    },
  ) {}

  /** Access is checked before a byte of the file is read: only members who may import make the server parse. */
  /**
   * `expect`, on an apply, is the digest of the dry run a person read: the apply is refused (412, nothing
   * written) when the file and the project's shots now make other decisions, so a confirmation that said
   * "omit 3 shots" never omits 30 because someone changed the cut in between.
   */
  async import(actor: Actor, projectId: string, format: CutFormat, source: CutSource, dryRun: boolean, expect?: string): Promise<ImportReport> {
    const project = await this.deps.projectService.require(actor, 'editorial:import', projectId);
    const parsed = await this.read(format, source, project.fps);
    if (parsed.problemCount) {
      throw new UnprocessableEntityError('EDITORIAL_INVALID', `The ${FORMAT_NAMES[format]} has ${count(parsed.problemCount)} problem(s); nothing was changed`, {
        details: parsed.problems.map((p) => ({ path: format === 'otio' ? `item ${p.line}` : `line ${p.line}`, message: p.message })),
      });
    }
    if (parsed.rows.length === 0) throw new UnprocessableEntityError('EDITORIAL_INVALID', 'The file holds no shots; nothing was changed', { details: [{ path: 'line 1', message: 'no shots' }] });
    const run = () => this.compareAndApply(actor, project._id, format, parsed.rows, dryRun, expect);
    return dryRun ? run() : this.deps.locks.withLock(`editorial:${String(project._id)}`, run, { ttlMs: 10 * 60_000, waitMs: 30_000 });
  }

  /** The format's byte cap, for the controller (it closes the connection after refusing a body larger than this). */
  maxBytes(format: CutFormat): number {
    return EDITORIAL_MAX_BYTES[format];
  }

  private async read(format: CutFormat, source: CutSource, fps: Rational): Promise<CutResult> {
    if ('document' in source) return parseOtio(source.document, fps);
    if (format === 'otio') {
      // Its shots are counted only once it is parsed, so a body declared past the cap is refused unread.
      if (source.declaredBytes !== undefined && source.declaredBytes > EDITORIAL_MAX_BYTES.otio) throw this.tooLarge(format);
      return this.readOtio(source.body, source.declaredBytes, fps);
    }
    return this.stream(format === 'csv' ? csvCutReader(fps) : edlCutReader(fps), format, source.body);
  }

  /**
   * A text format streamed through its reader as the bytes arrive: the read stops at the reader's first cap
   * (the 10,001st shot of an 8 MiB file of "a" lines after 20 KB) or past the byte cap, whichever comes first.
   */
  private async stream(reader: CutReader, format: CutFormat, body: AsyncIterable<Uint8Array>): Promise<CutResult> {
    const max = EDITORIAL_MAX_BYTES[format];
    const decoder = new TextDecoder();
    const slicer = new TimeSlicer();
    let bytes = 0;
    for await (const chunk of body) {
      bytes += chunk.length;
      if (bytes > max) throw this.tooLarge(format);
      for (let at = 0; at < chunk.length; at += SLICE_BYTES) {
        reader.write(decoder.decode(chunk.subarray(at, at + SLICE_BYTES), { stream: true }));
        await slicer.turn();
      }
    }
    reader.write(decoder.decode());
    return reader.end();
  }

  /** An OTIO body gathered (within its cap) and handed, without a copy, to the parse thread. */
  private async readOtio(body: AsyncIterable<Uint8Array>, declaredBytes: number | undefined, fps: Rational): Promise<CutResult> {
    const max = EDITORIAL_MAX_BYTES.otio;
    let buffer = new Uint8Array(Math.min(max, declaredBytes ?? MiB));
    let size = 0;
    const counter = new JsonValueCounter();
    const slicer = new TimeSlicer();
    for await (const chunk of body) {
      if (size + chunk.length > max) throw this.tooLarge('otio');
      counter.write(chunk);
      await slicer.turn();
      if (size + chunk.length > buffer.length) {
        const grown = new Uint8Array(Math.min(max, Math.max(buffer.length * 2, size + chunk.length)));
        grown.set(buffer.subarray(0, size));
        buffer = grown;
      }
      buffer.set(chunk, size);
      size += chunk.length;
    }
    const job: OtioJob = { bytes: buffer.subarray(0, size), fps: { num: fps.num, den: fps.den } };
    let reply;
    try {
      reply = await this.deps.otioThread.run(job, [buffer.buffer]);
    } catch (err) {
      if (err instanceof ThreadLimitError) throw this.threadRefusal(err);
      throw err;
    }
    if (reply.ok) return reply.value as CutResult;
    const { code, message, status, details } = reply.error as { code?: string; message?: string; status?: number; details?: Array<{ path: string; message: string }> };
    if (code && message) throw new DomainError(code, message, { status: status ?? 422, details });
    throw new Error(`editorial parse thread: ${message ?? 'failed'}`);
  }

  private tooLarge(format: CutFormat): PayloadTooLargeError {
    const max = EDITORIAL_MAX_BYTES[format];
    return new PayloadTooLargeError(
      'EDITORIAL_TOO_LARGE',
      `The ${FORMAT_NAMES[format]} is larger than ${max / MiB} MiB, more than a ${count(MAX_SHOTS)}-shot cut needs. ${SHRINK_ADVICE[format]}, and import again. Nothing was changed.`,
    );
  }

  private threadRefusal(err: ThreadLimitError): DomainError {
    const { cpuMs, heapMib } = this.deps.otioBudget;
    switch (err.limit) {
      case 'cpu':
      case 'memory':
        return new UnprocessableEntityError(
          'EDITORIAL_TOO_COMPLEX',
          `Reading the timeline needed more than ${err.limit === 'cpu' ? `${cpuMs / 1000} s of CPU time` : `${heapMib} MiB of memory`}, far more than a ${count(MAX_SHOTS)}-shot cut needs, so it was stopped. Check that the file is an OpenTimelineIO timeline as an editing tool writes it (one video track of clips and gaps). Nothing was changed.`,
          { cause: err },
        );
      case 'busy':
      case 'wall':
        return new ServiceUnavailableError('EDITORIAL_BUSY', 'This server is reading other timelines right now; nothing was changed, try again shortly', { retryAfterSeconds: 5, cause: err });
      default:
        return new DomainError('EDITORIAL_READ_FAILED', 'The timeline could not be read because of a fault on the server; try again, and tell your administrator if it keeps failing. Nothing was changed.', { status: 500, cause: err });
    }
  }

  private async compareAndApply(actor: Actor, projectId: Types.ObjectId, format: CutFormat, rows: CutRow[], dryRun: boolean, expect?: string): Promise<ImportReport> {
    const project = (await this.deps.projects.findById(actor.studioId, projectId))!;
    const [sequences, shots] = await Promise.all([this.deps.projects.allSequences(actor.studioId, projectId), this.deps.shots.allOfProject(actor.studioId, projectId)]);
    const seqByCode = new Map(sequences.map((s) => [s.codeLower, s]));
    const seqCode = new Map(sequences.map((s) => [String(s._id), s.code]));
    const sequenceOf = (s: ShotDoc) => seqCode.get(String(s.sequenceId)) ?? '';
    const match = shotMatcher(shots, sequenceOf);
    const withRecord = rows.every((r) => r.recordIn !== null);
    // A shot made without a record range may come back without the fields (FerretDB keeps no null it was given in an upsert's $setOnInsert): null either way.
    const ref = (s: ShotDoc): ShotRef => ({ code: s.code, sequence: sequenceOf(s), frameIn: s.frameIn, frameOut: s.frameOut, recordIn: s.recordIn ?? null, recordOut: s.recordOut ?? null, fps: s.fps ?? null });
    const rowRef = (r: CutRow): ShotRef => ({ code: r.code, sequence: r.sequence, frameIn: r.frameIn, frameOut: r.frameOut, recordIn: r.recordIn, recordOut: r.recordOut, fps: r.fps });

    // Each row with its place in the cut and the stored shot it names, if any; two rows naming one shot refuse the file.
    const where = format === 'otio' ? 'item' : 'line';
    const matchedBy = new Map<string, CutRow>();
    const clashes: Array<{ path: string; message: string }> = [];
    const slicer = new TimeSlicer();
    const entries: Array<{ row: CutRow; shot: ShotDoc | undefined; order: number }> = [];
    for (const [i, row] of rows.entries()) {
      await slicer.turn();
      const shot = match(row);
      if (shot) {
        const first = matchedBy.get(String(shot._id));
        if (first) clashes.push({ path: `${where} ${row.line}`, message: `${row.code} is shot ${shot.code}, already named by ${first.code} at ${where} ${first.line}` });
        else matchedBy.set(String(shot._id), row);
      }
      entries.push({ row, shot, order: withRecord ? row.recordIn! : (i + 1) * 10 });
    }
    if (clashes.length) throw new UnprocessableEntityError('EDITORIAL_INVALID', `The file names ${clashes.length} shot(s) twice under different names; nothing was changed`, { details: clashes.slice(0, 200) });

    // One spelling per sequence (the first the file uses): SQ010 and sq010 are one sequence, as codes are.
    const spellings = new Map<string, string>();
    for (const r of rows) if (!spellings.has(r.sequence.toLowerCase())) spellings.set(r.sequence.toLowerCase(), r.sequence);
    const rowSequences = [...spellings.values()];
    const newSequences = rowSequences.filter((c) => !seqByCode.has(c.toLowerCase()));
    const report: ImportReport = {
      dryRun,
      format,
      digest: '',
      sequences: { new: newSequences, existing: rowSequences.filter((c) => seqByCode.has(c.toLowerCase())) },
      shots: { new: [], removed: [], omitted: [], retimed: [], moved: [], unchanged: 0 },
    };
    const fresh: typeof entries = [];
    const changes: Array<{ shot: ShotDoc; row: CutRow; order: number }> = [];
    const retimedShots: ShotDoc[] = [];
    for (const { row, shot, order } of entries) {
      await slicer.turn();
      if (!shot) {
        report.shots.new.push(rowRef(row));
        fresh.push({ row, shot, order });
        continue;
      }
      const retimed = shot.frameIn !== row.frameIn || shot.frameOut !== row.frameOut || !sameFps(shot.fps ?? null, row.fps);
      const moved = (shot.recordIn ?? null) !== row.recordIn || (shot.recordOut ?? null) !== row.recordOut || shot.cutOrder !== order || sequenceOf(shot).toLowerCase() !== row.sequence.toLowerCase() || shot.status !== 'ACTIVE';
      if (retimed) {
        report.shots.retimed.push({ code: shot.code, from: ref(shot), to: rowRef(row), affects: NO_WORK });
        retimedShots.push(shot);
      } else if (moved) report.shots.moved.push({ code: shot.code, from: ref(shot), to: rowRef(row), returning: shot.status !== 'ACTIVE' });
      else report.shots.unchanged++;
      if (retimed || moved) changes.push({ shot, row, order });
    }
    const removed = shots.filter((s) => s.status === 'ACTIVE' && !matchedBy.has(String(s._id)));
    report.shots.removed = removed.map((s) => s.code);
    report.digest = await decisionsDigest(report);
    if (!dryRun && expect !== undefined && expect !== report.digest) {
      throw new PreconditionFailedError('EDITORIAL_CUT_CHANGED', 'The project\'s shots changed since this file was previewed, so applying it would not do what the preview said; nothing was changed. Preview the file again and read what it changes now');
    }
    const [retimedWork, omittedWork] = await Promise.all([this.affects(actor.studioId, retimedShots), this.affects(actor.studioId, removed)]);
    for (const [i, r] of report.shots.retimed.entries()) r.affects = retimedWork[i]!;
    report.shots.omitted = removed.map((s, i) => ({ code: s.code, affects: omittedWork[i]! }));
    if (dryRun) return report;

    // Apply: every write is a single-document upsert or update keyed by (project, code) or by the shot's id,
    // in an order where a crash leaves a state the next run completes: sequences, then shots (with their
    // backing assets), then the changes to existing shots.
    let nextOrder = sequences.reduce((m, s) => Math.max(m, s.order), 0);
    const seqIds = new Map(sequences.map((s) => [s.codeLower, s]));
    for (const code of rowSequences) {
      if (seqIds.has(code.toLowerCase())) continue;
      nextOrder += 10;
      seqIds.set(code.toLowerCase(), await this.deps.projects.upsertSequence(actor.studioId, { projectId, code, order: nextOrder }));
    }
    for (const { row, order } of fresh) {
      await this.deps.shotService.materialize(actor.studioId, actor.id, project, seqIds.get(row.sequence.toLowerCase())!, { ...row, description: row.description ?? '', cutOrder: order });
    }
    // A shot stored by a run that stopped before its backing asset existed: finish it (the same upserts, under its stored code).
    for (const { row, shot, order } of entries) {
      if (shot && !shot.assetId) await this.deps.shotService.materialize(actor.studioId, actor.id, project, seqIds.get(row.sequence.toLowerCase())!, { ...row, code: shot.code, description: row.description ?? '', cutOrder: order });
    }
    await this.deps.shots.updateEach(actor.studioId, [
      ...changes.map(({ shot, row, order }) => {
        const sequence = seqIds.get(row.sequence.toLowerCase())!;
        return { id: shot._id, set: { frameIn: row.frameIn, frameOut: row.frameOut, recordIn: row.recordIn, recordOut: row.recordOut, fps: row.fps, cutOrder: order, sequenceId: sequence._id, episodeId: sequence.episodeId ?? null, status: 'ACTIVE' as const } };
      }),
      ...removed.map((shot) => ({ id: shot._id, set: { status: 'OMITTED' as const } })),
    ]);
    const summary = { created: report.shots.new.map((s) => s.code), updated: [...report.shots.retimed, ...report.shots.moved].map((s) => s.code), omitted: report.shots.removed };
    await this.deps.audit.record(actor, 'editorial.imported', 'project', projectId, { format, sequences: newSequences, created: summary.created.length, updated: summary.updated.length, omitted: summary.omitted.length });
    this.deps.events.emit('editorial.imported', { studioId: actor.studioId, actorId: actor.id, projectId: String(projectId), format, ...summary });
    return report;
  }

  /**
   * The work on each shot, in the order of `shots` (the re-timed or the removed ones): its tasks, how many
   * versions it has, how many renders were made of it. Three reads in `$in` batches, each indexed once by shot or asset.
   */
  private async affects(studioId: string, shots: ShotDoc[]): Promise<Affects[]> {
    if (shots.length === 0) return [];
    const assetIds = shots.map((s) => s.assetId).filter((a): a is Types.ObjectId => a !== null);
    const [tasks, versions, renders] = await Promise.all([
      this.deps.tasks.summariesOfEntities(studioId, shots.map((s) => s._id)),
      this.deps.assets.latestVersions(studioId, assetIds),
      this.deps.renders.countByAsset(studioId, assetIds),
    ]);
    const tasksOf = new Map<string, TaskSummary[]>();
    // Tens of thousands of tasks at the cap: indexed once, by shot.
    for (const t of tasks) {
      const key = String(t.entityId);
      const list = tasksOf.get(key);
      if (list) list.push(t);
      else tasksOf.set(key, [t]);
    }
    const slicer = new TimeSlicer();
    const out: Affects[] = [];
    // A shot's tasks in the order they were made: the find's order is the database's (the embedded FerretDB's
    // differs from run to run), and a person comparing two previews reads the same list twice.
    const made = (a: TaskSummary, b: TaskSummary) => (String(a._id) < String(b._id) ? -1 : 1);
    for (const shot of shots) {
      await slicer.turn();
      const asset = shot.assetId ? String(shot.assetId) : '';
      out.push({
        tasks: (tasksOf.get(String(shot._id)) ?? []).sort(made).map((t) => ({ id: String(t._id), name: t.name, status: t.status })),
        versions: versions.get(asset) ?? 0,
        renders: renders.get(asset) ?? 0,
      });
    }
    return out;
  }

  async export(actor: Actor, projectId: string): Promise<Record<string, unknown>> {
    const project = await this.deps.projectService.require(actor, 'project:read', projectId);
    const [sequences, shots] = await Promise.all([this.deps.projects.allSequences(actor.studioId, project._id), this.deps.shots.allOfProject(actor.studioId, project._id)]);
    const seqCode = new Map(sequences.map((s) => [String(s._id), s.code]));
    return toOtio(
      project.name,
      project.fps,
      shots.filter((s) => s.status === 'ACTIVE').map((s) => ({ sequence: seqCode.get(String(s.sequenceId)) ?? '', code: s.code, frameIn: s.frameIn, frameOut: s.frameOut, recordIn: s.recordIn, recordOut: s.recordOut, fps: s.fps ?? null, description: s.description })),
    );
  }
}
