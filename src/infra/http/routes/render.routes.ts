// Render farm routes; every one requires a verified access token.
import { Router } from 'express';
import type { Container } from '../../../container';
import { authenticate } from '../../../shared/middlewares/auth';
import { methodNotAllowed } from '../../../shared/middlewares/errorHandler';

export function renderRoutes(c: Container): Router {
  const router = Router();
  const r = c.controllers.renders;
  const auth = authenticate(c);
  router.post('/assets/:id/render', auth, r.create);
  router.get('/render-jobs', auth, r.list);
  // Registered before /render-jobs/:id/retry so "retry" is never read as an id.
  router.post('/render-jobs/retry', auth, r.retryMany);
  // ...and so GET (or any other method) on /render-jobs/retry is the 405 it is, not a request about a malformed id.
  router.all('/render-jobs/retry', (req, _res, next) => next(req.method === 'OPTIONS' ? undefined : methodNotAllowed(req, ['POST'])));
  router.get('/render-jobs/:id', auth, r.get);
  router.post('/render-jobs/:id/cancel', auth, r.cancel);
  router.post('/render-jobs/:id/retry', auth, r.retry);

  const p = c.controllers.pipelines;
  router.get('/assets/:id/versions/:v/pipeline', auth, p.get);
  router.get('/assets/:id/versions/:v/thumbnail', auth, p.thumbnail);
  router.get('/assets/:id/versions/:v/preview', auth, p.preview);
  router.patch('/studio/settings', auth, p.studioSettings);
  return router;
}
