import type { Database } from './db/database.js';
import type { Logger } from './lib/logger.js';
import { registerAnalyticsJobs, type Analytics } from './modules/analytics/index.js';
import { registerAuthJobs, type AccountMail, type AuthService } from './modules/auth/index.js';
import { registerFilesJobs, type FilesService } from './modules/files/index.js';
import { registerGymFloorJobs, type GymFloor } from './modules/gym-floor/index.js';
import { registerIdempotencyJobs } from './modules/idempotency/index.js';
import {
  registerMealAnalysisJobs,
  registerNutritionJobs,
  type MealAnalysisService,
  type NutritionService,
} from './modules/nutrition/index.js';
import { registerWorkoutsJobs, type WorkoutsService } from './modules/workouts/index.js';
import { registerReminderJobs, type RemindersService } from './modules/notifications/index.js';
import { registerScansJobs, type ScanProcessing } from './modules/scans/index.js';
import {
  registerNotificationJobs,
  type NotificationService,
  type PushConfig,
} from './modules/notifications/index.js';
import type { JobRunner } from './jobs/index.js';

/**
 * What job handlers may use. Every process that runs jobs (the API server, `src/worker.ts`)
 * builds it; a feature whose jobs need more (the cache, another service) adds the field here.
 */
export interface JobDependencies {
  logger: Logger;
  /** The main database, for jobs that keep cross-cutting tables (idempotency records). */
  db: Database;
  auth: AuthService;
  /** Account email (verification, reset, notices) and how often its outbox is dispatched. */
  accountMail: AccountMail;
  mailDispatchIntervalSeconds: number;
  workouts: WorkoutsService;
  nutrition: NutritionService;
  /** Delivers meal-analysis corrections to the Meal Detection service. */
  mealAnalysis: MealAnalysisService;
  mealFeedbackRetryDelaySeconds: number;
  gymFloor: GymFloor;
  analytics: Analytics;
  /** Workout and meal reminders, and how often the scheduler looks for due ones. */
  reminders: RemindersService;
  reminderTickSeconds: number;
  files: FilesService;
  /** Body scans' steps with the 3D Scanning service, and how often due ones are dispatched. */
  scanProcessing: ScanProcessing;
  scanDispatchIntervalSeconds: number;
  notifications: NotificationService;
  /** Push delivery: retries and how often unqueued pushes are looked for. */
  push: PushConfig;
}

/**
 * Defines all features' jobs and repeating schedules on a runner, before `runner.start()`.
 *
 * A feature keeps its jobs in `src/modules/<feature>/<feature>.jobs.ts`: `jobType(...)`
 * declarations that its services import to send jobs, and one `register<Feature>Jobs(runner,
 * deps)` that calls `runner.defineJob` / `every` / `cron`. That function is exported through the
 * feature's `index.ts` and called here, one line per feature, e.g.
 *
 *     registerSessionJobs(runner, deps);
 *
 * Every process that starts a runner calls this same registry, so any instance can work any job,
 * and `every` schedules tick from all of them yet run once per interval.
 */
export function registerJobs(runner: JobRunner, deps: JobDependencies): void {
  registerAuthJobs(runner, deps);
  registerWorkoutsJobs(runner, deps);
  registerNutritionJobs(runner, deps);
  registerMealAnalysisJobs(runner, {
    mealAnalysis: deps.mealAnalysis,
    logger: deps.logger,
    retryDelaySeconds: deps.mealFeedbackRetryDelaySeconds,
  });
  registerGymFloorJobs(runner, deps);
  registerIdempotencyJobs(runner, deps);
  registerAnalyticsJobs(runner, deps);
  registerReminderJobs(runner, deps);
  registerFilesJobs(runner, deps);
  registerScansJobs(runner, deps);
  registerNotificationJobs(runner, deps);
}
