import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDay } from '../../lib/time/local-day.js';
import { buildBranch, buildSignedInUser } from '../../test-support/factories.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import {
  checkInOnDay,
  dayAfter,
  deleteMeal,
  deleteWorkout,
  editMeal,
  editWorkout,
  logMeal,
  logWorkout,
  sets,
} from '../../test-support/tracking-test-support.js';
import { mealLogs } from '../nutrition/meal-logs.table.js';
import { users } from '../users/users.table.js';
import { workoutLogs, workoutSets } from '../workout-logs/workout-logs.table.js';
import { achievementCatalogue } from './achievements.js';
import { memberDayTotals, pointsLedger, userAchievements } from './rewards.table.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const db = () => t.container.database.db;
const DAY = '2026-03-02';

/** Checks that `users.total_points` equals the ledger's sum, and returns it. */
async function balancedTotal(userId: string): Promise<number> {
  const [user] = await db()
    .select({ totalPoints: users.totalPoints })
    .from(users)
    .where(eq(users.id, userId));
  const [ledger] = await db()
    .select({ sum: sql`coalesce(sum(${pointsLedger.amount}), 0)::int`.mapWith(Number) })
    .from(pointsLedger)
    .where(eq(pointsLedger.userId, userId));
  expect(user?.totalPoints).toBe(ledger?.sum);
  return user?.totalPoints ?? Number.NaN;
}

async function ledgerOf(userId: string) {
  return db()
    .select()
    .from(pointsLedger)
    .where(eq(pointsLedger.userId, userId))
    .orderBy(asc(pointsLedger.createdAt), asc(pointsLedger.id));
}

/** What a source (or, with null, the day) holds under a rule on a day. */
async function held(userId: string, rule: string, sourceId: string | null, day = DAY) {
  const rows = (await ledgerOf(userId)).filter(
    (row) => row.rule === rule && row.sourceId === sourceId && row.day === day,
  );
  return rows.reduce((sum, row) => sum + row.amount, 0);
}

async function ruleTotal(userId: string, rule: string, day = DAY) {
  const rows = (await ledgerOf(userId)).filter((row) => row.rule === rule && row.day === day);
  return rows.reduce((sum, row) => sum + row.amount, 0);
}

async function unlocked(userId: string): Promise<string[]> {
  const rows = await db()
    .select({ key: userAchievements.key })
    .from(userAchievements)
    .where(eq(userAchievements.userId, userId));
  return rows.map((row) => row.key).sort();
}

/**
 * The day totals equal a plain recomputation from the raw rows: what progress and unlocks read
 * is always what the logs say.
 */
async function expectDayTotalsMatchRawRows(userId: string): Promise<void> {
  const logs = await db().select().from(workoutLogs).where(eq(workoutLogs.userId, userId));
  const allSets = await db().select().from(workoutSets).where(eq(workoutSets.userId, userId));
  const meals = await db().select().from(mealLogs).where(eq(mealLogs.userId, userId));
  interface DayFigures {
    workoutLogs: number;
    completedSets: number;
    volumeKg: number;
    recordLogs: number;
    meals: number;
    mealCalories: number;
  }
  const zero = (): DayFigures => ({
    workoutLogs: 0,
    completedSets: 0,
    volumeKg: 0,
    recordLogs: 0,
    meals: 0,
    mealCalories: 0,
  });
  const expected = new Map<string, DayFigures>();
  const dayOf = (day: string) => {
    const entry = expected.get(day) ?? zero();
    expected.set(day, entry);
    return entry;
  };
  for (const log of logs) {
    const done = allSets.filter(
      (set) => set.logId === log.id && (set.reps >= 1 || (set.durationSec ?? 0) >= 1),
    );
    const entry = dayOf(log.day);
    entry.workoutLogs += done.length > 0 ? 1 : 0;
    entry.completedSets += done.length;
    entry.volumeKg += done.reduce((sum, set) => sum + set.reps * (set.weightKg ?? 0), 0);
    entry.recordLogs += log.personalRecords.length > 0 ? 1 : 0;
  }
  for (const meal of meals) {
    const entry = dayOf(meal.day);
    entry.meals += 1;
    entry.mealCalories += meal.calories;
  }
  const stored = await db()
    .select()
    .from(memberDayTotals)
    .where(eq(memberDayTotals.userId, userId));
  const storedDays = stored.filter((row) => row.gymCheckIns === 0);
  expect(new Set(storedDays.map((row) => row.day))).toEqual(new Set(expected.keys()));
  for (const row of stored) {
    const want = expected.get(row.day) ?? zero();
    expect({
      workoutLogs: row.workoutLogs,
      completedSets: row.completedSets,
      volumeKg: row.volumeKg,
      recordLogs: row.recordLogs,
      meals: row.meals,
      mealCalories: row.mealCalories,
    }).toEqual(want);
  }
}

