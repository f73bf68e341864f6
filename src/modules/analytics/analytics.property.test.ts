import { randomUUID } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDay } from '../../lib/time/local-day.js';
import { buildSignedInUser } from '../../test-support/factories.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { mealLogs } from '../nutrition/meal-logs.table.js';
import { bodyCompositionEntries } from '../users/body-composition.table.js';
import {
  personalRecordKinds,
  workoutLogs,
  workoutSets,
  type WorkoutLogRow,
  type WorkoutSetRow,
} from '../workout-logs/workout-logs.table.js';
import {
  addDays,
  isoWeekOf,
  isoWeekStart,
  isoWeeksOverlapping,
} from '../../lib/time/calendar-days.js';
import {
  activateDietPlan,
  activateWorkoutPlan,
  addBodyComposition,
  addLibraryExercise,
  logHistory,
  setHomeTimezone,
  type HistorySet,
  type LogHistory,
} from './log-history-test-support.js';

// Random histories of log creations, edits (sets changed, moved to another day, exercise
// changed), deletions, meals and body measurements are applied the way the log services apply
// them; afterwards every analytics answer must equal what a plain computation straight from the
// raw rows gives. Weights are multiples of 2.5 kg and macros of 0.5 g, so sums are exact in
// floating point whatever order the database adds them in.

const FIRST_DAY = '2026-03-01'; // a Sunday: the window spans parts of four ISO weeks
const WINDOW_DAYS = 16;
const windowDays = Array.from({ length: WINDOW_DAYS }, (_, index) => addDays(FIRST_DAY, index));
const ZONES = ['UTC', 'Pacific/Auckland', 'America/Los_Angeles', 'Asia/Kolkata'];
const HOUR_MS = 3600 * 1000;

let t: TestApp;
let history: LogHistory;
let stranger: string;
/** Exercise ids the histories pick from, with the primary muscles the library gives them. */
const exercisePool: { id: string; muscles: string[] | null }[] = [];

beforeAll(async () => {
  t = await createTestApp();
  history = logHistory(t.container);
  const { db } = t.container.database;
  for (const muscles of [['chest', 'triceps'], ['quadriceps'], []]) {
    exercisePool.push({ id: await addLibraryExercise(db, muscles), muscles });
  }
  // Not in the library: a custom exercise and a UUID the library does not know.
  exercisePool.push({ id: 'custom-curl', muscles: null }, { id: randomUUID(), muscles: null });
  stranger = (await buildSignedInUser(t)).row.id;
});

afterAll(async () => {
  await t.close();
});

// ---- the histories ----

const setArb: fc.Arbitrary<HistorySet> = fc.record({
  reps: fc.integer({ min: 0, max: 15 }),
  weightKg: fc.option(
    fc.integer({ min: 0, max: 80 }).map((steps) => steps * 2.5),
    {
      nil: null,
    },
  ),
  durationSec: fc.option(fc.integer({ min: 0, max: 600 }), { nil: null }),
});
const setsArb = fc.array(setArb, { maxLength: 5 });
const dayArb = fc.integer({ min: 0, max: WINDOW_DAYS - 1 });
const exerciseArb = fc.integer({ min: 0, max: 4 });
const recordsArb = fc.subarray([...personalRecordKinds]);
// Within the span of local days any zone can put on a UTC date.
const offsetHoursArb = fc.integer({ min: -13, max: 35 });
const half = (max: number) => fc.integer({ min: 0, max: max * 2 }).map((halves) => halves / 2);
const macrosArb = fc.record({
  calories: fc.integer({ min: 0, max: 1500 }),
  protein: half(120),
  carbs: half(200),
  fat: half(80),
});

const commandArb = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('createLog' as const),
      exercise: exerciseArb,
      day: dayArb,
      offsetHours: offsetHoursArb,
      sets: setsArb,
      records: recordsArb,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('updateLog' as const),
      target: fc.nat(),
      sets: fc.option(setsArb, { nil: undefined }),
      day: fc.option(dayArb, { nil: undefined }),
      exercise: fc.option(exerciseArb, { nil: undefined }),
      records: fc.option(recordsArb, { nil: undefined }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('deleteLog' as const), target: fc.nat() }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('createMeal' as const),
      day: dayArb,
      macros: macrosArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('updateMeal' as const),
      target: fc.nat(),
      day: fc.option(dayArb, { nil: undefined }),
      macros: fc.option(macrosArb, { nil: undefined }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('deleteMeal' as const), target: fc.nat() }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('measure' as const),
      // From ten days before the window to its end, in whole minutes.
      minute: fc.integer({ min: 0, max: (WINDOW_DAYS + 10) * 24 * 60 }),
      weightKg: fc.option(
        fc.integer({ min: 400, max: 1500 }).map((tenths) => tenths / 10),
        { nil: null },
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('strangerLog' as const),
      exercise: exerciseArb,
      day: dayArb,
      sets: setsArb,
    }),
  },
);
type Command = typeof commandArb extends fc.Arbitrary<infer C> ? C : never;

