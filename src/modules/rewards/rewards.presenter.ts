import type { NotificationEvent } from '../../realtime/event-maps.js';
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

/** The `notification` a member's devices receive on `/workouts` when they unlock something. */
export interface AchievementNotification extends NotificationEvent {
  type: 'achievement-unlocked';
  key: string;
  title: string;
  points: number;
}

export function achievementNotification(
  achievement: Achievement,
  unlockedAt: Date,
): AchievementNotification {
  return {
    type: 'achievement-unlocked',
    message: `Achievement unlocked: ${achievement.title}`,
    at: unlockedAt.toISOString(),
    key: achievement.key,
    title: achievement.title,
    points: achievement.points,
  };
}
