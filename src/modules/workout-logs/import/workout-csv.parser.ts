import { validationError } from '../../../lib/errors.js';
import { nameBasedUuid } from '../../../lib/name-based-uuid.js';
import type { ImportedSet, ImportedWorkoutLog } from '../imported-log.js';
import { headerCandidates, readCsvTable } from './csv-table.js';
import { hevyFormat } from './hevy.format.js';
import {
  SkippedRow,
  joinNotes,
  type RowContext,
  type SourceApp,
  type SourceFormat,
} from './source-rows.js';
import { strongFormat } from './strong.format.js';

const formats: Record<SourceApp, SourceFormat> = { strong: strongFormat, hevy: hevyFormat };

/** A row of the file that was not imported, by its line (the header is line 1). */
export interface SkippedRowReport {
  row: number;
  reason: string;
}

/** An entry read from the file, before its exercise is matched to the library. */
export type ParsedWorkoutEntry = Omit<ImportedWorkoutLog, 'exerciseId'>;

export interface ParsedWorkoutCsv {
  format: SourceApp;
  entries: ParsedWorkoutEntry[];
  skipped: SkippedRowReport[];
}

export interface ParseOptions extends Omit<RowContext, 'starts'> {
  /** The app the file must come from; detected from the header when absent. */
  format?: SourceApp;
  /** Data rows a file may have (the header not counted); more is a 413. */
  maxRows: number;
}

/** The key exercises are grouped and matched by: lower case, single spaces. */
export const exerciseNameKey = (name: string) => name.toLowerCase().replace(/\s+/g, ' ').trim();

/**
 * The library names an exercise of another app may go by, most likely first: its own name,
 * then `Bench Press (Barbell)` as `Barbell Bench Press` (Strong and Hevy put the equipment in
 * parentheses, our library puts it first). All lower case.
 */
export function exerciseNameCandidates(name: string): string[] {
  const key = exerciseNameKey(name);
  const equipmentLast = /^(.*\S)\s*\(([^()]+)\)$/.exec(key);
  if (!equipmentLast) return [key];
  const [, base = '', equipment = ''] = equipmentLast;
  return [key, exerciseNameKey(`${equipment} ${base}`)];
}

// Fixed forever: exercise ids derived from names must not change between releases.
const IMPORTED_EXERCISE_NAMESPACE = '649f9133-a3f2-47e7-a2e4-bc529cf7a19c';

/**
 * The id of an exercise the library does not know: a name-based UUID (v5) of its lower-cased,
 * single-spaced name, so the same name gets the same id in every import, for every member,
 * and progress per exercise works for it like for library exercises.
 */
export const derivedExerciseId = (name: string) =>
  nameBasedUuid(IMPORTED_EXERCISE_NAMESPACE, exerciseNameKey(name));

/** The entries with their exercise ids: the library's by name (see candidates), else derived. */
export function withExerciseIds(
  entries: readonly ParsedWorkoutEntry[],
  libraryIds: ReadonlyMap<string, string>,
): ImportedWorkoutLog[] {
  return entries.map((entry) => {
    const known = exerciseNameCandidates(entry.exerciseName)
      .map((candidate) => libraryIds.get(candidate))
      .find((id) => id !== undefined);
    return { ...entry, exerciseId: known ?? derivedExerciseId(entry.exerciseName) };
  });
}

const normalizeColumn = (column: string) =>
  column
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ');

const missingColumns = (format: SourceFormat, header: ReadonlySet<string>) =>
  format.requiredColumns
    .filter((slot) => !slot.some((column) => header.has(column)))
    .map((slot) => slot.join(' or '));