describe('points per rule', () => {
  it('when a member logs an entry, then 2 points per completed set (reps or a duration) and the first-workout bonus, and totalPoints is the ledger sum', async () => {
    const member = await buildSignedInUser(t);
    const log = await logWorkout(t, member.row.id, {
      day: DAY,
      sets: [
        { reps: 10, weightKg: 50 },
        { reps: 0, weightKg: 50 },
        { reps: 0, durationSec: 600 },
      ],
    });
    const rows = await ledgerOf(member.row.id);
    expect(rows.find((row) => row.rule === 'completed-set')).toMatchObject({
      amount: 4,
      sourceKind: 'workout-log',
      sourceId: log.id,
      day: DAY,
      reversesId: null,
    });
    expect(rows.filter((row) => row.rule === 'achievement').map((row) => row.amount)).toEqual([10]);
    expect(await balancedTotal(member.row.id)).toBe(14);
    const me = await t.http.get('/api/users/me').set('Authorization', member.auth).expect(200);
    expect(me.body.totalPoints).toBe(14);
  });

  it('when a member logs a meal, then 5 points for it and the first-meal bonus', async () => {
    const member = await buildSignedInUser(t);
    const meal = await logMeal(t, member.row.id, { day: DAY });
    expect(await held(member.row.id, 'logged-meal', meal.id)).toBe(5);
    expect(await unlocked(member.row.id)).toEqual(['first-meal']);
    expect(await balancedTotal(member.row.id)).toBe(15);
  });

  it('when a member checks in twice on a day and once the next day, then one visit award per day', async () => {
    const branch = await buildBranch(t);
    const member = await buildSignedInUser(t);
    const first = await checkInOnDay(t, member.row.id, branch.id, DAY);
    await checkInOnDay(t, member.row.id, branch.id, DAY);
    const next = await checkInOnDay(t, member.row.id, branch.id, dayAfter(DAY));
    const visits = (await ledgerOf(member.row.id)).filter((row) => row.rule === 'gym-visit');
    expect(visits.map((row) => [row.sourceId, row.day, row.amount])).toEqual([
      [first, DAY, 10],
      [next, dayAfter(DAY), 10],
    ]);
    expect(await unlocked(member.row.id)).toEqual(['first-visit']);
    expect(await balancedTotal(member.row.id)).toBe(30);
  });

  it('when a day reaches 10 completed sets and 3 meals, then the daily goal is awarded once; losing a meal takes it back', async () => {
    const member = await buildSignedInUser(t);
    await logWorkout(t, member.row.id, { day: DAY, sets: sets(6) });
    await logWorkout(t, member.row.id, { day: DAY, sets: sets(4) });
    await logMeal(t, member.row.id, { day: DAY });
    const lunch = await logMeal(t, member.row.id, { day: DAY });
    expect(await held(member.row.id, 'daily-goal', null)).toBe(0);
    await logMeal(t, member.row.id, { day: DAY });
    expect(await held(member.row.id, 'daily-goal', null)).toBe(20);
    expect(await unlocked(member.row.id)).toContain('daily-goal');
    await logMeal(t, member.row.id, { day: DAY });
    expect(await held(member.row.id, 'daily-goal', null)).toBe(20);

    await deleteMeal(t, lunch);
    expect(await held(member.row.id, 'daily-goal', null)).toBe(20);
    const [breakfast] = await db()
      .select()
      .from(mealLogs)
      .where(eq(mealLogs.userId, member.row.id))
      .limit(1);
    if (!breakfast) throw new Error('no meal');
    await deleteMeal(t, breakfast);
    const goalRows = (await ledgerOf(member.row.id)).filter((row) => row.rule === 'daily-goal');
    expect(goalRows.map((row) => row.amount)).toEqual([20, -20]);
    expect(goalRows[1]?.reversesId).toBe(goalRows[0]?.id);
    expect(goalRows.every((row) => row.sourceKind === 'day' && row.sourceId === null)).toBe(true);
    await balancedTotal(member.row.id);
  });
});

