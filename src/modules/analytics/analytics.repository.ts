import {
  and,
  asc,
  between,
  desc,
  eq,
  getTableColumns,
  gte,
  isNotNull,
  isNull,
  lt,
  or,
  sql,
} from 'drizzle-orm';
import { unionAll } from 'drizzle-orm/pg-core';
import type { Database } from '../../db/database.js';
import { mealLogs } from '../nutrition/meal-logs.table.js';
import { bodyCompositionEntries } from '../users/body-composition.table.js';
import { users } from '../users/users.table.js';
import { workoutLogs, workoutSets } from '../workout-logs/workout-logs.table.js';
import { exercises } from '../workouts/workouts.table.js';
import {
  analyticsMemberChanges,
  exerciseDayRollups,
  nutritionDayRollups,
  type ExerciseDayRollupRow,
  type NutritionDayRollupRow,
} from './analytics.table.js';
import type { BodyMetric } from './analytics.schemas.js';

// Any fixed int4; with the member's hash it names the member's rollup lock.
const ROLLUP_LOCK_CLASS = 4_726_010;
// Rows per INSERT when a rebuild rewrites a member: 12 parameters each, far below the 65,535 cap.
const INSERT_BATCH_ROWS = 1_000;

/**
 * The exercise-day rollup rows of a member, summed from the raw log entries and their sets,
 * in the rollup table's column order (what `insert … select` needs). The day is the log
 * entry's; a log entry without sets still counts as an entry on its day.
 */
function exerciseDaysFromLogs(db: Database, userId?: string, day?: string, logId?: string) {
  return db
    .select({
      userId: workoutLogs.userId,
      exerciseId: workoutLogs.exerciseId,
      day: workoutLogs.day,
      logs: sql<number>`count(distinct ${workoutLogs.id})::int`.as('logs'),
      sets: sql<number>`count(${workoutSets.id})::int`.as('sets'),
      reps: sql<number>`coalesce(sum(${workoutSets.reps}), 0)::int`.as('reps'),
      volumeKg:
        sql<number>`coalesce(sum(${workoutSets.reps} * ${workoutSets.weightKg}), 0)::float8`.as(
          'volume_kg',
        ),
      durationSec: sql<number>`coalesce(sum(${workoutSets.durationSec}), 0)::int`.as(
        'duration_sec',
      ),
      bestE1rmKg: sql<number | null>`max(${workoutSets.estimatedOneRepMaxKg})`.as('best_e1rm_kg'),
      bestWeightKg: sql<number | null>`max(${workoutSets.weightKg})`.as('best_weight_kg'),
      bestWeightReps: sql<number | null>`(array_agg(${workoutSets.reps}
          order by ${workoutSets.weightKg} desc, ${workoutSets.reps} desc)
          filter (where ${workoutSets.weightKg} is not null))[1]`.as('best_weight_reps'),
      bestReps: sql<number | null>`max(${workoutSets.reps})`.as('best_reps'),
    })
    .from(workoutLogs)
    .leftJoin(workoutSets, eq(workoutSets.logId, workoutLogs.id))
    .where(
      and(
        userId === undefined ? undefined : eq(workoutLogs.userId, userId),
        day === undefined ? undefined : eq(workoutLogs.day, day),
        logId === undefined ? undefined : eq(workoutLogs.id, logId),
      ),
    )
    .groupBy(workoutLogs.userId, workoutLogs.exerciseId, workoutLogs.day);
}

/** A member's nutrition-day rollup rows, summed from the raw meal logs, in column order. */
function nutritionDaysFromMeals(db: Database, userId: string, day?: string) {
  return db
    .select({
      userId: mealLogs.userId,
      day: mealLogs.day,
      meals: sql<number>`count(*)::int`.as('meals'),
      calories: sql<number>`sum(${mealLogs.calories})::float8`.as('calories'),
      protein: sql<number>`sum(${mealLogs.protein})::float8`.as('protein'),
      carbs: sql<number>`sum(${mealLogs.carbs})::float8`.as('carbs'),
      fat: sql<number>`sum(${mealLogs.fat})::float8`.as('fat'),
    })
    .from(mealLogs)
    .where(and(eq(mealLogs.userId, userId), day === undefined ? undefined : eq(mealLogs.day, day)))
    .groupBy(mealLogs.userId, mealLogs.day);
}

