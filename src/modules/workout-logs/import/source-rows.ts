import type { ImportedSet } from '../imported-log.js';
import { isBeyondClockSkew } from '../../../lib/time/clock-skew.js';
import { formatWallTime, instantOf, parseWallTime } from './wall-clock.js';

/** The apps whose exports can be imported. */
export const sourceApps = ['strong', 'hevy'] as const;
export type SourceApp = (typeof sourceApps)[number];

/**
 * The units of a file that does not name them (Strong's current export writes weights and
 * distances in the app's unit setting without saying which): kg and km, or lb and miles.
 */
export const unitSystems = ['metric', 'imperial'] as const;
export type UnitSystem = (typeof unitSystems)[number];

/** Why one row of a file is not imported; the message is the reason reported for the row. */
export class SkippedRow extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'SkippedRow';
  }
}

/** What reading a row needs besides the row. */
export interface RowContext {
  /** The zone the file's wall-clock times are read in. */
  timeZone: string;
  /** Rows dated after this (plus clock skew) are refused. */
  now: Date;
  units: UnitSystem;
  /** Workout starts already read, by cell text: every row of a workout repeats its date. */
  starts: Map<string, { workoutStart: string; startedAt: Date }>;
}

/** A row's cell by lower-case column name; '' when the file has no such column. */
export type CellReader = (column: string) => string;

/** One set read from a row of another app's export. */
export interface SourceSet {
  /** The workout's start as `YYYY-MM-DDTHH:MM:SS` wall-clock text: the same for all its rows. */
  workoutStart: string;
  /** The workout's start as an instant in the context's zone. */
  startedAt: Date;
  exerciseName: string;
  set: Omit<ImportedSet, 'setNumber'>;
  exerciseNotes: string | null;
  workoutNotes: string | null;
}

/** How one app's export is recognised and read. */
export interface SourceFormat {
  app: SourceApp;
  /** The app's name as details name it. */
  label: string;
  /** Lower-case columns the header must have; where a slot lists several, one of them. */
  requiredColumns: readonly (readonly string[])[];
  /** The set a row holds; throws SkippedRow when the row is not a set that can be imported. */
  readRow(cell: CellReader, header: ReadonlySet<string>, context: RowContext): SourceSet;
}

// Limits of what a set can be; a value beyond them is a typo or a unit mix-up, not a set.
export const SET_LIMITS = {
  reps: 10_000,
  weightKg: 1_000,
  durationSec: 24 * 3600,
  distanceM: 1_000_000,
} as const;
const MAX_EXERCISE_NAME = 120;
const MAX_NOTES = 1_000;

const KG_PER_LB = 0.453_592_37;
const M_PER_MILE = 1_609.344;

const quoted = (text: string) => `"${text.length > 40 ? `${text.slice(0, 40)}…` : text}"`;

// Exports write `82.5`, `5.0`, and in comma-decimal locales `82,5`; none writes thousands
// separators, so a single comma is a decimal comma.
const DECIMAL = /^[+-]?\d*[.,]?\d*$/;

/** A decimal cell; null when empty. */
function readDecimal(text: string, field: string): number | null {
  const value = text.trim();
  if (value === '') return null;
  if (!DECIMAL.test(value) || !/\d/.test(value)) {
    throw new SkippedRow(`${field} ${quoted(value)} is not a number`);
  }
  return Number(value.replace(',', '.'));
}

/** A decimal cell that may not be negative; null when empty. */
export function readAmount(text: string, field: string): number | null {
  const value = readDecimal(text, field);
  if (value !== null && value < 0) throw new SkippedRow(`${field} is negative`);
  return value;
}

/** A whole count (reps); `5.0` is 5, `5.5` is refused. Null when empty. */
export function readCount(text: string, field: string): number | null {
  const value = readAmount(text, field);
  if (value !== null && !Number.isInteger(value)) {
    throw new SkippedRow(`${field} ${quoted(text.trim())} is not a whole number`);
  }
  return value;
}

const round = (value: number, decimals: number) => {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
};

/** kg from a weight in `unit` (`kg`, `lb`, `lbs`), to the gram. */
export function toKilograms(value: number, unit: string): number {
  switch (unit.trim().toLowerCase()) {
    case 'kg':
    case 'kgs':
      return round(value, 3);
    case 'lb':
    case 'lbs':
      return round(value * KG_PER_LB, 3);
    default:
      throw new SkippedRow(`weight unit ${quoted(unit)} is neither kg nor lbs`);
  }
}

