// bcrypt in libuv's thread pool (never on the event loop), with a dummy hash so an unknown email costs
// the same work as a wrong password.
import bcrypt from 'bcrypt';

export class PasswordHasher {
  private dummy?: Promise<string>;

  constructor(private readonly cost: number) {}

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.cost);
  }

  verify(password: string, hash: string): Promise<boolean> {
    return bcrypt.compare(password, hash);
  }

  /** Spends one full compare against a hash of the configured cost; always false. */
  async burn(password: string): Promise<false> {
    this.dummy ??= bcrypt.hash('timing-equaliser-not-a-password', this.cost);
    await bcrypt.compare(password, await this.dummy);
    return false;
  }
}
