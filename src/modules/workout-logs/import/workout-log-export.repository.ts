import { and, asc, eq, gte, inArray, lt, lte, type SQL } from 'drizzle-orm';
import type { Database } from '../../../db/database.js';
import { keysetPage } from '../../../db/keyset-page.js';
import type { Cursor } from '../../../lib/http/cursor.js';
import { workoutLogs, workoutSets } from '../workout-logs.table.js';

const DAY_MS = 86_400_000;

/** Local days bounding an export, both inclusive. */
export interface DayRange {
  from?: string;
  to?: string;
}

/** The columns of a log entry an export shows. */
export interface ExportedLog {
  id: string;
  completedAt: Date;
  day: string;
  exerciseId: string;
  exerciseName: string;
  performanceNotes: string | null;
  source: string;
}

/** The columns of a set an export shows. */
export interface ExportedSet {
  logId: string;
  setNumber: number;
  reps: number;
  weightKg: number | null;
  durationSec: number | null;
  distanceM: number | null;
  estimatedOneRepMaxKg: number | null;
}

/** The reads of the CSV export: a member's log entries page by page, and their sets. */
export const workoutLogExportRepository = {
  /**
   * The member's entries after `after`, oldest first by (completedAt, id), at most `limit`:
   * the keyset order of `workout_logs_user_completed_idx`, so each page costs the same.
   */
  async logPage(
    db: Database,
    userId: string,
    range: DayRange,
    after: Cursor | undefined,
    limit: number,
  ): Promise<ExportedLog[]> {
    const page = keysetPage(
      workoutLogs,
      { by: 'completedAt', direction: 'asc' },
      { limit, cursor: after },
    );
    const filters: (SQL | undefined)[] = [eq(workoutLogs.userId, userId), page.where];
    // `day` is the local day in some zone (UTC−12 to UTC+14): bounding completedAt a day
    // wider on each side lets the (user, completedAt, id) index skip the rest of the history.
    if (range.from) {
      filters.push(gte(workoutLogs.day, range.from));
      filters.push(gte(workoutLogs.completedAt, new Date(Date.parse(range.from) - DAY_MS)));
    }
    if (range.to) {
      filters.push(lte(workoutLogs.day, range.to));
      filters.push(lt(workoutLogs.completedAt, new Date(Date.parse(range.to) + 2 * DAY_MS)));
    }
    return db
      .select({
        id: workoutLogs.id,
        completedAt: workoutLogs.completedAt,
        day: workoutLogs.day,
        exerciseId: workoutLogs.exerciseId,
        exerciseName: workoutLogs.exerciseName,
        performanceNotes: workoutLogs.performanceNotes,
        source: workoutLogs.source,
      })
      .from(workoutLogs)
      .where(and(...filters))
      .orderBy(...page.orderBy)
      .limit(limit);
  },

  /** The sets of these entries, by entry and set number (the `workout_sets_log_set_key` order). */
  async setsOf(db: Database, userId: string, logIds: string[]): Promise<ExportedSet[]> {
    if (logIds.length === 0) return [];
    return db
      .select({
        logId: workoutSets.logId,
        setNumber: workoutSets.setNumber,
        reps: workoutSets.reps,
        weightKg: workoutSets.weightKg,
        durationSec: workoutSets.durationSec,
        distanceM: workoutSets.distanceM,
        estimatedOneRepMaxKg: workoutSets.estimatedOneRepMaxKg,
      })
      .from(workoutSets)
      .where(and(inArray(workoutSets.logId, logIds), eq(workoutSets.userId, userId)))
      .orderBy(asc(workoutSets.logId), asc(workoutSets.setNumber));
  },
};
