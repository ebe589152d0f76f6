// /auth: registration, login, switching studios, token refresh and the caller's sessions, with stricter
// limits on credentials.
import { Router, type RequestHandler } from 'express';
import type { AuthController } from '../../../app/controllers/AuthController';

export interface AuthLimits {
  /** Per client IP, on every credential endpoint. */
  perIp: RequestHandler;
  /** Login throttle: failures per account and client (429 for that client), growing delays per account. */
  login: RequestHandler;
  /** The same throttle on the caller's own account, for the current-password check of a password change (and of a token mint). */
  passwordChange: RequestHandler;
  /** The same throttle on the account a registration link is for, which an existing account's password unlocks. */
  registrationPassword: RequestHandler;
  /** Registrations started per client, then by all clients together (429, never a silently dropped mail). */
  registrations: RequestHandler[];
}

export function authRoutes(auth: AuthController, authn: RequestHandler, limits: AuthLimits): Router {
  const router = Router();
  const { perIp, login, passwordChange, registrationPassword, registrations } = limits;
  router.post('/auth/register', perIp, ...registrations, auth.register);
  router.get('/auth/verify-email/preview', perIp, auth.previewRegistration);
  router.post('/auth/verify-email', perIp, registrationPassword, auth.verifyEmail);
  router.post('/auth/login', perIp, login, auth.login);
  router.post('/auth/refresh', perIp, auth.refresh);
  router.post('/auth/logout', perIp, auth.logout);
  router.post('/auth/logout-all', perIp, authn, auth.logoutEverywhere);
  router.post('/auth/password', perIp, authn, passwordChange, auth.changePassword);
  router.get('/auth/me', authn, auth.me);
  router.get('/auth/studios', authn, auth.studios);
  router.post('/auth/switch', perIp, authn, auth.switchStudio);
  return router;
}
