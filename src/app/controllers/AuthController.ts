// HTTP in/out for /auth: parse, call AuthService, shape the reply. Browsers (cookie mode) get the refresh
// token in an HttpOnly cookie instead of the body, so no script can read it.
import type { Request, Response } from 'express';
import type { AuthResult, AuthService } from '../services/AuthService';
import { confirmPasswordResetBody, passwordResetBody, passwordResetPreviewQuery, changePasswordBody, loginBody, refreshBody, switchStudioBody, studiosHoldingQuery, verifyEmailBody, verifyEmailPreviewQuery, registerBody } from '../../infra/http/validators/auth.validators';
import { clientKey } from '../../shared/middlewares/rateLimit';
import { actorOf } from '../../shared/middlewares/auth';
import { AuthenticationError, AuthorizationError } from '../../shared/errors';

/** The refresh cookie's name; `__Host-` cannot be used since the cookie is scoped to Path=/auth. */
export const REFRESH_COOKIE = 'studio_refresh';
/** The custom header that asks for cookie mode; a cross-site form or image cannot send it, and a cross-site script only after a CORS preflight. */
export const WEB_CLIENT_HEADER = 'x-studio-client';

/** How the refresh cookie is set; app.ts puts one in `app.locals.refreshCookie` from the configuration. */
export interface RefreshCookiePolicy {
  secure: boolean;
  maxAgeMs: number;
}
const DEFAULT_POLICY: RefreshCookiePolicy = { secure: true, maxAgeMs: 30 * 86_400_000 };

const CSRF_REFUSED = () => new AuthorizationError('CSRF_REFUSED', `Cookie sign-in needs the ${WEB_CLIENT_HEADER} header from the web app's own origin`);
const INVALID_REFRESH = () => new AuthenticationError('INVALID_REFRESH_TOKEN', 'Refresh token is invalid or expired');

const asksForCookie = (req: Request) => req.header(WEB_CLIENT_HEADER) === 'web';

/** The value of one cookie of the request, read without a parser dependency (split on `;` and the first `=`). */
export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.header('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

/**
 * A request that spends the cookie must come from the web app itself: the custom header (which no
 * cross-site request carries without a CORS preflight we do not grant) and no cross-site signs from
 * the browser (Sec-Fetch-Site, Origin). SameSite=Strict already keeps the cookie off cross-site requests;
 * this refuses them even where a browser or proxy gets that wrong.
 */
function requireSameOriginWebClient(req: Request): void {
  if (!asksForCookie(req)) throw CSRF_REFUSED();
  const site = req.header('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') throw CSRF_REFUSED();
  const origin = req.header('origin');
  if (origin) {
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      throw CSRF_REFUSED();
    }
    if (host !== req.header('host')) throw CSRF_REFUSED();
  }
}

/**
 * Cookie mode: the answer sets a session cookie in the browser. Asked for from another site, that would
 * sign the browser in to whatever account the other site holds credentials (or a mailed link) for, so the
 * victim works in the attacker's studio (login CSRF): refused like a cross-site use of the cookie.
 */
function cookieMode(req: Request): boolean {
  if (!asksForCookie(req)) return false;
  requireSameOriginWebClient(req);
  return true;
}

export class AuthController {
  constructor(private readonly auth: AuthService) {}

  private policy(req: Request): RefreshCookiePolicy {
    return (req.app.locals.refreshCookie as RefreshCookiePolicy | undefined) ?? DEFAULT_POLICY;
  }

  /** In cookie mode the refresh token moves from the body to the HttpOnly cookie. */
  private reply(req: Request, res: Response, result: AuthResult, status = 200) {
    if (!cookieMode(req)) return res.status(status).json(result);
    const { secure, maxAgeMs } = this.policy(req);
    res.cookie(REFRESH_COOKIE, result.refreshToken, { httpOnly: true, sameSite: 'strict', secure, path: '/auth', maxAge: maxAgeMs });
    res.set('Cache-Control', 'no-store');
    const { refreshToken: _omitted, ...rest } = result;
    return res.status(status).json(rest);
  }

  private clearCookie(req: Request, res: Response) {
    res.clearCookie(REFRESH_COOKIE, { httpOnly: true, sameSite: 'strict', secure: this.policy(req).secure, path: '/auth' });
  }

