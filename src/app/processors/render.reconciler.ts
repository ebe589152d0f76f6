// Redis only carries work: a render still QUEUED in MongoDB whose queue entry is gone (Redis flushed or
// restarted without persistence) is enqueued again.
import type { Queue } from 'bullmq';
import type { RenderRepository } from '../repositories/RenderRepository';
import type { RenderService } from '../services/RenderService';
import { renderQueueIds } from '../services/RenderService';
import type { Logger } from '../../infra/logging/logger';

export async function reconcileRenders(deps: { renders: RenderRepository; service: Pick<RenderService, 'enqueue'>; queue: Queue; logger: Logger; graceMs?: number }): Promise<number> {
  const stale = await deps.renders.findStaleQueued(new Date(Date.now() - (deps.graceMs ?? 60_000)), 200);
  let requeued = 0;
  for (const job of stale) {
    const { parent } = renderQueueIds(String(job._id), job.run);
    if (await deps.queue.getJob(parent)) continue;
    await deps.service.enqueue(job);
    requeued++;
    deps.logger.warn('re-enqueued a render whose queue entry was missing', { renderJobId: String(job._id), run: job.run });
  }
  return requeued;
}
