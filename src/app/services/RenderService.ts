// Render jobs: validate and record the request (MongoDB is the truth), then hand the chunks to the
// queue. Cancel, retry and bulk retry change the job under its lease; a reconciler re-enqueues jobs
// whose queue entries were lost.
import path from 'node:path';
import { Types } from 'mongoose';
import { ConflictError, NotFoundError, RateLimitError, UnprocessableEntityError, UnsupportedMediaTypeError, ValidationError } from '../../shared/errors';
import type { NewRenderJob, RenderRepository } from '../repositories/RenderRepository';
import type { VersionRepository } from '../repositories/VersionRepository';
import type { RenderJobDoc, RenderStatus, RenderEngineName } from '../repositories/models/RenderJob';
import type { RenderChunkDoc } from '../repositories/models/RenderChunk';
import type { Page } from '../repositories/pagination';
import type { LeaseLock } from '../../infra/database/LeaseLock';
import { MAX_PRIORITY, type QueueBus } from '../../infra/queue/QueueBus';
import type { Logger } from '../../infra/logging/logger';
import { isDuplicateKey } from '../../infra/database/errors';
import { newOutputToken } from '../../infra/storage/StorageProvider';
import type { AssetService } from './AssetService';
import type { AuditService } from './AuditService';
import type { Actor } from './types';
import { type RenderJobDto, toRenderJobDto } from '../dto';

export interface RenderRequest {
  version?: number;
  frames?: { start: number; end: number };
  chunkSize?: number;
  engine?: RenderEngineName;
  maxAttempts?: number;
  chunkTimeoutMs?: number;
}

export interface RenderDefaults {
  maxAttempts: number;
  chunkTimeoutMs: number;
  chunkSize: number;
  maxFrames: number;
}

/** What one request may ask for, and what one studio may have in flight. */
export interface RenderLimits {
  maxChunks: number;
  attemptsLimit: number;
  chunkTimeoutLimitMs: number;
  studioOutstandingFrames: number;
  /** Chunks are what the database and the queue hold per unit of work, so they have a quota of their own. */
  studioOutstandingChunks: number;
}

const NOT_FOUND = () => new NotFoundError('RENDER_JOB_NOT_FOUND', 'Render job not found');

/** The queue job ids of one run of a render; a retry gets new ones so old queue entries never collide. */
export const renderQueueIds = (jobId: string, run: number) => ({
  parent: `render.${jobId}.${run}.final`,
  chunk: (index: number) => `render.${jobId}.${run}.${index}`,
});

type Admitted = { existing: RenderJobDoc } | { job: RenderJobDoc; chunks: RenderChunkDoc[] };

/** A render waiting for its studio's admission lease (RenderService.admitInBatch). */
interface PendingAdmission {
  key: string;
  /** The client sent an Idempotency-Key (an automatic key never matches an existing job). */
  idempotent: boolean;
  size: { frames: number; chunks: number };
  job: Omit<NewRenderJob, 'priority' | 'queuedAt'>;
  chunks: Array<{ index: number; start: number; end: number }>;
  settle(result: { admitted: Admitted } | { error: unknown }): void;
}

/** What one batch may insert: enough to amortise the lease, small enough to stay well inside it. */
const MAX_BATCH_CHUNKS = 2000;

/** The next renders of a studio's line, up to MAX_BATCH_CHUNKS chunks (always at least one render). */
function takeBatch(line: PendingAdmission[], maxChunks: number): PendingAdmission[] {
  let n = 0;
  let chunks = 0;
  while (n < line.length && (n === 0 || chunks + line[n]!.size.chunks <= maxChunks)) chunks += line[n++]!.size.chunks;
  return line.splice(0, n);
}

/**
 * Room for a render of this size in the studio's quotas, given its backlog, and the queue lane it starts at;
 * or RENDER_QUOTA_EXCEEDED. Callers hold the studio's admission lease (`render-admission:<studio>`) until the
 * render is stored as QUEUED.
 */
function admissionLane(backlog: { frames: number; chunks: number; nextLane: number }, size: { frames: number; chunks: number }, limits: RenderLimits): number {
  if (backlog.frames + size.frames > limits.studioOutstandingFrames) {
    throw new RateLimitError('RENDER_QUOTA_EXCEEDED', `Your studio has ${backlog.frames} frames queued or rendering; at most ${limits.studioOutstandingFrames} at once. Wait for renders to finish or cancel some`, {
      retryAfterSeconds: 60,
    });
  }
  if (backlog.chunks + size.chunks > limits.studioOutstandingChunks) {
    throw new RateLimitError('RENDER_QUOTA_EXCEEDED', `Your studio has ${backlog.chunks} chunks queued or rendering; at most ${limits.studioOutstandingChunks} at once. Use larger chunks, or wait for renders to finish`, {
      retryAfterSeconds: 60,
    });
  }
  return Math.min(backlog.nextLane, MAX_PRIORITY);
}

