// Follows, blocks, privacy, the feed and leaderboards.
export {
  follows,
  privacySettings,
  socialSettings,
  userBlocks,
  type FollowStatus,
  type PrivacySetting,
} from './social.table.js';
export { LeaderboardService } from './leaderboard.service.js';
export { leaderboardRoutes } from './leaderboard.routes.js';
