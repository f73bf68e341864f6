// Follows, blocks, privacy, the feed and leaderboards.
export {
  feedWorkouts,
  follows,
  privacySettings,
  socialSettings,
  userBlocks,
  type FollowStatus,
  type PrivacySetting,
} from './social.table.js';
export {
  SocialService,
  type AchievementDescriptions,
  type SocialServiceDeps,
} from './social.service.js';
export { socialRoutes } from './social.routes.js';
export { WORKOUT_QUIET_MINUTES } from './feed.repository.js';
export { LeaderboardService } from './leaderboard.service.js';
export { leaderboardRoutes } from './leaderboard.routes.js';
