// Render worker logic as plain functions: render one chunk, or finalise a render (preview movie and
// COMPLETED). MongoDB is written first, then events. Output keys are deterministic for a render (its ids
// and its stored output token), so a chunk that is re-run after its worker died overwrites its own frames
// instead of duplicating them, while nobody can name them from the render's id.
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

import { UnrecoverableError } from 'bullmq';
import type { RenderRepository } from '../repositories/RenderRepository';
import type { VersionRepository } from '../repositories/VersionRepository';
import type { RenderJobDoc } from '../repositories/models/RenderJob';
import type { StorageProvider } from '../../infra/storage/StorageProvider';
import { objectKey } from '../../infra/storage/StorageProvider';
import type { LeaseLock } from '../../infra/database/LeaseLock';
import type { Logger } from '../../infra/logging/logger';
import type { RenderEngine } from '../../infra/render/RenderEngine';
import { isPermanentRenderError } from '../../infra/render/BlenderEngine';
import { DomainError, RenderError } from '../../shared/errors';
import type { Ffmpeg } from '../../infra/media/ffmpeg';
import type { JobMap } from '../../infra/queue/jobs';

export interface RenderEventsPublisher {
  progress(studioId: string, payload: { jobId: string; assetId: string; progress: number; frame: number; chunk: number }): void;
  completed(studioId: string, payload: { jobId: string; assetId: string; frames: number; preview: boolean }): void;
  failed(studioId: string, payload: { jobId: string; assetId: string; error: { code: string; message: string } }): void;
}

export interface RenderProcessorDeps {
  renders: RenderRepository;
  versions: VersionRepository;
  storage: StorageProvider;
  locks: LeaseLock;
  engines: Partial<Record<RenderJobDoc['engine'], RenderEngine>>;
  ffmpeg: Ffmpeg;
  events: RenderEventsPublisher;
  logger: Logger;
  /** Minimum ms between progress writes/events per chunk (about 2 writes per second). */
  progressIntervalMs?: number;
  previewFps?: number;
}

export interface ChunkContext {
  /** Attempts already made before this one (BullMQ attemptsMade). */
  attemptsMade: number;
  signal?: AbortSignal;
}

/** Where a render's outputs go: under its output token, or where they always went for a render from before tokens. */
const renderKey = (job: RenderJobDoc, ...name: string[]) => objectKey('studios', String(job.studioId), 'renders', String(job._id), ...(job.outputToken ? [job.outputToken] : []), ...name);
const frameKey = (job: RenderJobDoc, frame: number) => renderKey(job, 'frames', `frame_${String(frame).padStart(6, '0')}.png`);
const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

async function download(storage: StorageProvider, key: string, file: string): Promise<void> {
  await pipeline(await storage.read(key), createWriteStream(file));
}

/** Marks the whole render FAILED (once) and tells the studio. */
export async function failRender(deps: RenderProcessorDeps, job: RenderJobDoc, error: { code: string; message: string }): Promise<void> {
  const changed = await deps.locks.withLock(`render-job:${job._id}`, async () => {
    const current = await deps.renders.findById(job.studioId, job._id);
    if (!current || TERMINAL.has(current.status)) return false;
    await deps.renders.updateJob(job, { status: 'FAILED', error, finishedAt: new Date() });
    return true;
  });
  if (changed) deps.events.failed(String(job.studioId), { jobId: String(job._id), assetId: String(job.assetId), error });
}

