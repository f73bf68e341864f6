import { sql } from 'drizzle-orm';
import {
  date,
  doublePrecision,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from '../users/users.table.js';

/**
 * What a member did with one exercise on one local day, summed from `workout_logs` and their
 * `workout_sets`. Rewritten from those rows, in the transaction that changed them, for every day
 * a change touched (see the service), so a range query reads at most one row per exercise and
 * day however long the history is. Muscle groups are not stored here: they are looked up in the
 * exercise library when read, so a library update cannot leave old rollups behind.
 */
export const exerciseDayRollups = pgTable(
  'exercise_day_rollups',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    exerciseId: text('exercise_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    /** Log entries of the exercise that day. */
    logs: integer('logs').notNull(),
    sets: integer('sets').notNull(),
    reps: integer('reps').notNull(),
    /** Σ reps × weightKg over the sets with a weight. */
    volumeKg: doublePrecision('volume_kg').notNull(),
    durationSec: integer('duration_sec').notNull(),
    /** The highest `estimated_one_rep_max_kg` of the day's sets (Epley). */
    bestE1rmKg: doublePrecision('best_e1rm_kg'),
    /** The heaviest set: its weight, and the most reps done at that weight. */
    bestWeightKg: doublePrecision('best_weight_kg'),
    bestWeightReps: integer('best_weight_reps'),
    /** The most reps in one set (bodyweight exercises have no heaviest set). */
    bestReps: integer('best_reps'),
  },
  (t) => [
    // Progress of one exercise over a range of days.
    primaryKey({ columns: [t.userId, t.exerciseId, t.day] }),
    // Summaries over a range of days, and rewriting one day.
    index('exercise_day_rollups_user_day_idx').on(t.userId, t.day),
  ],
);

/** What a member ate on one local day, summed from `meal_logs` (kcal and grams). */
export const nutritionDayRollups = pgTable(
  'nutrition_day_rollups',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    meals: integer('meals').notNull(),
    calories: doublePrecision('calories').notNull(),
    protein: doublePrecision('protein').notNull(),
    carbs: doublePrecision('carbs').notNull(),
    fat: doublePrecision('fat').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.day] })],
);

/**
 * When a member's rollups were last rewritten because their logs changed, and when a rebuild
 * last checked all of them against the raw rows; the verification job takes the members changed
 * since their last check.
 */
export const analyticsMemberChanges = pgTable(
  'analytics_member_changes',
  {
    userId: uuid('user_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    changedAt: timestamp('changed_at', { withTimezone: true, precision: 3 }).notNull(),
    verifiedAt: timestamp('verified_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [
    index('analytics_member_changes_unverified_idx')
      .on(t.changedAt)
      .where(sql`${t.verifiedAt} is null or ${t.verifiedAt} < ${t.changedAt}`),
  ],
);

export type ExerciseDayRollupRow = typeof exerciseDayRollups.$inferSelect;
export type NutritionDayRollupRow = typeof nutritionDayRollups.$inferSelect;
