// The workout-logs feature as other modules see it.
export {
  WorkoutLogsService,
  type ActiveWorkoutPlans,
  type MemberPresence,
  type MemberTimeZones,
} from './workout-logs.service.js';
export type { ScheduledPlan } from './plan-schedule.js';
export {
  workoutProgressAckSchema,
  workoutProgressPayload,
  workoutProgressRecord,
  type WorkoutProgressPayload,
} from './workout-logs.schemas.js';
export type { ImportedSet, ImportedWorkoutLog, ImportOutcome } from './imported-log.js';
export { workoutLogsRoutes } from './workout-logs.routes.js';
export {
  EXPORT_PAGE_SIZE,
  WorkoutLogTransferService,
  workoutLogTransferRoutes,
} from './import/index.js';
export { workoutsSocket } from './workout-logs.socket.js';
export { instantOf, type WallTime } from './import/wall-clock.js';
