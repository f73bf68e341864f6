// Follows, blocks, privacy, the feed and leaderboards.
export {
  follows,
  privacySettings,
  socialSettings,
  userBlocks,
  type FollowStatus,
  type PrivacySetting,
} from './social.table.js';
