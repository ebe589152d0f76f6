// Content-addressed storage: "do you have this hash?", versions from held bytes, and purging archived assets.
import { Router, type RequestHandler } from 'express';
import type { BlobController } from '../../../app/controllers/BlobController';
import { methodNotAllowed } from '../../../shared/middlewares/errorHandler';

export function blobRoutes(s: BlobController, authn: RequestHandler): Router {
  const router = Router();
  // Express answers HEAD with the GET handler: the status alone says whether the studio holds the bytes.
  router.get('/blobs/:sha256', authn, s.has);
  router.post('/assets/:id/versions/from-blob', authn, s.fromBlob);
  // Any other method on it is the 405 it is, not GET /assets/:id/versions/:v with a malformed number.
  router.all('/assets/:id/versions/from-blob', (req, _res, next) => next(req.method === 'OPTIONS' ? undefined : methodNotAllowed(req, ['POST'])));
  router.post('/assets/:id/purge', authn, s.purge);
  return router;
}
