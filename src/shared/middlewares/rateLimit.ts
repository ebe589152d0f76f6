// Redis-backed rate limits so a limit holds across every API instance. When Redis is down they fail
// open (requests pass and the failure is logged): availability of the studio beats strict throttling.
import type { NextFunction, Request, Response } from 'express';
import { ipKeyGenerator, rateLimit, type Options } from 'express-rate-limit';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { Redis } from '../../infra/cache/redis';
import type { Logger } from '../../infra/logging/logger';
import { RateLimitError } from '../errors';

export interface RateLimitConfig {
  redis: Redis;
  logger: Logger;
  prefix: string;
  windowMs: number;
  limit: number;
  keyGenerator?: Options['keyGenerator'];
  /** Requests this limit does not count (e.g. those without an API token). */
  skip?: (req: Request) => boolean;
  /** Count only failed requests (status >= 400), e.g. for login attempts. */
  skipSuccessfulRequests?: boolean;
  code?: string;
  /** Words for the person who is refused (default: "Too many requests, slow down"). */
  message?: string;
}

/** The client a limit counts: its IP, an IPv6 client as its /56 (one host can hold a whole subnet of addresses). */
export const clientKey = (req: Request): string => ipKeyGenerator(req.ip ?? '');

/**
 * rate-limit-redis keeps the promise of its first SCRIPT LOAD; if Redis was down then, every later
 * call would fail forever. This store forgets a failed load so limits return when Redis does.
 */
class HealingRedisStore extends RedisStore {
  override async init(options: Options) {
    // Redis may be down at boot; the first increment then reloads the scripts.
    await super.init(options).catch(() => undefined);
  }

  override async increment(key: string) {
    try {
      return await super.increment(key);
    } catch (err) {
      this.incrementScriptSha = this.loadIncrementScript();
      this.incrementScriptSha.catch(() => undefined);
      throw err;
    }
  }

  override async get(key: string) {
    try {
      return await super.get(key);
    } catch (err) {
      this.getScriptSha = this.loadGetScript();
      this.getScriptSha.catch(() => undefined);
      throw err;
    }
  }
}

const logTo = (cfg: RateLimitConfig) => (err: unknown, msg?: string) =>
  cfg.logger.warn(msg ?? 'rate limiter problem', { limiter: cfg.prefix, err: err instanceof Error ? err.message : String(err) });

export function redisRateLimit(cfg: RateLimitConfig) {
  return rateLimit({
    windowMs: cfg.windowMs,
    limit: cfg.limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    passOnStoreError: true,
    // Store failures reach our JSON log (rate limiting is then off until Redis returns).
    logger: { warn: logTo(cfg), error: logTo(cfg) },
    skipSuccessfulRequests: cfg.skipSuccessfulRequests ?? false,
    ...(cfg.keyGenerator ? { keyGenerator: cfg.keyGenerator } : {}),
    ...(cfg.skip ? { skip: cfg.skip } : {}),
    store: new HealingRedisStore({
      prefix: cfg.prefix,
      sendCommand: (command: string, ...args: string[]) => cfg.redis.call(command, ...args) as Promise<RedisReply>,
    }),
    handler: (req: Request, _res: Response, next: NextFunction, options: Options) => {
      const resetTime = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const retryAfter = resetTime ? (resetTime.getTime() - Date.now()) / 1000 : options.windowMs / 1000;
      next(new RateLimitError(cfg.code ?? 'RATE_LIMITED', cfg.message, { retryAfterSeconds: retryAfter }));
    },
  });
}
