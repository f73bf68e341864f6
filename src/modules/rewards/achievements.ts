import { addDays } from '../../lib/time/calendar-days.js';

/** What an achievement is about, for grouping in the app. */
export const achievementCategories = [
  'workouts',
  'consistency',
  'strength',
  'gym',
  'nutrition',
] as const;
export type AchievementCategory = (typeof achievementCategories)[number];

/**
 * The figures achievements are measured on. Lifetime counts come from the member's day totals
 * (themselves recomputed from the raw logs); streaks are runs of consecutive member-local days.
 */
export interface Measures {
  /** Days with at least one completed set. */
  workoutDays: number;
  completedSets: number;
  /** Sum of weight × reps over all completed sets, in kg. */
  volumeKg: number;
  /** Log entries that set a personal record. */
  recordLogs: number;
  /** Days with at least one gym check-in. */
  gymVisitDays: number;
  meals: number;
  /** Days whose daily goal was met (see point-rules.ts). */
  goalDays: number;
  /** Consecutive days with a completed set. */
  workoutStreak: number;
  /** Consecutive days with a logged meal. */
  mealStreak: number;
  /** Consecutive days whose meals were within ±10% of the calorie target. */
  calorieStreak: number;
}
export type Measure = keyof Measures;

export interface Achievement {
  key: string;
  title: string;
  description: string;
  category: AchievementCategory;
  measure: Measure;
  /** Unlocked when the measure reaches this. */
  threshold: number;
  /** Bonus points on unlocking (ledger rule `achievement`). */
  points: number;
}

/**
 * Every achievement, in the order the app lists them. Keys are stable (stored with unlocks);
 * titles and descriptions may change. An unlock is permanent: deleting the activity that
 * earned it later takes back that activity's points but not the achievement or its bonus.
 */
export const achievementCatalogue: readonly Achievement[] = [
  {
    key: 'first-workout',
    title: 'First workout',
    description: 'Log your first completed set.',
    category: 'workouts',
    measure: 'workoutDays',
    threshold: 1,
    points: 10,
  },
  {
    key: 'training-days-10',
    title: 'Ten training days',
    description: 'Train on 10 different days.',
    category: 'workouts',
    measure: 'workoutDays',
    threshold: 10,
    points: 25,
  },
  {
    key: 'training-days-100',
    title: 'Hundred training days',
    description: 'Train on 100 different days.',
    category: 'workouts',
    measure: 'workoutDays',
    threshold: 100,
    points: 100,
  },
  {
    key: 'streak-3',
    title: 'On a roll',
    description: 'Train 3 days in a row.',
    category: 'consistency',
    measure: 'workoutStreak',
    threshold: 3,
    points: 15,
  },
  {
    key: 'streak-7',
    title: 'Week warrior',
    description: 'Train 7 days in a row.',
    category: 'consistency',
    measure: 'workoutStreak',
    threshold: 7,
    points: 50,
  },
  {
    key: 'streak-30',
    title: 'Unstoppable',
    description: 'Train 30 days in a row.',
    category: 'consistency',
    measure: 'workoutStreak',
    threshold: 30,
    points: 250,
  },
  {
    key: 'sets-100',
    title: 'Hundred sets',
    description: 'Complete 100 sets.',
    category: 'workouts',
    measure: 'completedSets',
    threshold: 100,
    points: 25,
  },
  {
    key: 'sets-1000',
    title: 'Thousand sets',
    description: 'Complete 1,000 sets.',
    category: 'workouts',
    measure: 'completedSets',
    threshold: 1_000,
    points: 100,
  },
  {
    key: 'sets-10000',
    title: 'Ten thousand sets',
    description: 'Complete 10,000 sets.',
    category: 'workouts',
    measure: 'completedSets',
    threshold: 10_000,
    points: 250,
  },
  {
    key: 'volume-10t',
    title: '10 tonnes',
    description: 'Lift 10,000 kg in total (weight × reps).',
    category: 'strength',
    measure: 'volumeKg',
    threshold: 10_000,
    points: 25,
  },
  {
    key: 'volume-100t',
    title: '100 tonnes',
    description: 'Lift 100,000 kg in total (weight × reps).',
    category: 'strength',
    measure: 'volumeKg',
    threshold: 100_000,
    points: 100,
  },
  {
    key: 'volume-1000t',
    title: '1,000 tonnes',
    description: 'Lift 1,000,000 kg in total (weight × reps).',
    category: 'strength',
    measure: 'volumeKg',
    threshold: 1_000_000,
    points: 250,
  },
  {
    key: 'first-pr',
    title: 'First record',
    description: 'Set your first personal record.',
    category: 'strength',
    measure: 'recordLogs',
    threshold: 1,
    points: 10,
  },
  {
    key: 'prs-10',
    title: 'Record breaker',
    description: 'Set personal records on 10 log entries.',
    category: 'strength',
    measure: 'recordLogs',
    threshold: 10,
    points: 50,
  },
  {
    key: 'prs-50',
    title: 'Record machine',
    description: 'Set personal records on 50 log entries.',
    category: 'strength',
    measure: 'recordLogs',
    threshold: 50,
    points: 150,
  },
  {
    key: 'first-visit',
    title: 'Through the door',
    description: 'Check in at a gym.',
    category: 'gym',
    measure: 'gymVisitDays',
    threshold: 1,
    points: 10,
  },
  {
    key: 'visits-10',
    title: 'Regular',
    description: 'Visit the gym on 10 different days.',
    category: 'gym',
    measure: 'gymVisitDays',
    threshold: 10,
    points: 25,
  },
  {
    key: 'visits-50',
    title: 'Familiar face',
    description: 'Visit the gym on 50 different days.',
    category: 'gym',
    measure: 'gymVisitDays',
    threshold: 50,
    points: 75,
  },
  {
    key: 'visits-100',
    title: 'Part of the furniture',
    description: 'Visit the gym on 100 different days.',
    category: 'gym',
    measure: 'gymVisitDays',
    threshold: 100,
    points: 150,
  },
  {
    key: 'first-meal',
    title: 'First bite',
    description: 'Log your first meal.',
    category: 'nutrition',
    measure: 'meals',
    threshold: 1,
    points: 10,
  },
  {
    key: 'meals-100',
    title: 'Hundred meals',
    description: 'Log 100 meals.',
    category: 'nutrition',
    measure: 'meals',
    threshold: 100,
    points: 50,
  },
  {
    key: 'meal-streak-7',
    title: 'Food diary',
    description: 'Log meals 7 days in a row.',
    category: 'nutrition',
    measure: 'mealStreak',
    threshold: 7,
    points: 50,
  },
  {
    key: 'calorie-week',
    title: 'Dialled in',
    description: 'Eat within ±10% of your calorie target 7 days in a row.',
    category: 'nutrition',
    measure: 'calorieStreak',
    threshold: 7,
    points: 100,
  },
  {
    key: 'daily-goal',
    title: 'Goal getter',
    description: 'Meet the daily goal: 10 completed sets and 3 logged meals in one day.',
    category: 'consistency',
    measure: 'goalDays',
    threshold: 1,
    points: 15,
  },
  {
    key: 'daily-goals-10',
    title: 'Goal machine',
    description: 'Meet the daily goal on 10 days.',
    category: 'consistency',
    measure: 'goalDays',
    threshold: 10,
    points: 75,
  },
];