export async function processRenderChunk(data: JobMap['render.chunk'], deps: RenderProcessorDeps, ctx: ChunkContext): Promise<{ frames: number } | { skipped: string }> {
  const job = await deps.renders.findById(data.studioId, data.renderJobId);
  if (!job) return { skipped: 'render job no longer exists' };
  if (TERMINAL.has(job.status)) return { skipped: `render is ${job.status}` };
  // An entry of an earlier run (a cancel removes them after answering, and a quick retry may come first).
  if (data.run !== undefined && data.run !== job.run) return { skipped: `queued for run ${data.run}, the render is on run ${job.run}` };
  const chunk = await deps.renders.chunk(job.studioId, job._id, data.chunkIndex);
  if (!chunk) throw new UnrecoverableError(`chunk ${data.chunkIndex} of ${data.renderJobId} does not exist`);
  // Exactly once: a chunk finished by a worker that died before acknowledging is not rendered again.
  if (chunk.status === 'COMPLETED') return { skipped: 'chunk already completed' };

  if (job.status === 'QUEUED') {
    await deps.locks.withLock(`render-job:${job._id}`, async () => {
      const current = await deps.renders.findById(job.studioId, job._id);
      if (current?.status === 'QUEUED') await deps.renders.updateJob(job, { status: 'PROCESSING', startedAt: current.startedAt ?? new Date() });
    });
  }
  await deps.renders.updateChunk(job, chunk.index, { status: 'PROCESSING', startedAt: new Date(), error: null }, { attempts: 1 });

  const work = mkdtempSync(path.join(os.tmpdir(), `render-${job._id}-${chunk.index}-`));
  try {
    const engine = deps.engines[job.engine];
    if (!engine) throw new RenderError('RENDER_ENGINE_UNAVAILABLE', `No ${job.engine} engine in this worker`, { permanent: true });
    const version = await deps.versions.findOne(job.studioId, job.assetId, job.version);
    if (!version) throw new RenderError('VERSION_NOT_FOUND', 'The version to render no longer exists', { permanent: true });
    const scene = path.join(work, `scene${path.extname(version.file.originalName) || '.blend'}`);
    await download(deps.storage, version.file.key, scene);
    const out = path.join(work, 'out');
    mkdirSync(out);

    let last = 0;
    // One write to this chunk's document at a time: a late progress write must never land after the
    // COMPLETED one (FerretDB rewrites whole documents, so it would put the old status back).
    let writes: Promise<unknown> = Promise.resolve();
    const frames = await engine.render({
      scenePath: scene,
      frameStart: chunk.start,
      frameEnd: chunk.end,
      outputDir: out,
      timeoutMs: job.chunkTimeoutMs,
      signal: ctx.signal,
      onProgress: (p) => {
        const now = Date.now();
        if (now - last < (deps.progressIntervalMs ?? 500) && p.percent < 100) return;
        last = now;
        const progress = Math.round(p.percent);
        // At 100 the COMPLETED write below records it; writing it here too would only add a round trip.
        if (progress < 100) writes = writes.then(() => deps.renders.updateChunk(job, chunk.index, { progress })).catch(() => undefined);
        deps.events.progress(String(job.studioId), { jobId: String(job._id), assetId: String(job.assetId), progress: Math.round((chunk.index * 100 + progress) / job.chunkCount), frame: p.frame, chunk: chunk.index });
      },
    });
    await writes;
    const stored: Array<{ frame: number; key: string }> = [];
    for (const f of frames) {
      const key = frameKey(job, f.frame);
      await deps.storage.write(key, createReadStream(f.path), { contentType: 'image/png' });
      stored.push({ frame: f.frame, key });
    }
    await deps.renders.updateChunk(job, chunk.index, { status: 'COMPLETED', progress: 100, frames: stored, finishedAt: new Date() });
    return { frames: stored.length };
  } catch (err) {
    const e = err as Error & { code?: string };
    const error = { code: e.code ?? 'RENDER_FAILED', message: e.message };
    const cancelled = error.code === 'RENDER_CANCELLED';
    const permanent = cancelled || isPermanentRenderError(err) || (err instanceof DomainError && err.permanent);
    const lastAttempt = ctx.attemptsMade + 1 >= job.maxAttempts;
    await deps.renders.updateChunk(job, chunk.index, { status: permanent || lastAttempt ? (cancelled ? 'CANCELLED' : 'FAILED') : 'QUEUED', error });
    if (cancelled) throw new UnrecoverableError(error.message);
    if (permanent || lastAttempt) await failRender(deps, job, error);
    // Permanent errors skip BullMQ's retries; others back off and try again.
    throw permanent ? new UnrecoverableError(`${error.code}: ${error.message}`) : err;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Encodes the rendered frames into an H.264 preview movie and stores it; returns its key. */
async function encodePreview(deps: RenderProcessorDeps, job: RenderJobDoc, frames: Array<{ frame: number; key: string }>): Promise<string> {
  const work = mkdtempSync(path.join(os.tmpdir(), `render-final-${job._id}-`));
  try {
    for (const [i, f] of frames.entries()) await download(deps.storage, f.key, path.join(work, `frame_${String(i + 1).padStart(6, '0')}.png`));
    const movie = path.join(work, 'preview.mp4');
    await deps.ffmpeg.framesToMovie(path.join(work, 'frame_%06d.png'), movie, { fps: deps.previewFps ?? 24, startNumber: 1 });
    const key = renderKey(job, 'preview.mp4');
    await deps.storage.write(key, createReadStream(movie), { contentType: 'video/mp4' });
    return key;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export async function finalizeRender(data: JobMap['render.finalize'], deps: RenderProcessorDeps, ctx: { lastAttempt: boolean }): Promise<{ previewKey: string | null } | { skipped: string }> {
  const job = await deps.renders.findById(data.studioId, data.renderJobId);
  if (!job) return { skipped: 'render job no longer exists' };
  if (TERMINAL.has(job.status)) return { skipped: `render is ${job.status}` };
  try {
    return await finalize(job, deps);
  } catch (err) {
    // Out of attempts: the render ends FAILED instead of staying PROCESSING for ever.
    if (ctx.lastAttempt) await failRender(deps, job, { code: (err as { code?: string }).code ?? 'RENDER_FINALIZE_FAILED', message: (err as Error).message });
    throw err;
  }
}

async function finalize(job: RenderJobDoc, deps: RenderProcessorDeps): Promise<{ previewKey: string | null }> {
  const chunks = await deps.renders.chunks(job.studioId, job._id);
  const unfinished = chunks.filter((c) => c.status !== 'COMPLETED');
  if (unfinished.length) throw new RenderError('RENDER_CHUNKS_UNFINISHED', `chunks not completed: ${unfinished.map((c) => c.index).join(', ')}`);
  const frames = chunks.flatMap((c) => c.frames).sort((a, b) => a.frame - b.frame);

  // The simulated engine's 8x8 placeholder frames exist for queue mechanics; a movie of them is noise.
  const previewKey = job.engine === 'simulated' ? null : await encodePreview(deps, job, frames);
  const completed = await deps.locks.withLock(`render-job:${job._id}`, async () => {
    const current = await deps.renders.findById(job.studioId, job._id);
    if (!current || TERMINAL.has(current.status)) return false;
    await deps.renders.updateJob(job, { status: 'COMPLETED', outputs: { frames, previewKey }, finishedAt: new Date(), error: null });
    return true;
  });
  if (completed) deps.events.completed(String(job.studioId), { jobId: String(job._id), assetId: String(job.assetId), frames: frames.length, preview: previewKey !== null });
  return { previewKey };
}

