// /users: the members of the caller's studio (PRODUCERs manage them; people join through /invitations).
import { Router, type RequestHandler } from 'express';
import type { UserController } from '../../../app/controllers/UserController';

export function userRoutes(u: UserController, authn: RequestHandler): Router {
  const router = Router();
  router.get('/users', authn, u.list);
  router.patch('/users/:id', authn, u.update);
  return router;
}
