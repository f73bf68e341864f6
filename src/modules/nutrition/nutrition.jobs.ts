import { jobType, type JobRunner } from '../../jobs/index.js';
import type { Logger } from '../../lib/logger.js';
import { z } from '../../lib/zod.js';
import type { NutritionService } from './nutrition.service.js';

/** Copies the Nutrition Planning service's food database into our foods table. */
export const refreshFoodDatabase = jobType('nutrition.refresh-food-database', z.object({}));

/** Daily at 03:27 UTC, ten minutes after the exercise library, so the two do not overlap. */
const DAILY_REFRESH = '27 3 * * *';

/** The nutrition feature's jobs. */
export function registerNutritionJobs(
  runner: JobRunner,
  deps: { nutrition: NutritionService; logger: Logger },
): void {
  runner.defineJob(
    refreshFoodDatabase,
    async () => {
      const copied = await deps.nutrition.refreshServiceFoods();
      deps.logger.info({ copied }, 'food database refreshed');
    },
    { retryLimit: 3, retryDelaySeconds: 60, retryBackoff: true },
  );
  runner.cron(refreshFoodDatabase, DAILY_REFRESH);
}
