// The caller's studio and its settings.
import { Router, type RequestHandler } from 'express';
import type { StudioController } from '../../../app/controllers/StudioController';

export function studioRoutes(s: StudioController, authn: RequestHandler): Router {
  const router = Router();
  router.patch('/studio/settings', authn, s.updateSettings);
  return router;
}
