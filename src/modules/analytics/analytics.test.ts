import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDay } from '../../lib/time/local-day.js';
import { buildSignedInUser } from '../../test-support/factories.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { exerciseDayRollups, nutritionDayRollups } from './analytics.table.js';
import { addDays } from '../../lib/time/calendar-days.js';
import {
  activateDietPlan,
  activateWorkoutPlan,
  addBodyComposition,
  addLibraryExercise,
  logHistory,
  setHomeTimezone,
  type LogHistory,
} from './log-history-test-support.js';

let t: TestApp;
let history: LogHistory;
let bench: string;
let squat: string;
const plank = 'custom-plank';
let member: Awaited<ReturnType<typeof buildSignedInUser>>;
let other: Awaited<ReturnType<typeof buildSignedInUser>>;

const get = (path: string, auth = member.auth) =>
  t.http.get(`/api/analytics${path}`).set('Authorization', auth);

/**
 * The member's hand-made history (days in March 2026; the 2nd and 9th are Mondays):
 * - 03-02 bench 60×10, 80×5, 80×6 (records e1rm, weight, volume); squat 100×5, 100×5
 * - 03-04 plank (not in the library) 2 sets of 1 rep, 60 s each
 * - 03-09 bench 85×3 (record weight), logged first on 03-08 with another set, then moved
 * - 01-15 bench 40×20 (outside the ranges asked for; counts for all-time bests only)
 * - a squat entry on 03-05 that was deleted
 * Another member trains the same exercises on the same days with far heavier weights.
 */
beforeAll(async () => {
  t = await createTestApp();
  history = logHistory(t.container);
  const { db } = t.container.database;
  bench = await addLibraryExercise(db, ['chest', 'triceps']);
  squat = await addLibraryExercise(db, ['quadriceps']);
  member = await buildSignedInUser(t);
  other = await buildSignedInUser(t);
  const me = member.row.id;

  await history.createLog(me, {
    exerciseId: bench,
    day: '2026-03-02',
    sets: [
      { reps: 10, weightKg: 60 },
      { reps: 5, weightKg: 80 },
      { reps: 6, weightKg: 80 },
    ],
    personalRecords: ['e1rm', 'weight', 'volume'],
  });
  await history.createLog(me, {
    exerciseId: squat,
    day: '2026-03-02',
    sets: [
      { reps: 5, weightKg: 100 },
      { reps: 5, weightKg: 100 },
    ],
  });
  await history.createLog(me, {
    exerciseId: plank,
    day: '2026-03-04',
    sets: [
      { reps: 1, weightKg: null, durationSec: 60 },
      { reps: 1, weightKg: null, durationSec: 60 },
    ],
  });
  const moved = await history.createLog(me, {
    exerciseId: bench,
    day: '2026-03-08',
    sets: [
      { reps: 3, weightKg: 85 },
      { reps: 8, weightKg: 50 },
    ],
  });
  await history.updateLog(me, moved.id, {
    day: '2026-03-09',
    sets: [{ reps: 3, weightKg: 85 }],
    personalRecords: ['weight'],
  });
  await history.createLog(me, {
    exerciseId: bench,
    day: '2026-01-15',
    sets: [{ reps: 20, weightKg: 40 }],
  });
  const deleted = await history.createLog(me, {
    exerciseId: squat,
    day: '2026-03-05',
    sets: [{ reps: 5, weightKg: 140 }],
  });
  await history.deleteLog(me, deleted.id);

  for (const day of ['2026-03-02', '2026-03-03', '2026-03-09']) {
    await history.createLog(other.row.id, {
      exerciseId: bench,
      day,
      sets: [{ reps: 5, weightKg: 200 }],
      personalRecords: ['weight'],
    });
    await history.createMeal(other.row.id, {
      day,
      calories: 5000,
      protein: 300,
      carbs: 500,
      fat: 200,
    });
  }
});

afterAll(async () => {
  await t.close();
});

