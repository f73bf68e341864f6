import { jobType, type JobRunner } from '../../jobs/index.js';
import { describeErrorForLog } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { z } from '../../lib/zod.js';
import type { AccountMail } from './account-mail.js';
import type { AuthService } from './auth.service.js';

/** Deletes login-throttle counters whose window, lockout and streak are all over. */
export const pruneLoginThrottle = jobType('auth.prune-login-throttle', z.object({}));
/** Hands queued account email to delivery jobs, one per message. */
export const dispatchAccountMail = jobType('auth.dispatch-mail', z.object({}));
/** Sends one queued message (its outbox row), with retries. */
export const deliverAccountMail = jobType('auth.deliver-mail', z.object({ id: z.uuid() }));
/** Deletes expired link tokens and messages that failed every retry. */
export const pruneAccountTokens = jobType('auth.prune-account-tokens', z.object({}));

// Messages per dispatch run; more wait for the next run moments later.
const DISPATCH_BATCH = 100;

/**
 * The auth module's jobs. Housekeeping runs hourly, once across all instances. Account email:
 * the request writes an outbox row in its own transaction; `auth.dispatch-mail` (every
 * MAIL_DISPATCH_INTERVAL_SECONDS, once across instances) queues one `auth.deliver-mail` job per
 * row, with the row's id as the job's id, so a row dispatched twice is still one job; that job
 * renders and sends, retrying with backoff (SMTP down, relay refusing) up to six attempts.
 */
export function registerAuthJobs(
  runner: JobRunner,
  deps: {
    auth: AuthService;
    accountMail: AccountMail;
    mailDispatchIntervalSeconds: number;
    logger: Logger;
  },
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

  runner.defineJob(
    pruneAccountTokens,
    async () => {
      const count = await deps.accountMail.prune();
      if (count > 0) deps.logger.info({ count }, 'expired link tokens and stale email deleted');
    },
    { retryLimit: 0 },
  );
  runner.every(pruneAccountTokens, 3600);

  runner.defineJob(
    dispatchAccountMail,
    async () => {
      const ids = await deps.accountMail.takeUndispatched(DISPATCH_BATCH);
      const failed: string[] = [];
      for (const id of ids) {
        try {
          await runner.send(deliverAccountMail, { id }, { id });
        } catch (error) {
          failed.push(id);
          deps.logger.warn({ error: describeErrorForLog(error) }, 'email job not queued; retried');
        }
      }
      if (failed.length > 0) await deps.accountMail.undispatch(failed);
    },
    { retryLimit: 0, expireInSeconds: 120 },
  );
  runner.every(dispatchAccountMail, deps.mailDispatchIntervalSeconds);

  runner.defineJob(
    deliverAccountMail,
    async ({ id }) => {
      await deps.accountMail.deliver(id);
    },
    { retryLimit: 5, retryDelaySeconds: 10, retryBackoff: true, expireInSeconds: 120 },
  );
}