/** The format and delimiter of a file from its header line; 400 when it is neither app's. */
function detectFormat(
  text: string,
  wanted: SourceApp | undefined,
): { format: SourceFormat; delimiter: string } {
  const candidates = headerCandidates(text).map(({ delimiter, header }) => ({
    delimiter,
    header: new Set(header.map(normalizeColumn)),
  }));
  const allowed = wanted ? [formats[wanted]] : Object.values(formats);
  for (const { delimiter, header } of candidates) {
    const format = allowed.find((candidate) => missingColumns(candidate, header).length === 0);
    if (format) return { format, delimiter };
  }
  if (wanted) {
    const closest = candidates[0]?.header ?? new Set<string>();
    const missing = missingColumns(formats[wanted], closest).join(', ');
    throw validationError(
      `The file's header is not a ${formats[wanted].label} export's: it lacks ${missing}.`,
      [{ path: 'body', message: `header lacks ${missing}` }],
    );
  }
  throw validationError(
    'The file is not a Strong or Hevy workout export: its first line is not the header of ' +
      'either (Strong: Date, Workout Name, Exercise Name, Set Order, Weight, Reps, …; Hevy: ' +
      'title, start_time, exercise_title, set_index, set_type, weight_kg, reps, …).',
    [{ path: 'body', message: 'unknown header' }],
  );
}

interface EntryBuilder {
  firstLine: number;
  exerciseName: string;
  completedAt: Date;
  sets: Omit<ImportedSet, 'setNumber'>[];
  exerciseNotes: string[];
  workoutNotes: string[];
}

/**
 * Reads a Strong or Hevy CSV export into log entries, one per exercise of each workout (sets of
 * an exercise done in two blocks of one workout, as in supersets, are one entry), sets
 * numbered from 1 in file order. Rows that are not sets that can be imported are reported with
 * their line and reason (see README, "Workout log import"). Pure: no database, no clock.
 */
export async function parseWorkoutCsv(
  text: string,
  options: ParseOptions,
): Promise<ParsedWorkoutCsv> {
  const { format, delimiter } = detectFormat(text, options.format);
  const table = await readCsvTable(text, delimiter, { maxRows: options.maxRows });
  const columns = table.header.map(normalizeColumn);
  const header = new Set(columns);
  const indexOf = new Map(columns.map((column, index) => [column, index] as const).reverse());
  const context: RowContext = {
    timeZone: options.timeZone,
    now: options.now,
    units: options.units,
    starts: new Map(),
  };

  // Workouts by their start, then exercises by name key; Maps keep the file's order.
  const workouts = new Map<string, Map<string, EntryBuilder>>();
  const skipped: SkippedRowReport[] = [];
  for (const { line, cells } of table.records) {
    if (cells.length !== columns.length) {
      skipped.push({
        row: line,
        reason: `the row has ${cells.length} fields where the header has ${columns.length}`,
      });
      continue;
    }
    let row;
    try {
      row = format.readRow(
        (column) => {
          const index = indexOf.get(column);
          return index === undefined ? '' : (cells[index] ?? '');
        },
        header,
        context,
      );
    } catch (error) {
      if (!(error instanceof SkippedRow)) throw error;
      skipped.push({ row: line, reason: error.message });
      continue;
    }
    let workout = workouts.get(row.workoutStart);
    if (!workout) {
      workout = new Map<string, EntryBuilder>();
      workouts.set(row.workoutStart, workout);
    }
    const nameKey = exerciseNameKey(row.exerciseName);
    let entry = workout.get(nameKey);
    if (!entry) {
      entry = {
        firstLine: line,
        exerciseName: row.exerciseName,
        completedAt: row.startedAt,
        sets: [],
        exerciseNotes: [],
        workoutNotes: [],
      };
      workout.set(nameKey, entry);
    }
    entry.sets.push(row.set);
    if (row.exerciseNotes) entry.exerciseNotes.push(row.exerciseNotes);
    if (row.workoutNotes) entry.workoutNotes.push(row.workoutNotes);
  }

  const entries: ParsedWorkoutEntry[] = [];
  for (const [workoutStart, exercises] of workouts) {
    for (const [nameKey, entry] of exercises) {
      entries.push({
        // The wall-clock start, not the instant: the key stays the same whatever zone the
        // member imports in, so a second import in another zone still adds nothing.
        importKey: `${format.app}:${workoutStart}:${nameKey}`,
        exerciseName: entry.exerciseName,
        completedAt: entry.completedAt,
        performanceNotes: joinNotes([...entry.exerciseNotes, ...entry.workoutNotes]),
        sets: entry.sets.map((set, index) => ({ setNumber: index + 1, ...set })),
        sourceLine: entry.firstLine,
      });
    }
  }
  return { format: format.app, entries, skipped };
}
