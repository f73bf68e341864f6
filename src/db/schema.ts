// Every table of every module, for drizzle-kit and for the typed query builder.
export * from '../modules/users/users.table.js';
export * from '../modules/users/body-composition.table.js';
export * from '../modules/auth/auth.table.js';
export * from '../modules/auth/recovery.table.js';
export * from '../modules/workouts/workouts.table.js';
export * from '../modules/nutrition/nutrition.table.js';
export * from '../modules/gym-floor/gym-floor.table.js';
export * from '../modules/idempotency/idempotency.table.js';
export * from '../modules/workout-logs/workout-logs.table.js';
export * from '../modules/nutrition/meal-logs.table.js';
export * from './deleted-records.table.js';
export * from '../modules/rewards/rewards.table.js';
export * from '../modules/analytics/analytics.table.js';
export * from '../modules/files/files.table.js';
export * from '../modules/social/social.table.js';
export * from '../modules/social/leaderboard.table.js';
export * from '../modules/notifications/reminders.table.js';