export class RenderService {
  /** Per studio, the renders waiting to be admitted by this process, in arrival order. */
  private readonly admissions = new Map<string, PendingAdmission[]>();

  constructor(
    private readonly deps: {
      renders: RenderRepository;
      versions: VersionRepository;
      assets: AssetService;
      locks: LeaseLock;
      queue: QueueBus;
      audit: AuditService;
      logger: Logger;
      defaults: RenderDefaults;
      limits: RenderLimits;
      /** Tells workers to stop a running chunk (Redis pub/sub in production). */
      signalCancel: (renderJobId: string) => Promise<void>;
    },
  ) {}

  async create(actor: Actor, assetId: string, input: RenderRequest, idempotencyKey?: string): Promise<{ job: RenderJobDto; created: boolean }> {
    const asset = await this.deps.assets.require(actor, 'render:create', assetId);
    const key = idempotencyKey ? `key:${idempotencyKey}` : `auto:${new Types.ObjectId().toHexString()}`;
    if (idempotencyKey) {
      const existing = await this.deps.renders.findByIdempotencyKey(actor.studioId, key);
      if (existing) return { job: await this.dto(existing), created: false };
    }
    const versionNo = input.version ?? asset.currentVersion;
    if (versionNo === null || versionNo === undefined) throw new ConflictError('ASSET_HAS_NO_VERSION', 'Upload a version before rendering');
    const version = await this.deps.versions.findOne(actor.studioId, asset._id, versionNo);
    if (!version) throw new NotFoundError('VERSION_NOT_FOUND', 'Version not found');
    const engine = input.engine ?? 'blender';
    if (engine === 'blender' && path.extname(version.file.originalName).toLowerCase() !== '.blend') {
      throw new UnsupportedMediaTypeError('RENDER_SCENE_UNSUPPORTED', 'Blender renders need a .blend version');
    }
    const frames = input.frames ?? { start: 1, end: 1 };
    if (frames.end < frames.start) throw new ValidationError('VALIDATION_FAILED', 'frames.end must not be before frames.start', { details: [{ path: 'frames.end', message: 'must be >= frames.start' }] });
    const count = frames.end - frames.start + 1;
    if (count > this.deps.defaults.maxFrames) throw new ValidationError('VALIDATION_FAILED', `At most ${this.deps.defaults.maxFrames} frames per job`, { details: [{ path: 'frames', message: 'too many frames' }] });
    const { limits } = this.deps;
    const chunkSize = input.chunkSize ?? Math.max(this.deps.defaults.chunkSize, Math.ceil(count / limits.maxChunks));
    const chunkCount = Math.ceil(count / chunkSize);
    if (chunkCount > limits.maxChunks) {
      const smallest = Math.ceil(count / limits.maxChunks);
      throw new UnprocessableEntityError('RENDER_TOO_MANY_CHUNKS', `${count} frames in chunks of ${chunkSize} make ${chunkCount} chunks; at most ${limits.maxChunks} per render, so use chunkSize ${smallest} or more`, {
        details: [{ path: 'chunkSize', message: `must be at least ${smallest} for ${count} frames` }],
      });
    }
    const maxAttempts = input.maxAttempts ?? Math.min(this.deps.defaults.maxAttempts, limits.attemptsLimit);
    if (maxAttempts > limits.attemptsLimit) throw new UnprocessableEntityError('RENDER_ATTEMPTS_OVER_LIMIT', `At most ${limits.attemptsLimit} attempts per chunk`, { details: [{ path: 'maxAttempts', message: `must be at most ${limits.attemptsLimit}` }] });
    const chunkTimeoutMs = input.chunkTimeoutMs ?? Math.min(this.deps.defaults.chunkTimeoutMs, limits.chunkTimeoutLimitMs);
    if (chunkTimeoutMs > limits.chunkTimeoutLimitMs) {
      throw new UnprocessableEntityError('RENDER_TIMEOUT_OVER_LIMIT', `A chunk may run at most ${limits.chunkTimeoutLimitMs} ms`, { details: [{ path: 'chunkTimeoutMs', message: `must be at most ${limits.chunkTimeoutLimitMs}` }] });
    }
    const chunks = Array.from({ length: chunkCount }, (_, i) => ({
      index: i,
      start: frames.start + i * chunkSize,
      end: Math.min(frames.start + (i + 1) * chunkSize - 1, frames.end),
    }));

    let job: RenderJobDoc;
    let stored: RenderChunkDoc[];
    try {
      const admitted = await this.admitInBatch(actor.studioId, {
        key,
        idempotent: Boolean(idempotencyKey),
        size: { frames: count, chunks: chunks.length },
        chunks,
        job: {
          assetId: asset._id,
          version: versionNo,
          engine,
          frames,
          chunkSize,
          chunkCount: chunks.length,
          status: 'QUEUED',
          maxAttempts,
          chunkTimeoutMs,
          run: 1,
          error: null,
          outputs: { frames: [], previewKey: null },
          outputToken: newOutputToken(),
          requestedBy: new Types.ObjectId(actor.id),
          idempotencyKey: key,
          startedAt: null,
          finishedAt: null,
        },
      });
      if ('existing' in admitted) return { job: await this.dto(admitted.existing), created: false };
      ({ job, chunks: stored } = admitted);
    } catch (err) {
      // Two requests with the same key raced: the loser answers with the winner's job.
      if (idempotencyKey && isDuplicateKey(err)) {
        const existing = await this.deps.renders.findByIdempotencyKey(actor.studioId, key);
        if (existing) return { job: await this.dto(existing), created: false };
      }
      throw err;
    }
    await this.enqueue(job, stored);
    await this.deps.audit.record(actor, 'render.requested', 'asset', asset._id, { renderJobId: String(job._id), version: versionNo, frames, engine });
    return { job: toRenderJobDto(job, stored), created: true };
  }

