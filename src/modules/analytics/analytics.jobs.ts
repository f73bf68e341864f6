import { jobType, type JobRunner } from '../../jobs/index.js';
import type { Logger } from '../../lib/logger.js';
import { z } from '../../lib/zod.js';
import type { Analytics } from './analytics.js';

/** Checks one member's rollups against the raw rows and rewrites them when they differ. */
export const rebuildMemberAnalytics = jobType(
  'analytics.rebuild-member',
  z.object({ userId: z.uuid() }),
);
/** Does the same for the members whose rollups changed since their last check. */
export const verifyChangedMembers = jobType('analytics.verify-changed-members', z.object({}));

/**
 * The safety net under the in-transaction rollups: they are exact as long as every log change
 * announces the days it touched, and these jobs find and correct (and log) any drift when
 * something did not, e.g. a log moved to another day without its previous day.
 */
export function registerAnalyticsJobs(
  runner: JobRunner,
  deps: { analytics: Analytics; logger: Logger },
): void {
  const { service, settings } = deps.analytics;
  runner.defineJob(rebuildMemberAnalytics, async ({ userId }) => {
    await service.rebuildMember(userId);
  });
  runner.defineJob(
    verifyChangedMembers,
    async () => {
      const reports = await service.verifyChangedMembers(settings.verifyBatchSize);
      if (reports.length > 0) deps.logger.info({ members: reports.length }, 'analytics verified');
    },
    // The next run picks up whatever this one did not finish.
    { retryLimit: 0, expireInSeconds: Math.max(300, settings.verifyIntervalSeconds * 2) },
  );
  runner.every(verifyChangedMembers, settings.verifyIntervalSeconds);
}
