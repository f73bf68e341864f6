import { and, eq, sql } from 'drizzle-orm';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildSignedInUser } from '../../test-support/factories.js';
import {
  connectSocket,
  connected,
  nextEvent,
  recordEvents,
} from '../../test-support/socket-test-support.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { dayAfter, logMeal, logWorkout, sets } from '../../test-support/tracking-test-support.js';
import { users } from '../users/users.table.js';
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

const DAY = '2026-05-04';
const db = () => t.container.database.db;

interface Notification {
  type: string;
  message: string;
  at: string;
  key: string;
  title: string;
  points: number;
}

async function totals(userId: string) {
  const [user] = await db()
    .select({ totalPoints: users.totalPoints })
    .from(users)
    .where(eq(users.id, userId));
  const [ledger] = await db()
    .select({ sum: sql`coalesce(sum(${pointsLedger.amount}), 0)::int`.mapWith(Number) })
    .from(pointsLedger)
    .where(eq(pointsLedger.userId, userId));
  return { totalPoints: user?.totalPoints, ledgerSum: ledger?.sum };
}

describe('concurrent logs', () => {
  it('when 10 log transactions cross the 100-set threshold together, then it unlocks once, with one bonus row and one notification', async () => {
    const member = await buildSignedInUser(t);
    const id = member.row.id;
    const socket = connectSocket(baseUrl, '/workouts', { token: member.session.accessToken });
    sockets.push(socket);
    await connected(socket);
    const received = recordEvents<Notification>(socket, 'notification');

    await logWorkout(t, id, { day: DAY, sets: sets(95) });
    await nextEvent<Notification>(socket, 'notification', (n) => n.key === 'first-workout');

    const next = dayAfter(DAY);
    await Promise.all(
      Array.from({ length: 10 }, () => logWorkout(t, id, { day: next, sets: sets(5) })),
    );

    const unlocks = await db()
      .select()
      .from(userAchievements)
      .where(and(eq(userAchievements.userId, id), eq(userAchievements.key, 'sets-100')));
    expect(unlocks).toHaveLength(1);
    const bonuses = await db()
      .select()
      .from(pointsLedger)
      .where(and(eq(pointsLedger.userId, id), eq(pointsLedger.rule, 'achievement')));
    expect(bonuses.filter((row) => row.sourceId === unlocks[0]?.id)).toHaveLength(1);
    // 50 sets logged at once on one day: the cap of 40 holds exactly.
    const [daySets] = await db()
      .select({ sum: sql`sum(${pointsLedger.amount})::int`.mapWith(Number) })
      .from(pointsLedger)
      .where(
        and(
          eq(pointsLedger.userId, id),
          eq(pointsLedger.day, next),
          eq(pointsLedger.rule, 'completed-set'),
        ),
      );
    expect(daySets?.sum).toBe(80);
    const balance = await totals(id);
    expect(balance.totalPoints).toBe(balance.ledgerSum);

    // A later unlock is the marker: notifications arrive in order, so any duplicate of the
    // sets-100 one would have arrived before it.
    await logWorkout(t, id, { day: dayAfter(DAY, 2), sets: sets(1), personalRecords: ['weight'] });
    await nextEvent<Notification>(socket, 'notification', (n) => n.key === 'first-pr');
    const setsUnlocks = received.filter((n) => n.key === 'sets-100');
    expect(setsUnlocks).toEqual([
      {
        type: 'achievement-unlocked',
        message: 'Achievement unlocked: Hundred sets',
        at: unlocks[0]?.unlockedAt.toISOString(),
        key: 'sets-100',
        title: 'Hundred sets',
        points: 25,
        notificationId: expect.any(String),
      },
    ]);
    expect(received.filter((n) => n.key === 'first-workout')).toHaveLength(1);
  });

  it('when a member logs meals and sets at once on one day, then every cap holds and the total is the ledger sum', async () => {
    const member = await buildSignedInUser(t);
    const id = member.row.id;
    await Promise.all([
      ...Array.from({ length: 8 }, () => logMeal(t, id, { day: DAY })),
      ...Array.from({ length: 6 }, () => logWorkout(t, id, { day: DAY, sets: sets(10) })),
    ]);
    const rows = await db().select().from(pointsLedger).where(eq(pointsLedger.userId, id));
    const byRule = (rule: string) =>
      rows.filter((row) => row.rule === rule).reduce((sum, row) => sum + row.amount, 0);
    expect(byRule('logged-meal')).toBe(25);
    expect(byRule('completed-set')).toBe(80);
    expect(byRule('daily-goal')).toBe(20);
    const unlocked = await db()
      .select({ key: userAchievements.key })
      .from(userAchievements)
      .where(eq(userAchievements.userId, id));
    expect(unlocked.map((row) => row.key).sort()).toEqual([
      'daily-goal',
      'first-meal',
      'first-workout',
    ]);
    const balance = await totals(id);
    expect(balance.totalPoints).toBe(balance.ledgerSum);
  });
});
