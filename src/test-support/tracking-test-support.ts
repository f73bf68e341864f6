// Writes workout log entries and meals the way the log services do: the rows and the change
// event in one unit of work, so the listeners (points, achievements) run in that transaction.
// Rows are stored as recorded a minute after they happened (like a live log) unless a test says
// otherwise, so fixed days in the past still earn points.
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { deletedRecords } from '../db/deleted-records.table.js';
import { inUnitOfWork } from '../db/unit-of-work.js';
import { gymSessions } from '../modules/gym-floor/gym-floor.table.js';
import { mealLogs, type MealLogRow } from '../modules/nutrition/meal-logs.table.js';
import {
  workoutLogs,
  workoutSets,
  type PersonalRecordKind,
  type WorkoutLogRow,
} from '../modules/workout-logs/workout-logs.table.js';
import type { TestApp } from './test-app.js';

export interface SetInput {
  reps: number;
  weightKg?: number | null;
  durationSec?: number | null;
}

/** `count` sets of the same reps and weight. */
export const sets = (count: number, set: SetInput = { reps: 8, weightKg: 20 }): SetInput[] =>
  Array.from({ length: count }, () => ({ ...set }));

/** Noon UTC of the day, or the given time of it (`HH:MM`, UTC). */
const at = (day: string, time = '12:00') => new Date(`${day}T${time}:00.000Z`);

const unitOf = <T>(t: TestApp, work: Parameters<typeof inUnitOfWork<T>>[2]) =>
  inUnitOfWork(t.container.database.db, t.container.logger, work);

function setRows(log: WorkoutLogRow, input: SetInput[]) {
  return input.map((set, index) => ({
    logId: log.id,
    userId: log.userId,
    day: log.day,
    setNumber: index + 1,
    reps: set.reps,
    weightKg: set.weightKg ?? null,
    durationSec: set.durationSec ?? null,
    estimatedOneRepMaxKg: set.weightKg && set.reps > 0 ? set.weightKg * (1 + set.reps / 30) : null,
  }));
}

/** Creates a log entry with its sets and runs `workout-logs.changed` ('created') with it. */
export async function logWorkout(
  t: TestApp,
  userId: string,
  input: {
    day: string;
    completedAt?: Date;
    /** When the entry reached the server; a minute after `completedAt` unless given. */
    recordedAt?: Date;
    source?: 'app' | 'machine' | 'import';
    sets: SetInput[];
    personalRecords?: PersonalRecordKind[];
    exerciseId?: string;
  },
): Promise<WorkoutLogRow> {
  const completedAt = input.completedAt ?? at(input.day);
  const recordedAt = input.recordedAt ?? new Date(completedAt.getTime() + 60_000);
  return unitOf(t, async (uow) => {
    const [log] = await uow.tx
      .insert(workoutLogs)
      .values({
        userId,
        day: input.day,
        exerciseId: input.exerciseId ?? 'bench-press',
        exerciseName: 'Bench press',
        completedAt,
        source: input.source ?? 'app',
        importKey: input.source === 'import' ? `test:${randomUUID()}` : null,
        personalRecords: input.personalRecords ?? [],
        createdAt: recordedAt,
        updatedAt: recordedAt,
      })
      .returning();
    if (!log) throw new Error('no log row');
    if (input.sets.length > 0) await uow.tx.insert(workoutSets).values(setRows(log, input.sets));
    await t.container.events.run('workout-logs.changed', { uow, userId, change: 'created', log });
    return log;
  });
}

/**
 * Changes a log entry (its day, time, sets or records) and runs `workout-logs.changed`
 * ('updated', with `previousDay` when the day changed).
 */
export async function editWorkout(
  t: TestApp,
  log: WorkoutLogRow,
  changes: {
    day?: string;
    completedAt?: Date;
    sets?: SetInput[];
    personalRecords?: PersonalRecordKind[];
  },
): Promise<WorkoutLogRow> {
  return unitOf(t, async (uow) => {
    const [updated] = await uow.tx
      .update(workoutLogs)
      .set({
        day: changes.day ?? log.day,
        completedAt: changes.completedAt ?? (changes.day ? at(changes.day) : log.completedAt),
        personalRecords: changes.personalRecords ?? log.personalRecords,
        updatedAt: new Date(),
      })
      .where(eq(workoutLogs.id, log.id))
      .returning();
    if (!updated) throw new Error('no log row');
    if (changes.sets) {
      await uow.tx.delete(workoutSets).where(eq(workoutSets.logId, log.id));
      if (changes.sets.length > 0) {
        await uow.tx.insert(workoutSets).values(setRows(updated, changes.sets));
      }
    } else if (updated.day !== log.day) {
      await uow.tx
        .update(workoutSets)
        .set({ day: updated.day })
        .where(eq(workoutSets.logId, log.id));
    }
    await t.container.events.run('workout-logs.changed', {
      uow,
      userId: log.userId,
      change: 'updated',
      log: updated,
      previousDay: updated.day !== log.day ? log.day : undefined,
    });
    return updated;
  });
}