  /**
   * Admits a render under its studio's admission lease, together with the studio's other renders waiting to
   * be admitted in this process. The quota check and the insert happen under the lease, so concurrent
   * requests (here or in another instance) cannot each see room and together pass the quota.
   *
   * Fair share of the farm between studios, decided here and never by the client. The render queue is
   * shared, and BullMQ runs the lowest priority number first (FIFO among equals). A studio's renders get
   * consecutive numbers per chunk starting after its own unfinished ones (its lane), and a studio with
   * nothing unfinished starts again at 1. So every studio's n-th waiting chunk runs before anyone's
   * (n+1)-th: round-robin by chunk. A studio that queues 500 renders pushes only its own later work back;
   * another studio's first chunk waits behind at most about one chunk per busy studio.
   *
   * Batches: the renders that arrive while one batch holds the lease are admitted by the next, with one
   * lease, one backlog read, one read of their idempotency keys and one insert of their jobs and one of their
   * chunks, in arrival order, each checked against the quota as if admitted alone. One at a time, each render
   * paid about ten database round trips under the lease and every waiter polled for it, so a studio's renders
   * were admitted at 20 a second whatever the farm (docs/performance.md, "Render queue").
   */
  private admitInBatch(studioId: string, request: Omit<PendingAdmission, 'settle'>): Promise<Admitted> {
    return new Promise<Admitted>((resolve, reject) => {
      const line = this.admissions.get(studioId) ?? [];
      line.push({ ...request, settle: (r) => ('error' in r ? reject(r.error) : resolve(r.admitted)) });
      // The request that opens a line drains it; the others join whichever batch is taken next.
      if (!this.admissions.has(studioId)) {
        this.admissions.set(studioId, line);
        void this.drainAdmissions(studioId, line);
      }
    });
  }

  private async drainAdmissions(studioId: string, line: PendingAdmission[]): Promise<void> {
    while (line.length > 0) {
      const batch = takeBatch(line, MAX_BATCH_CHUNKS);
      try {
        await this.deps.locks.withLock(`render-admission:${studioId}`, () => this.admitAll(studioId, batch));
      } catch (err) {
        // The lease or an insert failed: every render of the batch not yet answered gets the error.
        for (const p of batch) p.settle({ error: err });
      }
    }
    this.admissions.delete(studioId);
  }

