import { addDays } from '../../lib/time/calendar-days.js';
import { describe, expect, it } from 'vitest';
import {
  achievementCatalogue,
  currentRun,
  progressOf,
  reachedAchievements,
  runThrough,
  withinCalorieTarget,
  type Measures,
} from './achievements.js';

const none: Measures = {
  workoutDays: 0,
  completedSets: 0,
  volumeKg: 0,
  recordLogs: 0,
  gymVisitDays: 0,
  meals: 0,
  goalDays: 0,
  workoutStreak: 0,
  mealStreak: 0,
  calorieStreak: 0,
};

describe('the achievement catalogue', () => {
  it('when listed, then there are at least 20 with unique keys, positive thresholds and bonuses', () => {
    expect(achievementCatalogue.length).toBeGreaterThanOrEqual(20);
    expect(new Set(achievementCatalogue.map((a) => a.key)).size).toBe(achievementCatalogue.length);
    for (const achievement of achievementCatalogue) {
      expect(achievement.threshold).toBeGreaterThan(0);
      expect(achievement.points).toBeGreaterThan(0);
      expect(achievement.title.length).toBeGreaterThan(0);
    }
  });

  it('when a measure reaches a threshold, then exactly the achievements at or below it are reached, less the unlocked ones', () => {
    const reached = reachedAchievements({ ...none, completedSets: 1_000 }, new Set(['sets-100']));
    expect(reached.map((a) => a.key)).toEqual(['sets-1000']);
    expect(reachedAchievements({ ...none, completedSets: 999 }, new Set())).toHaveLength(1);
  });

  it('when progress is shown, then it is capped at the target and rounded down', () => {
    const sets1000 = achievementCatalogue.find((a) => a.key === 'sets-1000');
    const volume = achievementCatalogue.find((a) => a.key === 'volume-10t');
    if (!sets1000 || !volume) throw new Error('catalogue changed');
    expect(progressOf(sets1000, { ...none, completedSets: 337 })).toEqual({
      current: 337,
      target: 1000,
      percent: 33,
    });
    expect(progressOf(sets1000, { ...none, completedSets: 5000 })).toEqual({
      current: 1000,
      target: 1000,
      percent: 100,
    });
    expect(progressOf(volume, { ...none, volumeKg: 2500.9 }).current).toBe(2500);
  });
});

describe('streaks', () => {
  it('when days run across a month and a leap day, then the run through any of them is the whole run', () => {
    const days = new Set(['2028-02-27', '2028-02-28', '2028-02-29', '2028-03-01', '2028-03-03']);
    expect(runThrough(days, '2028-02-29')).toBe(4);
    expect(runThrough(days, '2028-03-01')).toBe(4);
    expect(runThrough(days, '2028-03-03')).toBe(1);
    expect(runThrough(days, '2028-03-02')).toBe(0);
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });

  it('when today has nothing yet, then the run ending yesterday is still the current streak; a missed day ends it', () => {
    const days = new Set(['2026-03-01', '2026-03-02', '2026-03-03']);
    expect(currentRun(days, '2026-03-03')).toBe(3);
    expect(currentRun(days, '2026-03-04')).toBe(3);
    expect(currentRun(days, '2026-03-05')).toBe(0);
  });
});

describe('calorie target', () => {
  it('when calories are within ±10% of the target, then the day is on target; outside, without meals or target, not', () => {
    expect(withinCalorieTarget(3, 2200, 2000)).toBe(true);
    expect(withinCalorieTarget(3, 1800, 2000)).toBe(true);
    expect(withinCalorieTarget(3, 2201, 2000)).toBe(false);
    expect(withinCalorieTarget(3, 1799, 2000)).toBe(false);
    expect(withinCalorieTarget(0, 2000, 2000)).toBe(false);
    expect(withinCalorieTarget(3, 2000, null)).toBe(false);
  });
});
