// Points and achievements as other modules (and the container) see them.
export {
  RewardsService,
  type CheckIn,
  type DailyTargets,
  type MemberTimeZones,
  type RewardsServiceDeps,
} from './rewards.service.js';
export { rewardsRoutes } from './rewards.routes.js';
export { achievementOf } from './achievements.js';
export { periodEnd, periodStart, pointPeriods, type PointPeriod } from './point-periods.js';
