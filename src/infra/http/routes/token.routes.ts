// /tokens: the caller's personal access tokens; /bots: a studio's bots and their tokens (PRODUCERs).
import { Router, type RequestHandler } from 'express';
import type { TokenController } from '../../../app/controllers/TokenController';
import type { AuthLimits } from './auth.routes';

/** A mint asks for the caller's password: the credential limits and the login throttle of /auth apply. */
export type MintLimits = Pick<AuthLimits, 'perIp'> & { currentPassword: RequestHandler };

export function tokenRoutes(t: TokenController, authn: RequestHandler, limits: MintLimits): Router {
  const router = Router();
  const mint = [limits.perIp, authn, limits.currentPassword];
  router.post('/tokens', ...mint, t.create);
  router.get('/tokens', authn, t.list);
  router.delete('/tokens/:id', authn, t.revoke);
  router.post('/bots', authn, t.createBot);
  router.get('/bots', authn, t.listBots);
  router.post('/bots/:id/tokens', ...mint, t.createBotToken);
  router.get('/bots/:id/tokens', authn, t.listBotTokens);
  return router;
}
