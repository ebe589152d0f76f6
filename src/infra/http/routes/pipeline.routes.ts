// A version's pipeline state and its outputs (thumbnail, preview).
import { Router, type RequestHandler } from 'express';
import type { PipelineController } from '../../../app/controllers/PipelineController';

export function pipelineRoutes(p: PipelineController, authn: RequestHandler): Router {
  const router = Router();
  router.get('/assets/:id/versions/:v/pipeline', authn, p.get);
  router.get('/assets/:id/versions/:v/thumbnail', authn, p.thumbnail);
  router.get('/assets/:id/versions/:v/preview', authn, p.preview);
  return router;
}
