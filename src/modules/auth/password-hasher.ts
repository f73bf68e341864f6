import { availableParallelism } from 'node:os';
import { bulkhead, BulkheadRejectedError } from 'cockatiel';
import { serviceUnavailable } from '../../lib/errors.js';
import { hashingThreads } from './hashing-threads.js';

/** Passwords are bounded in bytes because bcrypt silently ignores everything past 72. */
export const PASSWORD_MIN_BYTES = 8;
export const PASSWORD_MAX_BYTES = 72;

// Hashing is pure CPU: one core is always left to the event loop (a flood of sign-ins on two
// cores then slows sign-ins, not every other request), and at most four threads; the threads
// run at the lowest priority besides (see HASHING_NICENESS).
export const CONCURRENT_HASHES = Math.min(4, Math.max(1, availableParallelism() - 1));
export const QUEUED_HASHES = 64;

/**
 * bcrypt hashing at a configured cost, plus a decoy comparison for unknown accounts. All work
 * passes one bulkhead (at most CONCURRENT_HASHES running, QUEUED_HASHES waiting), so a flood of
 * sign-ins is refused with 503 at once instead of queueing minutes of hashing long after the
 * clients gave up. The hashing itself runs on low-priority threads (HashingThreads).
 */
export class PasswordHasher {
  private decoyHash?: Promise<string>;
  private readonly gate = bulkhead(CONCURRENT_HASHES, QUEUED_HASHES);
  private readonly threads = hashingThreads;

  constructor(private readonly cost: number) {}

  hash(password: string, signal?: AbortSignal): Promise<string> {
    return this.run(() => this.threads.hash(password, this.cost), signal);
  }

  verify(password: string, hash: string, signal?: AbortSignal): Promise<boolean> {
    return this.run(() => this.threads.compare(password, hash), signal);
  }

  /**
   * Spends the same bcrypt work as a real comparison and always fails, so a login for an
   * account that does not exist takes as long as one with a wrong password.
   */
  async verifyDecoy(password: string, signal?: AbortSignal): Promise<false> {
    this.decoyHash ??= this.threads.hash('decoy-password-never-matches', this.cost);
    const decoy = await this.decoyHash;
    await this.run(() => this.threads.compare(password, decoy), signal);
    return false;
  }

  /** A client that hung up while its job waited gets nothing from the work, so none is done. */
  private async run<T>(job: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    try {
      return await this.gate.execute(job, signal);
    } catch (error) {
      if (error instanceof BulkheadRejectedError) {
        throw serviceUnavailable('The server is busy checking passwords; retry shortly.', 1);
      }
      throw error;
    }
  }
}
