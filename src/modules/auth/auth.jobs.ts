import { jobType, type JobRunner } from '../../jobs/index.js';
import type { Logger } from '../../lib/logger.js';
import { z } from '../../lib/zod.js';
import type { AuthService } from './auth.service.js';

/** Deletes login-throttle counters whose window, lockout and streak are all over. */
export const pruneLoginThrottle = jobType('auth.prune-login-throttle', z.object({}));

/**
 * The auth module's housekeeping: hourly, once across all instances. Counters past their
 * expiry already mean nothing, so a missed run only leaves dead rows a little longer.
 */
export function registerAuthJobs(
  runner: JobRunner,
  deps: { auth: AuthService; logger: Logger },
): void {
  runner.defineJob(
    pruneLoginThrottle,
    async () => {
      const count = await deps.auth.pruneLoginThrottle();
      if (count > 0) deps.logger.info({ count }, 'expired login-throttle counters deleted');
    },
    { retryLimit: 0 },
  );
  runner.every(pruneLoginThrottle, 3600);
}
