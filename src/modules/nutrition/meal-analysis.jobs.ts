import type { JobRunner } from '../../jobs/index.js';
import type { Logger } from '../../lib/logger.js';
import type { MealAnalysisService } from './meal-analysis.service.js';
import { deliverMealFeedback, sweepMealFeedback } from './meal-feedback.job.js';

// Corrections this old without a delivery lost their job (never sent, or retries spent).
const SWEEP_AFTER_SECONDS = 600;

/**
 * Feedback delivery: one job per recorded set of corrections, its id the feedback's id (sent
 * twice, still one job). A run that finds the corrections delivered does nothing; one that
 * meets the service down throws, and pg-boss retries with exponential backoff (10 tries over
 * about a day with the default 60 s base delay). Every five minutes a sweep queues a job for
 * corrections older than ten minutes still undelivered (their job could not be sent).
 */
export function registerMealAnalysisJobs(
  runner: JobRunner,
  deps: { mealAnalysis: MealAnalysisService; logger: Logger; retryDelaySeconds: number },
): void {
  runner.defineJob(
    deliverMealFeedback,
    async ({ feedbackId }, job) => {
      const outcome = await deps.mealAnalysis.deliverFeedback(feedbackId);
      deps.logger.info({ feedbackId, outcome, attempt: job.attempt }, 'meal feedback job done');
    },
    {
      retryLimit: 10,
      retryDelaySeconds: deps.retryDelaySeconds,
      retryBackoff: true,
      expireInSeconds: 120,
    },
  );

  runner.defineJob(
    sweepMealFeedback,
    async () => {
      const count = await deps.mealAnalysis.queueUndeliveredFeedback(SWEEP_AFTER_SECONDS);
      if (count > 0) deps.logger.info({ count }, 'undelivered meal feedback queued again');
    },
    { retryLimit: 0, expireInSeconds: 120 },
  );
  runner.every(sweepMealFeedback, 300);
}
