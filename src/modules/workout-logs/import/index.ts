// Workout logs in and out as CSV (Strong/Hevy import, our export), as the app and container see
// it. The workout logs feature re-exports it from its own index.ts.
export { workoutLogTransferRoutes } from './workout-log-transfer.routes.js';
export {
  WorkoutLogTransferService,
  type ExerciseNameLookup,
  type ImportSummary,
  type WorkoutLogImporter,
  type WorkoutLogTransferDeps,
  type WorkoutLogTransferSettings,
} from './workout-log-transfer.service.js';
export { parseWorkoutCsv, derivedExerciseId } from './workout-csv.parser.js';

/** Log entries read per query of a CSV export; each page's sets come with it. */
export const EXPORT_PAGE_SIZE = 500;
