// Bearer authentication. The studio always comes from the verified token, the role from
// the user's current session state (checked on every request, so a demotion or deactivation takes effect
// on the next request on every instance).
import type { NextFunction, Request, Response } from 'express';
import { AuthenticationError } from '../errors';
import type { TokenService } from '../../app/services/TokenService';
import type { SessionService } from '../../app/services/SessionService';
import type { Actor } from '../../app/services/types';
import { currentContext } from '../../infra/logging/context';

export interface Authenticator {
  tokens: TokenService;
  sessions: SessionService;
}

export function authenticate(auth: Authenticator) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const header = req.header('authorization');
    const match = header ? /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header) : null;
    if (!match) throw new AuthenticationError('UNAUTHENTICATED', 'A Bearer access token is required');
    const verified = auth.tokens.verifyAccess(match[1]!);
    const ctx = currentContext();
    if (ctx) {
      ctx.userId = verified.id;
      ctx.studioId = verified.studioId;
    }
    req.user = await auth.sessions.actorFor(verified);
    next();
  };
}

/** The authenticated actor; routes behind `authenticate` always have one. */
export function actorOf(req: Request): Actor {
  if (!req.user) throw new AuthenticationError();
  return req.user;
}
