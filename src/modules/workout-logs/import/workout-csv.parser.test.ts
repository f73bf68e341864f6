import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../lib/errors.js';
import type { ImportedWorkoutLog } from '../imported-log.js';
import { instantOf, parseWallTime } from './wall-clock.js';
import {
  derivedExerciseId,
  exerciseNameCandidates,
  parseWorkoutCsv,
  withExerciseIds,
  type ParseOptions,
  type ParsedWorkoutEntry,
} from './workout-csv.parser.js';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

const options: ParseOptions = {
  timeZone: 'Europe/Berlin',
  now: new Date('2025-01-01T00:00:00Z'),
  units: 'metric',
  maxRows: 1000,
};

/** Entry by exercise name, with its sets' measured values (set numbers checked separately). */
const byName = (entries: readonly ParsedWorkoutEntry[], name: string) => {
  const entry = entries.find((candidate) => candidate.exerciseName === name);
  if (!entry) throw new Error(`no entry for ${name}`);
  return entry;
};
const values = (entry: ParsedWorkoutEntry) =>
  entry.sets.map(({ reps, weightKg, durationSec, distanceM }) => [
    reps,
    weightKg,
    durationSec,
    distanceM,
  ]);

/** The AppError a parse throws, for its status and detail. */
async function failure(text: string, extra: Partial<ParseOptions> = {}): Promise<AppError> {
  const error: unknown = await parseWorkoutCsv(text, { ...options, ...extra }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof AppError)) throw new Error('expected an AppError');
  return error;
}

describe('Strong export (current layout, comma-separated)', () => {
  it('when parsed, then each exercise of each workout is one entry with its working sets', async () => {
    const parsed = await parseWorkoutCsv(fixture('strong-export.csv'), options);
    expect(parsed.format).toBe('strong');
    expect(parsed.entries.map((entry) => [entry.exerciseName, entry.sets.length])).toEqual([
      ['Bench Press (Barbell)', 3],
      ['Overhead Press (Barbell)', 2],
      ['Plank', 1],
      ['Squat (Barbell)', 3],
      ['Romanian Deadlift (Barbell)', 1],
      ['Running (Treadmill)', 1],
      ['Pull Up', 1],
      ['Lat Pulldown (Cable)', 1],
    ]);
    expect(parsed.entries.flatMap((entry) => entry.sets)).toHaveLength(13);
    for (const entry of parsed.entries) {
      expect(entry.sets.map((set) => set.setNumber)).toEqual(entry.sets.map((_, i) => i + 1));
    }
    expect(values(byName(parsed.entries, 'Bench Press (Barbell)'))).toEqual([
      [8, 80, null, null],
      [6, 82.5, null, null],
      [5, 82.5, null, null],
    ]);
    // A timed set has no reps or weight; a cardio set has time and distance (km → m).
    expect(values(byName(parsed.entries, 'Plank'))).toEqual([[0, null, 60, null]]);
    expect(values(byName(parsed.entries, 'Running (Treadmill)'))).toEqual([[0, null, 1200, 3200]]);
    expect(values(byName(parsed.entries, 'Pull Up'))).toEqual([[10, null, null, null]]);
  });

  it('when parsed, then warm-ups, rest timers and bad rows are reported by their line', async () => {
    const parsed = await parseWorkoutCsv(fixture('strong-export.csv'), options);
    expect(parsed.skipped).toEqual([
      { row: 2, reason: 'warm-up set (warm-ups are not imported)' },
      { row: 4, reason: 'rest timer, not a set' },
      { row: 10, reason: 'warm-up set (warm-ups are not imported)' },
      // Line 13 holds a note with a line break: the next record starts on line 15.
      { row: 16, reason: 'reps "abc" is not a number' },
      { row: 19, reason: 'weight is negative' },
      { row: 21, reason: 'missing date' },
      { row: 22, reason: 'date is in the future' },
    ]);
  });

  it('when parsed, then times are the member’s wall clock and notes keep quotes and unicode', async () => {
    const parsed = await parseWorkoutCsv(fixture('strong-export.csv'), options);
    const bench = byName(parsed.entries, 'Bench Press (Barbell)');
    // 18:01:12 in Berlin in March (CET, UTC+1).
    expect(bench.completedAt).toEqual(new Date('2024-03-05T17:01:12Z'));
    expect(bench.performanceNotes).toBe(
      'Grip slipped, re-racked "carefully"\nFelt strong 💪 — new PR on bench',
    );
    expect(byName(parsed.entries, 'Plank').performanceNotes).toBe(
      'Core: crème de la crème ✨\nFelt strong 💪 — new PR on bench',
    );
    expect(byName(parsed.entries, 'Squat (Barbell)').performanceNotes).toBe(
      'Knees fine\nafter the long warm-up',
    );
    expect(bench.importKey).toBe('strong:2024-03-05T18:01:12:bench press (barbell)');
  });

  it('when the app is set to imperial units, then the unnamed weights and distances are lb and miles', async () => {
    const parsed = await parseWorkoutCsv(fixture('strong-export.csv'), {
      ...options,
      units: 'imperial',
    });
    expect(values(byName(parsed.entries, 'Bench Press (Barbell)'))[0]).toEqual([
      8,
      36.287,
      null,
      null,
    ]);
    expect(values(byName(parsed.entries, 'Running (Treadmill)'))).toEqual([
      [0, null, 1200, 5149.9],
    ]);
  });
});

