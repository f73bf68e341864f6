import { jobType, type JobRunner } from '../../jobs/index.js';
import type { Logger } from '../../lib/logger.js';
import { z } from '../../lib/zod.js';
import type { RemindersService } from './reminders.service.js';

/** Sends the workout and meal reminders that are due. */
export const sendDueReminders = jobType('notifications.send-due-reminders', z.object({}));

/**
 * The reminder scheduler: every `tickSeconds` (a minute in production) once across all
 * instances. A run that overlaps another, or a retry, is harmless: each occurrence is claimed
 * by one transaction (see `RemindersService.sendDue`). A failed run is not retried, since the
 * next tick finds the same rows still due.
 */
export function registerReminderJobs(
  runner: JobRunner,
  deps: { reminders: RemindersService; reminderTickSeconds: number; logger: Logger },
): void {
  runner.defineJob(
    sendDueReminders,
    async () => {
      const outcome = await deps.reminders.sendDue();
      if (outcome.sent + outcome.skippedTrained + outcome.missed > 0) {
        deps.logger.info(outcome, 'reminders sent');
      }
    },
    { retryLimit: 0, expireInSeconds: Math.max(120, deps.reminderTickSeconds * 2) },
  );
  runner.every(sendDueReminders, deps.reminderTickSeconds);
}
