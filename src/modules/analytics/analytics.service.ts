import type { Database } from '../../db/database.js';
import type { UnitOfWork } from '../../db/unit-of-work.js';
import { validationError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { localDay } from '../../lib/time/local-day.js';
import { analyticsRepository as repository, type WeeklyMuscleRow } from './analytics.repository.js';
import {
  COMPLIANCE_BAND_PERCENT,
  MAX_COMPLIANCE_RANGE_DAYS,
  MAX_RANGE_DAYS,
  MOVING_AVERAGE_WINDOW_DAYS,
  type BodyTrendsQuery,
  type BodyTrendsView,
  type Macros,
  type NutritionComplianceView,
  type RangeQuery,
  type WorkoutProgressQuery,
  type WorkoutProgressView,
  type WorkoutSummaryView,
} from './analytics.schemas.js';
import type { ExerciseDayRollupRow, NutritionDayRollupRow } from './analytics.table.js';
import {
  addDays,
  daysSpanned,
  isoWeekOf,
  isoWeeksOverlapping,
  startOfDayUtc,
} from '../../lib/time/calendar-days.js';
import { movingAverages } from './moving-average.js';
import { VersionedCache } from './versioned-cache.js';

/** The member's time zone for their local days (the container's `memberTimeZones`). */
export interface MemberTimeZones {
  timezoneOf(userId: string): Promise<string>;
}

/** How many days a week the member's active workout plan trains (the workouts module). */
export interface TrainingPlans {
  activePlanDaysPerWeek(userId: string): Promise<number | null>;
}

/** The member's macro targets of each day, kcal and grams (the nutrition module); null: none. */
export interface DailyTargets {
  dailyTargetsOn(userId: string, days: readonly string[]): Promise<(Macros | null)[]>;
}

export interface AnalyticsServiceDeps {
  db: Database;
  logger: Logger;
  timeZones: MemberTimeZones;
  plans: TrainingPlans;
  targets: DailyTargets;
}

/** What the in-transaction log events say; only these fields are read. */
interface DayChange {
  uow: UnitOfWork;
  userId: string;
  day: string;
  previousDay?: string;
}

/** A workout log event: a created entry (with all its sets written) is added to its day. */
interface WorkoutLogChange extends DayChange {
  change: 'created' | 'updated' | 'deleted';
  logId: string;
}

/** What a summary reads from the rollups, kept per member and range (see `summaryRollups`). */
interface SummaryRollups {
  totals: Awaited<ReturnType<typeof repository.workoutTotals>>;
  weekly: WeeklyMuscleRow[];
}

/** What a rebuild found: rollup rows checked against the raw rows, and those that differed. */
export interface RebuildReport {
  userId: string;
  exerciseDays: { checked: number; drifted: number };
  nutritionDays: { checked: number; drifted: number };
}

/** Days resolved in the member's zone. */
interface DayRange {
  from: string;
  to: string;
  timezone: string;
}

const DEFAULT_SUMMARY_DAYS = 30;
// A summary of a year sums tens of thousands of rollup rows for a member who logs every
// exercise separately; read again only when the member's rollups changed. The age bounds how
// long a change to the exercise library (a deploy) can take to show in the muscle groups.
const SUMMARY_CACHE = { maxEntries: 500, maxAgeMs: 60_000 };
const DEFAULT_HISTORY_DAYS = 365;

const round = (value: number, digits: number) => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};
const kg = (value: number) => round(value, 2);
const macroKeys = ['calories', 'protein', 'carbs', 'fat'] as const;
const mapMacros = <T>(map: (key: (typeof macroKeys)[number]) => T) => ({
  calories: map('calories'),
  protein: map('protein'),
  carbs: map('carbs'),
  fat: map('fat'),
});

/** Relative difference small enough to be float summation order, not drift. */
const sameNumber = (a: number | null, b: number | null) =>
  a === null || b === null
    ? a === b
    : Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

