import bcrypt from 'bcrypt';

/** Passwords are bounded in bytes because bcrypt silently ignores everything past 72. */
export const PASSWORD_MIN_BYTES = 8;
export const PASSWORD_MAX_BYTES = 72;

/** bcrypt hashing at a configured cost, plus a decoy comparison for unknown accounts. */
export class PasswordHasher {
  private decoyHash?: Promise<string>;

  constructor(private readonly cost: number) {}

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.cost);
  }

  verify(password: string, hash: string): Promise<boolean> {
    return bcrypt.compare(password, hash);
  }

  /**
   * Spends the same bcrypt work as a real comparison and always fails, so a login for an
   * account that does not exist takes as long as one with a wrong password.
   */
  async verifyDecoy(password: string): Promise<false> {
    this.decoyHash ??= bcrypt.hash('decoy-password-never-matches', this.cost);
    await bcrypt.compare(password, await this.decoyHash);
    return false;
  }
}