/** The achievement of a key, if the catalogue still has it. */
export function achievementOf(key: string): Achievement | undefined {
  return achievementCatalogue.find((candidate) => candidate.key === key);
}

/** The achievements not yet unlocked whose measure has reached the threshold. */
export function reachedAchievements(
  measures: Partial<Measures>,
  unlocked: ReadonlySet<string>,
): Achievement[] {
  return achievementCatalogue.filter(
    (candidate) =>
      !unlocked.has(candidate.key) && (measures[candidate.measure] ?? 0) >= candidate.threshold,
  );
}

/** Progress toward an achievement, as the API shows it: capped at the target. */
export function progressOf(
  candidate: Achievement,
  measures: Measures,
): { current: number; target: number; percent: number } {
  const current = Math.min(Math.floor(measures[candidate.measure]), candidate.threshold);
  return {
    current,
    target: candidate.threshold,
    percent: Math.floor((current / candidate.threshold) * 100),
  };
}

/** How far a day's calories may be from the target and still count as on target. */
export const calorieTolerance = 0.1;

/** A day with meals whose calories are within ±10% of a (positive) target. */
export function withinCalorieTarget(
  meals: number,
  calories: number,
  target: number | null,
): boolean {
  if (meals === 0 || target === null || target <= 0) return false;
  return Math.abs(calories - target) <= calorieTolerance * target;
}

/** The longest streak a day can be part of that the unlock checks need (the longest streak). */
export const longestStreakNeeded = Math.max(
  ...achievementCatalogue
    .filter((candidate) => candidate.measure.endsWith('Streak'))
    .map((candidate) => candidate.threshold),
);

/** Length of the run of consecutive days in `days` through `day`; 0 when `day` is not in it. */
export function runThrough(days: ReadonlySet<string>, day: string): number {
  if (!days.has(day)) return 0;
  let length = 1;
  for (let before = addDays(day, -1); days.has(before); before = addDays(before, -1)) length++;
  for (let after = addDays(day, 1); days.has(after); after = addDays(after, 1)) length++;
  return length;
}

/**
 * The member's current streak: the run ending today, or ending yesterday when today has nothing
 * yet (a streak stays alive until a whole day passes without).
 */
export function currentRun(days: ReadonlySet<string>, today: string): number {
  let end = days.has(today) ? today : addDays(today, -1);
  let length = 0;
  while (days.has(end)) {
    length++;
    end = addDays(end, -1);
  }
  return length;
}
