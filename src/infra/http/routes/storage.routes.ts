// The caller's studio's storage usage (issue 21).
import { Router, type RequestHandler } from 'express';
import type { StorageController } from '../../../app/controllers/StorageController';

export function storageRoutes(s: StorageController, authn: RequestHandler): Router {
  const router = Router();
  router.get('/storage/usage', authn, s.usage);
  router.get('/storage/usage/assets', authn, s.byAsset);
  return router;
}