describe('Strong export (older layout, semicolons, units per row)', () => {
  it('when parsed, then lbs and miles become kg and metres and decimal commas are read', async () => {
    const parsed = await parseWorkoutCsv(fixture('strong-export-semicolon.csv'), options);
    expect(parsed.format).toBe('strong');
    // 225 lb, 227,5 lb, and a row already in kg.
    expect(values(byName(parsed.entries, 'Deadlift (Barbell)'))).toEqual([
      [5, 102.058, null, null],
      [5, 103.192, null, null],
      [3, 100, null, null],
    ]);
    // 6,2 mi in 1800 s.
    expect(values(byName(parsed.entries, 'Cycling (Outdoor)'))).toEqual([[0, null, 1800, 9977.9]]);
    expect(byName(parsed.entries, 'Deadlift (Barbell)').performanceNotes).toBe(
      'Belt; straps\nBack day; felt fresh',
    );
    expect(parsed.skipped).toEqual([
      { row: 6, reason: 'distance unit "furlongs" is none of km, m, mi' },
      { row: 7, reason: 'weight unit "stone" is neither kg nor lbs' },
    ]);
  });

  it('when the same workout comes in both layouts, then the import keys are the same', async () => {
    const current = [
      'Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE',
      '2019-01-11 12:31:54 PM,Leg,52m,Deadlift (Barbell),1,102.058,5,0,0,,,',
    ].join('\n');
    const older = (await parseWorkoutCsv(fixture('strong-export-semicolon.csv'), options)).entries;
    const newer = (await parseWorkoutCsv(current, options)).entries;
    expect(newer.map((entry) => entry.importKey)).toEqual([older[0]?.importKey]);
  });
});

describe('Hevy export', () => {
  it('when parsed, then warm-ups are skipped, drop and failure sets kept, supersets merged per exercise', async () => {
    const parsed = await parseWorkoutCsv(fixture('hevy-export.csv'), options);
    expect(parsed.format).toBe('hevy');
    expect(parsed.entries.map((entry) => [entry.exerciseName, entry.sets.length])).toEqual([
      ['Bench Press (Barbell)', 3],
      ['Lateral Raise (Dumbbell)', 2],
      ['Bent Over Row (Barbell)', 1],
      ['Running', 1],
      ['Plank', 1],
      ['Squat (Barbell)', 1],
      ['Walking Lunge', 1],
      ['Deadlift (Barbell)', 2],
    ]);
    expect(values(byName(parsed.entries, 'Bench Press (Barbell)'))).toEqual([
      [8, 80, null, null],
      [7, 80, null, null],
      [10, 60, null, null],
    ]);
    expect(values(byName(parsed.entries, 'Running'))).toEqual([[0, null, 1860, 5200]]);
    expect(values(byName(parsed.entries, 'Plank'))).toEqual([[0, null, 90, null]]);
    expect(parsed.skipped).toEqual([
      { row: 2, reason: 'warm-up set (warm-ups are not imported)' },
      { row: 9, reason: 'weight "heavy" is not a number' },
      { row: 12, reason: 'date "32 Mar 2024, 07:00" is not a date and time' },
      { row: 14, reason: 'the set has no reps, time or distance' },
      { row: 18, reason: 'date is in the future' },
    ]);
  });

  it('when parsed, then both of Hevy’s date styles and its notes are read', async () => {
    const parsed = await parseWorkoutCsv(fixture('hevy-export.csv'), options);
    const bench = byName(parsed.entries, 'Bench Press (Barbell)');
    expect(bench.completedAt).toEqual(new Date('2024-03-14T07:15:00Z'));
    expect(bench.importKey).toBe('hevy:2024-03-14T08:15:00:bench press (barbell)');
    expect(bench.performanceNotes).toBe('Pause reps, 1s on chest\nEarly session, gym was quiet ☀️');
    // `Mar 20, 2024, 6:05 PM`.
    expect(byName(parsed.entries, 'Deadlift (Barbell)').completedAt).toEqual(
      new Date('2024-03-20T17:05:00Z'),
    );
    expect(byName(parsed.entries, 'Walking Lunge').performanceNotes).toBe('Holding 2×20 kg');
  });

  it('when the account uses pounds and miles, then the header says so and values are converted', async () => {
    const parsed = await parseWorkoutCsv(fixture('hevy-export-lbs.csv'), options);
    expect(values(byName(parsed.entries, 'Deadlift (Barbell)'))).toEqual([
      [5, 142.882, null, null],
      [3, 151.953, null, null],
    ]);
    expect(values(byName(parsed.entries, 'Walking'))).toEqual([[0, null, 1500, 2414]]);
    // The Berlin offset in April is UTC+2 (summer time).
    expect(byName(parsed.entries, 'Walking').completedAt).toEqual(new Date('2024-04-02T04:45:00Z'));
  });
});

