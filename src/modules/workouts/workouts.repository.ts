import {
  and,
  arrayContains,
  asc,
  desc,
  eq,
  ilike,
  inArray,
  ne,
  or,
  sql,
  type SQL,
} from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { containsPattern } from '../../db/sql-patterns.js';
import type { Cursor } from '../../lib/http/cursor.js';
import type { StoredCustomizations } from './workouts.schemas.js';
import {
  exercises,
  workoutPlans,
  type ExerciseRow,
  type NewExerciseRow,
  type WorkoutPlanRow,
} from './workouts.table.js';

/** The only place that queries workout plans and the exercise library. */
export const workoutsRepository = {
  async insertPlan(
    db: Database,
    values: typeof workoutPlans.$inferInsert,
  ): Promise<WorkoutPlanRow> {
    const [row] = await db.insert(workoutPlans).values(values).returning();
    if (!row) throw new Error('insert returned no row');
    return row;
  },

  /** A plan of this user; another user's id finds nothing. */
  async findPlan(db: Database, userId: string, id: string): Promise<WorkoutPlanRow | undefined> {
    const [row] = await db
      .select()
      .from(workoutPlans)
      .where(and(eq(workoutPlans.id, id), eq(workoutPlans.userId, userId)))
      .limit(1);
    return row;
  },

  async findActivePlan(db: Database, userId: string): Promise<WorkoutPlanRow | undefined> {
    const [row] = await db
      .select()
      .from(workoutPlans)
      .where(and(eq(workoutPlans.userId, userId), eq(workoutPlans.isActive, true)))
      .limit(1);
    return row;
  },

  /** The newest plan of the user, optionally only those generated from the same inputs. */
  /** The newest plan of the user generated from these inputs (the stored-plan fallback). */
  async latestPlanFor(
    db: Database,
    userId: string,
    requestHash: string,
  ): Promise<WorkoutPlanRow | undefined> {
    const [row] = await db
      .select()
      .from(workoutPlans)
      .where(and(eq(workoutPlans.userId, userId), eq(workoutPlans.requestHash, requestHash)))
      .orderBy(desc(workoutPlans.createdAt), desc(workoutPlans.id))
      .limit(1);
    return row;
  },

  async listPlans(
    db: Database,
    userId: string,
    page: { limit: number; cursor?: Cursor },
  ): Promise<WorkoutPlanRow[]> {
    const filters: SQL[] = [eq(workoutPlans.userId, userId)];
    if (page.cursor) {
      filters.push(
        sql`(${workoutPlans.createdAt}, ${workoutPlans.id}) < (${page.cursor.at.toISOString()}::timestamptz, ${page.cursor.id}::uuid)`,
      );
    }
    return db
      .select()
      .from(workoutPlans)
      .where(and(...filters))
      .orderBy(desc(workoutPlans.createdAt), desc(workoutPlans.id))
      .limit(page.limit + 1);
  },

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

  /** Makes one plan the user's active one; the others stop being active. */
  async activatePlan(
    db: Database,
    userId: string,
    id: string,
  ): Promise<WorkoutPlanRow | undefined> {
    await db
      .update(workoutPlans)
      .set({ isActive: false, updatedAt: new Date() })
      .where(
        and(
          eq(workoutPlans.userId, userId),
          eq(workoutPlans.isActive, true),
          ne(workoutPlans.id, id),
        ),
      );
    const [row] = await db
      .update(workoutPlans)
      .set({ isActive: true, updatedAt: new Date() })
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

  /** Alphabetical search, keyset-paginated on (lower(name), id). */
  async searchExercises(
    db: Database,
    query: {
      q?: string;
      muscleGroup?: string;
      equipment?: string;
      limit: number;
      cursor?: Cursor<string>;
    },
  ): Promise<ExerciseRow[]> {
    const filters: (SQL | undefined)[] = [];
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
    if (query.cursor) {
      filters.push(
        sql`(lower(${exercises.name}), ${exercises.id}) > (${query.cursor.at}, ${query.cursor.id}::uuid)`,
      );
    }
    return db
      .select()
      .from(exercises)
      .where(and(...filters))
      .orderBy(asc(sql`lower(${exercises.name})`), asc(exercises.id))
      .limit(query.limit + 1);
  },
};
