// /auth: registration, login, switching studios, token refresh and the caller's sessions, with stricter
// limits on credentials.
import { Router, type RequestHandler } from 'express';
import type { AuthController } from '../../../app/controllers/AuthController';

export interface AuthLimits {
  /** Failed credential requests per client IP (wrong passwords, unusable links), on every endpoint that takes a password or a mailed link. */
  perIp: RequestHandler;
  /** Login throttle: failures per account and client (429 for that client), growing delays per account. */
  login: RequestHandler;
  /** The same throttle on the caller's own account, for the current-password check of a password change (and of a token mint). */
  passwordChange: RequestHandler;
  /** The same throttle on the account a registration link is for, which an existing account's password unlocks. */
  registrationPassword: RequestHandler;
  /** Registrations started per client, then by all clients together (429, never a silently dropped mail). */
  registrations: RequestHandler[];
  /** Password resets asked for per client (429, never a silently dropped mail). */
  passwordResets: RequestHandler;
}

export function authRoutes(auth: AuthController, authn: RequestHandler, limits: AuthLimits): Router {
  const router = Router();
  const { perIp, login, passwordChange, registrationPassword, registrations, passwordResets } = limits;
  router.post('/auth/register', perIp, ...registrations, auth.register);
  router.get('/auth/verify-email/preview', perIp, auth.previewRegistration);
  router.post('/auth/verify-email', perIp, registrationPassword, auth.verifyEmail);
  router.post('/auth/login', perIp, login, auth.login);
  router.post('/auth/password-reset', perIp, passwordResets, auth.requestPasswordReset);
  router.get('/auth/password-reset/preview', perIp, auth.previewPasswordReset);
  router.post('/auth/password-reset/confirm', perIp, auth.confirmPasswordReset);
  // A refresh cookie or a session is 256 random bits or a signature: nothing to guess, so no credential
  // limit (the general per-IP limit still bounds an unauthenticated flood). Every page load of every
  // person of an office refreshes, which a per-IP credential budget would soon refuse.
  router.post('/auth/refresh', auth.refresh);
  router.post('/auth/logout', auth.logout);
  router.post('/auth/logout-all', authn, auth.logoutEverywhere);
  router.post('/auth/password', perIp, authn, passwordChange, auth.changePassword);
  router.get('/auth/me', authn, auth.me);
  router.get('/auth/studios', authn, auth.studios);
  router.get('/auth/studios/holding', authn, auth.studiosHolding);
  router.post('/auth/switch', authn, auth.switchStudio);
  return router;
}
