// Content-addressed storage: "do you have this hash?", versions from held bytes, and purging archived assets.
import { Router, type RequestHandler } from 'express';
import type { BlobController } from '../../../app/controllers/BlobController';

export function blobRoutes(s: BlobController, authn: RequestHandler): Router {
  const router = Router();
  // Express answers HEAD with the GET handler: the status alone says whether the studio holds the bytes.
  router.get('/blobs/:sha256', authn, s.has);
  router.post('/assets/:id/versions/from-blob', authn, s.fromBlob);
  router.post('/assets/:id/purge', authn, s.purge);
  return router;
}
