import { sql } from 'drizzle-orm';
import {
  check,
  date,
  doublePrecision,
  index,
  jsonb,
  pgTable,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from '../users/users.table.js';

export const mealTypes = ['breakfast', 'lunch', 'dinner', 'snack'] as const;
export type MealType = (typeof mealTypes)[number];

/** How a meal's macros were obtained. */
export const mealLogSources = ['manual', 'foods', 'copy', 'analysis'] as const;
export type MealLogSource = (typeof mealLogSources)[number];

/** A food of the food database eaten in a meal, with the macros computed for its grams. */
export interface MealLogItem {
  foodId: string;
  name: string;
  grams: number;
  calories: number;
  protein: number;
  carbs: number;
  fat: number;
}

/**
 * The seed's `UserActivity.dietActivity`: one row per meal a member logged; a day's diet
 * activity is the rows of that member and local day. Macros are kcal and grams.
 */
export const mealLogs = pgTable(
  'meal_logs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The member's local day of `consumedAt`. */
    day: date('day', { mode: 'string' }).notNull(),
    mealType: text('meal_type', { enum: mealTypes }).notNull(),
    mealDescription: text('meal_description').notNull(),
    consumedAt: timestamp('consumed_at', { withTimezone: true, precision: 3 }).notNull(),
    calories: doublePrecision('calories').notNull(),
    protein: doublePrecision('protein').notNull(),
    carbs: doublePrecision('carbs').notNull(),
    fat: doublePrecision('fat').notNull(),
    /** The foods the macros were computed from, when built from the food database. */
    items: jsonb('items').$type<MealLogItem[]>().notNull().default([]),
    // A reference only: images arrive with the files feature.
    imageId: uuid('image_id'),
    source: text('source', { enum: mealLogSources }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    index('meal_logs_user_day_idx').on(t.userId, t.day, t.consumedAt),
    index('meal_logs_user_updated_idx').on(t.userId, t.updatedAt, t.id),
    check(
      'meal_logs_meal_type_check',
      sql`${t.mealType} in ('breakfast', 'lunch', 'dinner', 'snack')`,
    ),
    check('meal_logs_source_check', sql`${t.source} in ('manual', 'foods', 'copy', 'analysis')`),
    check(
      'meal_logs_macros_check',
      sql`${t.calories} >= 0 and ${t.protein} >= 0 and ${t.carbs} >= 0 and ${t.fat} >= 0`,
    ),
  ],
);

export type MealLogRow = typeof mealLogs.$inferSelect;
export type NewMealLogRow = typeof mealLogs.$inferInsert;
