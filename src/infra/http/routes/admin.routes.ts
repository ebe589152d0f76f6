// The queue dashboard (Bull Board) at /admin/queues, for PRODUCERs only.
import { Router } from 'express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Container } from '../../../container';
import { authenticate, requireRole } from '../../../shared/middlewares/auth';
import { QUEUE_NAMES } from '../../queue/jobs';

export function adminRoutes(c: Container): Router {
  const router = Router();
  const adapter = new ExpressAdapter();
  adapter.setBasePath('/admin/queues');
  createBullBoard({ queues: QUEUE_NAMES.map((n) => new BullMQAdapter(c.queue.queue(n))), serverAdapter: adapter });
  router.use('/admin/queues', authenticate(c.tokens), requireRole('PRODUCER'), adapter.getRouter());
  return router;
}
