// Access tokens (JWT, HS256 pinned) and opaque refresh tokens (256-bit random, stored as sha256).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AuthenticationError } from '../../shared/errors';
import { ROLES } from '../repositories/models/User';
import type { Actor, Role } from './types';

export interface TokenConfig {
  secret: string;
  issuer: string;
  audience: string;
  accessTtlSeconds: number;
}

export interface VerifiedAccess extends Actor {
  jti: string;
  expiresAt: Date;
  /** The user's session version when the token was issued; a later bump revokes the token. */
  sessionVersion: number;
}

export class TokenService {
  constructor(private readonly cfg: TokenConfig) {}

  signAccess(actor: Actor, sessionVersion: number): string {
    return jwt.sign({ studioId: actor.studioId, role: actor.role, sv: sessionVersion }, this.cfg.secret, {
      algorithm: 'HS256',
      subject: actor.id,
      issuer: this.cfg.issuer,
      audience: this.cfg.audience,
      expiresIn: this.cfg.accessTtlSeconds,
      jwtid: randomUUID(),
    });
  }

  /** Verifies signature, algorithm, issuer, audience and expiry; any failure is a 401. */
  verifyAccess(token: string): VerifiedAccess {
    let payload: jwt.JwtPayload;
    try {
      const decoded = jwt.verify(token, this.cfg.secret, {
        algorithms: ['HS256'],
        issuer: this.cfg.issuer,
        audience: this.cfg.audience,
      });
      if (typeof decoded === 'string') throw new Error('unexpected string payload');
      payload = decoded;
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) throw new AuthenticationError('TOKEN_EXPIRED', 'Access token has expired');
      throw new AuthenticationError('TOKEN_INVALID', 'Access token is invalid');
    }
    const { sub, studioId, role, jti, exp, sv } = payload as jwt.JwtPayload & { studioId?: unknown; role?: unknown; sv?: unknown };
    if (typeof sub !== 'string' || typeof studioId !== 'string' || typeof jti !== 'string' || typeof exp !== 'number' || !ROLES.includes(role as Role) || !Number.isSafeInteger(sv)) {
      throw new AuthenticationError('TOKEN_INVALID', 'Access token is invalid');
    }
    return { id: sub, studioId, role: role as Role, jti, expiresAt: new Date(exp * 1000), sessionVersion: sv as number };
  }

  newRefreshToken(): { token: string; hash: string } {
    const token = randomBytes(32).toString('base64url');
    return { token, hash: hashRefreshToken(token) };
  }
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
