// The asset pipeline of one version as plain functions: VALIDATING re-reads the stored object, then
// PROCESSING_PREVIEW makes thumbnails, posters and proxies, then RENDER_QUEUED asks for a render of
// .blend versions when the studio auto-renders, then READY. Every step is idempotent (output keys are
// deterministic for a pipeline: its ids and its stored output token) and a failing step fails its
// pipeline, not the worker.
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline as pump } from 'node:stream/promises';
import { UnrecoverableError } from 'bullmq';
import type { PipelineRepository } from '../repositories/PipelineRepository';
import type { VersionRepository } from '../repositories/VersionRepository';
import type { StudioRepository } from '../repositories/StudioRepository';
import type { AssetPipelineDoc, PipelineStepName } from '../repositories/models/AssetPipeline';
import type { StorageProvider } from '../../infra/storage/StorageProvider';
import { objectKey, MeteringTransform } from '../../infra/storage/StorageProvider';
import type { Ffmpeg } from '../../infra/media/ffmpeg';
import { isPermanentMediaError } from '../../infra/media/ffmpeg';
import { makeImageThumbnail, previewReaderFor } from '../../infra/media/images';
import type { QueueBus } from '../../infra/queue/QueueBus';
import type { JobMap } from '../../infra/queue/jobs';
import type { WorkerEventMap } from '../../infra/realtime/emitter';
import { judgeContent, SNIFF_BYTES } from '../services/ContentPolicy';
import type { RenderService } from '../services/RenderService';
import type { BlobService } from '../services/BlobService';
import { DomainError } from '../../shared/errors';

export interface PipelineDeps {
  pipelines: PipelineRepository;
  versions: VersionRepository;
  studios: StudioRepository;
  storage: StorageProvider;
  ffmpeg: Ffmpeg;
  queue: QueueBus;
  renders: Pick<RenderService, 'create'>;
  /** Makes a direct upload's object a dedup target once its bytes are verified here. */
  blobs?: Pick<BlobService, 'promote'>;
  emit: (studioId: string, payload: WorkerEventMap['pipeline:update']) => void;
  thumbnailSize: number;
  proxyHeight: number;
}

class StepFailure extends DomainError {
  constructor(code: string, message: string, options: { permanent: boolean }) {
    super(code, message, { status: 500, ...options });
  }
}

async function load(deps: PipelineDeps, data: { studioId: string; assetId: string; version: number }) {
  const p = await deps.pipelines.find(data.studioId, data.assetId, data.version);
  const v = await deps.versions.findOne(data.studioId, data.assetId, data.version);
  return { p, v };
}

function announce(deps: PipelineDeps, p: AssetPipelineDoc): void {
  deps.emit(String(p.studioId), { assetId: String(p.assetId), version: p.version, status: p.status, step: p.steps.at(-1)?.name, error: p.error });
}

/** Runs one step with its bookkeeping; failures end the pipeline as FAILED with the step and error. */
async function step(
  deps: PipelineDeps,
  p: AssetPipelineDoc,
  name: PipelineStepName,
  attemptsLeft: boolean,
  body: () => Promise<{ status: 'DONE' | 'SKIPPED'; note?: string; outputs?: Partial<AssetPipelineDoc['outputs']> }>,
): Promise<AssetPipelineDoc> {
  let current = await deps.pipelines.startStep(p.studioId, p, name);
  announce(deps, current);
  try {
    const r = await body();
    const outputs = r.outputs ? Object.fromEntries(Object.entries(r.outputs).map(([k, v]) => [`outputs.${k}`, v])) : {};
    current = await deps.pipelines.endStep(p.studioId, current, name, r.status, r.note ?? null, outputs);
    return current;
  } catch (err) {
    const e = err as Error & { code?: string };
    const permanent = err instanceof StepFailure ? err.permanent : isPermanentMediaError(err);
    if (permanent || !attemptsLeft) {
      current = await deps.pipelines.endStep(p.studioId, current, name, 'FAILED', e.message, { status: 'FAILED', error: { step: name, code: e.code ?? 'PIPELINE_STEP_FAILED', message: e.message } });
      announce(deps, current);
      throw new UnrecoverableError(`${name}: ${e.message}`);
    }
    throw err;
  }
}

export async function runPipeline(data: JobMap['pipeline.run'], deps: PipelineDeps, ctx: { attemptsLeft: boolean }): Promise<string> {
  const { p, v } = await load(deps, data);
  if (!p || !v) return 'skipped: version or pipeline gone';
  if (p.status === 'READY' || p.status === 'FAILED') return `skipped: ${p.status}`;
  await step(deps, p, 'VALIDATING', ctx.attemptsLeft, async () => {
    const stat = await deps.storage.stat(v.file.key);
    if (!stat) throw new StepFailure('STORED_OBJECT_MISSING', 'The stored file is missing', { permanent: true });
    // Re-read every byte: size and sha256 must match what the upload recorded, and the type must still pass.
    const meter = new MeteringTransform();
    const head: Buffer[] = [];
    let headLength = 0;
    meter.on('data', (chunk: Buffer) => {
      if (headLength < SNIFF_BYTES) {
        head.push(chunk);
        headLength += chunk.length;
      }
    });
    await pump(await deps.storage.read(v.file.key), meter);
    if (meter.size !== v.file.size || meter.digest() !== v.file.sha256) throw new StepFailure('STORED_OBJECT_CORRUPT', 'The stored bytes do not match the recorded size and sha256', { permanent: true });
    await judgeContent(v.file.originalName, Buffer.concat(head).subarray(0, SNIFF_BYTES)).catch((err: Error) => {
      throw new StepFailure('CONTENT_REFUSED', err.message, { permanent: true });
    });
    // The sha256 is now the server's own: a direct upload's object (registered privately) may serve later uploads.
    await deps.blobs?.promote(data.studioId, v.file.key, v.file.sha256);
    return { status: 'DONE', note: `${meter.size} bytes verified` };
  });
  // The preview keeps the pipeline's lane (PipelineService.start), so studios share the media queue fairly too.
  await deps.queue.enqueue('media.preview', data, { jobId: `media.${data.assetId}.${data.version}`, priority: p.lane ?? 1 });
  return 'validated';
}

