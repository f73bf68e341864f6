// Idempotency records as the middleware and the job registry see them.
export {
  idempotencyRepository,
  type IdempotencyClaim,
  type IdempotencyOutcome,
} from './idempotency.repository.js';
export { purgeExpiredIdempotencyKeys, registerIdempotencyJobs } from './idempotency.jobs.js';
export type { IdempotencyKeyRow } from './idempotency.table.js';
