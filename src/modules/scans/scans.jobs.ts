import { jobType, type JobRunner } from '../../jobs/index.js';
import type { Logger } from '../../lib/logger.js';
import { z } from '../../lib/zod.js';
import type { ScanProcessing } from './scan-processing.js';

/** Finds scans whose next step is due and queues one `scans.advance` job for each. */
export const dispatchScans = jobType('scans.dispatch', z.object({}));
/** Does one scan's next step with the 3D Scanning service (submit, poll, store the model). */
export const advanceScan = jobType('scans.advance', z.object({ scanId: z.uuid() }));

/**
 * The scans' jobs. The scan rows are the queue: an upload or a callback sets `next_step_at`,
 * and `scans.dispatch` (every SCAN_DISPATCH_INTERVAL_SECONDS, once across instances) claims due
 * rows and queues their steps, so API instances that do not run jobs never need to send one.
 * A step reschedules itself (poll backoff, quota window, service down); it is not retried by
 * the queue, and a step lost with its worker is picked up again when its claim lapses.
 */
export function registerScansJobs(
  runner: JobRunner,
  deps: { scanProcessing: ScanProcessing; scanDispatchIntervalSeconds: number; logger: Logger },
): void {
  runner.defineJob(
    dispatchScans,
    async () => {
      const count = await deps.scanProcessing.dispatchDue(async (scanId) => {
        await runner.send(advanceScan, { scanId });
      });
      if (count > 0) deps.logger.debug({ count }, 'scan steps queued');
    },
    { retryLimit: 0, expireInSeconds: 120 },
  );
  runner.every(dispatchScans, deps.scanDispatchIntervalSeconds);
  runner.defineJob(advanceScan, ({ scanId }) => deps.scanProcessing.advance(scanId), {
    retryLimit: 0,
    expireInSeconds: 240,
  });
}
