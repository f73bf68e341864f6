import { stringify } from 'csv-stringify/sync';
import type { ExportedLog, ExportedSet } from './workout-log-export.repository.js';

/**
 * The columns of the CSV export, one row per set (an entry without sets is one row with the set
 * columns empty). Weights in kg, times in seconds, distances in metres; empty means none.
 */
export const exportColumns = [
  /** When the entry was completed, ISO 8601 UTC. */
  'completed_at',
  /** The member's local day of the entry, YYYY-MM-DD. */
  'day',
  'exercise_id',
  'exercise_name',
  'set_number',
  'reps',
  'weight_kg',
  'duration_sec',
  'distance_m',
  /** Epley estimate of the one-repetition maximum. */
  'estimated_1rm_kg',
  /** The entry's notes, repeated on each of its sets' rows. */
  'notes',
  /** `app`, `machine` or `import`. */
  'source',
  'log_id',
] as const;

type Cell = string | number | null;

// RFC 4180 (CRLF, quotes doubled); every text cell quoted, numbers bare, absent values empty.
// Text starting with = + - @ (or a tab or carriage return) gets a leading apostrophe, so a
// spreadsheet shows it instead of running it as a formula (CSV injection).
const options = {
  record_delimiter: 'windows',
  quoted_string: true,
  escape_formulas: true,
} as const;

/**
 * The first piece of the file: a UTF-8 byte-order mark (so spreadsheet apps read accents and
 * emoji right) and the header.
 */
export function csvHeader(): string {
  return stringify([[...exportColumns]], { ...options, bom: true });
}

/** The rows of a page of entries, each entry's sets in order. */
export function csvRows(logs: readonly ExportedLog[], sets: readonly ExportedSet[]): string {
  const setsByLog = new Map<string, ExportedSet[]>();
  for (const set of sets) {
    const ofLog = setsByLog.get(set.logId);
    if (ofLog) ofLog.push(set);
    else setsByLog.set(set.logId, [set]);
  }
  const rows: Cell[][] = [];
  for (const log of logs) {
    const entry: Cell[] = [
      log.completedAt.toISOString(),
      log.day,
      log.exerciseId,
      log.exerciseName,
    ];
    const tail: Cell[] = [log.performanceNotes, log.source, log.id];
    const ofLog = setsByLog.get(log.id) ?? [];
    if (ofLog.length === 0) rows.push([...entry, null, null, null, null, null, null, ...tail]);
    for (const set of ofLog) {
      rows.push([
        ...entry,
        set.setNumber,
        set.reps,
        set.weightKg,
        set.durationSec,
        set.distanceM,
        // As the API shows it: to the hundredth of a kilogram.
        set.estimatedOneRepMaxKg === null ? null : Math.round(set.estimatedOneRepMaxKg * 100) / 100,
        ...tail,
      ]);
    }
  }
  return rows.length === 0 ? '' : stringify(rows, options);
}