const scenarioArb = fc.record({
  zone: fc.constantFrom(...ZONES),
  daysPerWeek: fc.option(fc.integer({ min: 1, max: 7 }), { nil: null }),
  targets: fc.option(
    fc.record({
      calories: fc.integer({ min: 0, max: 3000 }),
      protein: fc.integer({ min: 0, max: 200 }),
      carbs: fc.integer({ min: 0, max: 300 }),
      fat: fc.integer({ min: 0, max: 100 }),
    }),
    { nil: null },
  ),
  commands: fc.array(commandArb, { minLength: 1, maxLength: 16 }),
  // Answers are read once midway too, so one computed before later changes must not outlive them.
  readMidwayBefore: fc.nat({ max: 15 }),
  progressOf: exerciseArb,
  // The whole window half of the time, else any part of it.
  range: fc.oneof(
    fc.constant({ from: windowDays[0]!, to: windowDays.at(-1)! }),
    fc
      .tuple(dayArb, dayArb)
      .map(([a, b]) => ({ from: windowDays[Math.min(a, b)]!, to: windowDays[Math.max(a, b)]! })),
  ),
});

const dayAt = (index: number) => windowDays[index]!;
const noonPlus = (day: string, hours: number) =>
  new Date(new Date(`${day}T00:00:00.000Z`).getTime() + hours * HOUR_MS);

/** Applies the commands in order, calling `midway.read` before the command at `midway.before`. */
async function apply(
  userId: string,
  commands: Command[],
  midway: { before: number; read: () => Promise<unknown> },
): Promise<void> {
  const logs: string[] = [];
  const meals: string[] = [];
  const pick = (ids: string[], target: number) => ids[target % ids.length];
  for (const [index, command] of commands.entries()) {
    if (index === midway.before) await midway.read();
    switch (command.kind) {
      case 'createLog': {
        const day = dayAt(command.day);
        const log = await history.createLog(userId, {
          exerciseId: exercisePool[command.exercise]!.id,
          day,
          completedAt: noonPlus(day, command.offsetHours),
          sets: command.sets,
          personalRecords: command.records,
        });
        logs.push(log.id);
        break;
      }
      case 'updateLog': {
        const id = pick(logs, command.target);
        if (!id) break;
        await history.updateLog(userId, id, {
          sets: command.sets,
          day: command.day === undefined ? undefined : dayAt(command.day),
          exerciseId:
            command.exercise === undefined ? undefined : exercisePool[command.exercise]!.id,
          personalRecords: command.records,
        });
        break;
      }
      case 'deleteLog': {
        const id = pick(logs, command.target);
        if (!id) break;
        await history.deleteLog(userId, id);
        logs.splice(logs.indexOf(id), 1);
        break;
      }
      case 'createMeal':
        meals.push(
          (await history.createMeal(userId, { day: dayAt(command.day), ...command.macros })).id,
        );
        break;
      case 'updateMeal': {
        const id = pick(meals, command.target);
        if (!id) break;
        await history.updateMeal(userId, id, {
          ...(command.day !== undefined && { day: dayAt(command.day) }),
          ...command.macros,
        });
        break;
      }
      case 'deleteMeal': {
        const id = pick(meals, command.target);
        if (!id) break;
        await history.deleteMeal(userId, id);
        meals.splice(meals.indexOf(id), 1);
        break;
      }
      case 'measure':
        await addBodyComposition(t.container.database.db, userId, {
          measuredAt: new Date(
            new Date(`${addDays(FIRST_DAY, -10)}T00:00:00.000Z`).getTime() +
              command.minute * 60_000,
          ),
          weightKg: command.weightKg,
          bodyFatPercentage: 20,
        });
        break;
      case 'strangerLog':
        await history.createLog(stranger, {
          exerciseId: exercisePool[command.exercise]!.id,
          day: dayAt(command.day),
          sets: command.sets,
        });
        break;
    }
  }
}