  /** Decides and stores one batch; the caller holds the studio's admission lease. */
  private async admitAll(studioId: string, batch: PendingAdmission[]): Promise<void> {
    const { limits } = this.deps;
    // The same key may have won the lease just before us (here or elsewhere): answer with its job.
    const keys = batch.filter((p) => p.idempotent).map((p) => p.key);
    const existing = new Map((await this.deps.renders.findByIdempotencyKeys(studioId, keys)).map((j) => [j.idempotencyKey, j]));
    const backlog = await this.deps.renders.backlog(studioId, limits.studioOutstandingFrames);
    const admitted: Array<{ pending: PendingAdmission; job: NewRenderJob }> = [];
    const sameKey = new Map<string, PendingAdmission[]>();
    for (const p of batch) {
      const found = existing.get(p.key);
      if (found) {
        p.settle({ admitted: { existing: found } });
        continue;
      }
      const first = admitted.find((a) => a.pending.key === p.key);
      if (first) {
        sameKey.set(p.key, [...(sameKey.get(p.key) ?? []), p]);
        continue;
      }
      try {
        const lane = admissionLane(backlog, p.size, limits);
        admitted.push({ pending: p, job: { ...p.job, priority: lane, queuedAt: new Date() } });
        backlog.frames += p.size.frames;
        backlog.chunks += p.size.chunks;
        backlog.nextLane = Math.max(backlog.nextLane, lane + p.size.chunks);
      } catch (err) {
        p.settle({ error: err });
      }
    }
    if (admitted.length === 0) return;
    let stored: Awaited<ReturnType<RenderRepository['createMany']>>;
    try {
      stored = await this.deps.renders.createMany(
        studioId,
        admitted.map((a) => ({ job: a.job, chunks: a.pending.chunks })),
      );
    } catch (err) {
      if (admitted.length === 1) throw err;
      // Nothing of the batch was kept (createMany removes what it wrote): admit its renders one by one, still
      // under the lease, so a render whose insert fails fails alone.
      for (const a of admitted) {
        const group = [a.pending, ...(sameKey.get(a.pending.key) ?? [])];
        await this.admitAll(studioId, group).catch((e: unknown) => group.forEach((p) => p.settle({ error: e })));
      }
      return;
    }
    stored.forEach((s, i) => {
      const { pending } = admitted[i]!;
      pending.settle({ admitted: s });
      for (const twin of sameKey.get(pending.key) ?? []) twin.settle({ admitted: { existing: s.job } });
    });
  }

  /**
   * Hands a run's pending chunks to the queue. If Redis is away the job stays QUEUED for the reconciler.
   * `chunks` saves reading back the chunks a caller has just written.
   */
  async enqueue(job: RenderJobDoc, chunks?: RenderChunkDoc[]): Promise<void> {
    const ids = renderQueueIds(String(job._id), job.run);
    const pending = (chunks ?? (await this.deps.renders.chunks(job.studioId, job._id))).filter((c) => c.status === 'QUEUED');
    try {
      await this.deps.queue.enqueueRender(
        { data: { studioId: String(job.studioId), renderJobId: String(job._id) }, jobId: ids.parent, priority: Math.min(job.priority + job.chunkCount, MAX_PRIORITY) },
        pending.map((c) => ({
          data: { studioId: String(job.studioId), renderJobId: String(job._id), chunkIndex: c.index, run: job.run },
          jobId: ids.chunk(c.index),
          priority: Math.min(job.priority + c.index, MAX_PRIORITY),
          attempts: job.maxAttempts,
        })),
      );
    } catch (err) {
      this.deps.logger.warn('render enqueue failed; the reconciler will retry', { renderJobId: String(job._id), err: (err as Error).message });
    }
  }

  async get(actor: Actor, id: string): Promise<RenderJobDto> {
    return this.dto(await this.find(actor, id));
  }

  async list(actor: Actor, q: { limit: number; cursor?: string; status?: RenderStatus; assetId?: string }): Promise<Page<RenderJobDto>> {
    this.deps.assets.requirePermission(actor, 'asset:read');
    const page = await this.deps.renders.list(actor.studioId, q);
    return { ...page, data: await Promise.all(page.data.map((j) => this.dto(j))) };
  }

  async cancel(actor: Actor, id: string): Promise<RenderJobDto> {
    const job = await this.find(actor, id, 'render:manage');
    const updated = await this.deps.locks.withLock(`render-job:${id}`, async () => {
      const current = (await this.deps.renders.findById(actor.studioId, job._id))!;
      if (current.status !== 'QUEUED' && current.status !== 'PROCESSING') throw new ConflictError('RENDER_NOT_CANCELLABLE', `A ${current.status} render cannot be cancelled`);
      const doc = await this.deps.renders.updateJob(current, { status: 'CANCELLED', finishedAt: new Date(), error: { code: 'RENDER_CANCELLED', message: 'Cancelled by a user' } });
      await this.deps.renders.resetChunks(actor.studioId, job._id, ['QUEUED', 'PROCESSING'], 'CANCELLED');
      return doc!;
    });
    await this.deps.signalCancel(id);
    // Answered at once whatever the size: workers skip chunks of a CANCELLED render, so removing the queue
    // entries (one call per chunk) is tidying that runs after the reply.
    void this.removeQueued(updated).catch((err: unknown) => this.deps.logger.warn('removing a cancelled render\'s queue entries failed', { renderJobId: id, err: (err as Error).message }));
    await this.deps.audit.record(actor, 'render.cancelled', 'asset', job.assetId, { renderJobId: id });
    return this.dto(updated);
  }