describe('late and imported entries', () => {
  it('when entries and meals are recorded over 7 days late or imported, then they earn nothing but count toward achievements; moving a live entry far back loses its points', async () => {
    const member = await buildSignedInUser(t);
    const id = member.row.id;
    const eightDaysLater = new Date(Date.parse(`${DAY}T12:00:00Z`) + 8 * 86_400_000);
    const late = await logWorkout(t, id, { day: DAY, sets: sets(5), recordedAt: eightDaysLater });
    expect(await held(id, 'completed-set', late.id)).toBe(0);
    expect(await unlocked(id)).toEqual(['first-workout']);
    const imported = await logWorkout(t, id, {
      day: dayAfter(DAY),
      sets: sets(5),
      source: 'import',
    });
    expect(await held(id, 'completed-set', imported.id, dayAfter(DAY))).toBe(0);
    const live = await logWorkout(t, id, { day: dayAfter(DAY, 2), sets: sets(1) });
    expect(await held(id, 'completed-set', live.id, dayAfter(DAY, 2))).toBe(2);
    expect(await unlocked(id)).toEqual(['first-workout', 'streak-3']);
    const lateMeal = await logMeal(t, id, { day: DAY, recordedAt: eightDaysLater });
    expect(await held(id, 'logged-meal', lateMeal.id)).toBe(0);
    expect(await unlocked(id)).toEqual(['first-meal', 'first-workout', 'streak-3']);
    expect(await balancedTotal(id)).toBe(10 + 15 + 2 + 10);

    await editWorkout(t, live, { day: '2026-01-05' });
    expect(await held(id, 'completed-set', live.id, dayAfter(DAY, 2))).toBe(0);
    expect(await held(id, 'completed-set', live.id, '2026-01-05')).toBe(0);
    expect(await balancedTotal(id)).toBe(10 + 15 + 10);
    await expectDayTotalsMatchRawRows(id);
  });
});