/** Metres from a distance in `unit` (`km`, `m`, `mi`, `miles`), to the decimetre. */
export function toMetres(value: number, unit: string): number {
  switch (unit.trim().toLowerCase()) {
    case 'km':
      return round(value * 1000, 1);
    case 'm':
      return round(value, 1);
    case 'mi':
    case 'mile':
    case 'miles':
      return round(value * M_PER_MILE, 1);
    default:
      throw new SkippedRow(`distance unit ${quoted(unit)} is none of km, m, mi`);
  }
}

/** The weight unit of a file that does not name one. */
export const defaultWeightUnit = (units: UnitSystem) => (units === 'metric' ? 'kg' : 'lbs');
/** The distance unit of a file that does not name one. */
export const defaultDistanceUnit = (units: UnitSystem) => (units === 'metric' ? 'km' : 'mi');

/**
 * A set from its measured values, already in kg, seconds and metres. The apps write 0 where a
 * value does not apply (a bodyweight exercise's weight, a lift's distance): 0 is "none".
 */
export function setOf(values: {
  reps: number | null;
  weightKg: number | null;
  durationSec: number | null;
  distanceM: number | null;
}): Omit<ImportedSet, 'setNumber'> {
  const some = (value: number | null) => (value === null || value === 0 ? null : value);
  const set = {
    reps: values.reps ?? 0,
    weightKg: some(values.weightKg),
    durationSec: some(values.durationSec === null ? null : Math.round(values.durationSec)),
    distanceM: some(values.distanceM),
  };
  if (set.reps > SET_LIMITS.reps) throw new SkippedRow(`reps above ${SET_LIMITS.reps}`);
  if (set.weightKg !== null && set.weightKg > SET_LIMITS.weightKg) {
    throw new SkippedRow(`weight above ${SET_LIMITS.weightKg} kg`);
  }
  if (set.durationSec !== null && set.durationSec > SET_LIMITS.durationSec) {
    throw new SkippedRow('duration longer than 24 hours');
  }
  if (set.distanceM !== null && set.distanceM > SET_LIMITS.distanceM) {
    throw new SkippedRow(`distance above ${SET_LIMITS.distanceM / 1000} km`);
  }
  if (set.reps === 0 && set.durationSec === null && set.distanceM === null) {
    throw new SkippedRow('the set has no reps, time or distance');
  }
  return set;
}

// C0/C1 control characters other than tab and line breaks (PostgreSQL refuses NUL outright).
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

/** Free text from a file: NFC, without control characters, trimmed; null when empty. */
export function cleanNotes(text: string): string | null {
  const value = text.normalize('NFC').replace(CONTROL_CHARACTERS, '').trim();
  return value === '' ? null : value;
}

/** Notes of an entry: the distinct texts in order, at most MAX_NOTES characters. */
export function joinNotes(texts: readonly string[]): string | null {
  const joined = [...new Set(texts)].join('\n');
  if (joined === '') return null;
  const characters = Array.from(joined);
  return characters.length <= MAX_NOTES
    ? joined
    : `${characters.slice(0, MAX_NOTES - 1).join('')}…`;
}

/** The exercise's name as shown: NFC, single spaces, trimmed, bounded. */
export function readExerciseName(text: string): string {
  const name = (cleanNotes(text) ?? '').replace(/\s+/g, ' ');
  if (name === '') throw new SkippedRow('missing exercise name');
  if (Array.from(name).length > MAX_EXERCISE_NAME) {
    throw new SkippedRow(`exercise name longer than ${MAX_EXERCISE_NAME} characters`);
  }
  return name;
}

/** The workout start of a row: its wall-clock text and its instant in the context's zone. */
export function readWorkoutStart(
  text: string,
  context: RowContext,
): { workoutStart: string; startedAt: Date } {
  const known = context.starts.get(text);
  if (known) return known;
  const value = text.trim();
  if (value === '') throw new SkippedRow('missing date');
  const wall = parseWallTime(value);
  if (!wall) throw new SkippedRow(`date ${quoted(value)} is not a date and time`);
  const startedAt = instantOf(wall, context.timeZone);
  if (isBeyondClockSkew(startedAt, context.now.getTime())) {
    throw new SkippedRow('date is in the future');
  }
  if (wall.year < 1970) throw new SkippedRow('date is before 1970');
  const start = { workoutStart: formatWallTime(wall), startedAt };
  context.starts.set(text, start);
  return start;
}