function sameExerciseDay(a: ExerciseDayRollupRow, b: ExerciseDayRollupRow): boolean {
  return (
    a.logs === b.logs &&
    a.sets === b.sets &&
    a.reps === b.reps &&
    a.durationSec === b.durationSec &&
    sameNumber(a.volumeKg, b.volumeKg) &&
    sameNumber(a.bestE1rmKg, b.bestE1rmKg) &&
    sameNumber(a.bestWeightKg, b.bestWeightKg) &&
    a.bestWeightReps === b.bestWeightReps &&
    a.bestReps === b.bestReps
  );
}

function sameNutritionDay(a: NutritionDayRollupRow, b: NutritionDayRollupRow): boolean {
  return a.meals === b.meals && macroKeys.every((key) => sameNumber(a[key], b[key]));
}

/** Rows of `stored` missing from, extra to, or different from `fresh`, matched by key. */
function countDrift<T>(
  fresh: T[],
  stored: T[],
  keyOf: (row: T) => string,
  same: (a: T, b: T) => boolean,
): number {
  const storedByKey = new Map(stored.map((row) => [keyOf(row), row]));
  let drifted = 0;
  for (const row of fresh) {
    const match = storedByKey.get(keyOf(row));
    if (!match || !same(row, match)) drifted++;
    storedByKey.delete(keyOf(row));
  }
  return drifted + storedByKey.size;
}

/**
 * Member analytics over their own logs. Every number is summed from rollup tables that hold at
 * most one row per member and day (per exercise for workouts), rewritten from the raw rows of a
 * day inside the transaction that changed that day; a job rebuilds members from scratch and
 * reports what had drifted. Reads therefore cost the length of the range, not of the history;
 * the summary's sums, the one read that grows with range × exercises, are also kept per process
 * under the member's rollup version (`analytics_member_changes`, moved by every write), so a
 * repeated summary costs one primary-key read until the member's logs change.
 */
export class AnalyticsService {
  private readonly summaries = new VersionedCache<SummaryRollups>(SUMMARY_CACHE);

  constructor(private readonly deps: AnalyticsServiceDeps) {}

  // ---- keeping the rollups ----

  /**
   * In the writing transaction: a new entry is added to its exercise-day (bounded by the
   * entry's own sets, however full the day); a changed or deleted one, which may have changed
   * exercise or day, rewrites the days it touched from the raw rows.
   */
  async onWorkoutLogChanged(change: WorkoutLogChange): Promise<void> {
    const { tx } = change.uow;
    await repository.lockMember(tx, change.userId);
    if (change.change === 'created') {
      await repository.addLogToExerciseDay(tx, change.logId);
    } else {
      for (const day of this.touchedDays(change)) {
        await repository.rewriteExerciseDay(tx, change.userId, day);
      }
    }
    await repository.markChanged(tx, change.userId);
  }

  /** In the writing transaction: rewrites the days a meal log change touched. */
  async onMealLogChanged(change: DayChange): Promise<void> {
    const { tx } = change.uow;
    await repository.lockMember(tx, change.userId);
    for (const day of this.touchedDays(change)) {
      await repository.rewriteNutritionDay(tx, change.userId, day);
    }
    await repository.markChanged(tx, change.userId);
  }

  private touchedDays(change: DayChange): string[] {
    return [...new Set([change.day, change.previousDay ?? change.day])];
  }

