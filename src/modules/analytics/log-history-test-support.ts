// Writes workout and meal logs the way the log services do (rows, then the in-transaction
// change event, in one unit of work), for tests of what is derived from logs. Test-only.
import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Container } from '../../container.js';
import type { Database } from '../../db/database.js';
import { inUnitOfWork } from '../../db/unit-of-work.js';
import { dietPlans } from '../nutrition/nutrition.table.js';
import {
  bodyCompositionEntries,
  type NewBodyCompositionRow,
} from '../users/body-composition.table.js';
import { users } from '../users/users.table.js';
import { exercises, workoutPlans } from '../workouts/workouts.table.js';
import { mealLogs, type MealLogRow, type MealType } from '../nutrition/meal-logs.table.js';
import {
  workoutLogs,
  workoutSets,
  type PersonalRecordKind,
  type WorkoutLogRow,
} from '../workout-logs/workout-logs.table.js';

export interface HistorySet {
  reps: number;
  weightKg: number | null;
  durationSec?: number | null;
}

export interface HistoryLog {
  exerciseId: string;
  day: string;
  /** Default: noon UTC of `day`. */
  completedAt?: Date;
  sets: HistorySet[];
  personalRecords?: PersonalRecordKind[];
}

export interface HistoryMeal {
  day: string;
  consumedAt?: Date;
  mealType?: MealType;
  calories: number;
  protein: number;
  carbs: number;
  fat: number;
}

/** Epley, as the log service stores it with each set; none without a weight or reps. */
export const epley = (weightKg: number | null, reps: number) =>
  weightKg === null || reps === 0 ? null : weightKg * (1 + reps / 30);

const noonOf = (day: string) => new Date(`${day}T12:00:00.000Z`);

/** Log and meal writes for one container, each in its own unit of work with its event. */
export function logHistory(container: Pick<Container, 'database' | 'logger' | 'events'>) {
  const { db } = container.database;
  const inWork = <T>(work: Parameters<typeof inUnitOfWork<T>>[2]) =>
    inUnitOfWork(db, container.logger, work);

  async function writeSets(tx: typeof db, log: WorkoutLogRow, sets: HistorySet[]): Promise<void> {
    await tx.delete(workoutSets).where(eq(workoutSets.logId, log.id));
    if (sets.length === 0) return;
    await tx.insert(workoutSets).values(
      sets.map((set, index) => ({
        logId: log.id,
        userId: log.userId,
        day: log.day,
        setNumber: index + 1,
        reps: set.reps,
        weightKg: set.weightKg,
        durationSec: set.durationSec ?? null,
        estimatedOneRepMaxKg: epley(set.weightKg, set.reps),
      })),
    );
  }

  return {
    async createLog(userId: string, input: HistoryLog): Promise<WorkoutLogRow> {
      return inWork(async (uow) => {
        const [log] = await uow.tx
          .insert(workoutLogs)
          .values({
            userId,
            day: input.day,
            exerciseId: input.exerciseId,
            exerciseName: `Exercise ${input.exerciseId}`,
            completedAt: input.completedAt ?? noonOf(input.day),
            source: 'app',
            personalRecords: input.personalRecords ?? [],
          })
          .returning();
        if (!log) throw new Error('insert returned no row');
        await writeSets(uow.tx, log, input.sets);
        await container.events.run('workout-logs.changed', {
          uow,
          userId,
          change: 'created',
          log,
        });
        return log;
      });
    },

    /**
     * Changes a log entry: its sets (replaced), exercise, records, or its day (moved, with
     * `previousDay` announced unless `forgetPreviousDay` simulates a writer that omits it).
     */
    async updateLog(
      userId: string,
      logId: string,
      changes: Partial<HistoryLog> & { forgetPreviousDay?: boolean },
    ): Promise<WorkoutLogRow> {
      return inWork(async (uow) => {
        const [before] = await uow.tx
          .select()
          .from(workoutLogs)
          .where(and(eq(workoutLogs.id, logId), eq(workoutLogs.userId, userId)));
        if (!before) throw new Error(`no log ${logId}`);
        const day = changes.day ?? before.day;
        const [log] = await uow.tx
          .update(workoutLogs)
          .set({
            day,
            exerciseId: changes.exerciseId ?? before.exerciseId,
            completedAt:
              changes.completedAt ?? (changes.day ? noonOf(changes.day) : before.completedAt),
            personalRecords: changes.personalRecords ?? before.personalRecords,
            updatedAt: new Date(),
          })
          .where(eq(workoutLogs.id, logId))
          .returning();
        if (!log) throw new Error('update returned no row');
        if (changes.sets) await writeSets(uow.tx, log, changes.sets);
        else await uow.tx.update(workoutSets).set({ day }).where(eq(workoutSets.logId, logId));
        const moved = before.day !== day && !changes.forgetPreviousDay;
        await container.events.run('workout-logs.changed', {
          uow,
          userId,
          change: 'updated',
          log,
          ...(moved && { previousDay: before.day }),
        });
        return log;
      });
    },

    async deleteLog(userId: string, logId: string): Promise<void> {
      await inWork(async (uow) => {
        const [log] = await uow.tx
          .delete(workoutLogs)
          .where(and(eq(workoutLogs.id, logId), eq(workoutLogs.userId, userId)))
          .returning();
        if (!log) throw new Error(`no log ${logId}`);
        await container.events.run('workout-logs.changed', {
          uow,
          userId,
          change: 'deleted',
          log,
        });
      });
    },

    async createMeal(userId: string, input: HistoryMeal): Promise<MealLogRow> {
      return inWork(async (uow) => {
        const [meal] = await uow.tx
          .insert(mealLogs)
          .values({
            userId,
            day: input.day,
            mealType: input.mealType ?? 'lunch',
            mealDescription: 'Test meal',
            consumedAt: input.consumedAt ?? noonOf(input.day),
            calories: input.calories,
            protein: input.protein,
            carbs: input.carbs,
            fat: input.fat,
            source: 'manual',
          })
          .returning();
        if (!meal) throw new Error('insert returned no row');
        await container.events.run('meal-logs.changed', {
          uow,
          userId,
          change: 'created',
          meal,
        });
        return meal;
      });
    },

    async updateMeal(
      userId: string,
      mealId: string,
      changes: Partial<HistoryMeal>,
    ): Promise<MealLogRow> {
      return inWork(async (uow) => {
        const [before] = await uow.tx
          .select()
          .from(mealLogs)
          .where(and(eq(mealLogs.id, mealId), eq(mealLogs.userId, userId)));
        if (!before) throw new Error(`no meal ${mealId}`);
        const [meal] = await uow.tx
          .update(mealLogs)
          .set({
            ...changes,
            consumedAt: changes.consumedAt ?? (changes.day ? noonOf(changes.day) : undefined),
            updatedAt: new Date(),
          })
          .where(eq(mealLogs.id, mealId))
          .returning();
        if (!meal) throw new Error('update returned no row');
        await container.events.run('meal-logs.changed', {
          uow,
          userId,
          change: 'updated',
          meal,
          ...(before.day !== meal.day && { previousDay: before.day }),
        });
        return meal;
      });
    },

    async deleteMeal(userId: string, mealId: string): Promise<void> {
      await inWork(async (uow) => {
        const [meal] = await uow.tx
          .delete(mealLogs)
          .where(and(eq(mealLogs.id, mealId), eq(mealLogs.userId, userId)))
          .returning();
        if (!meal) throw new Error(`no meal ${mealId}`);
        await container.events.run('meal-logs.changed', {
          uow,
          userId,
          change: 'deleted',
          meal,
        });
      });
    },
  };
}

