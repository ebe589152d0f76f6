// The render farm: queue a render of a version, follow, cancel and retry render jobs.
import { Router, type RequestHandler } from 'express';
import type { RenderController } from '../../../app/controllers/RenderController';
import { methodNotAllowed } from '../../../shared/middlewares/errorHandler';

export function renderRoutes(r: RenderController, authn: RequestHandler, limits: { submissions: RequestHandler }): Router {
  const router = Router();
  router.post('/assets/:id/render', authn, limits.submissions, r.create);
  router.get('/render-jobs', authn, r.list);
  // Registered before /render-jobs/:id/retry so "retry" is never read as an id.
  // Retries queue renders again, so they count against the same per-studio request limit.
  router.post('/render-jobs/retry', authn, limits.submissions, r.retryMany);
  // ...and so GET (or any other method) on /render-jobs/retry is the 405 it is, not a request about a malformed id.
  router.all('/render-jobs/retry', (req, _res, next) => next(req.method === 'OPTIONS' ? undefined : methodNotAllowed(req, ['POST'])));
  router.get('/render-jobs/:id', authn, r.get);
  router.get('/render-jobs/:id/preview', authn, r.preview);
  router.post('/render-jobs/:id/cancel', authn, r.cancel);
  router.post('/render-jobs/:id/retry', authn, limits.submissions, r.retry);
  return router;
}