  /**
   * Checks all of a member's rollups against their raw rows and, when any differ, rewrites
   * them all; reports how many rows had drifted (logged as a warning when any did).
   */
  async rebuildMember(userId: string): Promise<RebuildReport> {
    const report = await this.deps.db.transaction(async (tx) => {
      await repository.lockMember(tx, userId);
      const [freshExercises, storedExercises, freshNutrition, storedNutrition] = [
        await repository.exerciseDaysFromLogs(tx, userId),
        await repository.storedExerciseDays(tx, userId),
        await repository.nutritionDaysFromMeals(tx, userId),
        await repository.storedNutritionDays(tx, userId),
      ];
      const exerciseDrift = countDrift(
        freshExercises,
        storedExercises,
        (row) => `${row.exerciseId}\u0000${row.day}`,
        sameExerciseDay,
      );
      const nutritionDrift = countDrift(
        freshNutrition,
        storedNutrition,
        (row) => row.day,
        sameNutritionDay,
      );
      if (exerciseDrift > 0) await repository.replaceExerciseDays(tx, userId, freshExercises);
      if (nutritionDrift > 0) await repository.replaceNutritionDays(tx, userId, freshNutrition);
      await repository.markVerified(tx, userId);
      return {
        userId,
        exerciseDays: { checked: freshExercises.length, drifted: exerciseDrift },
        nutritionDays: { checked: freshNutrition.length, drifted: nutritionDrift },
      };
    });
    if (report.exerciseDays.drifted > 0 || report.nutritionDays.drifted > 0) {
      this.deps.logger.warn(report, 'analytics rollups had drifted from the logs; rebuilt');
    }
    return report;
  }

  /** Rebuilds up to `limit` members whose rollups changed since they were last verified. */
  async verifyChangedMembers(limit: number): Promise<RebuildReport[]> {
    const members = await repository.membersToVerify(this.deps.db, limit);
    const reports: RebuildReport[] = [];
    for (const userId of members) reports.push(await this.rebuildMember(userId));
    return reports;
  }

  // ---- reading ----

  /** Totals, muscle groups, weekly muscle volume and plan completion over a range of days. */
  async workoutSummary(userId: string, query: RangeQuery): Promise<WorkoutSummaryView> {
    const range = await this.resolveRange(userId, query, DEFAULT_SUMMARY_DAYS, MAX_RANGE_DAYS);
    const [{ totals, weekly }, daysPerWeek] = await Promise.all([
      this.summaryRollups(userId, range),
      this.deps.plans.activePlanDaysPerWeek(userId),
    ]);

    const byWeek = new Map<string, WeeklyMuscleRow[]>();
    for (const row of weekly)
      byWeek.set(row.weekStart, [...(byWeek.get(row.weekStart) ?? []), row]);
    const plannedDays =
      daysPerWeek === null
        ? 0
        : Math.max(1, Math.round((daysPerWeek * daysSpanned(range.from, range.to)) / 7));
    return {
      ...range,
      totals: { ...totals, volumeKg: kg(totals.volumeKg) },
      muscleGroups: muscleGroupTotals(weekly),
      weeklyMuscleVolume: isoWeeksOverlapping(range.from, range.to).map((weekStart) => ({
        week: isoWeekOf(weekStart),
        weekStart,
        muscleGroups: muscleGroupTotals(byWeek.get(weekStart) ?? []),
      })),
      completion:
        daysPerWeek === null
          ? null
          : {
              plannedDaysPerWeek: daysPerWeek,
              plannedDays,
              trainingDays: totals.trainingDays,
              percentage: round(Math.min(100, (100 * totals.trainingDays) / plannedDays), 1),
            },
    };
  }

  /** The summary's sums over the range, from this process's cache while the rollups stand. */
  private async summaryRollups(userId: string, range: DayRange): Promise<SummaryRollups> {
    const { db } = this.deps;
    const version = await repository.rollupVersion(db, userId);
    return this.summaries.through(`${userId}/${range.from}/${range.to}`, version, async () => {
      const [totals, weekly] = await Promise.all([
        repository.workoutTotals(db, userId, range.from, range.to),
        repository.weeklyMuscleVolume(db, userId, range.from, range.to),
      ]);
      return { totals, weekly };
    });
  }

