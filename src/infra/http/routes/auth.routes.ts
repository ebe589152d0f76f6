// /auth and /users, with stricter Redis-backed limits on the credential endpoints.
import { Router, type Request } from 'express';
import type { Container } from '../../../container';
import { authenticate } from '../../../shared/middlewares/auth';
import { redisRateLimit } from '../../../shared/middlewares/rateLimit';
import { ipKeyGenerator } from 'express-rate-limit';
import { normalizeEmail } from '../../../app/repositories/UserRepository';

export function authRoutes(c: Container): Router {
  const router = Router();
  const { config } = c;
  const perIp = redisRateLimit({
    redis: c.redis,
    logger: c.logger,
    prefix: `${c.keyPrefix}rl:auth-ip:`,
    windowMs: config.AUTH_RATE_LIMIT_WINDOW_MS,
    limit: config.AUTH_RATE_LIMIT_MAX_PER_IP,
    code: 'AUTH_RATE_LIMITED',
  });
  // Failed logins per account, whatever IP they come from: stops credential stuffing on one email.
  const perEmail = redisRateLimit({
    redis: c.redis,
    logger: c.logger,
    prefix: `${c.keyPrefix}rl:auth-email:`,
    windowMs: config.AUTH_RATE_LIMIT_WINDOW_MS,
    limit: config.AUTH_RATE_LIMIT_MAX_PER_EMAIL,
    skipSuccessfulRequests: true,
    keyGenerator: (req: Request) => {
      const email = (req.body as { email?: unknown } | undefined)?.email;
      return typeof email === 'string' ? `email:${normalizeEmail(email)}` : `noemail:${ipKeyGenerator(req.ip ?? '')}`;
    },
    code: 'AUTH_RATE_LIMITED',
  });

  const auth = c.controllers.auth;
  router.post('/auth/register', perIp, auth.register);
  router.post('/auth/login', perIp, perEmail, auth.login);
  router.post('/auth/refresh', perIp, auth.refresh);
  router.post('/auth/logout', perIp, auth.logout);
  router.post('/auth/logout-all', perIp, authenticate(c), auth.logoutEverywhere);
  router.post('/auth/password', perIp, authenticate(c), auth.changePassword);
  router.get('/auth/me', authenticate(c), auth.me);

  const users = c.controllers.users;
  router.post('/users', authenticate(c), users.create);
  router.get('/users', authenticate(c), users.list);
  router.patch('/users/:id', authenticate(c), users.update);
  return router;
}