describe('caps', () => {
  it('when a day holds more completed sets than the cap, then the earliest entries fill it whatever order they were logged in, and a deletion lets the next one in', async () => {
    const member = await buildSignedInUser(t);
    const id = member.row.id;
    const late = await logWorkout(t, id, {
      day: DAY,
      completedAt: new Date(`${DAY}T10:00:00Z`),
      sets: sets(30),
    });
    expect(await held(id, 'completed-set', late.id)).toBe(60);
    const early = await logWorkout(t, id, {
      day: DAY,
      completedAt: new Date(`${DAY}T09:00:00Z`),
      sets: sets(20),
    });
    expect(await held(id, 'completed-set', early.id)).toBe(40);
    expect(await held(id, 'completed-set', late.id)).toBe(40);
    const cut = (await ledgerOf(id)).find((row) => row.sourceId === late.id && row.amount < 0);
    const lateAward = (await ledgerOf(id)).find(
      (row) => row.sourceId === late.id && row.amount > 0,
    );
    expect(cut).toMatchObject({ amount: -20, reversesId: lateAward?.id });
    await balancedTotal(id);

    const latest = await logWorkout(t, id, {
      day: DAY,
      completedAt: new Date(`${DAY}T11:00:00Z`),
      sets: sets(5),
    });
    expect(await held(id, 'completed-set', latest.id)).toBe(0);
    expect(await ruleTotal(id, 'completed-set')).toBe(80);

    await deleteWorkout(t, early);
    expect(await held(id, 'completed-set', early.id)).toBe(0);
    expect(await held(id, 'completed-set', late.id)).toBe(60);
    expect(await held(id, 'completed-set', latest.id)).toBe(10);
    expect(await ruleTotal(id, 'completed-set')).toBe(70);
    await balancedTotal(id);
    await expectDayTotalsMatchRawRows(id);
  });

  it('when a member logs seven meals on a day, then five earn points; deleting an earned one lets the sixth in', async () => {
    const member = await buildSignedInUser(t);
    const id = member.row.id;
    const meals = [];
    for (let hour = 7; hour < 14; hour++) {
      meals.push(
        await logMeal(t, id, {
          day: DAY,
          consumedAt: new Date(`${DAY}T${String(hour).padStart(2, '0')}:00:00Z`),
        }),
      );
    }
    const [, second, , , , sixth, seventh] = meals;
    if (!second || !sixth || !seventh) throw new Error('meals missing');
    expect(await ruleTotal(id, 'logged-meal')).toBe(25);
    expect(await held(id, 'logged-meal', sixth.id)).toBe(0);
    await deleteMeal(t, second);
    expect(await ruleTotal(id, 'logged-meal')).toBe(25);
    expect(await held(id, 'logged-meal', sixth.id)).toBe(5);
    expect(await held(id, 'logged-meal', seventh.id)).toBe(0);
    await balancedTotal(id);
  });
});

describe('reversal and edits', () => {
  it('when an entry is deleted, then a row takes back what it held, referencing the award, and the unlock and its bonus stay', async () => {
    const member = await buildSignedInUser(t);
    const log = await logWorkout(t, member.row.id, { day: DAY, sets: sets(5) });
    expect(await balancedTotal(member.row.id)).toBe(20);
    await deleteWorkout(t, log);
    const rows = (await ledgerOf(member.row.id)).filter((row) => row.sourceId === log.id);
    expect(rows.map((row) => row.amount)).toEqual([10, -10]);
    expect(rows[1]?.reversesId).toBe(rows[0]?.id);
    expect(await unlocked(member.row.id)).toEqual(['first-workout']);
    expect(await balancedTotal(member.row.id)).toBe(10);
    await expectDayTotalsMatchRawRows(member.row.id);
  });

  it('when the deletion event runs before the rows are deleted, then the entry is still worth nothing', async () => {
    const member = await buildSignedInUser(t);
    const log = await logWorkout(t, member.row.id, { day: DAY, sets: sets(3) });
    await deleteWorkout(t, log, { eventFirst: true });
    expect(await held(member.row.id, 'completed-set', log.id)).toBe(0);
    await balancedTotal(member.row.id);
    await expectDayTotalsMatchRawRows(member.row.id);
  });

  it('when an entry is edited, then each edit writes the difference; moved to another day, the old day takes it back and the new day awards it', async () => {
    const member = await buildSignedInUser(t);
    const id = member.row.id;
    const log = await logWorkout(t, id, { day: DAY, sets: sets(3) });
    expect(await held(id, 'completed-set', log.id)).toBe(6);
    await editWorkout(t, log, { sets: sets(5) });
    expect(await held(id, 'completed-set', log.id)).toBe(10);
    await balancedTotal(id);
    await editWorkout(t, log, { sets: [...sets(1), { reps: 0, weightKg: 20 }] });
    expect(await held(id, 'completed-set', log.id)).toBe(2);
    const rows = (await ledgerOf(id)).filter((row) => row.sourceId === log.id);
    expect(rows.map((row) => row.amount)).toEqual([6, 4, -8]);
    expect(rows[2]?.reversesId).toBe(rows[1]?.id);
    await balancedTotal(id);

    const next = dayAfter(DAY);
    const moved = await editWorkout(t, { ...log, day: DAY }, { day: next });
    expect(moved.day).toBe(next);
    expect(await held(id, 'completed-set', log.id, DAY)).toBe(0);
    expect(await held(id, 'completed-set', log.id, next)).toBe(2);
    await balancedTotal(id);
    await expectDayTotalsMatchRawRows(id);
  });

  it('when a meal moves to another day, then its points follow it', async () => {
    const member = await buildSignedInUser(t);
    const meal = await logMeal(t, member.row.id, { day: DAY });
    await editMeal(t, meal, { day: dayAfter(DAY) });
    expect(await held(member.row.id, 'logged-meal', meal.id, DAY)).toBe(0);
    expect(await held(member.row.id, 'logged-meal', meal.id, dayAfter(DAY))).toBe(5);
    await balancedTotal(member.row.id);
    await expectDayTotalsMatchRawRows(member.row.id);
  });
});

