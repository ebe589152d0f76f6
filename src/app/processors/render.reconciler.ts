// Redis only carries work: a render unfinished in MongoDB (QUEUED, or PROCESSING with chunks still to
// run) whose queue entry is gone (Redis flushed or restarted without persistence) is enqueued again.
import type { Queue } from 'bullmq';
import type { RenderRepository } from '../repositories/RenderRepository';
import type { RenderJobDoc } from '../repositories/models/RenderJob';
import type { RenderService } from '../services/RenderService';
import { renderQueueIds } from '../services/RenderService';
import type { Logger } from '../../infra/logging/logger';

const PAGE = 200;

export async function reconcileRenders(deps: {
  renders: RenderRepository;
  service: Pick<RenderService, 'enqueue'>;
  queue: Queue;
  logger: Logger;
  graceMs?: number;
  /** Jobs looked at per pass, so one pass stays bounded; the next pass starts from the oldest again. */
  maxPerPass?: number;
}): Promise<number> {
  const olderThan = new Date(Date.now() - (deps.graceMs ?? 60_000));
  const max = deps.maxPerPass ?? 2000;
  let requeued = 0;
  let seen = 0;
  let after: RenderJobDoc | undefined;
  // Pages through every stale job, so a farm with hundreds of long renders still in flight (their queue
  // entries present) cannot hide a lost one behind them.
  while (seen < max) {
    const page = await deps.renders.findStaleUnfinished(olderThan, PAGE, after);
    for (const job of page) {
      const { parent } = renderQueueIds(String(job._id), job.run);
      if (await deps.queue.getJob(parent)) continue;
      // enqueue() queues QUEUED chunks only. A chunk left PROCESSING lost its queue entry with the rest;
      // if its worker is in fact still on it, it renders twice, harmlessly: frame keys are fixed and a
      // COMPLETED chunk is skipped, and only PROCESSING chunks are reset, never COMPLETED ones.
      if (job.status === 'PROCESSING') await deps.renders.resetChunks(job.studioId, job._id, ['PROCESSING'], 'QUEUED');
      await deps.service.enqueue(job);
      requeued++;
      deps.logger.warn('re-enqueued a render whose queue entry was missing', { renderJobId: String(job._id), run: job.run, status: job.status });
    }
    seen += page.length;
    if (page.length < PAGE) break;
    after = page[page.length - 1];
  }
  return requeued;
}
