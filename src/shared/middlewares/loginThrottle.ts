// Puts LoginThrottle in front of POST /auth/login: it names the account and the client, and reports how
// the login ended once the answer has gone out.
import type { NextFunction, Request, Response } from 'express';
import type { LoginOutcome, LoginThrottle } from '../../app/services/LoginThrottle';
import { clientKey } from './rateLimit';

/** Read from the status, the one thing every path through the handler sets. */
function outcomeOf(res: Response, wrongPasswordStatus: number): LoginOutcome {
  // The client left before the answer: the guess may have been judged, so it stays counted.
  if (!res.writableFinished) return 'failed';
  if (res.statusCode === wrongPasswordStatus) return 'failed';
  if (res.statusCode < 400) return 'succeeded';
  // 400 (no password was checked), 403 on login (right password, deactivated account), 5xx: no guess to count.
  return 'withdrawn';
}

export interface LoginThrottleOptions {
  /** The account a request guesses the password of: the body's email on login, the caller's own elsewhere. */
  accountOf?: (req: Request) => Promise<unknown> | unknown;
  /** The status the handler answers a wrong password with (401 on login). */
  wrongPasswordStatus?: number;
}

export function loginThrottle(throttle: LoginThrottle, options: LoginThrottleOptions = {}) {
  const wrong = options.wrongPasswordStatus ?? 401;
  return async (req: Request, res: Response, next: NextFunction) => {
    const email = options.accountOf ? await options.accountOf(req) : (req.body as { email?: unknown } | undefined)?.email;
    // Without an email string the validator answers 400 and no password is checked.
    if (typeof email !== 'string') return next();
    const ticket = await throttle.admit(email, clientKey(req));
    // Gone during the delay: spend no password check on an answer nobody reads (the attempt stays counted).
    if (req.socket.destroyed) return;
    res.once('close', () => void ticket.settle(outcomeOf(res, wrong)));
    next();
  };
}