describe('achievements', () => {
  it('when a member in UTC+14 trains on three consecutive local days that are not consecutive UTC days, then the 3-day streak unlocks on the third', async () => {
    const member = await buildSignedInUser(t);
    const id = member.row.id;
    // Pacific/Kiritimati: local 2026-03-10 00:30 is 2026-03-09 in UTC; the next two local days
    // both fall on 2026-03-11 in UTC.
    await logWorkout(t, id, {
      day: '2026-03-10',
      completedAt: new Date('2026-03-09T10:30:00Z'),
      sets: sets(1),
    });
    await logWorkout(t, id, {
      day: '2026-03-11',
      completedAt: new Date('2026-03-11T09:30:00Z'),
      sets: sets(1),
    });
    expect(await unlocked(id)).not.toContain('streak-3');
    await logWorkout(t, id, {
      day: '2026-03-12',
      completedAt: new Date('2026-03-11T22:00:00Z'),
      sets: sets(1),
    });
    expect(await unlocked(id)).toContain('streak-3');
    const [unlock] = await db()
      .select()
      .from(userAchievements)
      .where(and(eq(userAchievements.userId, id), eq(userAchievements.key, 'streak-3')));
    expect(unlock?.day).toBe('2026-03-12');
  });

  it('when the days have a gap, then no streak unlocks; filling the gap later unlocks it', async () => {
    const member = await buildSignedInUser(t);
    const id = member.row.id;
    for (const day of ['2026-04-01', '2026-04-02', '2026-04-04']) {
      await logWorkout(t, id, { day, sets: sets(1) });
    }
    expect(await unlocked(id)).not.toContain('streak-3');
    await logWorkout(t, id, { day: '2026-04-03', sets: sets(1) });
    expect(await unlocked(id)).toContain('streak-3');
  });

  it('when the current streak is shown, then it counts the member’s local today', async () => {
    const member = await buildSignedInUser(t);
    await t.http
      .patch('/api/users/me')
      .set('Authorization', member.auth)
      .send({ profile: { timezone: 'Pacific/Kiritimati' } })
      .expect(200);
    const today = localDay(new Date(), 'Pacific/Kiritimati');
    await logWorkout(t, member.row.id, { day: dayAfter(today, -1), sets: sets(1) });
    await logWorkout(t, member.row.id, { day: today, sets: sets(1) });
    const res = await t.http
      .get('/api/users/me/achievements')
      .set('Authorization', member.auth)
      .expect(200);
    const streak3 = res.body.inProgress.find((item: { key: string }) => item.key === 'streak-3');
    expect(streak3.progress).toEqual({ current: 2, target: 3, percent: 66 });
  });

  it('when sets, volume and training days add up, then their milestones unlock at the threshold', async () => {
    const member = await buildSignedInUser(t);
    const id = member.row.id;
    await logWorkout(t, id, { day: DAY, sets: sets(99, { reps: 10, weightKg: 10 }) });
    expect(await unlocked(id)).toEqual(['first-workout']);
    // The 100th set: 9,900 + 90 = 9,990 kg, just short of 10 t.
    await logWorkout(t, id, { day: DAY, sets: sets(1, { reps: 9, weightKg: 10 }) });
    expect(await unlocked(id)).toEqual(['first-workout', 'sets-100']);
    await logWorkout(t, id, { day: DAY, sets: [{ reps: 1, weightKg: 10 }] });
    expect(await unlocked(id)).toEqual(['first-workout', 'sets-100', 'volume-10t']);

    for (let offset = 1; offset < 9; offset += 2) {
      await logWorkout(t, id, { day: dayAfter(DAY, offset), sets: sets(1) });
    }
    expect(await unlocked(id)).not.toContain('training-days-10');
    for (let offset = 10; offset < 15; offset++) {
      await logWorkout(t, id, { day: dayAfter(DAY, offset), sets: sets(1) });
    }
    expect(await unlocked(id)).toContain('training-days-10');
    await balancedTotal(id);
  });

  it('when entries set personal records, then the first and the tenth unlock the record achievements', async () => {
    const member = await buildSignedInUser(t);
    const id = member.row.id;
    await logWorkout(t, id, { day: DAY, sets: sets(1) });
    expect(await unlocked(id)).not.toContain('first-pr');
    for (let n = 1; n <= 10; n++) {
      await logWorkout(t, id, { day: DAY, sets: sets(1), personalRecords: ['e1rm', 'weight'] });
      if (n === 1) expect(await unlocked(id)).toContain('first-pr');
      if (n === 9) expect(await unlocked(id)).not.toContain('prs-10');
    }
    expect(await unlocked(id)).toContain('prs-10');
  });

  it('when a member checks in on days, then visits count days, not sessions', async () => {
    const branch = await buildBranch(t);
    const member = await buildSignedInUser(t);
    const id = member.row.id;
    await checkInOnDay(t, id, branch.id, DAY);
    await checkInOnDay(t, id, branch.id, DAY);
    for (let offset = 1; offset < 9; offset++) {
      await checkInOnDay(t, id, branch.id, dayAfter(DAY, offset));
    }
    expect(await unlocked(id)).toEqual(['first-visit']);
    await checkInOnDay(t, id, branch.id, dayAfter(DAY, 9));
    expect(await unlocked(id)).toEqual(['first-visit', 'visits-10']);
    expect(await balancedTotal(id)).toBe(10 * 10 + 10 + 25);
  });

  it('when a member logs meals seven days in a row, then the meal streak unlocks on the seventh', async () => {
    const member = await buildSignedInUser(t);
    const id = member.row.id;
    for (let offset = 0; offset < 6; offset++) {
      await logMeal(t, id, { day: dayAfter(DAY, offset) });
    }
    expect(await unlocked(id)).toEqual(['first-meal']);
    await logMeal(t, id, { day: dayAfter(DAY, 6) });
    expect(await unlocked(id)).toEqual(['first-meal', 'meal-streak-7']);
  });

  it('when a week of days is within ±10% of the active diet plan’s calorie target, then the calorie week unlocks; a day off target holds it back until corrected', async () => {
    const member = await buildSignedInUser(t);
    const id = member.row.id;
    await t.http
      .patch('/api/users/me')
      .set('Authorization', member.auth)
      .send({
        profile: {
          demographics: { age: 34, heightCm: 178, weightKg: 82, gender: 'male' },
          fitnessProfile: { goal: 'maintain' },
        },
      })
      .expect(200);
    const generated = await t.http
      .post('/api/nutrition/plans/generate')
      .set('Authorization', member.auth)
      .send({})
      .expect(201);
    await t.http
      .post(`/api/nutrition/plans/${String(generated.body.plan.id)}/activate`)
      .set('Authorization', member.auth)
      .expect(200);
    const target: number = generated.body.plan.targets.calories;

    for (let offset = 0; offset < 6; offset++) {
      await logMeal(t, id, { day: dayAfter(DAY, offset), calories: target * 0.5 });
      await logMeal(t, id, { day: dayAfter(DAY, offset), calories: target * 0.55 });
    }
    const offDay = await logMeal(t, id, { day: dayAfter(DAY, 6), calories: target * 1.5 });
    expect(await unlocked(id)).not.toContain('calorie-week');
    const [judged] = await db()
      .select()
      .from(memberDayTotals)
      .where(and(eq(memberDayTotals.userId, id), eq(memberDayTotals.day, DAY)));
    expect(judged).toMatchObject({ calorieTarget: target, onCalorieTarget: true });

    await editMeal(t, offDay, { calories: target * 0.95 });
    expect(await unlocked(id)).toContain('calorie-week');
    await balancedTotal(id);
  });

  it('when a member without a calorie target logs a week of meals, then no day is on target', async () => {
    const member = await buildSignedInUser(t);
    for (let offset = 0; offset < 7; offset++) {
      await logMeal(t, member.row.id, { day: dayAfter(DAY, offset), calories: 2000 });
    }
    expect(await unlocked(member.row.id)).not.toContain('calorie-week');
    const days = await db()
      .select()
      .from(memberDayTotals)
      .where(eq(memberDayTotals.userId, member.row.id));
    expect(days.every((day) => day.calorieTarget === null && !day.onCalorieTarget)).toBe(true);
  });
});

