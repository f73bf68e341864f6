import { jobType, type JobRunner } from '../../jobs/index.js';
import type { Logger } from '../../lib/logger.js';
import { z } from '../../lib/zod.js';
import { scheduleCatalogueRefresh } from '../plans/index.js';
import type { WorkoutsService } from './workouts.service.js';

/** Copies the Workout Planning service's exercise catalogue into our library table. */
export const refreshExerciseLibrary = jobType('workouts.refresh-exercise-library', z.object({}));

/** The workouts feature's jobs. */
export function registerWorkoutsJobs(
  runner: JobRunner,
  deps: { workouts: WorkoutsService; logger: Logger },
): void {
  scheduleCatalogueRefresh(runner, refreshExerciseLibrary, {
    // Daily at 03:17 UTC: the catalogue changes rarely, and the night is quiet for the provider.
    cron: '17 3 * * *',
    refresh: () => deps.workouts.refreshServiceLibrary(),
    logger: deps.logger,
    refreshed: 'exercise library refreshed',
  });
}
