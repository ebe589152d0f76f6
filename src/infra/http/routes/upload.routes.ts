// tus 1.0 resumable uploads at /uploads; the tus server reads the raw body itself.
import { Router, type RequestHandler } from 'express';

export function uploadRoutes(tus: RequestHandler, authn: RequestHandler): Router {
  const router = Router();
  router.all('/uploads', authn, tus);
  router.all('/uploads/{*rest}', authn, tus);
  return router;
}
