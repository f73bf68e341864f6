// Points and achievements through the real write paths: REST log entries and meals, one after
// another and at once, with the ledger, `totalPoints` on /me and the unlock notifications.
import { eq, sql } from 'drizzle-orm';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildBranch, buildBranchMember, buildSignedInUser } from '../../test-support/factories.js';
import { connectSocket, connected, recordEvents } from '../../test-support/socket-test-support.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { pointsLedger, userAchievements } from './rewards.table.js';

let t: TestApp;
let baseUrl: string;
beforeAll(async () => {
  t = await createTestApp();
  baseUrl = await t.listen();
});
afterAll(async () => {
  await t.close();
});
const sockets: Socket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
});

type Member = Awaited<ReturnType<typeof buildSignedInUser>>;

// One instant for every post: a replay must send the same body.
const completedAt = new Date().toISOString();

const postLog = (member: Member, completedSets: number, key?: string) => {
  const request = t.http.post('/api/workouts/logs').set('Authorization', member.auth);
  if (key) void request.set('Idempotency-Key', key);
  return request.send({
    exerciseId: 'bench-press',
    exerciseName: 'Bench press',
    completedSets,
    completedReps: 8,
    weightKg: 60,
    completedAt,
  });
};

async function pointsOf(member: Member) {
  const me = await t.http.get('/api/users/me').set('Authorization', member.auth).expect(200);
  const [ledger] = await t.container.database.db
    .select({ sum: sql`coalesce(sum(${pointsLedger.amount}), 0)::int`.mapWith(Number) })
    .from(pointsLedger)
    .where(eq(pointsLedger.userId, member.row.id));
  return { totalPoints: me.body.totalPoints as number, ledgerSum: ledger?.sum };
}

describe('points through the log endpoints', () => {
  it('when a member logs, replays, edits and deletes an entry, then totalPoints follows the ledger at every step and ends at the unlock bonus', async () => {
    const member = await buildSignedInUser(t);
    const created = await postLog(member, 3, 'rewards-e2e-1').expect(201);
    await postLog(member, 3, 'rewards-e2e-1').expect(201);
    const afterCreate = await pointsOf(member);
    expect(afterCreate.totalPoints).toBe(afterCreate.ledgerSum);
    // 3 sets × 2 points plus the first-workout bonus; the replay awarded nothing more.
    const firstWorkout = await t.container.database.db
      .select()
      .from(pointsLedger)
      .where(eq(pointsLedger.userId, member.row.id));
    const bonus = firstWorkout
      .filter((row) => row.rule === 'achievement')
      .reduce((sum, row) => sum + row.amount, 0);
    expect(bonus).toBeGreaterThan(0);
    expect(afterCreate.totalPoints).toBe(6 + bonus);

    await t.http
      .patch(`/api/workouts/logs/${created.body.id as string}`)
      .set('Authorization', member.auth)
      .send({ sets: [{ reps: 8, weightKg: 60 }] })
      .expect(200);
    expect(await pointsOf(member)).toEqual({ totalPoints: 2 + bonus, ledgerSum: 2 + bonus });

    await t.http
      .delete(`/api/workouts/logs/${created.body.id as string}`)
      .set('Authorization', member.auth)
      .expect(204);
    // The activity's points are taken back; the unlock and its bonus stay.
    expect(await pointsOf(member)).toEqual({ totalPoints: bonus, ledgerSum: bonus });
  });

  it('when a member logs and deletes a meal, then its points come and go with it', async () => {
    const member = await buildSignedInUser(t);
    const before = await pointsOf(member);
    const meal = await t.http
      .post('/api/nutrition/meals')
      .set('Authorization', member.auth)
      .send({
        mealType: 'lunch',
        mealDescription: 'Rice and beans',
        consumedAt: new Date().toISOString(),
        macros: { calories: 600, carbs: 90, protein: 25, fat: 12 },
      })
      .expect(201);
    const logged = await pointsOf(member);
    expect(logged.totalPoints).toBe(logged.ledgerSum);
    expect(logged.totalPoints).toBeGreaterThan(before.totalPoints);
    await t.http
      .delete(`/api/nutrition/meals/${meal.body.id as string}`)
      .set('Authorization', member.auth)
      .expect(204);
    const unlocked = await t.container.database.db
      .select()
      .from(pointsLedger)
      .where(eq(pointsLedger.userId, member.row.id));
    const bonus = unlocked
      .filter((row) => row.rule === 'achievement')
      .reduce((sum, row) => sum + row.amount, 0);
    expect(await pointsOf(member)).toEqual({ totalPoints: bonus, ledgerSum: bonus });
  });

  it('when 8 first entries are posted at once, then first-workout unlocks once and one notification reaches the member', async () => {
    const member = await buildSignedInUser(t);
    const socket = connectSocket(baseUrl, '/workouts', { token: member.session.accessToken });
    sockets.push(socket);
    await connected(socket);
    const received = recordEvents<{ type: string; key: string }>(socket, 'notification');

    const answers = await Promise.all(Array.from({ length: 8 }, () => postLog(member, 2)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(201));

    const unlocks = await t.container.database.db
      .select()
      .from(userAchievements)
      .where(eq(userAchievements.userId, member.row.id));
    expect(unlocks.filter((row) => row.key === 'first-workout')).toHaveLength(1);
    const balance = await pointsOf(member);
    expect(balance.totalPoints).toBe(balance.ledgerSum);

    // A meal unlocks first-meal: notifications arrive in order, so a duplicate first-workout
    // one would have arrived before it.
    await t.http
      .post('/api/nutrition/meals')
      .set('Authorization', member.auth)
      .send({
        mealType: 'snack',
        mealDescription: 'Apple',
        consumedAt: new Date().toISOString(),
        macros: { calories: 95, carbs: 25, protein: 0.5, fat: 0.3 },
      })
      .expect(201);
    await expect
      .poll(() => received.some((n) => n.key === 'first-meal'), { timeout: 15_000 })
      .toBe(true);
    expect(received.filter((n) => n.key === 'first-workout')).toHaveLength(1);
  });

  it('when a member checks in, out and in again on one day, then one gym-visit award', async () => {
    const branch = await buildBranch(t);
    const member = await buildBranchMember(t, branch.id);
    for (let visit = 0; visit < 2; visit++) {
      await t.http
        .post('/api/sessions/check-in')
        .set('Authorization', member.auth)
        .send({ branchId: branch.id })
        .expect(201);
      await t.http.post('/api/sessions/check-out').set('Authorization', member.auth).expect(200);
    }
    const visits = await t.container.database.db
      .select()
      .from(pointsLedger)
      .where(eq(pointsLedger.userId, member.row.id));
    expect(visits.filter((row) => row.rule === 'gym-visit').map((row) => row.amount)).toEqual([10]);
    const balance = await pointsOf(member);
    expect(balance.totalPoints).toBe(balance.ledgerSum);
  });
});
