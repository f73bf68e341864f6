import type {
  WorkoutLogView,
  WorkoutProgressRecord,
  WorkoutSetView,
} from './workout-logs.schemas.js';
import type { WorkoutLogRow, WorkoutSetRow } from './workout-logs.table.js';

/** Two decimals: what clients show, without the float noise of products and sums. */
const rounded = (value: number) => Math.round(value * 100) / 100;

export function presentSet(row: WorkoutSetRow): WorkoutSetView {
  return {
    id: row.id,
    setNumber: row.setNumber,
    reps: row.reps,
    weightKg: row.weightKg,
    durationSec: row.durationSec,
    distanceM: row.distanceM,
    estimatedOneRepMaxKg:
      row.estimatedOneRepMaxKg === null ? null : rounded(row.estimatedOneRepMaxKg),
    recordedAt: row.recordedAt.toISOString(),
  };
}

/** A log entry with its sets, totals and records, as every route answers it. */
export function presentLog(row: WorkoutLogRow, sets: WorkoutSetRow[]): WorkoutLogView {
  const estimates = sets.flatMap((set) =>
    set.estimatedOneRepMaxKg === null ? [] : [set.estimatedOneRepMaxKg],
  );
  return {
    id: row.id,
    day: row.day,
    exerciseId: row.exerciseId,
    exerciseName: row.exerciseName,
    completedAt: row.completedAt.toISOString(),
    performanceNotes: row.performanceNotes,
    machineId: row.machineId,
    source: row.source,
    sets: sets.map(presentSet),
    totals: {
      completedSets: sets.length,
      completedReps: sets.reduce((sum, set) => sum + set.reps, 0),
      volumeKg: rounded(sets.reduce((sum, set) => sum + set.reps * (set.weightKg ?? 0), 0)),
      durationSec: sets.reduce((sum, set) => sum + (set.durationSec ?? 0), 0),
      distanceM: rounded(sets.reduce((sum, set) => sum + (set.distanceM ?? 0), 0)),
    },
    bestEstimatedOneRepMaxKg: estimates.length > 0 ? rounded(Math.max(...estimates)) : null,
    personalRecords: row.personalRecords,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** A set reported over the socket, as acked and broadcast. */
export function presentProgress(
  log: WorkoutLogRow,
  set: WorkoutSetRow,
  report: { source: 'app' | 'machine'; machineId: string | null },
): WorkoutProgressRecord {
  return {
    id: set.id,
    logId: log.id,
    userId: log.userId,
    day: log.day,
    exerciseId: log.exerciseId,
    exerciseName: log.exerciseName,
    setNumber: set.setNumber,
    reps: set.reps,
    weightKg: set.weightKg,
    durationSec: set.durationSec,
    distanceM: set.distanceM,
    machineId: report.machineId,
    source: report.source,
    recordedAt: set.recordedAt.toISOString(),
  };
}