describe('GET /api/analytics/workout/summary', () => {
  it('when the member has logged a range, then totals, muscle groups, weeks and plan completion are exact', async () => {
    await activateWorkoutPlan(t.container.database.db, member.row.id, 3);
    const response = await get('/workout/summary?from=2026-03-01&to=2026-03-10');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      from: '2026-03-01',
      to: '2026-03-10',
      timezone: 'UTC',
      totals: {
        trainingDays: 3,
        logEntries: 4,
        sets: 8,
        reps: 36,
        volumeKg: 2735,
        durationSec: 120,
      },
      muscleGroups: [
        { muscleGroup: 'chest', sets: 4, volumeKg: 1735 },
        { muscleGroup: 'triceps', sets: 4, volumeKg: 1735 },
        { muscleGroup: 'quadriceps', sets: 2, volumeKg: 1000 },
        { muscleGroup: 'other', sets: 2, volumeKg: 0 },
      ],
      weeklyMuscleVolume: [
        { week: '2026-W09', weekStart: '2026-02-23', muscleGroups: [] },
        {
          week: '2026-W10',
          weekStart: '2026-03-02',
          muscleGroups: [
            { muscleGroup: 'chest', sets: 3, volumeKg: 1480 },
            { muscleGroup: 'triceps', sets: 3, volumeKg: 1480 },
            { muscleGroup: 'quadriceps', sets: 2, volumeKg: 1000 },
            { muscleGroup: 'other', sets: 2, volumeKg: 0 },
          ],
        },
        {
          week: '2026-W11',
          weekStart: '2026-03-09',
          muscleGroups: [
            { muscleGroup: 'chest', sets: 1, volumeKg: 255 },
            { muscleGroup: 'triceps', sets: 1, volumeKg: 255 },
          ],
        },
      ],
      // 3 days a week over 10 days: round(4.29) = 4 planned, 3 trained.
      completion: { plannedDaysPerWeek: 3, plannedDays: 4, trainingDays: 3, percentage: 75 },
    });
  });

  it('when the range ends before a day, then that day is not counted', async () => {
    const response = await get('/workout/summary?from=2026-03-03&to=2026-03-08');
    expect(response.status).toBe(200);
    expect(response.body.totals).toEqual({
      trainingDays: 1,
      logEntries: 1,
      sets: 2,
      reps: 2,
      volumeKg: 0,
      durationSec: 120,
    });
  });

  it('when the member has no active plan, then completion is null', async () => {
    const fresh = await buildSignedInUser(t);
    const response = await get('/workout/summary?from=2026-03-01&to=2026-03-10', fresh.auth);
    expect(response.status).toBe(200);
    expect(response.body.completion).toBeNull();
    expect(response.body.totals.trainingDays).toBe(0);
  });

  it('when no range is given, then it is the 30 days up to today in the member’s time zone', async () => {
    // Kiritimati is UTC+14 and Pago Pago UTC−11: their todays are never the same day.
    const east = await buildSignedInUser(t);
    const west = await buildSignedInUser(t);
    await setHomeTimezone(t.container.database.db, east.row.id, 'Pacific/Kiritimati');
    await setHomeTimezone(t.container.database.db, west.row.id, 'Pacific/Pago_Pago');
    for (const [user, zone] of [
      [east, 'Pacific/Kiritimati'],
      [west, 'Pacific/Pago_Pago'],
    ] as const) {
      const before = localDay(new Date(), zone);
      const response = await get('/workout/summary', user.auth);
      const after = localDay(new Date(), zone);
      expect(response.status).toBe(200);
      expect(response.body.timezone).toBe(zone);
      expect([before, after]).toContain(response.body.to);
      expect(response.body.from).toBe(addDays(response.body.to, -29));
      expect(response.body.weeklyMuscleVolume.length).toBeGreaterThanOrEqual(5);
    }
  });

  it('when the range is reversed or too long, then 400 names the field', async () => {
    const reversed = await get('/workout/summary?from=2026-03-10&to=2026-03-01');
    expect(reversed.status).toBe(400);
    expect(reversed.body.errors).toEqual([{ path: 'query.from', message: expect.any(String) }]);

    const tooLong = await get('/workout/summary?from=2020-01-01&to=2026-03-01');
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errors).toEqual([{ path: 'query.to', message: expect.any(String) }]);

    const onlyFromInFuture = await get('/workout/summary?from=2099-01-01');
    expect(onlyFromInFuture.status).toBe(400);
    expect(onlyFromInFuture.body.errors[0].path).toBe('query.from');
  });

  it('when a day is malformed or a parameter unknown, then 400 names it', async () => {
    const malformed = await get('/workout/summary?from=2026-02-30');
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0].path).toBe('query.from');

    const unknown = await get('/workout/summary?from=2026-03-01&days=7');
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ path: 'query.days', message: 'unknown field' }]);
  });

  it('when no token is given, then 401', async () => {
    const response = await t.http.get('/api/analytics/workout/summary');
    expect(response.status).toBe(401);
  });
});

