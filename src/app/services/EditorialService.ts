// Editorial import and export. An import validates the whole file first (every problem reported with its
// line, nothing stored), then compares it with the project's cut, and on apply writes single-document
// upserts keyed by (project, code), so a repeated or interrupted import converges on the same cut.
import { Types } from 'mongoose';
import { UnprocessableEntityError } from '../../shared/errors';
import type { LeaseLock } from '../../infra/database/LeaseLock';
import type { Models } from '../repositories/models';
import type { ProjectRepository } from '../repositories/ProjectRepository';
import type { ShotRepository } from '../repositories/ShotRepository';
import type { TaskRepository } from '../repositories/TaskRepository';
import type { AssetRepository } from '../repositories/AssetRepository';
import type { ShotDoc } from '../repositories/models/Shot';
import type { Rational } from '../repositories/models/Project';
import type { ProjectService } from './ProjectService';
import type { ShotService } from './ShotService';
import type { AuditService } from './AuditService';
import type { DomainEvents } from '../events';
import type { Actor } from './types';
import { parseCsv, parseOtio, sameRate, toOtio, type CutRow } from './editorial';

export interface ShotRef {
  code: string;
  sequence: string;
  frameIn: number;
  frameOut: number;
  recordIn: number | null;
  recordOut: number | null;
  fps: Rational | null;
}

export interface ImportReport {
  dryRun: boolean;
  format: 'csv' | 'otio';
  sequences: { new: string[]; existing: string[] };
  shots: {
    new: ShotRef[];
    removed: string[];
    /** Source range or rate changed: the work on the shot may no longer fit. */
    retimed: Array<{ code: string; from: ShotRef; to: ShotRef; affects: { tasks: Array<{ id: string; name: string; status: string }>; versions: number; renders: number } }>;
    /** Only its place in the cut changed (record range, order, sequence) or it came back into the cut. */
    moved: Array<{ code: string; from: ShotRef; to: ShotRef }>;
    unchanged: number;
  };
}

const sameFps = (a: Rational | null, b: Rational | null) => (a === null || b === null ? a === b : sameRate(a, b));

export class EditorialService {
  constructor(
    private readonly deps: {
      models: Models;
      projects: ProjectRepository;
      projectService: ProjectService;
      shots: ShotRepository;
      shotService: ShotService;
      tasks: TaskRepository;
      assets: AssetRepository;
      locks: LeaseLock;
      audit: AuditService;
      events: DomainEvents;
    },
  ) {}

  async import(actor: Actor, projectId: string, format: 'csv' | 'otio', input: string | unknown, dryRun: boolean): Promise<ImportReport> {
    const project = await this.deps.projectService.require(actor, 'editorial:import', projectId);
    let parsed: { rows: CutRow[]; problems: Array<{ line: number; message: string }> };
    if (format === 'csv') parsed = parseCsv(String(input), project.fps);
    else {
      let doc = input;
      if (typeof input === 'string') {
        try {
          doc = JSON.parse(input);
        } catch (err) {
          throw new UnprocessableEntityError('EDITORIAL_INVALID', 'The timeline is not JSON', { details: [{ path: 'line 0', message: (err as Error).message }] });
        }
      }
      parsed = parseOtio(doc, project.fps);
    }
    if (parsed.problems.length) {
      throw new UnprocessableEntityError('EDITORIAL_INVALID', `The ${format === 'csv' ? 'CSV' : 'timeline'} has ${parsed.problems.length} problem(s); nothing was changed`, {
        details: parsed.problems.slice(0, 200).map((p) => ({ path: format === 'csv' ? `line ${p.line}` : `item ${p.line}`, message: p.message })),
      });
    }
    if (parsed.rows.length === 0) throw new UnprocessableEntityError('EDITORIAL_INVALID', 'The file holds no shots; nothing was changed', { details: [{ path: 'line 1', message: 'no shots' }] });
    const run = () => this.compareAndApply(actor, project._id, format, parsed.rows, dryRun);
    return dryRun ? run() : this.deps.locks.withLock(`editorial:${String(project._id)}`, run, { ttlMs: 10 * 60_000, waitMs: 30_000 });
  }

