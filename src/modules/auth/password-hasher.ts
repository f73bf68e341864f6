import bcrypt from 'bcrypt';
import { WorkGate } from '../../lib/work-gate.js';

/** Passwords are bounded in bytes because bcrypt silently ignores everything past 72. */
export const PASSWORD_MIN_BYTES = 8;
export const PASSWORD_MAX_BYTES = 72;

// libuv runs four thread-pool jobs at once by default; more in flight would only queue there.
const CONCURRENT_HASHES = 4;
const QUEUED_HASHES = 64;

/**
 * bcrypt hashing at a configured cost, plus a decoy comparison for unknown accounts. All work
 * passes one gate, so a flood of sign-ins is refused with 503 instead of queueing without end.
 */
export class PasswordHasher {
  private decoyHash?: Promise<string>;
  private readonly gate = new WorkGate(CONCURRENT_HASHES, QUEUED_HASHES);

  constructor(private readonly cost: number) {}

  hash(password: string, signal?: AbortSignal): Promise<string> {
    return this.gate.run(() => bcrypt.hash(password, this.cost), signal);
  }

  verify(password: string, hash: string, signal?: AbortSignal): Promise<boolean> {
    return this.gate.run(() => bcrypt.compare(password, hash), signal);
  }

  /**
   * Spends the same bcrypt work as a real comparison and always fails, so a login for an
   * account that does not exist takes as long as one with a wrong password.
   */
  async verifyDecoy(password: string, signal?: AbortSignal): Promise<false> {
    this.decoyHash ??= bcrypt.hash('decoy-password-never-matches', this.cost);
    const decoy = await this.decoyHash;
    await this.gate.run(() => bcrypt.compare(password, decoy), signal);
    return false;
  }
}