describe('GET /api/analytics/workout/progress', () => {
  it('when the member has logged the exercise, then each day, the records and all-time bests are exact', async () => {
    const response = await get(
      `/workout/progress?exerciseId=${bench}&from=2026-03-01&to=2026-03-10`,
    );
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      exerciseId: bench,
      from: '2026-03-01',
      to: '2026-03-10',
      timezone: 'UTC',
      days: [
        {
          day: '2026-03-02',
          logEntries: 1,
          sets: 3,
          reps: 21,
          volumeKg: 1480,
          // Epley: 80 × (1 + 6/30) = 96.
          bestE1rmKg: 96,
          bestSet: { weightKg: 80, reps: 6 },
          mostReps: 10,
        },
        {
          day: '2026-03-09',
          logEntries: 1,
          sets: 1,
          reps: 3,
          volumeKg: 255,
          bestE1rmKg: 93.5,
          bestSet: { weightKg: 85, reps: 3 },
          mostReps: 3,
        },
      ],
      personalRecords: [
        {
          logId: expect.any(String),
          day: '2026-03-02',
          completedAt: '2026-03-02T12:00:00.000Z',
          records: ['e1rm', 'weight', 'volume'],
        },
        {
          logId: expect.any(String),
          day: '2026-03-09',
          completedAt: '2026-03-09T12:00:00.000Z',
          records: ['weight'],
        },
      ],
      currentBests: {
        e1rmKg: { value: 96, day: '2026-03-02' },
        heaviestSet: { weightKg: 85, reps: 3, day: '2026-03-09' },
        dayVolumeKg: { value: 1480, day: '2026-03-02' },
        mostReps: { value: 20, day: '2026-01-15' },
      },
    });
  });

  it('when the exercise is not in the library, then its days still count', async () => {
    const response = await get(
      `/workout/progress?exerciseId=${plank}&from=2026-03-01&to=2026-03-10`,
    );
    expect(response.status).toBe(200);
    expect(response.body.days).toEqual([
      {
        day: '2026-03-04',
        logEntries: 1,
        sets: 2,
        reps: 2,
        volumeKg: 0,
        bestE1rmKg: null,
        bestSet: null,
        mostReps: 1,
      },
    ]);
    expect(response.body.currentBests).toEqual({
      e1rmKg: null,
      heaviestSet: null,
      dayVolumeKg: null,
      mostReps: { value: 1, day: '2026-03-04' },
    });
  });

  it('when another member asks for the same exercise, then they see only their own entries', async () => {
    const response = await get(
      `/workout/progress?exerciseId=${bench}&from=2026-03-01&to=2026-03-10`,
      other.auth,
    );
    expect(response.status).toBe(200);
    expect(response.body.days.map((day: { day: string }) => day.day)).toEqual([
      '2026-03-02',
      '2026-03-03',
      '2026-03-09',
    ]);
    expect(response.body.currentBests.heaviestSet).toEqual({
      weightKg: 200,
      reps: 5,
      day: '2026-03-02',
    });
  });

  it('when the exercise was never logged, then lists are empty and bests null', async () => {
    const response = await get('/workout/progress?exerciseId=never-logged');
    expect(response.status).toBe(200);
    expect(response.body.days).toEqual([]);
    expect(response.body.personalRecords).toEqual([]);
    expect(response.body.currentBests).toEqual({
      e1rmKg: null,
      heaviestSet: null,
      dayVolumeKg: null,
      mostReps: null,
    });
    expect(response.body.from).toBe(addDays(response.body.to, -364));
  });

  it('when exerciseId is missing or the range reversed, then 400 names the field', async () => {
    const missing = await get('/workout/progress?from=2026-03-01');
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((error: { path: string }) => error.path)).toEqual([
      'query.exerciseId',
    ]);
    const reversed = await get(
      `/workout/progress?exerciseId=${bench}&from=2026-03-02&to=2026-03-01`,
    );
    expect(reversed.status).toBe(400);
    expect(reversed.body.errors[0].path).toBe('query.from');
  });
});

