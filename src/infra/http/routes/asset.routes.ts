// /assets routes; every one requires a verified access token.
import { Router } from 'express';
import type { Container } from '../../../container';
import { authenticate } from '../../../shared/middlewares/auth';

export function assetRoutes(c: Container): Router {
  const router = Router();
  const a = c.controllers.assets;
  router.use('/assets', authenticate(c));
  router.post('/assets', a.create);
  router.get('/assets', a.list);
  router.get('/assets/:id', a.get);
  router.patch('/assets/:id', a.update);
  router.delete('/assets/:id', a.archive);
  router.get('/assets/:id/history', a.history);

  const v = c.controllers.versions;
  router.post('/assets/:id/versions', v.upload);
  router.post('/assets/:id/upload', v.upload);
  router.get('/assets/:id/versions', v.list);
  router.get('/assets/:id/versions/:v', v.get);
  router.patch('/assets/:id/rollback', v.rollback);
  // Express answers HEAD with the GET handler; sendDownload then writes headers only.
  router.get('/assets/:id/download', v.downloadCurrent);
  router.get('/assets/:id/versions/:v/download', v.downloadVersion);

  const r = c.controllers.reviews;
  router.get('/assets/:id/comments', r.listComments);
  router.post('/assets/:id/comments', r.addComment);
  router.post('/assets/:id/versions/:v/review', r.decide);

  // tus 1.0 resumable uploads; the tus server reads the raw body itself.
  router.all('/uploads', authenticate(c), c.tus.handler);
  router.all('/uploads/{*rest}', authenticate(c), c.tus.handler);
  return router;
}
