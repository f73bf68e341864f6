import type { JobRunner } from '../../jobs/index.js';
import type { Logger } from '../../lib/logger.js';
import type { MealAnalysisService } from './meal-analysis.service.js';
import { deliverMealFeedback } from './meal-feedback.job.js';

/**
 * Feedback delivery: one job per recorded set of corrections, its id the feedback's id (sent
 * twice, still one job). A run that finds the corrections delivered does nothing; one that
 * meets the service down throws, and pg-boss retries with exponential backoff (10 tries over
 * about a day with the default 60 s base delay).
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
}
