// The member analytics as other modules see it.
export { createAnalytics, type Analytics, type AnalyticsSettings } from './analytics.js';
export { analyticsRoutes } from './analytics.routes.js';
export {
  AnalyticsService,
  type DailyTargets,
  type MemberTimeZones,
  type RebuildReport,
  type TrainingPlans,
} from './analytics.service.js';
export {
  rebuildMemberAnalytics,
  registerAnalyticsJobs,
  verifyChangedMembers,
} from './analytics.jobs.js';