describe('GET /api/analytics/nutrition/compliance', () => {
  let meals: Awaited<ReturnType<typeof buildSignedInUser>>;
  beforeAll(async () => {
    meals = await buildSignedInUser(t);
    const me = meals.row.id;
    await activateDietPlan(t.container.database.db, me, {
      calories: 2000,
      protein: 150,
      carbs: 200,
      fat: 70,
    });
    await history.createMeal(me, {
      day: '2026-03-02',
      calories: 1000,
      protein: 70,
      carbs: 100,
      fat: 30,
    });
    await history.createMeal(me, {
      day: '2026-03-02',
      calories: 1100,
      protein: 80,
      carbs: 90,
      fat: 35,
    });
    await history.createMeal(me, {
      day: '2026-03-03',
      calories: 1500,
      protein: 100,
      carbs: 150,
      fat: 80,
    });
    const deleted = await history.createMeal(me, {
      day: '2026-03-05',
      calories: 900,
      protein: 10,
      carbs: 10,
      fat: 10,
    });
    await history.deleteMeal(me, deleted.id);
    const moved = await history.createMeal(me, {
      day: '2026-03-06',
      calories: 1200,
      protein: 60,
      carbs: 60,
      fat: 60,
    });
    await history.updateMeal(me, moved.id, {
      day: '2026-03-04',
      calories: 2200,
      protein: 160,
      carbs: 210,
      fat: 75,
    });
  });

  it('when meals were logged, edited, moved and deleted, then each day and the overall figures are exact', async () => {
    const response = await get('/nutrition/compliance?from=2026-03-01&to=2026-03-07', meals.auth);
    expect(response.status).toBe(200);
    const targets = { calories: 2000, protein: 150, carbs: 200, fat: 70 };
    expect(response.body).toEqual({
      from: '2026-03-01',
      to: '2026-03-07',
      timezone: 'UTC',
      bandPercent: 10,
      days: [
        {
          day: '2026-03-02',
          meals: 2,
          eaten: { calories: 2100, protein: 150, carbs: 190, fat: 65 },
          targets,
          percentOfTarget: { calories: 105, protein: 100, carbs: 95, fat: 92.9 },
          withinTarget: { calories: true, protein: true, carbs: true, fat: true },
          onTarget: true,
        },
        {
          day: '2026-03-03',
          meals: 1,
          eaten: { calories: 1500, protein: 100, carbs: 150, fat: 80 },
          targets,
          percentOfTarget: { calories: 75, protein: 66.7, carbs: 75, fat: 114.3 },
          withinTarget: { calories: false, protein: false, carbs: false, fat: false },
          onTarget: false,
        },
        {
          // Exactly +10% calories is still within the band.
          day: '2026-03-04',
          meals: 1,
          eaten: { calories: 2200, protein: 160, carbs: 210, fat: 75 },
          targets,
          percentOfTarget: { calories: 110, protein: 106.7, carbs: 105, fat: 107.1 },
          withinTarget: { calories: true, protein: true, carbs: true, fat: true },
          onTarget: true,
        },
      ],
      overall: {
        loggedDays: 3,
        daysWithTargets: 3,
        daysOnTarget: 2,
        averageEaten: { calories: 1933.3, protein: 136.7, carbs: 183.3, fat: 73.3 },
        percentOfTarget: { calories: 96.7, protein: 91.1, carbs: 91.7, fat: 104.8 },
      },
    });
  });

  it('when the member has no diet plan, then days carry no targets and nothing is on target', async () => {
    const me = member.row.id;
    await history.createMeal(me, {
      day: '2026-03-02',
      calories: 2000,
      protein: 1,
      carbs: 1,
      fat: 1,
    });
    const response = await get('/nutrition/compliance?from=2026-03-01&to=2026-03-07');
    expect(response.status).toBe(200);
    expect(response.body.days).toEqual([
      {
        day: '2026-03-02',
        meals: 1,
        eaten: { calories: 2000, protein: 1, carbs: 1, fat: 1 },
        targets: null,
        percentOfTarget: null,
        withinTarget: null,
        onTarget: null,
      },
    ]);
    expect(response.body.overall).toEqual({
      loggedDays: 1,
      daysWithTargets: 0,
      daysOnTarget: 0,
      averageEaten: { calories: 2000, protein: 1, carbs: 1, fat: 1 },
      percentOfTarget: null,
    });
  });

  it('when the range is longer than a year, then 400 names the field', async () => {
    const response = await get('/nutrition/compliance?from=2025-01-01&to=2026-03-01');
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ path: 'query.to', message: expect.any(String) }]);
  });
});

