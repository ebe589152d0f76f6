// Redis-backed rate limits so a limit holds across every API instance. When Redis is down they fail
// open (requests pass and the failure is logged): availability of the studio beats strict throttling.
import type { NextFunction, Request, Response } from 'express';
import { ipKeyGenerator, rateLimit, type Options } from 'express-rate-limit';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { Redis } from '../../infra/cache/redis';
import type { Logger } from '../../infra/logging/logger';
import { RateLimitError } from '../errors';
import { atMostEvery } from '../throttle';

export interface RateLimitConfig {
  redis: Redis;
  logger: Logger;
  prefix: string;
  windowMs: number;
  limit: number;
  keyGenerator?: Options['keyGenerator'];
  /** Requests this limit does not count (e.g. those without an API token). */
  skip?: (req: Request) => boolean;
  /** Count only failed requests (status >= 400, or what `requestWasSuccessful` says), e.g. for login attempts. */
  skipSuccessfulRequests?: boolean;
  /** With skipSuccessfulRequests: which answered requests are taken back from the count. */
  requestWasSuccessful?: (req: Request, res: Response) => boolean;
  code?: string;
  /** Words for the person who is refused (default: "Too many requests, slow down"). */
  message?: string;
}

/** The client a limit counts: its IP, an IPv6 client as its /56 (one host can hold a whole subnet of addresses). */
export const addressKey = (ip: string): string => ipKeyGenerator(ip);
export const clientKey = (req: Request): string => addressKey(req.ip ?? '');

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

const logTo = (cfg: Pick<RateLimitConfig, 'logger' | 'prefix'>) => (err: unknown, msg?: string) =>
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
    ...(cfg.requestWasSuccessful ? { requestWasSuccessful: cfg.requestWasSuccessful } : {}),
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

export interface BudgetConfig {
  redis: Redis;
  logger: Logger;
  prefix: string;
  windowMs: number;
  limit: number;
}

/** What a budget answers: go on, or wait this long. */
export type BudgetAnswer = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** A budget checked per call rather than per request (socket events, handshakes), on the same Redis store as the HTTP limits. */
export interface RedisBudget {
  take(key: string): Promise<BudgetAnswer>;
}

/**
 * The HTTP limits' fixed-window counters in Redis for callers that are not Express requests, so a Socket.IO
 * event and a request count the same way on every instance. Fails open like redisRateLimit: while Redis is
 * down every call is allowed and a warning is logged (at most one a minute per budget, not one per event).
 */
export function redisBudget(cfg: BudgetConfig): RedisBudget {
  const store = new HealingRedisStore({
    prefix: cfg.prefix,
    sendCommand: (command: string, ...args: string[]) => cfg.redis.call(command, ...args) as Promise<RedisReply>,
  });
  void store.init({ windowMs: cfg.windowMs } as Options);
  const warnable = atMostEvery(60_000);
  return {
    async take(key) {
      try {
        const { totalHits, resetTime } = await store.increment(key);
        if (totalHits <= cfg.limit) return { allowed: true };
        return { allowed: false, retryAfterSeconds: Math.max(0, ((resetTime?.getTime() ?? Date.now() + cfg.windowMs) - Date.now()) / 1000) };
      } catch (err) {
        if (warnable()) logTo(cfg)(err, 'rate limiter unavailable, allowing (fail open)');
        return { allowed: true };
      }
    },
  };
}