describe('GET /api/users/me/points', () => {
  it('when the ledger is paged, then newest first, pages meet without overlap, and each carries totalPoints', async () => {
    const member = await buildSignedInUser(t);
    const log = await logWorkout(t, member.row.id, { day: DAY, sets: sets(3) });
    await logMeal(t, member.row.id, { day: DAY });
    await editWorkout(t, log, { sets: sets(1) });
    await logMeal(t, member.row.id, { day: dayAfter(DAY) });
    const all = await db()
      .select()
      .from(pointsLedger)
      .where(eq(pointsLedger.userId, member.row.id))
      .orderBy(desc(pointsLedger.createdAt), desc(pointsLedger.id));
    const total = await balancedTotal(member.row.id);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: {
        body: { items: { id: string }[]; totalPoints: number; nextCursor: string | null };
      } = await t.http
        .get('/api/users/me/points')
        .query(cursor ? { limit: 2, cursor } : { limit: 2 })
        .set('Authorization', member.auth)
        .expect(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      expect(res.body.totalPoints).toBe(total);
      seen.push(...res.body.items.map((item) => item.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((row) => row.id));

    const first = await t.http
      .get('/api/users/me/points')
      .set('Authorization', member.auth)
      .expect(200);
    const reversal = all.find((row) => row.amount < 0);
    expect(first.body.items.find((item: { id: string }) => item.id === reversal?.id)).toEqual({
      id: reversal?.id,
      rule: 'completed-set',
      amount: -4,
      sourceKind: 'workout-log',
      sourceId: log.id,
      day: DAY,
      reversesId: reversal?.reversesId,
      createdAt: reversal?.createdAt.toISOString(),
    });
  });

  it('when limit or cursor is invalid, then 400 naming the field', async () => {
    const member = await buildSignedInUser(t);
    for (const [query, path] of [
      [{ limit: 0 }, 'query.limit'],
      [{ limit: 101 }, 'query.limit'],
      [{ cursor: 'not-a-cursor' }, 'query.cursor'],
      [{ page: 2 }, 'query.page'],
    ] as const) {
      const res = await t.http
        .get('/api/users/me/points')
        .query(query)
        .set('Authorization', member.auth)
        .expect(400);
      expect(res.body.errors.map((error: { path: string }) => error.path)).toContain(path);
    }
  });

  it('when called without a token, then 401', async () => {
    await t.http.get('/api/users/me/points').expect(401);
    await t.http.get('/api/users/me/achievements').expect(401);
  });
});

describe('GET /api/users/me/achievements', () => {
  it('when a member has unlocks, then unlocked newest first and every other achievement in progress, with totalPoints', async () => {
    const member = await buildSignedInUser(t);
    await logWorkout(t, member.row.id, { day: DAY, sets: sets(40) });
    await logMeal(t, member.row.id, { day: DAY });
    const res = await t.http
      .get('/api/users/me/achievements')
      .set('Authorization', member.auth)
      .expect(200);
    expect(res.body.unlocked).toEqual([
      {
        key: 'first-meal',
        title: 'First bite',
        description: 'Log your first meal.',
        category: 'nutrition',
        points: 10,
        unlockedAt: expect.any(String),
      },
      {
        key: 'first-workout',
        title: 'First workout',
        description: 'Log your first completed set.',
        category: 'workouts',
        points: 10,
        unlockedAt: expect.any(String),
      },
    ]);
    expect(res.body.inProgress).toHaveLength(achievementCatalogue.length - 2);
    expect(res.body.inProgress.find((item: { key: string }) => item.key === 'sets-100')).toEqual({
      key: 'sets-100',
      title: 'Hundred sets',
      description: 'Complete 100 sets.',
      category: 'workouts',
      points: 25,
      progress: { current: 40, target: 100, percent: 40 },
    });
    expect(res.body.totalPoints).toBe(await balancedTotal(member.row.id));
  });

  it('when another member asks, then they see none of the first member’s points or unlocks', async () => {
    const owner = await buildSignedInUser(t);
    await logWorkout(t, owner.row.id, { day: DAY, sets: sets(12) });
    await logMeal(t, owner.row.id, { day: DAY });
    const other = await buildSignedInUser(t);
    const points = await t.http
      .get('/api/users/me/points')
      .set('Authorization', other.auth)
      .expect(200);
    expect(points.body).toEqual({ items: [], nextCursor: null, totalPoints: 0 });
    const achievements = await t.http
      .get('/api/users/me/achievements')
      .set('Authorization', other.auth)
      .expect(200);
    expect(achievements.body.unlocked).toEqual([]);
    expect(achievements.body.totalPoints).toBe(0);
    expect(
      achievements.body.inProgress.every(
        (item: { progress: { current: number } }) => item.progress.current === 0,
      ),
    ).toBe(true);
  });
});

describe('export', () => {
  it('when a member exports their data, then it holds the whole ledger and every unlock', async () => {
    const member = await buildSignedInUser(t);
    await logWorkout(t, member.row.id, { day: DAY, sets: sets(2) });
    await logMeal(t, member.row.id, { day: DAY });
    const res = await t.http.get('/api/users/me/export').set('Authorization', member.auth);
    expect(res.status).toBe(200);
    const ledger = await ledgerOf(member.row.id);
    expect(res.body.points.map((entry: { id: string }) => entry.id)).toEqual(
      ledger.map((row) => row.id),
    );
    expect(res.body.achievements.map((entry: { key: string }) => entry.key)).toEqual([
      'first-workout',
      'first-meal',
    ]);
  });
});

describe('account deletion', () => {
  it('when a member with awards and reversals deletes the account, then the ledger, unlocks and day totals go with it', async () => {
    const member = await buildSignedInUser(t);
    const log = await logWorkout(t, member.row.id, { day: DAY, sets: sets(3) });
    await editWorkout(t, log, { sets: sets(1) });
    await logMeal(t, member.row.id, { day: DAY });
    await t.http
      .delete('/api/users/me')
      .set('Authorization', member.auth)
      .send({ password: member.password })
      .expect(204);
    expect(await ledgerOf(member.row.id)).toEqual([]);
    expect(await unlocked(member.row.id)).toEqual([]);
    const days = await db()
      .select()
      .from(memberDayTotals)
      .where(eq(memberDayTotals.userId, member.row.id));
    expect(days).toEqual([]);
  });
});
