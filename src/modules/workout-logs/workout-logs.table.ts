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
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from '../users/users.table.js';

/** Where a log entry came from: the member's app (REST or socket), a linked machine, a file. */
export const workoutLogSources = ['app', 'machine', 'import'] as const;
export type WorkoutLogSource = (typeof workoutLogSources)[number];

/** The records a log entry can set for its exercise (see the PR rules in the service). */
export const personalRecordKinds = ['e1rm', 'weight', 'reps', 'volume'] as const;
export type PersonalRecordKind = (typeof personalRecordKinds)[number];

/**
 * The seed's `UserActivity.workoutActivity.workoutHistory`: one row per exercise a member did on
 * a day, its sets in `workout_sets`. Sets sent live over the socket and logs posted over REST
 * are the same rows.
 */
export const workoutLogs = pgTable(
  'workout_logs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The member's local day of `completedAt` (see the service for the time zone rules). */
    day: date('day', { mode: 'string' }).notNull(),
    exerciseId: text('exercise_id').notNull(),
    exerciseName: text('exercise_name').notNull(),
    completedAt: timestamp('completed_at', { withTimezone: true, precision: 3 }).notNull(),
    performanceNotes: text('performance_notes'),
    // Plain id, no foreign key: history outlives a machine that is later removed.
    machineId: uuid('machine_id'),
    source: text('source', { enum: workoutLogSources }).notNull(),
    /** Identifies the row of an imported file, so importing the same file twice adds nothing. */
    importKey: text('import_key'),
    /** The records this entry set when it was written (`e1rm`, `weight`, `reps`, `volume`). */
    personalRecords: text('personal_records', { enum: personalRecordKinds })
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    index('workout_logs_user_completed_idx').on(t.userId, t.completedAt, t.id),
    index('workout_logs_user_day_idx').on(t.userId, t.day),
    index('workout_logs_user_updated_idx').on(t.userId, t.updatedAt, t.id),
    index('workout_logs_user_exercise_idx').on(t.userId, t.exerciseId, t.completedAt),
    // The entries that set a record: the current records, and the best values before a point in
    // time (the latest entry flagged with a kind holds that kind's best so far).
    index('workout_logs_user_records_idx')
      .on(t.userId, t.exerciseId, t.completedAt, t.id)
      .where(sql`cardinality(${t.personalRecords}) > 0`),
    uniqueIndex('workout_logs_user_import_key')
      .on(t.userId, t.importKey)
      .where(sql`${t.importKey} is not null`),
    check('workout_logs_source_check', sql`${t.source} in ('app', 'machine', 'import')`),
  ],
);

/** The sets of a log entry, numbered from 1. */
export const workoutSets = pgTable(
  'workout_sets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    logId: uuid('log_id')
      .notNull()
      .references(() => workoutLogs.id, { onDelete: 'cascade' }),
    // Copied from the log so per-member aggregates read one table through one index.
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    setNumber: integer('set_number').notNull(),
    reps: integer('reps').notNull(),
    weightKg: doublePrecision('weight_kg'),
    durationSec: integer('duration_sec'),
    distanceM: doublePrecision('distance_m'),
    /** Epley estimate of the one-repetition maximum, null without weight or reps. */
    estimatedOneRepMaxKg: doublePrecision('estimated_one_rep_max_kg'),
    recordedAt: timestamp('recorded_at', { withTimezone: true, precision: 3 })
      .notNull()
      .defaultNow(),
  },
  (t) => [
    uniqueIndex('workout_sets_log_set_key').on(t.logId, t.setNumber),
    index('workout_sets_user_day_idx').on(t.userId, t.day),
    check('workout_sets_set_number_check', sql`${t.setNumber} >= 1`),
    check('workout_sets_reps_check', sql`${t.reps} >= 0`),
  ],
);

export type WorkoutLogRow = typeof workoutLogs.$inferSelect;
export type NewWorkoutLogRow = typeof workoutLogs.$inferInsert;
export type WorkoutSetRow = typeof workoutSets.$inferSelect;
export type NewWorkoutSetRow = typeof workoutSets.$inferInsert;