  /**
   * Room for a render of this size in the studio's quotas, and the queue lane it starts at. Callers hold
   * the studio's admission lease (`render-admission:<studio>`) until the render is stored as QUEUED.
   */
  private async admit(studioId: string, size: { frames: number; chunks: number }): Promise<number> {
    return admissionLane(await this.deps.renders.backlog(studioId, this.deps.limits.studioOutstandingFrames), size, this.deps.limits);
  }

  async retry(actor: Actor, id: string): Promise<RenderJobDto> {
    const job = await this.find(actor, id, 'render:manage');
    // A retried render is queued again, so it passes the same quotas as a new one (else cancel-and-retry
    // would get round them) and takes a new place in its studio's lane.
    const updated = await this.deps.locks.withLock(`render-admission:${actor.studioId}`, () =>
      this.deps.locks.withLock(`render-job:${id}`, async () => {
        const current = (await this.deps.renders.findById(actor.studioId, job._id))!;
        if (current.status !== 'FAILED' && current.status !== 'CANCELLED') throw new ConflictError('RENDER_NOT_RETRYABLE', `A ${current.status} render cannot be retried`);
        const priority = await this.admit(actor.studioId, { frames: current.frames.end - current.frames.start + 1, chunks: current.chunkCount });
        await this.deps.renders.resetChunks(actor.studioId, job._id, ['FAILED', 'CANCELLED', 'PROCESSING', 'QUEUED'], 'QUEUED');
        // A render from before output tokens gets one now, so what it writes next cannot be named from its id.
        const token = current.outputToken ? {} : { outputToken: newOutputToken() };
        return (await this.deps.renders.updateJob(current, { status: 'QUEUED', priority, error: null, finishedAt: null, queuedAt: new Date(), ...token }, { run: 1 }))!;
      }),
    );
    await this.enqueue(updated);
    await this.deps.audit.record(actor, 'render.retried', 'asset', job.assetId, { renderJobId: id, run: updated.run });
    return this.dto(updated);
  }

  async retryMany(actor: Actor, filter: { status: 'FAILED' | 'CANCELLED'; assetId?: string }): Promise<{ retried: string[] }> {
    this.deps.assets.requirePermission(actor, 'render:manage');
    const jobs = await this.deps.renders.findMany(actor.studioId, filter, 500);
    const retried: string[] = [];
    for (const j of jobs) {
      try {
        await this.retry(actor, String(j._id));
        retried.push(String(j._id));
      } catch (err) {
        // Another request moved it on meanwhile; skipping it is the right answer for a bulk retry.
        if (err instanceof ConflictError) continue;
        // Out of quota: what was retried stays retried; the rest waits for a later call (429 if none went).
        if (err instanceof RateLimitError && retried.length > 0) break;
        throw err;
      }
    }
    return { retried };
  }

  private async removeQueued(job: RenderJobDoc): Promise<void> {
    const ids = renderQueueIds(String(job._id), job.run);
    const queue = this.deps.queue.queue('render');
    const candidates = [ids.parent, ...Array.from({ length: job.chunkCount }, (_, i) => ids.chunk(i))];
    await Promise.all(
      candidates.map(async (qid) => {
        // Active jobs are locked and cannot be removed; the cancel signal stops those.
        await queue.remove(qid).catch(() => undefined);
      }),
    );
  }

  /** The stored key of a finished render's H.264 preview; 404 while there is none (not finished, or simulated). */
  async previewKey(actor: Actor, id: string): Promise<string> {
    const job = await this.find(actor, id);
    if (!job.outputs.previewKey) throw new NotFoundError('RENDER_PREVIEW_NOT_READY', 'This render has no preview (yet)');
    return job.outputs.previewKey;
  }

  private async find(actor: Actor, id: string, permission: 'asset:read' | 'render:manage' = 'asset:read'): Promise<RenderJobDoc> {
    this.deps.assets.requirePermission(actor, permission);
    if (!Types.ObjectId.isValid(id)) throw NOT_FOUND();
    const job = await this.deps.renders.findById(actor.studioId, id);
    if (!job) throw NOT_FOUND();
    return job;
  }

  private async dto(job: RenderJobDoc): Promise<RenderJobDto> {
    return toRenderJobDto(job, await this.deps.renders.chunks(job.studioId, job._id));
  }
}
