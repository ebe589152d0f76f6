// Immutable versions of an asset: streamed uploads, listing, rollback and ranged downloads.
import { Router, type RequestHandler } from 'express';
import type { VersionController } from '../../../app/controllers/VersionController';

export function versionRoutes(v: VersionController, authn: RequestHandler): Router {
  const router = Router();
  router.post('/assets/:id/versions', authn, v.upload);
  router.post('/assets/:id/upload', authn, v.upload);
  router.get('/assets/:id/versions', authn, v.list);
  router.get('/assets/:id/versions/:v', authn, v.get);
  router.patch('/assets/:id/rollback', authn, v.rollback);
  // Express answers HEAD with the GET handler; sendDownload then writes headers only.
  router.get('/assets/:id/download', authn, v.downloadCurrent);
  router.get('/assets/:id/versions/:v/download', authn, v.downloadVersion);
  return router;
}
