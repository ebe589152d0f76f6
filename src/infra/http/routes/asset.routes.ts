// /assets: the catalogue of a studio's assets and their audit trail.
import { Router, type RequestHandler } from 'express';
import type { AssetController } from '../../../app/controllers/AssetController';

export function assetRoutes(a: AssetController, authn: RequestHandler): Router {
  const router = Router();
  router.post('/assets', authn, a.create);
  router.get('/assets', authn, a.list);
  router.get('/assets/:id', authn, a.get);
  router.patch('/assets/:id', authn, a.update);
  router.delete('/assets/:id', authn, a.archive);
  router.get('/assets/:id/history', authn, a.history);
  return router;
}
