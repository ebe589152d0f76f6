// Issue 14 migration: people, not addresses, are unique. Before it, a User was both the person (email,
// unique across studios; password) and their one membership. After it, an Account holds the person and
// each User is a membership pointing at it. Idempotent and resumable: every step is safe to repeat, so a
// crash half-way is finished by the next start, and a started database is left as it is.
import type { Types } from 'mongoose';
import type { Models } from '../models';
import { normalizeEmail } from '../AccountRepository';

interface LegacyUser {
  _id: Types.ObjectId;
  studioId: Types.ObjectId;
  email: string;
  name: string;
  passwordHash?: string;
  createdAt?: Date;
}

/** Returns how many memberships it linked to an account (0 when there was nothing to do). */
export async function migrateAccounts(models: Models): Promise<number> {
  const users = models.User.collection;
  // The old unique address index would refuse a second membership of one person (and every membership
  // without the old field, which indexes as null). Dropped first; "not found" means already done.
  await users.dropIndex('emailNormalized_1').catch((err: { codeName?: string; code?: number; message?: string }) => {
    if (err.codeName === 'IndexNotFound' || err.code === 27 || err.codeName === 'NamespaceNotFound' || err.code === 26 || /not found|ns does not exist/i.test(err.message ?? '')) return;
    throw err;
  });
  let linked = 0;
  const legacy = users.find<LegacyUser>({ accountId: { $exists: false } }, { projection: { studioId: 1, email: 1, name: 1, passwordHash: 1, createdAt: 1 } });
  for await (const user of legacy) {
    const emailNormalized = normalizeEmail(user.email);
    // Upsert by the unique address: a repeated run (or a second membership of one address) finds the same account.
    const account = await models.Account.findOneAndUpdate(
      { emailNormalized },
      {
        $setOnInsert: {
          email: user.email.trim(),
          emailNormalized,
          name: user.name,
          passwordHash: user.passwordHash ?? '!',
          // Never proven: addresses were not verified before this migration.
          emailVerifiedAt: null,
          lastStudioId: user.studioId,
        },
      },
      { upsert: true, returnDocument: 'after' },
    )
      .lean<{ _id: Types.ObjectId }>()
      .exec();
    if (!account) throw new Error(`migration: no account for user ${String(user._id)}`);
    await users.updateOne({ _id: user._id }, { $set: { accountId: account._id }, $unset: { passwordHash: '', emailNormalized: '' } });
    linked++;
  }
  return linked;
}