export async function processPreview(data: JobMap['media.preview'], deps: PipelineDeps, ctx: { attemptsLeft: boolean }): Promise<string> {
  const { p: loaded, v } = await load(deps, data);
  if (!loaded || !v) return 'skipped: version or pipeline gone';
  if (loaded.status === 'READY' || loaded.status === 'FAILED') return `skipped: ${loaded.status}`;
  // Under the version's own prefix (a purge lists it) and the pipeline's random token, which nobody can derive
  // from ids; a pipeline from before tokens keeps writing where it always did.
  const base = (name: string) => objectKey('studios', data.studioId, 'assets', data.assetId, 'versions', String(data.version), ...(loaded.outputToken ? [loaded.outputToken] : []), name);
  let p = await step(deps, loaded, 'PROCESSING_PREVIEW', ctx.attemptsLeft, async () => {
    const isImage = v.file.mimeType.startsWith('image/');
    const isVideo = v.file.mimeType.startsWith('video/');
    if (!isImage && !isVideo) return { status: 'SKIPPED', note: `no preview for ${v.file.mimeType}` };
    // An unverified type comes from the file name alone (a .hdr may hold an HLS playlist that makes ffmpeg
    // read other studios' files); media tools only ever see bytes whose type was sniffed.
    if (!v.file.verified) {
      throw new StepFailure(
        'MEDIA_UNVERIFIED',
        `No preview is made from content that could not be verified: this file is ${v.file.mimeType} by its name only. The version stays available for download; for a preview, upload it in a format whose content can be checked (PNG, JPEG, TIFF, OpenEXR, MP4, MOV, MKV)`,
        { permanent: true },
      );
    }
    // A real format that nothing here may read (Radiance HDR has no ffmpeg 5.1 decoder): nothing to preview.
    if (!previewReaderFor(v.file.mimeType)) return { status: 'SKIPPED', note: `no preview reader for ${v.file.mimeType}` };
    const work = mkdtempSync(path.join(os.tmpdir(), 'pipeline-'));
    try {
      // No user extension: the stored MIME type, not the name, decides how the file is read.
      const input = path.join(work, 'input');
      await pump(await deps.storage.read(v.file.key), createWriteStream(input));
      if (isImage) {
        const out = path.join(work, 'thumbnail.png');
        const t = await makeImageThumbnail(input, out, { size: deps.thumbnailSize, mimeType: v.file.mimeType, ffmpeg: deps.ffmpeg });
        await deps.storage.write(base('thumbnail.png'), createReadStream(out), { contentType: 'image/png' });
        return { status: 'DONE', note: `thumbnail ${t.width}x${t.height}`, outputs: { thumbnailKey: base('thumbnail.png') } };
      }
      const poster = path.join(work, 'poster.png');
      const proxy = path.join(work, 'proxy.mp4');
      // posterFrame admits the file (ffprobe against MEDIA_MAX_*, or a permanent MEDIA_OVER_BUDGET); the proxy
      // is capped at what that probe saw.
      const probe = await deps.ffmpeg.posterFrame(input, poster, { width: deps.thumbnailSize, mimeType: v.file.mimeType });
      await deps.ffmpeg.proxy(input, proxy, { height: deps.proxyHeight, mimeType: v.file.mimeType, probe });
      // The player counts frames in the proxy it plays, so its rate and frame count come from the proxy itself
      // (the encode keeps every source frame at its own timestamp: -fps_mode passthrough).
      const made = await deps.ffmpeg.probe(proxy, { mimeType: 'video/mp4' });
      const media = { fpsNum: made.rate?.num ?? null, fpsDen: made.rate?.den ?? null, frames: made.frames, width: made.width, height: made.height, durationSeconds: made.durationSeconds };
      await deps.storage.write(base('poster.png'), createReadStream(poster), { contentType: 'image/png' });
      await deps.storage.write(base('proxy.mp4'), createReadStream(proxy), { contentType: 'video/mp4' });
      const rate = made.rate ? `${made.rate.num}/${made.rate.den} fps` : 'unknown fps';
      return { status: 'DONE', note: `poster and H.264 proxy (${made.frames} of ${probe.frames} source frames at ${rate})`, outputs: { posterKey: base('poster.png'), thumbnailKey: base('poster.png'), proxyKey: base('proxy.mp4'), media } };
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
  p = await step(deps, p, 'RENDER_QUEUED', ctx.attemptsLeft, async () => {
    if (path.extname(v.file.originalName).toLowerCase() !== '.blend') return { status: 'SKIPPED', note: 'not a Blender scene' };
    const studio = await deps.studios.findById(data.studioId);
    if (!studio?.settings?.autoRender) return { status: 'SKIPPED', note: 'auto-render is off for this studio' };
    // On behalf of the uploader; idempotent per version, so a retried step never queues a second render.
    const { job } = await deps.renders.create({ id: String(v.createdBy), studioId: data.studioId, role: 'ARTIST' }, data.assetId, { version: data.version }, `auto-render-${data.assetId}-${data.version}`);
    return { status: 'DONE', note: `render ${job.id}`, outputs: { renderJobId: job.id } };
  });
  p = (await deps.pipelines.update(p.studioId, p._id, { status: 'READY' }))!;
  announce(deps, p);
  return 'ready';
}

