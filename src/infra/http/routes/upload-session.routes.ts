// Direct uploads to S3: sessions with presigned part URLs, completed or aborted through the API.
import { Router, type RequestHandler } from 'express';
import type { UploadSessionController } from '../../../app/controllers/UploadSessionController';

export function uploadSessionRoutes(u: UploadSessionController, authn: RequestHandler): Router {
  const router = Router();
  router.post('/assets/:id/uploads', authn, u.start);
  router.get('/assets/:id/uploads/:sessionId', authn, u.get);
  router.post('/assets/:id/uploads/:sessionId/complete', authn, u.complete);
  router.delete('/assets/:id/uploads/:sessionId', authn, u.abort);
  return router;
}