  private async compareAndApply(actor: Actor, projectId: Types.ObjectId, format: 'csv' | 'otio', rows: CutRow[], dryRun: boolean): Promise<ImportReport> {
    const project = (await this.deps.projects.findById(actor.studioId, projectId))!;
    const [sequences, shots] = await Promise.all([this.deps.projects.allSequences(actor.studioId, projectId), this.deps.shots.allOfProject(actor.studioId, projectId)]);
    const seqByCode = new Map(sequences.map((s) => [s.codeLower, s]));
    const seqCode = new Map(sequences.map((s) => [String(s._id), s.code]));
    const shotByCode = new Map(shots.map((s) => [s.codeLower, s]));
    const withRecord = rows.every((r) => r.recordIn !== null);
    const cutOrder = (r: CutRow, i: number) => (withRecord ? r.recordIn! : (i + 1) * 10);
    // ?? null as in toShotDto: shots stored by the upsert that FerretDB stripped of nulls have no recordIn.
    const ref = (s: ShotDoc): ShotRef => ({ code: s.code, sequence: seqCode.get(String(s.sequenceId)) ?? '', frameIn: s.frameIn, frameOut: s.frameOut, recordIn: s.recordIn ?? null, recordOut: s.recordOut ?? null, fps: s.fps ?? null });
    const rowRef = (r: CutRow): ShotRef => ({ code: r.code, sequence: r.sequence, frameIn: r.frameIn, frameOut: r.frameOut, recordIn: r.recordIn, recordOut: r.recordOut, fps: r.fps });

    const newSequences = [...new Set(rows.map((r) => r.sequence))].filter((c) => !seqByCode.has(c.toLowerCase()));
    const report: ImportReport = {
      dryRun,
      format,
      sequences: { new: newSequences, existing: [...new Set(rows.map((r) => r.sequence))].filter((c) => seqByCode.has(c.toLowerCase())) },
      shots: { new: [], removed: [], retimed: [], moved: [], unchanged: 0 },
    };
    const fresh: Array<{ row: CutRow; order: number }> = [];
    const changes: Array<{ shot: ShotDoc; row: CutRow; order: number }> = [];
    rows.forEach((row, i) => {
      const order = cutOrder(row, i);
      const shot = shotByCode.get(row.code.toLowerCase());
      if (!shot) {
        report.shots.new.push(rowRef(row));
        fresh.push({ row, order });
        return;
      }
      const retimed = shot.frameIn !== row.frameIn || shot.frameOut !== row.frameOut || !sameFps(shot.fps ?? null, row.fps);
      const moved = shot.recordIn !== row.recordIn || shot.recordOut !== row.recordOut || shot.cutOrder !== order || (seqCode.get(String(shot.sequenceId)) ?? '').toLowerCase() !== row.sequence.toLowerCase() || shot.status !== 'ACTIVE';
      if (retimed) report.shots.retimed.push({ code: shot.code, from: ref(shot), to: rowRef(row), affects: { tasks: [], versions: 0, renders: 0 } });
      else if (moved) report.shots.moved.push({ code: shot.code, from: ref(shot), to: rowRef(row) });
      else report.shots.unchanged++;
      if (retimed || moved) changes.push({ shot, row, order });
    });
    const named = new Set(rows.map((r) => r.code.toLowerCase()));
    const removed = shots.filter((s) => s.status === 'ACTIVE' && !named.has(s.codeLower));
    report.shots.removed = removed.map((s) => s.code);
    await this.affects(actor.studioId, report, shotByCode);
    if (dryRun) return report;

    // Apply: every write is a single-document upsert or update keyed by (project, code), in an order where a
    // crash leaves a state the next run completes: sequences, then shots (with their backing assets).
    let nextOrder = sequences.reduce((m, s) => Math.max(m, s.order), 0);
    const seqIds = new Map(sequences.map((s) => [s.codeLower, s]));
    for (const code of [...new Set(rows.map((r) => r.sequence))]) {
      if (seqIds.has(code.toLowerCase())) continue;
      nextOrder += 10;
      seqIds.set(code.toLowerCase(), await this.deps.projects.upsertSequence(actor.studioId, { projectId, code, order: nextOrder }));
    }
    for (const { row, order } of fresh) {
      await this.deps.shotService.materialize(actor.studioId, actor.id, project, seqIds.get(row.sequence.toLowerCase())!, { ...row, description: row.description ?? '', cutOrder: order });
    }
    // A shot stored by a run that stopped before its backing asset existed: finish it (the same upserts).
    for (const [i, row] of rows.entries()) {
      const shot = shotByCode.get(row.code.toLowerCase());
      if (shot && !shot.assetId) await this.deps.shotService.materialize(actor.studioId, actor.id, project, seqIds.get(row.sequence.toLowerCase())!, { ...row, description: row.description ?? '', cutOrder: cutOrder(row, i) });
    }
    for (const { shot, row, order } of changes) {
      const sequence = seqIds.get(row.sequence.toLowerCase())!;
      await this.deps.shots.update(actor.studioId, shot._id, null, { frameIn: row.frameIn, frameOut: row.frameOut, recordIn: row.recordIn, recordOut: row.recordOut, fps: row.fps, cutOrder: order, sequenceId: sequence._id, episodeId: sequence.episodeId ?? null, status: 'ACTIVE' });
    }
    for (const shot of removed) await this.deps.shots.update(actor.studioId, shot._id, null, { status: 'OMITTED' });
    const summary = { created: report.shots.new.map((s) => s.code), updated: [...report.shots.retimed, ...report.shots.moved].map((s) => s.code), omitted: report.shots.removed };
    await this.deps.audit.record(actor, 'editorial.imported', 'project', projectId, { format, sequences: newSequences, created: summary.created.length, updated: summary.updated.length, omitted: summary.omitted.length });
    this.deps.events.emit('editorial.imported', { studioId: actor.studioId, actorId: actor.id, projectId: String(projectId), format, ...summary });
    return report;
  }

  /** For each re-timed shot: its tasks, how many versions it has, how many renders were made of it. Three queries in all. */
  private async affects(studioId: string, report: ImportReport, shotByCode: Map<string, ShotDoc>): Promise<void> {
    const shots = report.shots.retimed.map((r) => shotByCode.get(r.code.toLowerCase())!);
    if (shots.length === 0) return;
    const assetIds = shots.map((s) => s.assetId).filter((a): a is Types.ObjectId => a !== null);
    const [tasks, assets, renders] = await Promise.all([
      this.deps.tasks.ofEntities(studioId, shots.map((s) => s._id)),
      this.deps.assets.findMany(studioId, assetIds),
      this.deps.models.RenderJob.find({ studioId, assetId: { $in: assetIds } }, { assetId: 1 }).limit(100_000).lean<Array<{ assetId: Types.ObjectId }>>().exec(),
    ]);
    report.shots.retimed.forEach((r, i) => {
      const shot = shots[i]!;
      r.affects = {
        tasks: tasks.filter((t) => String(t.entityId) === String(shot._id)).map((t) => ({ id: String(t._id), name: t.name, status: t.status })),
        versions: assets.find((a) => String(a._id) === String(shot.assetId))?.latestVersion ?? 0,
        renders: renders.filter((j) => String(j.assetId) === String(shot.assetId)).length,
      };
    });
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