/**
 * Deletes a log entry (leaving its tombstone) and runs `workout-logs.changed` ('deleted');
 * `eventFirst` runs the event before the rows go, as a service may.
 */
export async function deleteWorkout(
  t: TestApp,
  log: WorkoutLogRow,
  options: { eventFirst?: boolean } = {},
): Promise<void> {
  await unitOf(t, async (uow) => {
    const announce = () =>
      t.container.events.run('workout-logs.changed', {
        uow,
        userId: log.userId,
        change: 'deleted',
        log,
      });
    if (options.eventFirst) await announce();
    await uow.tx
      .delete(workoutLogs)
      .where(and(eq(workoutLogs.id, log.id), eq(workoutLogs.userId, log.userId)));
    await uow.tx
      .insert(deletedRecords)
      .values({ userId: log.userId, kind: 'workout-log', recordId: log.id });
    if (!options.eventFirst) await announce();
  });
}

/** Logs a meal and runs `meal-logs.changed` ('created'). */
export async function logMeal(
  t: TestApp,
  userId: string,
  input: { day: string; consumedAt?: Date; recordedAt?: Date; calories?: number },
): Promise<MealLogRow> {
  const consumedAt = input.consumedAt ?? at(input.day);
  const recordedAt = input.recordedAt ?? new Date(consumedAt.getTime() + 60_000);
  return unitOf(t, async (uow) => {
    const [meal] = await uow.tx
      .insert(mealLogs)
      .values({
        userId,
        day: input.day,
        mealType: 'lunch',
        mealDescription: 'Chicken and rice',
        consumedAt,
        calories: input.calories ?? 600,
        protein: 40,
        carbs: 70,
        fat: 15,
        source: 'manual',
        createdAt: recordedAt,
        updatedAt: recordedAt,
      })
      .returning();
    if (!meal) throw new Error('no meal row');
    await t.container.events.run('meal-logs.changed', { uow, userId, change: 'created', meal });
    return meal;
  });
}

/** Changes a meal and runs `meal-logs.changed` ('updated'). */
export async function editMeal(
  t: TestApp,
  meal: MealLogRow,
  changes: { day?: string; calories?: number; consumedAt?: Date },
): Promise<MealLogRow> {
  return unitOf(t, async (uow) => {
    const [updated] = await uow.tx
      .update(mealLogs)
      .set({
        day: changes.day ?? meal.day,
        calories: changes.calories ?? meal.calories,
        consumedAt: changes.consumedAt ?? (changes.day ? at(changes.day) : meal.consumedAt),
        updatedAt: new Date(),
      })
      .where(eq(mealLogs.id, meal.id))
      .returning();
    if (!updated) throw new Error('no meal row');
    await t.container.events.run('meal-logs.changed', {
      uow,
      userId: meal.userId,
      change: 'updated',
      meal: updated,
      previousDay: updated.day !== meal.day ? meal.day : undefined,
    });
    return updated;
  });
}

/** Deletes a meal (leaving its tombstone) and runs `meal-logs.changed` ('deleted'). */
export async function deleteMeal(t: TestApp, meal: MealLogRow): Promise<void> {
  await unitOf(t, async (uow) => {
    await uow.tx.delete(mealLogs).where(eq(mealLogs.id, meal.id));
    await uow.tx
      .insert(deletedRecords)
      .values({ userId: meal.userId, kind: 'meal-log', recordId: meal.id });
    await t.container.events.run('meal-logs.changed', {
      uow,
      userId: meal.userId,
      change: 'deleted',
      meal,
    });
  });
}

/**
 * A check-in on a member-local day: a gym session row and, in its transaction, the gym floor's
 * `gym-floor.checked-in` event, as a check-in runs it. The session is stored
 * already ended, so a test can check in several times.
 */
export async function checkInOnDay(
  t: TestApp,
  userId: string,
  branchId: string,
  day: string,
): Promise<string> {
  return unitOf(t, async (uow) => {
    const [session] = await uow.tx
      .insert(gymSessions)
      .values({
        userId,
        branchId,
        startTime: at(day),
        endTime: at(day, '13:00'),
        duration: 60,
        status: 'completed',
      })
      .returning();
    if (!session) throw new Error('no gym session row');
    await t.container.events.run('gym-floor.checked-in', {
      uow,
      userId,
      sessionId: session.id,
      branchId,
      day,
    });
    return session.id;
  });
}

/** The `YYYY-MM-DD` day `offset` days after `day`. */
export function dayAfter(day: string, offset = 1): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);
}
