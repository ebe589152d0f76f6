// Mutual exclusion and once-only claims on the database's atomic primitives: a unique _id insert
// acquires, a delete releases, and an expired lease may be taken over by exactly one waiter.
import { randomUUID } from 'node:crypto';
import type { Model } from 'mongoose';
import type { LeaseDoc } from '../../app/repositories/models/Lease';
import { ServiceUnavailableError } from '../../shared/errors';
import { isDuplicateKey } from './errors';


export interface LockOptions {
  /** How long the holder may keep the lease before another process may take it over. */
  ttlMs?: number;
  /** How long to wait for a busy lock before giving up with 503 LOCK_TIMEOUT. */
  waitMs?: number;
}

export class LeaseLock {
  constructor(private readonly model: Model<LeaseDoc>) {}

  async withLock<T>(key: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
    const owner = await this.acquire(key, options);
    try {
      return await fn();
    } finally {
      await this.model.deleteOne({ _id: key, owner }).exec();
    }
  }

  private async acquire(key: string, { ttlMs = 15_000, waitMs = 10_000 }: LockOptions): Promise<string> {
    const owner = randomUUID();
    const deadline = Date.now() + waitMs;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.model.create({ _id: key, owner, expiresAt: new Date(Date.now() + ttlMs) });
        return owner;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      const held = await this.model.findById(key).lean<LeaseDoc>().exec();
      if (held && held.expiresAt.getTime() < Date.now()) {
        // The holder died; the delete is atomic, so only one waiter removes this exact lease.
        await this.model.deleteOne({ _id: key, owner: held.owner }).exec();
        continue;
      }
      if (Date.now() > deadline) throw new ServiceUnavailableError('LOCK_TIMEOUT', 'The resource is busy, try again shortly', { retryAfterSeconds: 2 });
      await new Promise((r) => setTimeout(r, Math.min(5 * 2 ** Math.min(attempt, 5), 100) * (0.5 + Math.random())));
    }
  }

  /** True for exactly one caller per key, ever (until the claim expires after ttlMs). */
  async claimOnce(key: string, ttlMs: number): Promise<boolean> {
    try {
      await this.model.create({ _id: key, owner: 'claim', expiresAt: new Date(Date.now() + ttlMs) });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }
}
