import type { Database } from '../../db/database.js';
import type { DomainEvents } from '../../lib/events/domain-events.js';
import type { Logger } from '../../lib/logger.js';
import {
  AnalyticsService,
  type DailyTargets,
  type MemberTimeZones,
  type TrainingPlans,
} from './analytics.service.js';

/** How the verification job runs. */
export interface AnalyticsSettings {
  /** How often members with changed rollups are checked against their raw rows. */
  verifyIntervalSeconds: number;
  /** At most this many members per run. */
  verifyBatchSize: number;
}

/** The analytics service and its job settings. */
export interface Analytics {
  service: AnalyticsService;
  settings: AnalyticsSettings;
}

/**
 * Builds the analytics and subscribes it to the in-transaction log events, so each log or meal
 * change rewrites the rollups of the days it touched before its transaction commits.
 */
export function createAnalytics(deps: {
  db: Database;
  logger: Logger;
  events: DomainEvents;
  timeZones: MemberTimeZones;
  plans: TrainingPlans;
  targets: DailyTargets;
  settings: AnalyticsSettings;
}): Analytics {
  const service = new AnalyticsService(deps);
  deps.events.on('workout-logs.changed', ({ uow, userId, change, log, previousDay }) =>
    service.onWorkoutLogChanged({ uow, userId, change, logId: log.id, day: log.day, previousDay }),
  );
  deps.events.on('meal-logs.changed', ({ uow, userId, meal, previousDay }) =>
    service.onMealLogChanged({ uow, userId, day: meal.day, previousDay }),
  );
  return { service, settings: deps.settings };
}