export type LogHistory = ReturnType<typeof logHistory>;

/** A library exercise with the given primary muscles; resolves with its id. */
export async function addLibraryExercise(db: Database, primaryMuscles: string[]): Promise<string> {
  const id = randomUUID();
  await db.insert(exercises).values({
    id,
    source: 'builtin',
    externalId: `test-${id}`,
    name: `Test exercise ${id.slice(0, 8)}`,
    primaryMuscles,
    secondaryMuscles: [],
    equipment: [],
    level: 'beginner',
    type: 'strength',
    contraindications: [],
  });
  return id;
}

/** Sets the member's home time zone in their profile. */
export async function setHomeTimezone(db: Database, userId: string, timezone: string) {
  await db
    .update(users)
    .set({ profile: sql`jsonb_set(${users.profile}, '{timezone}', to_jsonb(${timezone}::text))` })
    .where(eq(users.id, userId));
}

/** Makes an active workout plan with `daysPerWeek` workout days for the member. */
export async function activateWorkoutPlan(db: Database, userId: string, daysPerWeek: number) {
  await db.update(workoutPlans).set({ isActive: false }).where(eq(workoutPlans.userId, userId));
  await db.insert(workoutPlans).values({
    userId,
    planName: `${daysPerWeek}-day plan`,
    origin: 'fallback',
    requestHash: randomUUID(),
    isActive: true,
    planData: {
      workoutDays: Array.from({ length: daysPerWeek }, (_, index) => ({
        muscleGroup: 'full_body',
        dayOrder: index + 1,
        exercises: [],
      })),
    },
  });
}

/** Makes an active diet plan with these daily targets for the member. */
export async function activateDietPlan(
  db: Database,
  userId: string,
  targets: { calories: number; protein: number; carbs: number; fat: number },
) {
  await db.update(dietPlans).set({ isActive: false }).where(eq(dietPlans.userId, userId));
  await db.insert(dietPlans).values({
    userId,
    planName: 'Test diet',
    origin: 'fallback',
    requestHash: randomUUID(),
    isActive: true,
    planData: { days: [] },
    // A plain copy: generated records (fast-check's) have no prototype, which drizzle refuses.
    targets: { ...targets },
  });
}

/** A body-composition entry of the member. */
export async function addBodyComposition(
  db: Database,
  userId: string,
  entry: Omit<NewBodyCompositionRow, 'userId'>,
) {
  await db.insert(bodyCompositionEntries).values({ ...entry, userId });
}
