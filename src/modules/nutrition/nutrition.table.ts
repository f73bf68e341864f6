import { sql } from 'drizzle-orm';
import {
  doublePrecision,
  index,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
// Table files import table files directly (as db/schema.ts does): a module's index would pull
// its services into every schema load, drizzle-kit's included.
import { planColumns, planTableIndexes } from '../plans/plans.table.js';
import { foodSources } from './food-sources.js';
import type { DietPlanData, MacroTargetsView } from './nutrition.schemas.js';

/** Diet plans: the shared plan columns plus the macro targets they were built for. */
export const dietPlans = pgTable(
  'diet_plans',
  {
    ...planColumns<DietPlanData>(),
    targets: jsonb('targets').$type<MacroTargetsView>().notNull(),
  },
  (t) => planTableIndexes('diet_plans', t),
);

export type DietPlanRow = typeof dietPlans.$inferSelect;

/**
 * The food database: the built-in table, the Nutrition Planning service's (copied here), and
 * packaged products looked up by barcode in Open Food Facts (`external_id` is the barcode).
 */
export const foods = pgTable(
  'foods',
  {
    id: uuid('id').primaryKey(),
    source: text('source', { enum: foodSources }).notNull(),
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
    // The keyset name order of the food search (see db/keyset-page.ts).
    index('foods_lower_name_id_idx').on(sql`lower(${t.name})`, t.id),
  ],
);

export type FoodRow = typeof foods.$inferSelect;
export type NewFoodRow = typeof foods.$inferInsert;
