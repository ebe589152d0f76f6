// The check a signed-in person passes before an action that outlives their session (a new password, a new
// API token): their account's current password. A "fresh sign-in" rule would not do: a stolen 15-minute
// session is always fresh, and only the password tells its thief apart from its owner.
import { AuthorizationError, NotFoundError } from '../../shared/errors';
import type { AccountRepository } from '../repositories/AccountRepository';
import type { UserRepository } from '../repositories/UserRepository';
import type { AccountDoc } from '../repositories/models/Account';
import type { UserDoc } from '../repositories/models/User';
import type { PasswordHasher } from './PasswordHasher';
import type { Actor } from './types';

export class CurrentPassword {
  constructor(private readonly deps: { users: UserRepository; accounts: AccountRepository; passwords: PasswordHasher }) {}

  /** The caller's membership (read from MongoDB now) and account, or 403 CURRENT_PASSWORD_WRONG. */
  async confirm(actor: Actor, password: string): Promise<{ member: UserDoc; account: AccountDoc }> {
    const member = await this.deps.users.findById(actor.studioId, actor.id);
    // A bot has no account (and acts only through tokens, which never reach here).
    const account = member && member.kind !== 'BOT' ? await this.deps.accounts.findById(member.accountId) : null;
    if (!member || !account) throw new NotFoundError('USER_NOT_FOUND', 'User not found');
    if (!(await this.deps.passwords.verify(password, account.passwordHash))) {
      // Not a 401: the access token is fine, and a client must not read this as "refresh and retry".
      throw new AuthorizationError('CURRENT_PASSWORD_WRONG', 'The current password is wrong', { details: [{ path: 'currentPassword', message: 'does not match your current password' }] });
    }
    return { member, account };
  }
}
