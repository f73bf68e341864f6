import { and, arrayContains, eq, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { keysetPage, type Page, type PageRequest } from '../../db/keyset-page.js';
import { containsPattern } from '../../db/sql-patterns.js';
import { planRepository } from '../plans/index.js';
import type { StoredCustomizations } from './workouts.schemas.js';
import {
  exercises,
  workoutPlans,
  type ExerciseRow,
  type NewExerciseRow,
  type WorkoutPlanRow,
} from './workouts.table.js';

/** The shared plan queries, over the workout plans table. */
export const workoutPlansRepository = planRepository(workoutPlans);

/** The workout-only queries: plan customizations and the exercise library. */
export const workoutsRepository = {
  async updateCustomizations(
    db: Database,
    userId: string,
    id: string,
    customizations: StoredCustomizations,
  ): Promise<WorkoutPlanRow | undefined> {
    const [row] = await db
      .update(workoutPlans)
      .set({ customizations, updatedAt: new Date() })
      .where(and(eq(workoutPlans.id, id), eq(workoutPlans.userId, userId)))
      .returning();
    return row;
  },

  /** Inserts or refreshes library rows by (source, externalId). */
  async upsertExercises(db: Database, rows: NewExerciseRow[]): Promise<void> {
    if (rows.length === 0) return;
    await db
      .insert(exercises)
      .values(rows)
      .onConflictDoUpdate({
        target: [exercises.source, exercises.externalId],
        set: {
          name: sql`excluded.name`,
          primaryMuscles: sql`excluded.primary_muscles`,
          secondaryMuscles: sql`excluded.secondary_muscles`,
          equipment: sql`excluded.equipment`,
          level: sql`excluded.level`,
          type: sql`excluded.type`,
          contraindications: sql`excluded.contraindications`,
          instructions: sql`excluded.instructions`,
          updatedAt: sql`now()`,
        },
      });
  },

  async findExercises(db: Database, ids: string[]): Promise<ExerciseRow[]> {
    if (ids.length === 0) return [];
    return db.select().from(exercises).where(inArray(exercises.id, ids));
  },

  /**
   * Library ids by lower-cased name, for the given lower-cased names it has (through the
   * lower(name) index). Where two sources share a name, the built-in exercise wins, then the
   * lowest id, so the answer is the same every time.
   */
  async exerciseIdsByLowerName(db: Database, names: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (names.length === 0) return found;
    const rows = await db
      .select({ id: exercises.id, name: sql<string>`lower(${exercises.name})` })
      .from(exercises)
      .where(inArray(sql`lower(${exercises.name})`, names))
      .orderBy(sql`${exercises.source} <> 'builtin'`, exercises.id);
    for (const row of rows) if (!found.has(row.name)) found.set(row.name, row.id);
    return found;
  },

  /** Alphabetical search (the keyset name order). */
  async searchExercises(
    db: Database,
    query: PageRequest<string> & { q?: string; muscleGroup?: string; equipment?: string },
  ): Promise<Page<ExerciseRow>> {
    const page = keysetPage(exercises, { by: 'name', direction: 'asc' }, query);
    const filters: (SQL | undefined)[] = [page.where];
    if (query.q) filters.push(ilike(exercises.name, containsPattern(query.q)));
    if (query.muscleGroup) {
      filters.push(
        or(
          arrayContains(exercises.primaryMuscles, [query.muscleGroup]),
          arrayContains(exercises.secondaryMuscles, [query.muscleGroup]),
        ),
      );
    }
    if (query.equipment) filters.push(arrayContains(exercises.equipment, [query.equipment]));
    return page.fetch(
      db
        .select()
        .from(exercises)
        .where(and(...filters)),
    );
  },
};
