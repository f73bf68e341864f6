import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  doublePrecision,
  index,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from '../users/users.table.js';
import type { DietPlanData, MacroTargetsView } from './nutrition.schemas.js';

export const dietPlans = pgTable(
  'diet_plans',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    planName: text('plan_name').notNull(),
    /** Who built it: the Nutrition Planning service or the built-in planner. */
    origin: text('origin', { enum: ['ai', 'fallback'] }).notNull(),
    externalId: text('external_id'),
    requestHash: text('request_hash').notNull(),
    targets: jsonb('targets').$type<MacroTargetsView>().notNull(),
    planData: jsonb('plan_data').$type<DietPlanData>().notNull(),
    explanation: jsonb('explanation').$type<string[]>().notNull().default([]),
    isActive: boolean('is_active').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    index('diet_plans_user_created_idx').on(t.userId, t.createdAt.desc(), t.id.desc()),
    index('diet_plans_user_request_idx').on(t.userId, t.requestHash, t.createdAt.desc()),
    uniqueIndex('diet_plans_one_active_per_user')
      .on(t.userId)
      .where(sql`${t.isActive}`),
    check('diet_plans_origin_check', sql`${t.origin} in ('ai', 'fallback')`),
  ],
);

export type DietPlanRow = typeof dietPlans.$inferSelect;

/** The food database: the built-in table plus the Nutrition Planning service's, copied here. */
export const foods = pgTable(
  'foods',
  {
    id: uuid('id').primaryKey(),
    source: text('source', { enum: ['builtin', 'service'] }).notNull(),
    externalId: text('external_id').notNull(),
    name: text('name').notNull(),
    foodGroup: text('food_group'),
    caloriesPer100g: doublePrecision('calories_per_100g').notNull(),
    proteinPer100g: doublePrecision('protein_per_100g').notNull(),
    carbsPer100g: doublePrecision('carbs_per_100g').notNull(),
    fatPer100g: doublePrecision('fat_per_100g').notNull(),
    fiberPer100g: doublePrecision('fiber_per_100g'),
    /** Null when the source does not say (the service's foods): unknown is not "none". */
    allergens: text('allergens').array(),
    servingGrams: doublePrecision('serving_grams'),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('foods_source_external_key').on(t.source, t.externalId),
    index('foods_name_idx').on(sql`lower(${t.name})`),
  ],
);

export type FoodRow = typeof foods.$inferSelect;
export type NewFoodRow = typeof foods.$inferInsert;
