// Redis only carries work: an unfinished pipeline with no live queue entry (Redis flushed, or restarted
// without persistence) is started again. Its steps are idempotent, so re-running one is safe.
import type { QueueBus } from '../../infra/queue/QueueBus';
import type { Logger } from '../../infra/logging/logger';
import type { PipelineRepository } from '../repositories/PipelineRepository';
import { pipelineJobId } from '../../infra/queue/jobs';

const LIVE = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

export async function reconcilePipelines(deps: { pipelines: PipelineRepository; queue: QueueBus; logger: Logger; graceMs?: number }): Promise<number> {
  const stale = await deps.pipelines.findStale(new Date(Date.now() - (deps.graceMs ?? 10 * 60_000)), 200);
  let restarted = 0;
  for (const p of stale) {
    const assetId = String(p.assetId);
    const jobs = await Promise.all([deps.queue.queue('asset-pipeline').getJob(pipelineJobId(assetId, p.version)), deps.queue.queue('media').getJob(`media.${assetId}.${p.version}`)]);
    const states = await Promise.all(jobs.map((j) => j?.getState()));
    if (states.some((s) => s && LIVE.has(s))) continue;
    // A fresh id: the original one may still sit in the completed set and would swallow the new job.
    await deps.queue.enqueue('pipeline.run', { studioId: String(p.studioId), assetId, version: p.version }, { jobId: `${pipelineJobId(assetId, p.version)}.r${Date.now()}`, priority: p.lane ?? 1 });
    restarted++;
    deps.logger.warn('restarted a pipeline whose queue entry was missing', { assetId, version: p.version, status: p.status });
  }
  return restarted;
}
