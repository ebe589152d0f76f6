// /invitations: PRODUCERs invite, list and withdraw; the invited person previews and accepts by link token.
import { Router, type RequestHandler } from 'express';
import type { InvitationController } from '../../../app/controllers/InvitationController';
import { methodNotAllowed } from '../../../shared/middlewares/errorHandler';

/** `acceptPassword`: the login throttle on the account an invitation is for, which an existing account's password unlocks. */
export function invitationRoutes(i: InvitationController, authn: RequestHandler, perIp: RequestHandler, acceptPassword: RequestHandler): Router {
  const router = Router();
  // The public pair first: their paths would otherwise read as ids of the authenticated routes.
  router.get('/invitations/preview', perIp, i.preview);
  router.post('/invitations/accept', perIp, acceptPassword, i.accept);
  // Any other method on these two is the 405 it is, not DELETE /invitations/:id with a malformed id.
  router.all('/invitations/preview', (req, _res, next) => next(req.method === 'OPTIONS' ? undefined : methodNotAllowed(req, ['GET', 'HEAD'])));
  router.all('/invitations/accept', (req, _res, next) => next(req.method === 'OPTIONS' ? undefined : methodNotAllowed(req, ['POST'])));
  router.post('/invitations', perIp, authn, i.invite);
  router.get('/invitations', authn, i.list);
  router.delete('/invitations/:id', authn, i.revoke);
  return router;
}