describe('GET /api/analytics/body/trends', () => {
  let body: Awaited<ReturnType<typeof buildSignedInUser>>;
  beforeAll(async () => {
    body = await buildSignedInUser(t);
    const { db } = t.container.database;
    // Auckland is UTC+13 in March: 11:30 UTC on the 1st is already the 2nd there.
    await setHomeTimezone(db, body.row.id, 'Pacific/Auckland');
    const entries = [
      { measuredAt: '2026-02-27T20:00:00.000Z', weightKg: 84 },
      { measuredAt: '2026-03-01T11:30:00.000Z', weightKg: 83 },
      { measuredAt: '2026-03-03T20:00:00.000Z', weightKg: 82.5 },
      { measuredAt: '2026-03-05T20:00:00.000Z', weightKg: null, bodyFatPercentage: 18 },
      { measuredAt: '2026-03-08T20:00:00.000Z', weightKg: 82 },
      { measuredAt: '2026-03-12T20:00:00.000Z', weightKg: 81 },
    ];
    for (const entry of entries) {
      await addBodyComposition(db, body.row.id, {
        ...entry,
        measuredAt: new Date(entry.measuredAt),
      });
    }
    await addBodyComposition(db, other.row.id, {
      measuredAt: new Date('2026-03-04T08:00:00.000Z'),
      weightKg: 120,
    });
  });

  it('when entries exist, then points in local days, the 7-day moving average and the change are exact', async () => {
    const response = await get(
      '/body/trends?metric=weightKg&from=2026-03-02&to=2026-03-09',
      body.auth,
    );
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      metric: 'weightKg',
      from: '2026-03-02',
      to: '2026-03-09',
      timezone: 'Pacific/Auckland',
      windowDays: 7,
      points: [
        // The window reaches back before the range: (84 + 83) / 2.
        {
          measuredAt: '2026-03-01T11:30:00.000Z',
          day: '2026-03-02',
          value: 83,
          movingAverage: 83.5,
        },
        {
          measuredAt: '2026-03-03T20:00:00.000Z',
          day: '2026-03-04',
          value: 82.5,
          movingAverage: 83.17,
        },
        // 03-01T11:30 is more than 7 × 24 h before 03-08T20:00: (82.5 + 82) / 2.
        {
          measuredAt: '2026-03-08T20:00:00.000Z',
          day: '2026-03-09',
          value: 82,
          movingAverage: 82.25,
        },
      ],
      change: { first: 83, last: 82, absolute: -1, percent: -1.2 },
    });
  });

  it('when another metric is asked for, then only entries that measured it count', async () => {
    const response = await get(
      '/body/trends?metric=bodyFatPercentage&from=2026-03-01&to=2026-03-31',
      body.auth,
    );
    expect(response.status).toBe(200);
    expect(response.body.points).toEqual([
      { measuredAt: '2026-03-05T20:00:00.000Z', day: '2026-03-06', value: 18, movingAverage: 18 },
    ]);
    expect(response.body.change).toEqual({ first: 18, last: 18, absolute: 0, percent: 0 });
  });

  it('when the range holds no entries, then no points and no change', async () => {
    const response = await get(
      '/body/trends?metric=weightKg&from=2026-04-01&to=2026-04-30',
      body.auth,
    );
    expect(response.status).toBe(200);
    expect(response.body.points).toEqual([]);
    expect(response.body.change).toBeNull();
  });

  it('when the metric is unknown or missing, then 400 names it', async () => {
    const unknown = await get('/body/trends?metric=height', body.auth);
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors.map((error: { path: string }) => error.path)).toEqual([
      'query.metric',
    ]);
    const missing = await get('/body/trends', body.auth);
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0].path).toBe('query.metric');
  });
});

