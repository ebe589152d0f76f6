// Bearer authentication and role guards. The studio always comes from the verified token.
import type { NextFunction, Request, Response } from 'express';
import { AuthenticationError, AuthorizationError } from '../errors';
import type { TokenService } from '../../app/services/TokenService';
import type { Actor, Role } from '../../app/services/types';
import { currentContext } from '../../infra/logging/context';

export function authenticate(tokens: TokenService) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const header = req.header('authorization');
    const match = header ? /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header) : null;
    if (!match) throw new AuthenticationError('UNAUTHENTICATED', 'A Bearer access token is required');
    const v = tokens.verifyAccess(match[1]!);
    req.user = { id: v.id, studioId: v.studioId, role: v.role };
    const ctx = currentContext();
    if (ctx) {
      ctx.userId = v.id;
      ctx.studioId = v.studioId;
    }
    next();
  };
}

export function requireRole(...roles: Role[]) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!req.user) throw new AuthenticationError();
    if (!roles.includes(req.user.role)) throw new AuthorizationError('FORBIDDEN', `Requires one of: ${roles.join(', ')}`);
    next();
  };
}

/** The authenticated actor; routes behind `authenticate` always have one. */
export function actorOf(req: Request): Actor {
  if (!req.user) throw new AuthenticationError();
  return req.user;
}
