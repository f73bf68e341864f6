import type { Database } from '../../db/database.js';
import { jobType, type JobRunner } from '../../jobs/index.js';
import type { Logger } from '../../lib/logger.js';
import { z } from '../../lib/zod.js';
import { idempotencyRepository } from './idempotency.repository.js';

/** Deletes expired idempotency records. */
export const purgeExpiredIdempotencyKeys = jobType('idempotency.purge-expired', z.object({}));

const PURGE_INTERVAL_SECONDS = 3_600;
// Small batches keep each delete short, so it never holds many row locks at once.
const PURGE_BATCH = 5_000;
const PURGE_MAX_BATCHES = 100;

/**
 * Hourly purge of expired keys. Claims already ignore and take over expired rows, so this only
 * bounds the table's size; a failed run is not retried, the next hour does the same work.
 */
export function registerIdempotencyJobs(
  runner: JobRunner,
  deps: { db: Database; logger: Logger },
): void {
  runner.defineJob(
    purgeExpiredIdempotencyKeys,
    async (_data, job) => {
      let total = 0;
      for (let batch = 0; batch < PURGE_MAX_BATCHES && !job.signal.aborted; batch += 1) {
        const deleted = await idempotencyRepository.deleteExpired(deps.db, PURGE_BATCH);
        total += deleted;
        if (deleted < PURGE_BATCH) break;
      }
      if (total > 0) deps.logger.info({ count: total }, 'expired idempotency keys deleted');
    },
    { retryLimit: 0, expireInSeconds: 600 },
  );
  runner.every(purgeExpiredIdempotencyKeys, PURGE_INTERVAL_SECONDS);
}
