import { and, asc, desc, eq, ilike, ne, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { containsPattern } from '../../db/sql-patterns.js';
import type { Cursor } from '../../lib/http/cursor.js';
import {
  dietPlans,
  foods,
  type DietPlanRow,
  type FoodRow,
  type NewFoodRow,
} from './nutrition.table.js';

/** The only place that queries diet plans and the food database. */
export const nutritionRepository = {
  async insertPlan(db: Database, values: typeof dietPlans.$inferInsert): Promise<DietPlanRow> {
    const [row] = await db.insert(dietPlans).values(values).returning();
    if (!row) throw new Error('insert returned no row');
    return row;
  },

  /** A plan of this user; another user's id finds nothing. */
  async findPlan(db: Database, userId: string, id: string): Promise<DietPlanRow | undefined> {
    const [row] = await db
      .select()
      .from(dietPlans)
      .where(and(eq(dietPlans.id, id), eq(dietPlans.userId, userId)))
      .limit(1);
    return row;
  },

  async findActivePlan(db: Database, userId: string): Promise<DietPlanRow | undefined> {
    const [row] = await db
      .select()
      .from(dietPlans)
      .where(and(eq(dietPlans.userId, userId), eq(dietPlans.isActive, true)))
      .limit(1);
    return row;
  },

  /** The newest plan of the user generated from these inputs (the stored-plan fallback). */
  async latestPlanFor(
    db: Database,
    userId: string,
    requestHash: string,
  ): Promise<DietPlanRow | undefined> {
    const [row] = await db
      .select()
      .from(dietPlans)
      .where(and(eq(dietPlans.userId, userId), eq(dietPlans.requestHash, requestHash)))
      .orderBy(desc(dietPlans.createdAt), desc(dietPlans.id))
      .limit(1);
    return row;
  },

  async listPlans(
    db: Database,
    userId: string,
    page: { limit: number; cursor?: Cursor },
  ): Promise<DietPlanRow[]> {
    const filters: SQL[] = [eq(dietPlans.userId, userId)];
    if (page.cursor) {
      filters.push(
        sql`(${dietPlans.createdAt}, ${dietPlans.id}) < (${page.cursor.at.toISOString()}::timestamptz, ${page.cursor.id}::uuid)`,
      );
    }
    return db
      .select()
      .from(dietPlans)
      .where(and(...filters))
      .orderBy(desc(dietPlans.createdAt), desc(dietPlans.id))
      .limit(page.limit + 1);
  },

  /** Makes one plan the user's active one; the others stop being active. */
  async activatePlan(db: Database, userId: string, id: string): Promise<DietPlanRow | undefined> {
    await db
      .update(dietPlans)
      .set({ isActive: false, updatedAt: new Date() })
      .where(and(eq(dietPlans.userId, userId), eq(dietPlans.isActive, true), ne(dietPlans.id, id)));
    const [row] = await db
      .update(dietPlans)
      .set({ isActive: true, updatedAt: new Date() })
      .where(and(eq(dietPlans.id, id), eq(dietPlans.userId, userId)))
      .returning();
    return row;
  },

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

  /** Alphabetical search, keyset-paginated on (lower(name), id). */
  async searchFoods(
    db: Database,
    query: { q?: string; limit: number; cursor?: Cursor<string> },
  ): Promise<FoodRow[]> {
    const filters: (SQL | undefined)[] = [];
    if (query.q) filters.push(ilike(foods.name, containsPattern(query.q)));
    if (query.cursor) {
      filters.push(
        sql`(lower(${foods.name}), ${foods.id}) > (${query.cursor.at}, ${query.cursor.id}::uuid)`,
      );
    }
    return db
      .select()
      .from(foods)
      .where(and(...filters))
      .orderBy(asc(sql`lower(${foods.name})`), asc(foods.id))
      .limit(query.limit + 1);
  },
};
