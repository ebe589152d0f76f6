// Bearer authentication. The studio always comes from the verified credential, the role from the member's
// current state (checked on every request, so a demotion or deactivation takes effect on the next request
// on every instance). Two credentials: a person's access JWT, or an API token (`sapi_…`), which is also
// held to the scope the route needs.
import type { NextFunction, Request, Response } from 'express';
import { AuthenticationError, AuthorizationError } from '../errors';
import type { TokenService } from '../../app/services/TokenService';
import type { SessionService } from '../../app/services/SessionService';
import { isApiToken, type ApiTokenService } from '../../app/services/ApiTokenService';
import type { Actor, Scope } from '../../app/services/types';
import { currentContext } from '../../infra/logging/context';

export interface Authenticator {
  tokens: TokenService;
  sessions: SessionService;
  apiTokens: ApiTokenService;
}

/** What the route needs of an API token: a scope, any valid token, people only, or (undefined) unknown. */
export type ScopeOf = (req: Request) => Scope | 'any' | 'people' | undefined;

/** Throws 403 unless an API token's scopes allow the route; a person's session passes. */
export function requireScope(actor: Actor, needed: ReturnType<ScopeOf>): void {
  if (!actor.tokenId) return;
  if (needed === 'any') return;
  if (needed === undefined || needed === 'people') throw new AuthorizationError('TOKEN_NOT_ALLOWED', 'This operation is not open to API tokens; a person must sign in');
  if (!actor.scopes?.includes(needed)) throw new AuthorizationError('INSUFFICIENT_SCOPE', `This API token lacks the scope ${needed}`, { details: [{ path: 'scopes', message: `needs ${needed}` }] });
}

/** The credential of an `Authorization: Bearer …` header, or null. */
function bearerOf(req: Request): string | null {
  const header = req.header('authorization');
  return (header ? /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header) : null)?.[1] ?? null;
}

/**
 * Whether the request carries a person's access JWT whose signature and expiry verify: a check of a few
 * microseconds with no lookup, so the per-IP limit can leave such requests to the per-member budget.
 */
export function carriesAccessJwt(tokens: Pick<TokenService, 'verifyAccess'>, req: Request): boolean {
  const bearer = bearerOf(req);
  if (!bearer || isApiToken(bearer)) return false;
  try {
    tokens.verifyAccess(bearer);
    return true;
  } catch {
    return false;
  }
}

export function authenticate(auth: Authenticator, scopeOf: ScopeOf) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const bearer = bearerOf(req);
    if (!bearer) throw new AuthenticationError('UNAUTHENTICATED', 'A Bearer access token is required');
    let actor: Actor;
    if (isApiToken(bearer)) {
      actor = (await auth.apiTokens.authenticate(bearer, req.ip ?? null)).actor;
    } else {
      const verified = auth.tokens.verifyAccess(bearer);
      actor = { ...(await auth.sessions.actorFor(verified)), sessionVersion: verified.sessionVersion, credentialExpiresAt: verified.expiresAt.getTime() };
    }
    const ctx = currentContext();
    if (ctx) {
      ctx.userId = actor.id;
      ctx.studioId = actor.studioId;
    }
    requireScope(actor, scopeOf(req));
    req.user = actor;
    next();
  };
}

/** The authenticated actor; routes behind `authenticate` always have one. */
export function actorOf(req: Request): Actor {
  if (!req.user) throw new AuthenticationError();
  return req.user;
}
