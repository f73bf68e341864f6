import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
// Table files import table files directly (as db/schema.ts does): a module's index would pull
// its services into every schema load, drizzle-kit's included.
import { planColumns, planTableIndexes } from '../plans/plans.table.js';
import type { StoredCustomizations, StoredWorkoutPlanData } from './workouts.schemas.js';

/** Workout plans: the shared plan columns plus the member's local edits. */
export const workoutPlans = pgTable(
  'workout_plans',
  {
    ...planColumns<StoredWorkoutPlanData>(),
    customizations: jsonb('customizations').$type<StoredCustomizations>().notNull().default({}),
  },
  (t) => planTableIndexes('workout_plans', t),
);

export type WorkoutPlanRow = typeof workoutPlans.$inferSelect;

export const exerciseSources = ['builtin', 'service'] as const;

/** The exercise library: the built-in one plus the Workout Planning service's, copied here. */
export const exercises = pgTable(
  'exercises',
  {
    id: uuid('id').primaryKey(),
    source: text('source', { enum: exerciseSources }).notNull(),
    /** The slug for built-in exercises, the service's id for copied ones. */
    externalId: text('external_id').notNull(),
    name: text('name').notNull(),
    primaryMuscles: text('primary_muscles').array().notNull(),
    secondaryMuscles: text('secondary_muscles').array().notNull(),
    equipment: text('equipment').array().notNull(),
    level: text('level').notNull(),
    type: text('type').notNull(),
    contraindications: text('contraindications').array().notNull(),
    instructions: text('instructions'),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('exercises_source_external_key').on(t.source, t.externalId),
    // The keyset name order of the library search (see db/keyset-page.ts).
    index('exercises_lower_name_id_idx').on(sql`lower(${t.name})`, t.id),
  ],
);

export type ExerciseRow = typeof exercises.$inferSelect;
export type NewExerciseRow = typeof exercises.$inferInsert;
