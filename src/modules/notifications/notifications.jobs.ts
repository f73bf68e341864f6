import { jobType, type JobRunner } from '../../jobs/index.js';
import type { Logger } from '../../lib/logger.js';
import { z } from '../../lib/zod.js';

/** Pushes one notification to the member's devices (job id = notification id). */
export const deliverPush = jobType(
  'notifications.deliver-push',
  z.object({ notificationId: z.uuid() }),
);
/** Queues delivery jobs that were never queued (a crash after the commit, RUN_JOBS=false). */
export const dispatchPushes = jobType('notifications.dispatch-pushes', z.object({}));

const DISPATCH_BATCH = 200;

/** What the jobs call; the notification service provides it. */
interface PushDelivery {
  deliverPush(
    notificationId: string,
    run: { attempt: number; retryLimit: number },
  ): Promise<{ sent: number; gone: number; retry: number; failed: number }>;
  dispatchUnqueued(limit: number): Promise<number>;
}

/**
 * Push delivery: one job per notification, retried with exponential backoff while a device's
 * service is down; the per-device delivery rows keep each device to one push across retries and
 * instances. The dispatcher runs every `dispatchIntervalSeconds`, once across instances.
 */
export function registerNotificationJobs(
  runner: JobRunner,
  deps: {
    notifications: PushDelivery;
    logger: Logger;
    push: { dispatchIntervalSeconds: number; retryLimit: number; retryDelaySeconds: number };
  },
): void {
  runner.defineJob(
    deliverPush,
    async ({ notificationId }, run) => {
      const tally = await deps.notifications.deliverPush(notificationId, run);
      if (tally.gone + tally.failed > 0) deps.logger.info({ notificationId, ...tally }, 'pushed');
    },
    {
      retryLimit: deps.push.retryLimit,
      retryDelaySeconds: deps.push.retryDelaySeconds,
      retryBackoff: true,
      expireInSeconds: 120,
    },
  );
  runner.defineJob(
    dispatchPushes,
    async () => {
      const count = await deps.notifications.dispatchUnqueued(DISPATCH_BATCH);
      if (count > 0) deps.logger.info({ count }, 'push jobs queued by the dispatcher');
    },
    { retryLimit: 0, expireInSeconds: 120 },
  );
  runner.every(dispatchPushes, deps.push.dispatchIntervalSeconds);
}