/** The measures a day of one exercise can be the best by. */
const bestMeasures = ['bestE1rmKg', 'bestWeightKg', 'volumeKg', 'bestReps'] as const;
export type BestMeasure = (typeof bestMeasures)[number];

/** One ISO week's sets and volume for one muscle group. */
export interface WeeklyMuscleRow {
  weekStart: string;
  muscleGroup: string;
  sets: number;
  volumeKg: number;
}

/** The only place that queries the analytics tables (and reads the logs they summarise). */
export const analyticsRepository = {
  /**
   * Serialises every rewrite of one member's rollups until the transaction ends, so two
   * transactions changing the same member's logs recompute one after the other, each from rows
   * that include the other's. One lock per member (not per day) cannot deadlock when one
   * transaction touches several days.
   */
  async lockMember(tx: Database, userId: string): Promise<void> {
    await tx.execute(sql`select pg_advisory_xact_lock(${ROLLUP_LOCK_CLASS}, hashtext(${userId}))`);
  },

  /** Rewrites the member's exercise rollups of one day from the raw log rows of that day. */
  async rewriteExerciseDay(tx: Database, userId: string, day: string): Promise<void> {
    await tx
      .delete(exerciseDayRollups)
      .where(and(eq(exerciseDayRollups.userId, userId), eq(exerciseDayRollups.day, day)));
    await tx.insert(exerciseDayRollups).select(exerciseDaysFromLogs(tx, userId, day));
  },

  /**
   * Adds one new log entry and its sets to its exercise-day rollup, in one upsert that reads
   * only that entry's sets: sums add up and bests combine, so a day of any length costs the
   * same. Only for an entry just created with all its sets, under the member's lock (a changed
   * or deleted entry rewrites its days instead, see `rewriteExerciseDay`).
   */
  async addLogToExerciseDay(tx: Database, logId: string): Promise<void> {
    await tx.execute(sql`
      insert into ${exerciseDayRollups} (user_id, exercise_id, day, logs, sets, reps, volume_kg,
        duration_sec, best_e1rm_kg, best_weight_kg, best_weight_reps, best_reps)
      select user_id, exercise_id, day, logs, sets, reps, volume_kg, duration_sec, best_e1rm_kg,
        best_weight_kg, best_weight_reps, best_reps
      from (${exerciseDaysFromLogs(tx, undefined, undefined, logId)}) as added
      on conflict (user_id, exercise_id, day) do update set
        logs = ${exerciseDayRollups}.logs + excluded.logs,
        sets = ${exerciseDayRollups}.sets + excluded.sets,
        reps = ${exerciseDayRollups}.reps + excluded.reps,
        volume_kg = ${exerciseDayRollups}.volume_kg + excluded.volume_kg,
        duration_sec = ${exerciseDayRollups}.duration_sec + excluded.duration_sec,
        best_e1rm_kg = greatest(${exerciseDayRollups}.best_e1rm_kg, excluded.best_e1rm_kg),
        best_weight_kg = greatest(${exerciseDayRollups}.best_weight_kg, excluded.best_weight_kg),
        -- The reps of the heaviest set: the new entry's when it lifted more, the most of both
        -- when it lifted the same (greatest() ignores nulls).
        best_weight_reps = case
          when excluded.best_weight_kg is null then ${exerciseDayRollups}.best_weight_reps
          when ${exerciseDayRollups}.best_weight_kg is null
            or excluded.best_weight_kg > ${exerciseDayRollups}.best_weight_kg
            then excluded.best_weight_reps
          when excluded.best_weight_kg = ${exerciseDayRollups}.best_weight_kg
            then greatest(${exerciseDayRollups}.best_weight_reps, excluded.best_weight_reps)
          else ${exerciseDayRollups}.best_weight_reps end,
        best_reps = greatest(${exerciseDayRollups}.best_reps, excluded.best_reps)`);
  },

  /** Rewrites the member's nutrition rollup of one day from the raw meal rows of that day. */
  async rewriteNutritionDay(tx: Database, userId: string, day: string): Promise<void> {
    await tx
      .delete(nutritionDayRollups)
      .where(and(eq(nutritionDayRollups.userId, userId), eq(nutritionDayRollups.day, day)));
    await tx.insert(nutritionDayRollups).select(nutritionDaysFromMeals(tx, userId, day));
  },

  /**
   * Records that the member's rollups were rewritten (see the verification job). The time only
   * moves forward, at least a millisecond per change, so it also versions the member's rollups
   * (see `rollupVersion`).
   */
  async markChanged(tx: Database, userId: string): Promise<void> {
    // clock_timestamp, taken under the member lock: later than any rebuild that held it before.
    await tx
      .insert(analyticsMemberChanges)
      .values({ userId, changedAt: sql`clock_timestamp()` })
      .onConflictDoUpdate({
        target: analyticsMemberChanges.userId,
        set: {
          changedAt: sql`greatest(excluded.changed_at,
            ${analyticsMemberChanges.changedAt} + interval '1 millisecond')`,
        },
      });
  },

  /**
   * A value that differs whenever the member's rollups may have changed since it was last
   * read: every log change moves `changed_at` forward and every rebuild sets `verified_at`, in
   * the transaction that wrote the rollups. Read before the rollups, so what is read after it
   * is at least as new.
   */
  async rollupVersion(db: Database, userId: string): Promise<string> {
    const [row] = await db
      .select({
        changedAt: analyticsMemberChanges.changedAt,
        verifiedAt: analyticsMemberChanges.verifiedAt,
      })
      .from(analyticsMemberChanges)
      .where(eq(analyticsMemberChanges.userId, userId));
    return row ? `${row.changedAt.getTime()}/${row.verifiedAt?.getTime() ?? '-'}` : 'never';
  },

  /** Records that a rebuild checked all the member's rollups, as of the transaction's start. */
  async markVerified(tx: Database, userId: string): Promise<void> {
    // Through the users row, so a member deleted meanwhile is simply not recorded.
    await tx
      .insert(analyticsMemberChanges)
      .select(
        tx
          .select({
            userId: users.id,
            changedAt: sql<Date>`now()`.as('changed_at'),
            verifiedAt: sql<Date>`now()`.as('verified_at'),
          })
          .from(users)
          .where(eq(users.id, userId)),
      )
      .onConflictDoUpdate({
        target: analyticsMemberChanges.userId,
        set: { verifiedAt: sql`now()` },
      });
  },

  /** Members whose rollups changed since a rebuild last checked them, longest waiting first. */
  async membersToVerify(db: Database, limit: number): Promise<string[]> {
    const rows = await db
      .select({ userId: analyticsMemberChanges.userId })
      .from(analyticsMemberChanges)
      .where(
        or(
          isNull(analyticsMemberChanges.verifiedAt),
          lt(analyticsMemberChanges.verifiedAt, analyticsMemberChanges.changedAt),
        ),
      )
      .orderBy(asc(analyticsMemberChanges.changedAt))
      .limit(limit);
    return rows.map((row) => row.userId);
  },

  /** Every exercise-day row of the member as the raw logs say it should be. */
  exerciseDaysFromLogs(db: Database, userId: string): Promise<ExerciseDayRollupRow[]> {
    return exerciseDaysFromLogs(db, userId);
  },

  /** Every nutrition-day row of the member as the raw meals say it should be. */
  nutritionDaysFromMeals(db: Database, userId: string): Promise<NutritionDayRollupRow[]> {
    return nutritionDaysFromMeals(db, userId);
  },

  storedExerciseDays(db: Database, userId: string): Promise<ExerciseDayRollupRow[]> {
    return db.select().from(exerciseDayRollups).where(eq(exerciseDayRollups.userId, userId));
  },

  storedNutritionDays(db: Database, userId: string): Promise<NutritionDayRollupRow[]> {
    return db.select().from(nutritionDayRollups).where(eq(nutritionDayRollups.userId, userId));
  },

  /** Replaces all of the member's exercise rollups with these rows. */
  async replaceExerciseDays(
    tx: Database,
    userId: string,
    rows: ExerciseDayRollupRow[],
  ): Promise<void> {
    await tx.delete(exerciseDayRollups).where(eq(exerciseDayRollups.userId, userId));
    for (let start = 0; start < rows.length; start += INSERT_BATCH_ROWS) {
      await tx.insert(exerciseDayRollups).values(rows.slice(start, start + INSERT_BATCH_ROWS));
    }
  },

  /** Replaces all of the member's nutrition rollups with these rows. */
  async replaceNutritionDays(
    tx: Database,
    userId: string,
    rows: NutritionDayRollupRow[],
  ): Promise<void> {
    await tx.delete(nutritionDayRollups).where(eq(nutritionDayRollups.userId, userId));
    for (let start = 0; start < rows.length; start += INSERT_BATCH_ROWS) {
      await tx.insert(nutritionDayRollups).values(rows.slice(start, start + INSERT_BATCH_ROWS));
    }
  },

  /** Totals over a range of days, from at most one row per exercise and day. */
  async workoutTotals(db: Database, userId: string, from: string, to: string) {
    const r = exerciseDayRollups;
    const [row] = await db
      .select({
        trainingDays: sql<number>`count(distinct ${r.day})::int`,
        logEntries: sql<number>`coalesce(sum(${r.logs}), 0)::int`,
        sets: sql<number>`coalesce(sum(${r.sets}), 0)::int`,
        reps: sql<number>`coalesce(sum(${r.reps}), 0)::int`,
        volumeKg: sql<number>`coalesce(sum(${r.volumeKg}), 0)::float8`,
        durationSec: sql<number>`coalesce(sum(${r.durationSec}), 0)::int`,
      })
      .from(r)
      .where(and(eq(r.userId, userId), between(r.day, from, to)));
    return row ?? { trainingDays: 0, logEntries: 0, sets: 0, reps: 0, volumeKg: 0, durationSec: 0 };
  },

  /**
   * Sets and volume per ISO week and muscle group. The rollups are first summed per week and
   * exercise, then each exercise's sets count fully for each of its primary muscles in the
   * library; an exercise id the library does not know (or one without primary muscles) counts
   * as `other`.
   */
  async weeklyMuscleVolume(
    db: Database,
    userId: string,
    from: string,
    to: string,
  ): Promise<WeeklyMuscleRow[]> {
    const r = exerciseDayRollups;
    const perWeek = db
      .select({
        weekStart: sql<string>`(${r.day} - (extract(isodow from ${r.day})::int - 1))`.as(
          'week_start',
        ),
        exerciseId: sql<string>`${r.exerciseId}`.as('week_exercise_id'),
        sets: sql<number>`sum(${r.sets})`.as('week_sets'),
        volumeKg: sql<number>`sum(${r.volumeKg})`.as('week_volume_kg'),
      })
      .from(r)
      .where(and(eq(r.userId, userId), between(r.day, from, to)))
      .groupBy(sql`1`, r.exerciseId)
      .as('per_week');
    const muscle = sql<string>`coalesce(muscle.name, 'other')`;
    const rows = await db
      .select({
        weekStart: sql<string>`${perWeek.weekStart}::text`,
        muscleGroup: muscle,
        sets: sql<number>`sum(${perWeek.sets})::int`,
        volumeKg: sql<number>`sum(${perWeek.volumeKg})::float8`,
      })
      .from(perWeek)
      .leftJoin(
        exercises,
        // On text, so ids that are not UUIDs (imports, custom exercises) simply match nothing.
        sql`${exercises.id}::text = lower(${perWeek.exerciseId})`,
      )
      .leftJoin(sql`lateral unnest(${exercises.primaryMuscles}) as muscle(name)`, sql`true`)
      .groupBy(sql`1`, sql`2`);
    return rows;
  },

  /** The exercise's rollup rows over a range of days, oldest first. */
  exerciseDays(db: Database, userId: string, exerciseId: string, from: string, to: string) {
    const r = exerciseDayRollups;
    return db
      .select()
      .from(r)
      .where(and(eq(r.userId, userId), eq(r.exerciseId, exerciseId), between(r.day, from, to)))
      .orderBy(asc(r.day));
  },

  /**
   * The exercise's best day by each measure over all its history (earliest day on ties), in one
   * statement; a measure no day has is missing.
   */
  async bestDays(
    db: Database,
    userId: string,
    exerciseId: string,
  ): Promise<Partial<Record<BestMeasure, ExerciseDayRollupRow>>> {
    const r = exerciseDayRollups;
    const bestBy = (measure: BestMeasure) =>
      db
        .select({ measure: sql<string>`${measure}::text`.as('measure'), ...getTableColumns(r) })
        .from(r)
        .where(and(eq(r.userId, userId), eq(r.exerciseId, exerciseId), isNotNull(r[measure])))
        .orderBy(
          desc(r[measure]),
          // The heaviest set: at equal weight, more reps is the better set.
          ...(measure === 'bestWeightKg' ? [desc(r.bestWeightReps)] : []),
          asc(r.day),
        )
        .limit(1);
    const rows = await unionAll(
      bestBy('bestE1rmKg'),
      bestBy('bestWeightKg'),
      bestBy('volumeKg'),
      bestBy('bestReps'),
    );
    const bests: Partial<Record<BestMeasure, ExerciseDayRollupRow>> = {};
    for (const { measure, ...row } of rows) {
      const known = bestMeasures.find((candidate) => candidate === measure);
      if (known) bests[known] = row;
    }
    return bests;
  },

  /**
   * The exercise's log entries that set a personal record, in a range of days. `completedAt`
   * lies within a day and a half of its local day in any zone, so that margin bounds the index
   * scan and the day filter keeps exactly the range.
   */
  personalRecordEntries(
    db: Database,
    userId: string,
    exerciseId: string,
    range: { from: string; to: string; earliest: Date; latest: Date },
  ) {
    const l = workoutLogs;
    return db
      .select({
        id: l.id,
        day: l.day,
        completedAt: l.completedAt,
        personalRecords: l.personalRecords,
      })
      .from(l)
      .where(
        and(
          eq(l.userId, userId),
          eq(l.exerciseId, exerciseId),
          gte(l.completedAt, range.earliest),
          lt(l.completedAt, range.latest),
          between(l.day, range.from, range.to),
          sql`cardinality(${l.personalRecords}) > 0`,
        ),
      )
      .orderBy(asc(l.completedAt), asc(l.id));
  },

  /** The member's nutrition rollups over a range of days, oldest first. */
  nutritionDays(db: Database, userId: string, from: string, to: string) {
    const r = nutritionDayRollups;
    return db
      .select()
      .from(r)
      .where(and(eq(r.userId, userId), between(r.day, from, to)))
      .orderBy(asc(r.day));
  },

  /** Body-composition entries with the metric measured, between two instants, oldest first. */
  async bodyMetricEntries(
    db: Database,
    userId: string,
    metric: BodyMetric,
    earliest: Date,
    latest: Date,
  ): Promise<{ measuredAt: Date; value: number }[]> {
    const b = bodyCompositionEntries;
    const column = b[metric];
    const rows = await db
      .select({ measuredAt: b.measuredAt, value: column })
      .from(b)
      .where(
        and(
          eq(b.userId, userId),
          gte(b.measuredAt, earliest),
          lt(b.measuredAt, latest),
          isNotNull(column),
        ),
      )
      .orderBy(asc(b.measuredAt), asc(b.id));
    return rows.flatMap((row) =>
      row.value === null ? [] : [{ measuredAt: row.measuredAt, value: row.value }],
    );
  },
};
