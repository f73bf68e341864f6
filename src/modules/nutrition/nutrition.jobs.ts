import { jobType, type JobRunner } from '../../jobs/index.js';
import type { Logger } from '../../lib/logger.js';
import { z } from '../../lib/zod.js';
import { scheduleCatalogueRefresh } from '../plans/index.js';
import type { NutritionService } from './nutrition.service.js';

/** Copies the Nutrition Planning service's food database into our foods table. */
export const refreshFoodDatabase = jobType('nutrition.refresh-food-database', z.object({}));

/** The nutrition feature's jobs. */
export function registerNutritionJobs(
  runner: JobRunner,
  deps: { nutrition: NutritionService; logger: Logger },
): void {
  scheduleCatalogueRefresh(runner, refreshFoodDatabase, {
    // Daily at 03:27 UTC, ten minutes after the exercise library, so the two do not overlap.
    cron: '27 3 * * *',
    refresh: () => deps.nutrition.refreshServiceFoods(),
    logger: deps.logger,
    refreshed: 'food database refreshed',
  });
}