describe('keeping the rollups', () => {
  it('when several entries of one day are written at once, then the day counts every one', async () => {
    const busy = await buildSignedInUser(t);
    await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        history.createLog(busy.row.id, {
          exerciseId: index % 2 === 0 ? bench : squat,
          day: '2026-04-06',
          sets: [{ reps: 1 + index, weightKg: 10 }],
        }),
      ),
    );
    const response = await get('/workout/summary?from=2026-04-06&to=2026-04-06', busy.auth);
    expect(response.body.totals).toEqual({
      trainingDays: 1,
      logEntries: 6,
      sets: 6,
      reps: 21,
      volumeKg: 210,
      durationSec: 0,
    });
  });

  it('when rows are wrong, missing and extra, then rebuildMember counts each, fixes them, and finds nothing the second time', async () => {
    const rebuilt = await buildSignedInUser(t);
    const me = rebuilt.row.id;
    const { db } = t.container.database;
    for (const day of ['2026-06-01', '2026-06-02']) {
      await history.createLog(me, { exerciseId: bench, day, sets: [{ reps: 3, weightKg: 100 }] });
      await history.createMeal(me, { day, calories: 500, protein: 30, carbs: 50, fat: 20 });
    }
    await db
      .update(nutritionDayRollups)
      .set({ calories: 1 })
      .where(and(eq(nutritionDayRollups.userId, me), eq(nutritionDayRollups.day, '2026-06-01')));
    await db
      .delete(exerciseDayRollups)
      .where(and(eq(exerciseDayRollups.userId, me), eq(exerciseDayRollups.day, '2026-06-02')));
    await db.insert(exerciseDayRollups).values({
      userId: me,
      exerciseId: 'phantom',
      day: '2026-06-03',
      logs: 1,
      sets: 1,
      reps: 1,
      volumeKg: 1,
      durationSec: 0,
    });

    const service = t.container.analytics.service;
    expect(await service.rebuildMember(me)).toEqual({
      userId: me,
      exerciseDays: { checked: 2, drifted: 2 },
      nutritionDays: { checked: 2, drifted: 1 },
    });
    expect(await service.rebuildMember(me)).toEqual({
      userId: me,
      exerciseDays: { checked: 2, drifted: 0 },
      nutritionDays: { checked: 2, drifted: 0 },
    });
    const response = await get('/workout/summary?from=2026-06-01&to=2026-06-30', rebuilt.auth);
    expect(response.body.totals.volumeKg).toBe(600);
    const compliance = await get(
      '/nutrition/compliance?from=2026-06-01&to=2026-06-30',
      rebuilt.auth,
    );
    expect(compliance.body.overall.averageEaten.calories).toBe(500);
  });
});

describe('rebuilding a member who is gone', () => {
  it('when the member was deleted before the rebuild ran, then it finds nothing and fails nothing', async () => {
    const missing = randomUUID();
    expect(await t.container.analytics.service.rebuildMember(missing)).toEqual({
      userId: missing,
      exerciseDays: { checked: 0, drifted: 0 },
      nutritionDays: { checked: 0, drifted: 0 },
    });
  });
});

describe('the OpenAPI document', () => {
  it('when the document is read, then every analytics route is there with its example and definitions', async () => {
    const response = await t.http.get('/api/openapi.json');
    expect(response.status).toBe(200);
    const paths = response.body.paths;
    for (const path of [
      '/workout/summary',
      '/workout/progress',
      '/nutrition/compliance',
      '/body/trends',
    ]) {
      const operation = paths[`/api/analytics${path}`]?.get;
      expect(operation?.summary).toBeTruthy();
      expect(operation?.responses['200']).toBeDefined();
      expect(operation?.responses['400']).toBeDefined();
    }
    const schemas = response.body.components.schemas;
    for (const name of ['WorkoutSummary', 'WorkoutProgress', 'NutritionCompliance', 'BodyTrends']) {
      expect(schemas[name].example).toBeDefined();
    }
    expect(paths['/api/analytics/workout/summary'].get.description).toContain('Σ reps × weightKg');
    expect(paths['/api/analytics/workout/progress'].get.description).toContain('Epley');
    expect(paths['/api/analytics/nutrition/compliance'].get.description).toContain('±10%');
    expect(paths['/api/analytics/body/trends'].get.description).toContain('7 × 24 h');
  });
});
