// The login-throttling policy (issue 14, finding 3): slow password guessing down without ever letting
// one person's failures keep another person, who knows their password, out of their account.
import { RateLimitError } from '../../shared/errors';
import type { Logger } from '../../infra/logging/logger';
import { normalizeEmail } from '../repositories/AccountRepository';

/**
 * Failed-login counters shared by every API instance. Each counter lives for one window from its first
 * failure. Keyed by account (a normalised email, which need not belong to any user) and client (an IP).
 */
export interface LoginAttemptStore {
  /**
   * Counts the attempt as a failure before its answer is known, so parallel guesses cannot all slip in
   * under the limit; a success or a non-guess takes it back. A client that has used up its failures on
   * this account is not counted again (so it cannot push the account's delay beyond its own share).
   */
  begin(account: string, client: string, limits: { failuresPerClient: number; windowMs: number }): Promise<AttemptCount>;
  /** The password was right: forget this client's failures on the account, and take back this attempt. */
  succeeded(account: string, client: string): Promise<void>;
  /** No password was judged (invalid body, a server error): take the attempt back from both counters. */
  withdrawn(account: string, client: string): Promise<void>;
}

/** Refused: how long until the client's own counter expires. Admitted: the account's failures (from every client) before this attempt. */
export type AttemptCount = { admitted: false; retryAfterMs: number } | { admitted: true; accountFailures: number };

export interface LoginThrottlePolicy {
  windowMs: number;
  /** Failures one client may make on one account per window; the next attempt from it gets 429. */
  failuresPerClient: number;
  /** Failures on one account (all clients) per window after which every login for it is answered late. */
  delayAfterFailures: number;
  firstDelayMs: number;
  maxDelayMs: number;
  /** Logins this process holds in a delay at once; past it, the next are answered without one. */
  maxDelayed: number;
}

/** How the login ended: a wrong password, a right one, or no judgement of a password at all. */
export type LoginOutcome = 'failed' | 'succeeded' | 'withdrawn';

export interface LoginTicket {
  /** Never rejects: a store failure is logged, since the answer has already gone to the client. */
  settle(outcome: LoginOutcome): Promise<void>;
}

const UNCOUNTED: LoginTicket = { settle: async () => undefined };

export class LoginThrottle {
  private delayed = 0;
  private saturated = false;

  constructor(
    private readonly deps: {
      store: LoginAttemptStore;
      logger: Logger;
      policy: LoginThrottlePolicy;
      sleep?: (ms: number) => Promise<void>;
    },
  ) {}

  /**
   * The account-wide delay after `failures` failures: none up to the threshold, then doubling from the
   * first delay up to the cap. A delay, never a refusal: a refusal here is exactly the lock-out.
   */
  delayFor(failures: number): number {
    const { delayAfterFailures, firstDelayMs, maxDelayMs } = this.deps.policy;
    const over = failures - delayAfterFailures;
    if (over < 0) return 0;
    return Math.min(maxDelayMs, firstDelayMs * 2 ** Math.min(over, 30));
  }

  /**
   * Lets a login attempt go ahead, after the account's delay; throws 429 AUTH_RATE_LIMITED only when this
   * client has used up its own failures on this account. Call the ticket's settle() with the outcome.
   * With the store unreachable it fails open (no limit, no delay), like the other rate limits.
   */
  async admit(email: string, client: string): Promise<LoginTicket> {
    const { store, logger, policy } = this.deps;
    const account = normalizeEmail(email);
    let count: AttemptCount;
    try {
      count = await store.begin(account, client, policy);
    } catch (err) {
      logger.warn('login throttle unavailable; login not throttled', { code: 'LOGIN_THROTTLE_UNAVAILABLE', err: errorMessage(err) });
      return UNCOUNTED;
    }
    if (!count.admitted) {
      throw new RateLimitError('AUTH_RATE_LIMITED', 'Too many failed logins for this account from this client; try again later', {
        retryAfterSeconds: count.retryAfterMs / 1000,
      });
    }
    // Wait before the password is judged, whatever it is: an answer that came sooner for the right
    // password would let a guesser stop waiting as soon as a guess was clearly wrong.
    await this.wait(this.delayFor(count.accountFailures));
    return { settle: (outcome) => this.settle(account, client, outcome) };
  }

  /**
   * A waiting login costs a socket and a timer, and each client can only start AUTH_RATE_LIMIT_MAX_PER_IP
   * of them per window; the cap bounds the total a botnet could pile up in one process. Past it the
   * delay is skipped rather than the login refused: the per-client limits still hold.
   */
  private async wait(ms: number) {
    if (ms <= 0) return;
    if (this.delayed >= this.deps.policy.maxDelayed) {
      if (!this.saturated) this.deps.logger.warn('login delays saturated; answering without delay', { code: 'LOGIN_DELAYS_SATURATED', waiting: this.delayed });
      this.saturated = true;
      return;
    }
    this.saturated = false;
    this.delayed++;
    try {
      await (this.deps.sleep ?? sleep)(ms);
    } finally {
      this.delayed--;
    }
  }

  private async settle(account: string, client: string, outcome: LoginOutcome) {
    try {
      // A failure was counted up front by begin().
      if (outcome === 'succeeded') await this.deps.store.succeeded(account, client);
      else if (outcome === 'withdrawn') await this.deps.store.withdrawn(account, client);
    } catch (err) {
      this.deps.logger.warn('login throttle could not record an outcome', { code: 'LOGIN_THROTTLE_UNAVAILABLE', outcome, err: errorMessage(err) });
    }
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));
