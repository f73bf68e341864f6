import { sql } from 'drizzle-orm';
import {
  check,
  date,
  doublePrecision,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from '../users/users.table.js';

export const workoutActivitySources = ['app', 'machine'] as const;
export type WorkoutActivitySource = (typeof workoutActivitySources)[number];

/**
 * The seed's `UserActivity.workoutActivity.workoutHistory`, one row per reported set instead of
 * an ever-growing document: a day's activity is the rows of that user and day.
 */
export const workoutActivity = pgTable(
  'workout_activity',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The member's local day (the branch's time zone during a gym session, else UTC). */
    day: date('day', { mode: 'string' }).notNull(),
    exerciseId: text('exercise_id').notNull(),
    exerciseName: text('exercise_name').notNull(),
    setNumber: integer('set_number').notNull(),
    reps: integer('reps').notNull(),
    weightKg: doublePrecision('weight_kg'),
    durationSec: integer('duration_sec'),
    // Plain id, no foreign key: history outlives a machine that is later removed.
    machineId: uuid('machine_id'),
    source: text('source', { enum: workoutActivitySources }).notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true, precision: 3 })
      .notNull()
      .defaultNow(),
  },
  (t) => [
    index('workout_activity_user_day_idx').on(t.userId, t.day, t.recordedAt),
    check('workout_activity_source_check', sql`${t.source} in ('app', 'machine')`),
  ],
);

export type WorkoutActivityRow = typeof workoutActivity.$inferSelect;
export type NewWorkoutActivityRow = typeof workoutActivity.$inferInsert;
