// /tokens: the caller's personal access tokens; /bots: a studio's bots and their tokens (PRODUCERs).
import { Router, type RequestHandler } from 'express';
import type { TokenController } from '../../../app/controllers/TokenController';

export function tokenRoutes(t: TokenController, authn: RequestHandler): Router {
  const router = Router();
  router.post('/tokens', authn, t.create);
  router.get('/tokens', authn, t.list);
  router.delete('/tokens/:id', authn, t.revoke);
  router.post('/bots', authn, t.createBot);
  router.get('/bots', authn, t.listBots);
  router.post('/bots/:id/tokens', authn, t.createBotToken);
  router.get('/bots/:id/tokens', authn, t.listBotTokens);
  return router;
}
