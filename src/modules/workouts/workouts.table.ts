import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from '../users/users.table.js';
import type { StoredCustomizations, StoredWorkoutPlanData } from './workouts.schemas.js';

export const workoutPlanOrigins = ['ai', 'fallback'] as const;
export type WorkoutPlanOrigin = (typeof workoutPlanOrigins)[number];

export const workoutPlans = pgTable(
  'workout_plans',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    planName: text('plan_name').notNull(),
    /** Who built it: the Workout Planning service or the built-in planner. */
    origin: text('origin', { enum: workoutPlanOrigins }).notNull(),
    externalId: text('external_id'),
    /** SHA-256 of the normalised generation inputs: the 24 h cache key. */
    requestHash: text('request_hash').notNull(),
    planData: jsonb('plan_data').$type<StoredWorkoutPlanData>().notNull(),
    explanation: jsonb('explanation').$type<string[]>().notNull().default([]),
    customizations: jsonb('customizations').$type<StoredCustomizations>().notNull().default({}),
    isActive: boolean('is_active').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    index('workout_plans_user_created_idx').on(t.userId, t.createdAt.desc(), t.id.desc()),
    index('workout_plans_user_request_idx').on(t.userId, t.requestHash, t.createdAt.desc()),
    // At most one active plan per user, enforced where concurrent activations meet.
    uniqueIndex('workout_plans_one_active_per_user')
      .on(t.userId)
      .where(sql`${t.isActive}`),
    check('workout_plans_origin_check', sql`${t.origin} in ('ai', 'fallback')`),
  ],
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
    index('exercises_name_idx').on(sql`lower(${t.name})`),
  ],
);

export type ExerciseRow = typeof exercises.$inferSelect;
export type NewExerciseRow = typeof exercises.$inferInsert;