// ---- the plain recomputation, straight from the raw rows ----

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
const maxOf = (values: number[]) => (values.length === 0 ? null : Math.max(...values));

interface RawLog {
  log: WorkoutLogRow;
  sets: WorkoutSetRow[];
}

async function rawRows(userId: string) {
  const { db } = t.container.database;
  const logs = await db.select().from(workoutLogs).where(eq(workoutLogs.userId, userId));
  const sets =
    logs.length === 0
      ? []
      : await db
          .select()
          .from(workoutSets)
          .where(
            inArray(
              workoutSets.logId,
              logs.map((log) => log.id),
            ),
          );
  const meals = await db.select().from(mealLogs).where(eq(mealLogs.userId, userId));
  const body = await db
    .select()
    .from(bodyCompositionEntries)
    .where(eq(bodyCompositionEntries.userId, userId));
  return {
    logs: logs.map((log): RawLog => ({ log, sets: sets.filter((set) => set.logId === log.id) })),
    meals,
    body,
  };
}

const volumeOf = (sets: WorkoutSetRow[]) =>
  sum(sets.map((set) => (set.weightKg === null ? 0 : set.reps * set.weightKg)));

function musclesOf(exerciseId: string): string[] {
  const muscles = exercisePool.find((exercise) => exercise.id === exerciseId)?.muscles;
  return muscles && muscles.length > 0 ? muscles : ['other'];
}

function muscleTable(logs: RawLog[]) {
  const totals = new Map<string, { sets: number; volumeKg: number }>();
  for (const { log, sets } of logs) {
    for (const muscle of musclesOf(log.exerciseId)) {
      const total = totals.get(muscle) ?? { sets: 0, volumeKg: 0 };
      total.sets += sets.length;
      total.volumeKg += volumeOf(sets);
      totals.set(muscle, total);
    }
  }
  return [...totals]
    .map(([muscleGroup, total]) => ({
      muscleGroup,
      sets: total.sets,
      volumeKg: round(total.volumeKg, 2),
    }))
    .sort(
      (a, b) =>
        b.volumeKg - a.volumeKg || b.sets - a.sets || a.muscleGroup.localeCompare(b.muscleGroup),
    );
}

function expectedSummary(
  raw: RawLog[],
  range: { from: string; to: string },
  daysPerWeek: number | null,
) {
  const inRange = raw.filter(({ log }) => log.day >= range.from && log.day <= range.to);
  const sets = inRange.flatMap((entry) => entry.sets);
  const trainingDays = new Set(inRange.map(({ log }) => log.day)).size;
  const spanned =
    (new Date(range.to).getTime() - new Date(range.from).getTime()) / (24 * HOUR_MS) + 1;
  const plannedDays =
    daysPerWeek === null ? 0 : Math.max(1, Math.round((daysPerWeek * spanned) / 7));
  return {
    totals: {
      trainingDays,
      logEntries: inRange.length,
      sets: sets.length,
      reps: sum(sets.map((set) => set.reps)),
      volumeKg: round(volumeOf(sets), 2),
      durationSec: sum(sets.map((set) => set.durationSec ?? 0)),
    },
    muscleGroups: muscleTable(inRange),
    weeklyMuscleVolume: isoWeeksOverlapping(range.from, range.to).map((weekStart) => ({
      week: isoWeekOf(weekStart),
      weekStart,
      muscleGroups: muscleTable(inRange.filter(({ log }) => isoWeekStart(log.day) === weekStart)),
    })),
    completion:
      daysPerWeek === null
        ? null
        : {
            plannedDaysPerWeek: daysPerWeek,
            plannedDays,
            trainingDays,
            percentage: round(Math.min(100, (100 * trainingDays) / plannedDays), 1),
          },
  };
}

