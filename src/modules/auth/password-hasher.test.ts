import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../lib/errors.js';
import { HASHING_NICENESS } from './hashing-threads.js';
import { CONCURRENT_HASHES, PasswordHasher, QUEUED_HASHES } from './password-hasher.js';

/** The niceness of each of this process's threads, from /proc (Linux). */
const threadNiceness = (): number[] =>
  readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // Fields after the parenthesised name: state is field 3, nice is field 19.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[16]);
  });

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

  it('when it hashes and compares, then the answers are bcrypt hashes and a wrong password fails', async () => {
    const hasher = new PasswordHasher(4);
    const hash = await hasher.hash('correct horse battery');
    expect(hash).toMatch(/^\$2b\$04\$/);
    await expect(hasher.verify('correct horse battery', hash)).resolves.toBe(true);
    await expect(hasher.verify('correct horse battery!', hash)).resolves.toBe(false);
    await expect(hasher.verifyDecoy('correct horse battery')).resolves.toBe(false);
  });

  it.runIf(process.platform === 'linux')(
    'when it hashes, then the hashing runs on a thread at the lowest priority',
    async () => {
      await new PasswordHasher(4).hash('correct horse battery');
      expect(threadNiceness()).toContain(HASHING_NICENESS);
    },
  );
});
