import type { NotificationRequest } from '../notifications/index.js';
import { progressOf, type Achievement, type Measures } from './achievements.js';
import type {
  AchievementProgressView,
  PointsLedgerEntry,
  UnlockedAchievementView,
} from './rewards.schemas.js';
import type { PointsLedgerRow, UserAchievementRow } from './rewards.table.js';

export function presentLedgerEntry(row: PointsLedgerRow): PointsLedgerEntry {
  return {
    id: row.id,
    rule: row.rule,
    amount: row.amount,
    sourceKind: row.sourceKind,
    sourceId: row.sourceId,
    day: row.day,
    reversesId: row.reversesId,
    createdAt: row.createdAt.toISOString(),
  };
}

const describe = ({ key, title, description, category, points }: Achievement) => ({
  key,
  title,
  description,
  category,
  points,
});

export function presentUnlocked(
  row: UserAchievementRow,
  achievement: Achievement,
): UnlockedAchievementView {
  return { ...describe(achievement), unlockedAt: row.unlockedAt.toISOString() };
}

export function presentProgress(
  achievement: Achievement,
  measures: Measures,
): AchievementProgressView {
  return { ...describe(achievement), progress: progressOf(achievement, measures) };
}

/**
 * What a member is told when they unlock something; on `/workouts` it arrives as a
 * `notification` `{ type: 'achievement-unlocked', message, at, key, title, points }`.
 */
export function achievementNotification(
  userId: string,
  achievement: Achievement,
  unlockedAt: Date,
): NotificationRequest {
  return {
    userId,
    kind: 'achievement-unlocked',
    title: 'Achievement unlocked',
    body: `Achievement unlocked: ${achievement.title}`,
    data: {
      key: achievement.key,
      title: achievement.title,
      points: achievement.points,
      // The event's `at` is when it was unlocked.
      at: unlockedAt.toISOString(),
    },
    dedupeKey: `achievement-unlocked:${achievement.key}`,
  };
}
