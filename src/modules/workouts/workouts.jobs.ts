import { jobType, type JobRunner } from '../../jobs/index.js';
import type { Logger } from '../../lib/logger.js';
import { z } from '../../lib/zod.js';
import type { WorkoutsService } from './workouts.service.js';

/** Copies the Workout Planning service's exercise catalogue into our library table. */
export const refreshExerciseLibrary = jobType('workouts.refresh-exercise-library', z.object({}));

/** Daily at 03:17 UTC: the catalogue changes rarely, and the night is quiet for the provider. */
const DAILY_REFRESH = '17 3 * * *';

/** The workouts feature's jobs. */
export function registerWorkoutsJobs(
  runner: JobRunner,
  deps: { workouts: WorkoutsService; logger: Logger },
): void {
  runner.defineJob(
    refreshExerciseLibrary,
    async () => {
      const copied = await deps.workouts.refreshServiceLibrary();
      deps.logger.info({ copied }, 'exercise library refreshed');
    },
    { retryLimit: 3, retryDelaySeconds: 60, retryBackoff: true },
  );
  runner.cron(refreshExerciseLibrary, DAILY_REFRESH);
}