describe('import keys', () => {
  it('when the same file is parsed again, or in another zone, then the keys do not change', async () => {
    const keys = (entries: ParsedWorkoutEntry[]) => entries.map((entry) => entry.importKey);
    const first = await parseWorkoutCsv(fixture('hevy-export.csv'), options);
    const again = await parseWorkoutCsv(fixture('hevy-export.csv'), options);
    const elsewhere = await parseWorkoutCsv(fixture('hevy-export.csv'), {
      ...options,
      timeZone: 'America/New_York',
    });
    expect(keys(again.entries)).toEqual(keys(first.entries));
    expect(keys(elsewhere.entries)).toEqual(keys(first.entries));
    expect(new Set(keys(first.entries)).size).toBe(first.entries.length);
    expect(elsewhere.entries[0]?.completedAt).toEqual(new Date('2024-03-14T12:15:00Z'));
  });

  it('when a newer export holds more workouts, then the old workouts keep their keys', async () => {
    const lines = fixture('hevy-export-lbs.csv').trimEnd().split('\n');
    const later =
      '"Evening","3 Apr 2024, 19:00","3 Apr 2024, 20:00","","Deadlift (Barbell)",,"",0,"normal",345,2,,,';
    const before = await parseWorkoutCsv(lines.join('\n'), options);
    const after = await parseWorkoutCsv([...lines, later].join('\n'), options);
    expect(after.entries.slice(0, before.entries.length).map((e) => e.importKey)).toEqual(
      before.entries.map((e) => e.importKey),
    );
    expect(after.entries).toHaveLength(before.entries.length + 1);
  });
});

describe('exercise ids', () => {
  const entry = (exerciseName: string): ParsedWorkoutEntry => ({
    importKey: `strong:2024-01-01T10:00:00:${exerciseName.toLowerCase()}`,
    exerciseName,
    completedAt: new Date('2024-01-01T09:00:00Z'),
    performanceNotes: null,
    sets: [{ setNumber: 1, reps: 5, weightKg: 100, durationSec: null, distanceM: null }],
  });

  it('when a name is in the library, as it is or with the equipment first, then its id is used', () => {
    expect(exerciseNameCandidates('Bench Press (Barbell)')).toEqual([
      'bench press (barbell)',
      'barbell bench press',
    ]);
    const library = new Map([
      ['barbell bench press', 'id-bench'],
      ['plank', 'id-plank'],
    ]);
    const [bench, plank, squat]: ImportedWorkoutLog[] = withExerciseIds(
      [entry('Bench Press (Barbell)'), entry('PLANK'), entry('Squat  (Barbell)')],
      library,
    );
    expect(bench?.exerciseId).toBe('id-bench');
    expect(plank?.exerciseId).toBe('id-plank');
    expect(squat?.exerciseId).toBe(derivedExerciseId('squat (barbell)'));
  });

  it('when a name is not in the library, then its id is a stable UUID of the name, case-blind', () => {
    const id = derivedExerciseId('Pull Up');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(derivedExerciseId('pull  up')).toBe(id);
    expect(derivedExerciseId('Pull-Up')).not.toBe(id);
  });
});