  /** Per training day of one exercise: best e1RM, heaviest set, volume; its PRs and bests. */
  async workoutProgress(userId: string, query: WorkoutProgressQuery): Promise<WorkoutProgressView> {
    const range = await this.resolveRange(userId, query, DEFAULT_HISTORY_DAYS, MAX_RANGE_DAYS);
    const { db } = this.deps;
    const { exerciseId } = query;
    const [days, records, bests] = await Promise.all([
      repository.exerciseDays(db, userId, exerciseId, range.from, range.to),
      repository.personalRecordEntries(db, userId, exerciseId, {
        from: range.from,
        to: range.to,
        earliest: startOfDayUtc(addDays(range.from, -1)),
        latest: startOfDayUtc(addDays(range.to, 2)),
      }),
      repository.bestDays(db, userId, exerciseId),
    ]);
    const {
      bestE1rmKg: bestE1rm,
      bestWeightKg: heaviest,
      volumeKg: bestVolume,
      bestReps: mostReps,
    } = bests;
    return {
      exerciseId,
      ...range,
      days: days.map((row) => ({
        day: row.day,
        logEntries: row.logs,
        sets: row.sets,
        reps: row.reps,
        volumeKg: kg(row.volumeKg),
        bestE1rmKg: row.bestE1rmKg === null ? null : kg(row.bestE1rmKg),
        bestSet:
          row.bestWeightKg === null
            ? null
            : { weightKg: kg(row.bestWeightKg), reps: row.bestWeightReps ?? 0 },
        mostReps: row.bestReps,
      })),
      personalRecords: records.map((entry) => ({
        logId: entry.id,
        day: entry.day,
        completedAt: entry.completedAt.toISOString(),
        records: entry.personalRecords,
      })),
      currentBests: {
        e1rmKg:
          bestE1rm?.bestE1rmKg == null
            ? null
            : { value: kg(bestE1rm.bestE1rmKg), day: bestE1rm.day },
        heaviestSet:
          heaviest?.bestWeightKg == null
            ? null
            : {
                weightKg: kg(heaviest.bestWeightKg),
                reps: heaviest.bestWeightReps ?? 0,
                day: heaviest.day,
              },
        dayVolumeKg:
          bestVolume && bestVolume.volumeKg > 0
            ? { value: kg(bestVolume.volumeKg), day: bestVolume.day }
            : null,
        mostReps:
          mostReps?.bestReps == null ? null : { value: mostReps.bestReps, day: mostReps.day },
      },
    };
  }

  /** Per logged day what was eaten against the day's targets, and over the whole range. */
  async nutritionCompliance(userId: string, query: RangeQuery): Promise<NutritionComplianceView> {
    const range = await this.resolveRange(
      userId,
      query,
      DEFAULT_SUMMARY_DAYS,
      MAX_COMPLIANCE_RANGE_DAYS,
    );
    const rows = await repository.nutritionDays(this.deps.db, userId, range.from, range.to);
    const targets = await this.deps.targets.dailyTargetsOn(
      userId,
      rows.map((row) => row.day),
    );
    const days = rows.map((row, index) => complianceOfDay(row, targets[index] ?? null));

    const withTargets = rows.flatMap((row, index) => {
      const target = targets[index];
      return target ? [{ row, target }] : [];
    });
    const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
    return {
      ...range,
      bandPercent: COMPLIANCE_BAND_PERCENT,
      days,
      overall: {
        loggedDays: rows.length,
        daysWithTargets: withTargets.length,
        daysOnTarget: days.filter((day) => day.onTarget === true).length,
        averageEaten:
          rows.length === 0
            ? null
            : mapMacros((key) => round(sum(rows.map((row) => row[key])) / rows.length, 1)),
        percentOfTarget:
          withTargets.length === 0
            ? null
            : mapMacros((key) => {
                const target = sum(withTargets.map((day) => day.target[key]));
                const eaten = sum(withTargets.map((day) => day.row[key]));
                return target > 0 ? round((100 * eaten) / target, 1) : null;
              }),
      },
    };
  }

