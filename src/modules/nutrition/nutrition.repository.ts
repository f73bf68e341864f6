import { and, eq, ilike, inArray, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { keysetPage, type Page, type PageRequest } from '../../db/keyset-page.js';
import { containsPattern } from '../../db/sql-patterns.js';
import { planRepository } from '../plans/index.js';
import { dietPlans, foods, type FoodRow, type NewFoodRow } from './nutrition.table.js';

/** The shared plan queries, over the diet plans table. */
export const dietPlansRepository = planRepository(dietPlans);

/** The nutrition-only queries: the food database. */
export const nutritionRepository = {
  /** Inserts or refreshes foods by (source, externalId). */
  async upsertFoods(db: Database, rows: NewFoodRow[]): Promise<void> {
    if (rows.length === 0) return;
    await db
      .insert(foods)
      .values(rows)
      .onConflictDoUpdate({
        target: [foods.source, foods.externalId],
        set: {
          name: sql`excluded.name`,
          foodGroup: sql`excluded.food_group`,
          caloriesPer100g: sql`excluded.calories_per_100g`,
          proteinPer100g: sql`excluded.protein_per_100g`,
          carbsPer100g: sql`excluded.carbs_per_100g`,
          fatPer100g: sql`excluded.fat_per_100g`,
          fiberPer100g: sql`excluded.fiber_per_100g`,
          allergens: sql`excluded.allergens`,
          servingGrams: sql`excluded.serving_grams`,
          updatedAt: sql`now()`,
        },
      });
  },

  /** The foods with these ids (those that exist). */
  async findFoods(db: Database, ids: readonly string[]): Promise<FoodRow[]> {
    if (ids.length === 0) return [];
    return db
      .select()
      .from(foods)
      .where(inArray(foods.id, [...ids]));
  },

  /** The food a source keys by `externalId` (a barcode product by its code). */
  async findFoodByExternalId(
    db: Database,
    source: FoodRow['source'],
    externalId: string,
  ): Promise<FoodRow | undefined> {
    const [row] = await db
      .select()
      .from(foods)
      .where(and(eq(foods.source, source), eq(foods.externalId, externalId)))
      .limit(1);
    return row;
  },

  /** Alphabetical search (the keyset name order). */
  async searchFoods(
    db: Database,
    query: PageRequest<string> & { q?: string },
  ): Promise<Page<FoodRow>> {
    const page = keysetPage(foods, { by: 'name', direction: 'asc' }, query);
    const filters: (SQL | undefined)[] = [page.where];
    if (query.q) filters.push(ilike(foods.name, containsPattern(query.q)));
    return page.fetch(
      db
        .select()
        .from(foods)
        .where(and(...filters)),
    );
  },
};
