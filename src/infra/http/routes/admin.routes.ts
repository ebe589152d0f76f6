// The queue dashboard (Bull Board) at /admin/queues. Queues are shared by every studio, so the dashboard
// belongs to the installation's operator, never to a studio: its own credential (OPERATOR_TOKEN), read-only
// unless OPERATOR_QUEUES_WRITE is set, and not mounted at all without a token. Studios see their own jobs
// through /render-jobs and the pipeline routes.
import { Router, type NextFunction, type Request, type Response } from 'express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { QueueBus } from '../../queue/QueueBus';
import type { StorageController } from '../../../app/controllers/StorageController';
import { AuthenticationError, AuthorizationError } from '../../../shared/errors';
import { QUEUE_NAMES } from '../../queue/jobs';
import { sameSecret } from '../../../shared/security/sameSecret';


/** The presented operator credential: `Bearer <token>`, or HTTP Basic with the token as password (so a browser can prompt). */
function presented(req: Request): { token: string; scheme: 'bearer' | 'basic' } | undefined {
  const header = req.header('authorization') ?? '';
  const bearer = /^Bearer (\S+)$/.exec(header);
  if (bearer) return { token: bearer[1]!, scheme: 'bearer' };
  const basic = /^Basic ([A-Za-z0-9+/]+=*)$/.exec(header);
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? { token: decoded.slice(colon + 1), scheme: 'basic' } : undefined;
}

export function operatorOnly(token: string, options: { write: boolean }) {
  return (req: Request, res: Response, next: NextFunction) => {
    const given = presented(req);
    if (!given || !sameSecret(given.token, token)) {
      res.set('WWW-Authenticate', 'Basic realm="Studio API operator", charset="UTF-8"');
      throw new AuthenticationError('OPERATOR_TOKEN_REQUIRED', 'The queue dashboard needs the operator token (OPERATOR_TOKEN); studio accounts cannot open it');
    }
    if (!options.write && req.method !== 'GET' && req.method !== 'HEAD') {
      throw new AuthorizationError('OPERATOR_READ_ONLY', 'The queue dashboard is read-only; set OPERATOR_QUEUES_WRITE=true to allow changes');
    }
    // A browser replays Basic credentials on cross-site requests (CSRF); a Bearer header it never sends by itself.
    if (given.scheme === 'basic' && req.method !== 'GET' && req.method !== 'HEAD') {
      throw new AuthorizationError('OPERATOR_BEARER_REQUIRED', 'Changes to the queues need the operator token as a Bearer header, not browser Basic credentials');
    }
    next();
  };
}

/** The operator's API (not a browser page): the token as a Bearer header only, so no cross-site request carries it. */
export function operatorBearer(token: string) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const given = presented(req);
    if (given?.scheme !== 'bearer' || !sameSecret(given.token, token)) {
      throw new AuthenticationError('OPERATOR_TOKEN_REQUIRED', 'This is the operator\'s route: send the operator token (OPERATOR_TOKEN) as a Bearer header; studio accounts cannot use it');
    }
    next();
  };
}

export function adminRoutes(queues: QueueBus, operator: { token?: string; write: boolean }, storage?: StorageController): Router {
  const router = Router();
  const { token, write } = operator;
  if (!token) return router;
  // Per-studio storage quotas (issue 21): the installation's operator sets them, never a studio itself.
  if (storage) {
    router.put('/admin/studios/:id/storage-quota', operatorBearer(token), storage.setQuota);
    router.delete('/admin/studios/:id/storage-quota', operatorBearer(token), storage.resetQuota);
  }
  const adapter = new ExpressAdapter();
  adapter.setBasePath('/admin/queues');
  createBullBoard({ queues: QUEUE_NAMES.map((n) => new BullMQAdapter(queues.queue(n), { readOnlyMode: !write })), serverAdapter: adapter });
  router.use('/admin/queues', operatorOnly(token, { write }), adapter.getRouter());
  return router;
}