  /** A body-composition metric over time with its trailing moving average. */
  async bodyTrends(userId: string, query: BodyTrendsQuery): Promise<BodyTrendsView> {
    const range = await this.resolveRange(userId, query, DEFAULT_HISTORY_DAYS, MAX_RANGE_DAYS);
    // A local day starts at most 14 h before and ends 12 h after its UTC day; the window looks
    // a further week back, so the first points of the range average over what preceded them.
    const entries = await repository.bodyMetricEntries(
      this.deps.db,
      userId,
      query.metric,
      startOfDayUtc(addDays(range.from, -(MOVING_AVERAGE_WINDOW_DAYS + 1))),
      startOfDayUtc(addDays(range.to, 2)),
    );
    const averages = movingAverages(entries, MOVING_AVERAGE_WINDOW_DAYS);
    const points = entries.flatMap((entry, index) => {
      const day = localDay(entry.measuredAt, range.timezone);
      if (day < range.from || day > range.to) return [];
      return [
        {
          measuredAt: entry.measuredAt.toISOString(),
          day,
          value: entry.value,
          movingAverage: round(averages[index] ?? entry.value, 2),
        },
      ];
    });
    const first = points[0];
    const last = points.at(-1);
    return {
      metric: query.metric,
      ...range,
      windowDays: MOVING_AVERAGE_WINDOW_DAYS,
      points,
      change:
        first && last
          ? {
              first: first.value,
              last: last.value,
              absolute: round(last.value - first.value, 2),
              percent:
                first.value === 0
                  ? null
                  : round((100 * (last.value - first.value)) / first.value, 1),
            }
          : null,
    };
  }

  /**
   * `from`/`to` with their defaults in the member's zone: `to` today, `from` so that the range
   * spans `defaultDays`. Out-of-order and too-long ranges are bad input, named by field.
   */
  private async resolveRange(
    userId: string,
    query: RangeQuery,
    defaultDays: number,
    maxDays: number,
  ): Promise<DayRange> {
    const timezone = await this.deps.timeZones.timezoneOf(userId);
    const to = query.to ?? localDay(new Date(), timezone);
    const from = query.from ?? addDays(to, -(defaultDays - 1));
    if (from > to) {
      throw validationError('The range is invalid.', [
        { path: 'query.from', message: `must not be after to (${to})` },
      ]);
    }
    if (daysSpanned(from, to) > maxDays) {
      throw validationError('The range is too long.', [
        { path: 'query.to', message: `the range may span at most ${maxDays} days` },
      ]);
    }
    return { from, to, timezone };
  }
}

/** Muscle groups summed over the rows, largest volume first (then most sets, then name). */
function muscleGroupTotals(rows: WeeklyMuscleRow[]) {
  const totals = new Map<string, { sets: number; volumeKg: number }>();
  for (const row of rows) {
    const total = totals.get(row.muscleGroup) ?? { sets: 0, volumeKg: 0 };
    total.sets += row.sets;
    total.volumeKg += row.volumeKg;
    totals.set(row.muscleGroup, total);
  }
  return [...totals]
    .map(([muscleGroup, total]) => ({
      muscleGroup,
      sets: total.sets,
      volumeKg: kg(total.volumeKg),
    }))
    .sort(
      (a, b) =>
        b.volumeKg - a.volumeKg || b.sets - a.sets || a.muscleGroup.localeCompare(b.muscleGroup),
    );
}

/** One logged day against its targets: percent of each target and whether it is in the band. */
function complianceOfDay(row: NutritionDayRollupRow, targets: Macros | null) {
  const hasTarget = (key: (typeof macroKeys)[number]) => targets !== null && targets[key] > 0;
  const within = targets
    ? mapMacros((key) =>
        hasTarget(key)
          ? Math.abs(row[key] - targets[key]) * 100 <= COMPLIANCE_BAND_PERCENT * targets[key]
          : null,
      )
    : null;
  return {
    day: row.day,
    meals: row.meals,
    eaten: mapMacros((key) => round(row[key], 1)),
    targets,
    percentOfTarget: targets
      ? mapMacros((key) => (hasTarget(key) ? round((100 * row[key]) / targets[key], 1) : null))
      : null,
    withinTarget: within,
    onTarget: within?.calories ?? null,
  };
}