function expectedProgress(raw: RawLog[], exerciseId: string, range: { from: string; to: string }) {
  const ofExercise = raw.filter(({ log }) => log.exerciseId === exerciseId);
  const days = [...new Set(ofExercise.map(({ log }) => log.day))].sort().map((day) => {
    const entries = ofExercise.filter(({ log }) => log.day === day);
    const sets = entries.flatMap((entry) => entry.sets);
    const weighted = sets.filter((set) => set.weightKg !== null);
    const heaviest = maxOf(weighted.map((set) => set.weightKg ?? 0));
    const e1rms = sets.flatMap((set) =>
      set.estimatedOneRepMaxKg === null ? [] : [set.estimatedOneRepMaxKg],
    );
    return {
      day,
      logEntries: entries.length,
      sets: sets.length,
      reps: sum(sets.map((set) => set.reps)),
      volume: volumeOf(sets),
      bestE1rm: maxOf(e1rms),
      heaviest,
      repsAtHeaviest: maxOf(weighted.filter((set) => set.weightKg === heaviest).map((s) => s.reps)),
      mostReps: maxOf(sets.map((set) => set.reps)),
    };
  });
  const firstDayWith = <T>(
    value: (day: (typeof days)[number]) => T | null,
    better: (a: T, b: T) => boolean,
  ) => {
    let best: { day: string; value: T } | null = null;
    for (const day of days) {
      const candidate = value(day);
      if (candidate === null) continue;
      if (!best || better(candidate, best.value)) best = { day: day.day, value: candidate };
    }
    return best;
  };
  const e1rm = firstDayWith(
    (day) => day.bestE1rm,
    (a, b) => a > b,
  );
  const heaviest = firstDayWith(
    (day) => (day.heaviest === null ? null : [day.heaviest, day.repsAtHeaviest ?? 0]),
    (a, b) => a[0]! > b[0]! || (a[0] === b[0] && a[1]! > b[1]!),
  );
  const volume = firstDayWith(
    (day) => day.volume,
    (a, b) => a > b,
  );
  const mostReps = firstDayWith(
    (day) => day.mostReps,
    (a, b) => a > b,
  );
  return {
    days: days
      .filter((day) => day.day >= range.from && day.day <= range.to)
      .map((day) => ({
        day: day.day,
        logEntries: day.logEntries,
        sets: day.sets,
        reps: day.reps,
        volumeKg: round(day.volume, 2),
        bestE1rmKg: day.bestE1rm === null ? null : round(day.bestE1rm, 2),
        bestSet:
          day.heaviest === null
            ? null
            : { weightKg: round(day.heaviest, 2), reps: day.repsAtHeaviest ?? 0 },
        mostReps: day.mostReps,
      })),
    personalRecords: ofExercise
      .map(({ log }) => log)
      .filter(
        (log) => log.day >= range.from && log.day <= range.to && log.personalRecords.length > 0,
      )
      .sort(
        (a, b) =>
          a.completedAt.getTime() - b.completedAt.getTime() ||
          (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
      )
      .map((log) => ({
        logId: log.id,
        day: log.day,
        completedAt: log.completedAt.toISOString(),
        records: log.personalRecords,
      })),
    currentBests: {
      e1rmKg: e1rm && { value: round(e1rm.value, 2), day: e1rm.day },
      heaviestSet: heaviest && {
        weightKg: round(heaviest.value[0]!, 2),
        reps: heaviest.value[1]!,
        day: heaviest.day,
      },
      dayVolumeKg:
        volume && volume.value > 0 ? { value: round(volume.value, 2), day: volume.day } : null,
      mostReps: mostReps && { value: mostReps.value, day: mostReps.day },
    },
  };
}

type Macros = { calories: number; protein: number; carbs: number; fat: number };
const macroKeys = ['calories', 'protein', 'carbs', 'fat'] as const;
const eachMacro = <T>(map: (key: (typeof macroKeys)[number]) => T) =>
  Object.fromEntries(macroKeys.map((key) => [key, map(key)])) as Record<
    (typeof macroKeys)[number],
    T
  >;

function expectedCompliance(
  meals: Awaited<ReturnType<typeof rawRows>>['meals'],
  range: { from: string; to: string },
  targets: Macros | null,
) {
  const inRange = meals.filter((meal) => meal.day >= range.from && meal.day <= range.to);
  const days = [...new Set(inRange.map((meal) => meal.day))].sort().map((day) => {
    const ofDay = inRange.filter((meal) => meal.day === day);
    const eaten = eachMacro((key) => sum(ofDay.map((meal) => meal[key])));
    const within = targets
      ? eachMacro((key) =>
          targets[key] > 0
            ? Math.abs(eaten[key] - targets[key]) <= 0.1 * targets[key] + 1e-9
            : null,
        )
      : null;
    return {
      day,
      meals: ofDay.length,
      eatenExact: eaten,
      eaten: eachMacro((key) => round(eaten[key], 1)),
      targets,
      percentOfTarget: targets
        ? eachMacro((key) =>
            targets[key] > 0 ? round((100 * eaten[key]) / targets[key], 1) : null,
          )
        : null,
      withinTarget: within,
      onTarget: within ? within.calories : null,
    };
  });
  return {
    days: days.map(({ eatenExact: _, ...day }) => day),
    overall: {
      loggedDays: days.length,
      daysWithTargets: targets ? days.length : 0,
      daysOnTarget: days.filter((day) => day.onTarget === true).length,
      averageEaten:
        days.length === 0
          ? null
          : eachMacro((key) => round(sum(days.map((day) => day.eatenExact[key])) / days.length, 1)),
      percentOfTarget:
        !targets || days.length === 0
          ? null
          : eachMacro((key) =>
              targets[key] > 0
                ? round(
                    (100 * sum(days.map((day) => day.eatenExact[key]))) /
                      (targets[key] * days.length),
                    1,
                  )
                : null,
            ),
    },
  };
}

function expectedTrends(
  body: Awaited<ReturnType<typeof rawRows>>['body'],
  range: { from: string; to: string },
  zone: string,
) {
  const weighed = body
    .filter((entry) => entry.weightKg !== null)
    .sort(
      (a, b) =>
        a.measuredAt.getTime() - b.measuredAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
  const points = weighed
    .filter((entry) => {
      const day = localDay(entry.measuredAt, zone);
      return day >= range.from && day <= range.to;
    })
    .map((entry) => {
      const at = entry.measuredAt.getTime();
      const window = weighed.filter((other) => {
        const otherAt = other.measuredAt.getTime();
        return otherAt <= at && otherAt > at - 7 * 24 * HOUR_MS;
      });
      return {
        measuredAt: entry.measuredAt.toISOString(),
        day: localDay(entry.measuredAt, zone),
        value: entry.weightKg!,
        movingAverage: round(sum(window.map((other) => other.weightKg!)) / window.length, 2),
      };
    });
  const first = points[0];
  const last = points.at(-1);
  return {
    points,
    change:
      first && last
        ? {
            first: first.value,
            last: last.value,
            absolute: round(last.value - first.value, 2),
            percent:
              first.value === 0 ? null : round((100 * (last.value - first.value)) / first.value, 1),
          }
        : null,
  };
}

describe('analytics against the raw rows', () => {
  it('when any history of logs, edits, moves, deletions, meals and measurements is applied, then every answer equals a plain recomputation from the raw rows', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        const member = await buildSignedInUser(t);
        const userId = member.row.id;
        const { db } = t.container.database;
        await setHomeTimezone(db, userId, scenario.zone);
        if (scenario.daysPerWeek !== null) {
          await activateWorkoutPlan(db, userId, scenario.daysPerWeek);
        }
        if (scenario.targets) await activateDietPlan(db, userId, scenario.targets);
        const get = async (path: string) => {
          const response = await t.http
            .get(`/api/analytics${path}`)
            .set('Authorization', member.auth);
          expect(response.status, JSON.stringify(response.body)).toBe(200);
          return response.body;
        };
        const { range } = scenario;
        const span = `from=${range.from}&to=${range.to}`;
        await apply(userId, scenario.commands, {
          before: scenario.readMidwayBefore,
          read: () => get(`/workout/summary?${span}`),
        });

        const raw = await rawRows(userId);
        expect(await get(`/workout/summary?${span}`)).toEqual({
          ...range,
          timezone: scenario.zone,
          ...expectedSummary(raw.logs, range, scenario.daysPerWeek),
        });
        // The most used exercise, and one more of the scenario's choosing.
        const progressIds = [
          ...new Set([exercisePool[0]!.id, exercisePool[scenario.progressOf]!.id]),
        ];
        for (const id of progressIds) {
          expect(await get(`/workout/progress?exerciseId=${id}&${span}`)).toEqual({
            exerciseId: id,
            ...range,
            timezone: scenario.zone,
            ...expectedProgress(raw.logs, id, range),
          });
        }
        expect(await get(`/nutrition/compliance?${span}`)).toEqual({
          ...range,
          timezone: scenario.zone,
          bandPercent: 10,
          ...expectedCompliance(raw.meals, range, scenario.targets),
        });
        expect(await get(`/body/trends?metric=weightKg&${span}`)).toEqual({
          metric: 'weightKg',
          ...range,
          timezone: scenario.zone,
          windowDays: 7,
          ...expectedTrends(raw.body, range, scenario.zone),
        });
        // A rebuild from scratch finds nothing to correct.
        const report = await t.container.analytics.service.rebuildMember(userId);
        expect(report.exerciseDays.drifted + report.nutritionDays.drifted).toBe(0);
      }),
      { numRuns: 25 },
    );
  }, 600_000);
});
