// /assets routes; every one requires a verified access token.
import { Router } from 'express';
import type { Container } from '../../../container';
import { authenticate } from '../../../shared/middlewares/auth';

export function assetRoutes(c: Container): Router {
  const router = Router();
  const a = c.controllers.assets;
  router.use('/assets', authenticate(c.tokens));
  router.post('/assets', a.create);
  router.get('/assets', a.list);
  router.get('/assets/:id', a.get);
  router.patch('/assets/:id', a.update);
  router.delete('/assets/:id', a.archive);
  router.get('/assets/:id/history', a.history);
  return router;
}
