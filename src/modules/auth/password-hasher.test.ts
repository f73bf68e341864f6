import { describe, expect, it } from 'vitest';
import { AppError } from '../../lib/errors.js';
import { CONCURRENT_HASHES, PasswordHasher, QUEUED_HASHES } from './password-hasher.js';

describe('PasswordHasher', () => {
  it('when more checks arrive than it runs and queues, then the rest are refused with 503 at once', async () => {
    const hasher = new PasswordHasher(4);
    const hash = await hasher.hash('correct horse battery');
    // Some run (one per core but one), 64 wait; everything past that is refused unqueued.
    const outcomes = await Promise.allSettled(
      Array.from({ length: 100 }, () => hasher.verify('wrong password', hash)),
    );
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(refused).toHaveLength(100 - CONCURRENT_HASHES - QUEUED_HASHES);
    for (const outcome of refused) {
      expect(outcome.reason).toBeInstanceOf(AppError);
      expect((outcome.reason as AppError).status).toBe(503);
    }
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(
      CONCURRENT_HASHES + QUEUED_HASHES,
    );
    await expect(hasher.verify('correct horse battery', hash)).resolves.toBe(true);
  });

  it('when the client has hung up, then no bcrypt work is done for it', async () => {
    const hasher = new PasswordHasher(4);
    const hash = await hasher.hash('correct horse battery');
    const hangUp = new AbortController();
    hangUp.abort();
    await expect(hasher.verify('correct horse battery', hash, hangUp.signal)).rejects.toThrow();
  });
});