describe('files that are not an export', () => {
  it('when the header is neither app’s, then 400 names both layouts', async () => {
    const error = await failure('Date,Exercise,Reps,Weight(lbs)\n2024-01-01,Squat,5,225\n');
    expect(error.status).toBe(400);
    expect(error.detail).toMatch(/not a Strong or Hevy workout export/);
    expect(error.extras.errors).toEqual([{ path: 'body', message: 'unknown header' }]);
  });

  it('when a format is asked for and the header is the other app’s, then 400 says what is missing', async () => {
    const error = await failure(fixture('strong-export.csv'), { format: 'hevy' });
    expect(error.status).toBe(400);
    expect(error.detail).toBe(
      "The file's header is not a Hevy export's: it lacks start_time, exercise_title, " +
        'set_index, weight_kg or weight_lbs.',
    );
    const hevy = await parseWorkoutCsv(fixture('hevy-export.csv'), { ...options, format: 'hevy' });
    expect(hevy.entries).toHaveLength(8);
  });

  it('when the body is binary or a quote never closes, then 400 says why and where', async () => {
    const binary = await failure(`${fixture('strong-export.csv')}\u0000\u0001`);
    expect(binary.detail).toMatch(/binary data/);
    const header = fixture('hevy-export-lbs.csv').split('\n')[0] ?? '';
    const unclosed = await failure(`${header}\n"Morning,"2 Apr 2024, 06:45",x\n`);
    expect(unclosed.status).toBe(400);
    expect(unclosed.detail).toMatch(/line \d+/);
  });

  it('when a file has more rows than allowed, then 413', async () => {
    // 20 records on 21 lines: one note holds a line break.
    const error = await failure(fixture('strong-export.csv'), { maxRows: 19 });
    expect(error.status).toBe(413);
    expect(error.detail).toMatch(/more than 19 rows/);
    const fits = await parseWorkoutCsv(fixture('strong-export.csv'), { ...options, maxRows: 20 });
    expect(fits.entries).toHaveLength(8);
  });

  it('when a row has more or fewer fields than the header, then only that row is skipped', async () => {
    const lines = fixture('hevy-export-lbs.csv').trimEnd().split('\n');
    lines.splice(2, 0, '"Morning Workout","2 Apr 2024, 06:45","2 Apr 2024, 07:30",""');
    const parsed = await parseWorkoutCsv(lines.join('\r\n'), options);
    expect(parsed.skipped).toEqual([
      { row: 2, reason: 'warm-up set (warm-ups are not imported)' },
      { row: 3, reason: 'the row has 4 fields where the header has 14' },
    ]);
    expect(parsed.entries.flatMap((entry) => entry.sets)).toHaveLength(3);
  });
});

describe('wall-clock times', () => {
  it('when given each app’s layout, then the same wall time is read', () => {
    const expected = { year: 2024, month: 3, day: 14, hour: 18, minute: 5, second: 0 };
    for (const text of [
      '2024-03-14 18:05:00',
      '2024-03-14T18:05',
      '2024-03-14 6:05:00\u202fPM',
      '14 Mar 2024, 18:05',
      'Mar 14, 2024, 6:05 PM',
      'March 14 2024 6:05pm',
    ]) {
      expect(parseWallTime(text), text).toEqual(expected);
    }
    for (const text of ['2024-02-30 10:00:00', '14 Foo 2024, 10:00', '2024-03-14', '13:00 PM']) {
      expect(parseWallTime(text), text).toBeUndefined();
    }
  });

  it('when a time falls in a daylight-saving change, then the first or shifted instant is taken', () => {
    const at = (text: string) => {
      const wall = parseWallTime(text);
      if (!wall) throw new Error(text);
      return instantOf(wall, 'Europe/Berlin').toISOString();
    };
    // 02:30 on 27 October 2024 happened twice (CEST, then CET): the first one.
    expect(at('2024-10-27 02:30:00')).toBe('2024-10-27T00:30:00.000Z');
    // 02:30 on 31 March 2024 never happened: it lands as 03:30 CEST.
    expect(at('2024-03-31 02:30:00')).toBe('2024-03-31T01:30:00.000Z');
    expect(at('2024-07-01 00:00:00')).toBe('2024-06-30T22:00:00.000Z');
  });
});