  /** The refresh token of the body, else (for the web app, with the CSRF checks) the cookie's. */
  private refreshTokenOf(req: Request): string | undefined {
    const { refreshToken } = refreshBody.parse(req.body ?? {});
    if (refreshToken) return refreshToken;
    const cookie = readCookie(req, REFRESH_COOKIE);
    if (cookie === undefined) return undefined;
    requireSameOriginWebClient(req);
    return cookie;
  }

  register = async (req: Request, res: Response) => {
    const input = registerBody.parse(req.body);
    res.status(202).json(await this.auth.register(input, clientKey(req)));
  };

  requestPasswordReset = async (req: Request, res: Response) => {
    const input = passwordResetBody.parse(req.body);
    res.status(202).json(await this.auth.requestPasswordReset(input, clientKey(req)));
  };

  previewPasswordReset = async (req: Request, res: Response) => {
    const { token } = passwordResetPreviewQuery.parse(req.query);
    // The answer names the address: never kept by a shared cache.
    res.set('Cache-Control', 'no-store').json(await this.auth.previewPasswordReset(token));
  };

  confirmPasswordReset = async (req: Request, res: Response) => {
    const { token, password } = confirmPasswordResetBody.parse(req.body);
    await this.auth.resetPassword(token, password);
    res.status(204).end();
  };

  previewRegistration = async (req: Request, res: Response) => {
    const { token } = verifyEmailPreviewQuery.parse(req.query);
    // The answer names the address: never kept by a shared cache.
    res.set('Cache-Control', 'no-store').json(await this.auth.previewRegistration(token));
  };

  verifyEmail = async (req: Request, res: Response) => {
    const { token, ...input } = verifyEmailBody.parse(req.body);
    // Before the link is spent: a cross-site cookie-mode request must change nothing.
    cookieMode(req);
    this.reply(req, res, await this.auth.verifyEmail(token, input), 201);
  };

  login = async (req: Request, res: Response) => {
    const { email, password, studioId } = loginBody.parse(req.body);
    // Before the password is checked: a cross-site cookie-mode sign-in is refused whatever it sends.
    cookieMode(req);
    this.reply(req, res, await this.auth.login(email, password, studioId));
  };

  studios = async (req: Request, res: Response) => {
    res.json({ data: await this.auth.memberships(actorOf(req)) });
  };

  studiosHolding = async (req: Request, res: Response) => {
    const { kind, id } = studiosHoldingQuery.parse(req.query);
    res.set('Cache-Control', 'no-store').json({ data: await this.auth.studiosHolding(actorOf(req), kind, id) });
  };

  switchStudio = async (req: Request, res: Response) => {
    const { studioId } = switchStudioBody.parse(req.body);
    this.reply(req, res, await this.auth.switchStudio(actorOf(req), studioId));
  };

  /**
   * Rotates the body's token or the cookie's. A body token sent in cookie mode is rotated into the cookie:
   * that is how the web app keeps a session another flow handed it in a body (an accepted invitation).
   */
  refresh = async (req: Request, res: Response) => {
    const token = this.refreshTokenOf(req);
    if (!token) throw INVALID_REFRESH();
    try {
      this.reply(req, res, await this.auth.refresh(token));
    } catch (err) {
      // A refused cookie is useless from now on: drop it so the app shows sign-in rather than retrying.
      if (cookieMode(req)) this.clearCookie(req, res);
      throw err;
    }
  };

  logout = async (req: Request, res: Response) => {
    const token = this.refreshTokenOf(req);
    if (token) await this.auth.logout(token);
    if (cookieMode(req)) this.clearCookie(req, res);
    res.status(204).end();
  };

  logoutEverywhere = async (req: Request, res: Response) => {
    await this.auth.logoutEverywhere(actorOf(req));
    if (cookieMode(req)) this.clearCookie(req, res);
    res.status(204).end();
  };

  changePassword = async (req: Request, res: Response) => {
    const { currentPassword, newPassword } = changePasswordBody.parse(req.body);
    this.reply(req, res, await this.auth.changePassword(actorOf(req), currentPassword, newPassword));
  };

  me = async (req: Request, res: Response) => {
    res.json(await this.auth.me(actorOf(req)));
  };
}
