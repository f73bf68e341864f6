import { eq, inArray } from 'drizzle-orm';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/database.js';
import type { UnitOfWork } from '../../db/unit-of-work.js';
import { buildSignedInUser } from '../../test-support/factories.js';
import { queryRows, waitUntil } from '../../test-support/job-test-support.js';
import { connectSocket, connected, recordEvents } from '../../test-support/socket-test-support.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { jobDatabaseOf } from '../../jobs/index.js';
import type { NotificationRequest, Notifier } from './notifier.js';
import { daysMaskOf, nextOccurrence, weekdays } from './reminder-occurrences.js';
import { sendDueReminders } from './reminders.jobs.js';
import { RemindersService } from './reminders.service.js';
import { reminderSchedules, type ReminderScheduleRow } from './reminders.table.js';

/** The port's test double: records what it was asked to send, once the transaction commits. */
class RecordingNotifier implements Notifier {
  readonly sent: NotificationRequest[] = [];

  notify(request: NotificationRequest, uow?: UnitOfWork): Promise<void> {
    if (uow) uow.afterCommit(() => void this.sent.push(request));
    else this.sent.push(request);
    return Promise.resolve();
  }

  of(userId: string): NotificationRequest[] {
    return this.sent.filter((request) => request.userId === userId);
  }
}

let t: TestApp;
const sockets: Socket[] = [];
beforeAll(async () => {
  t = await createTestApp({ REMINDER_TICK_SECONDS: '1' });
});
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
});
afterAll(async () => {
  await t.close();
});

/** A scheduler over `db` (another instance's pool, or this one's) that records what it sends. */
function scheduler(db: Database = t.container.database.db) {
  const notifier = new RecordingNotifier();
  const service = new RemindersService({
    db,
    logger: t.container.logger,
    notifier,
    trainingDays: t.container.workoutLogs,
    homeZones: {
      lockHomeZone: () => Promise.reject(new Error('the scheduler writes no reminders')),
    },
  });
  return { service, notifier };
}

type Member = Awaited<ReturnType<typeof buildSignedInUser>>;

async function member(timezone?: string): Promise<Member> {
  const user = await buildSignedInUser(t);
  if (timezone) {
    await t.http
      .patch('/api/users/me')
      .set('Authorization', user.auth)
      .send({ profile: { timezone } })
      .expect(200);
  }
  return user;
}

/** A reminder posted by the member, then due from `nextFireAt` (as if scheduled earlier). */
async function dueReminder(
  user: Member,
  body: Record<string, unknown>,
  nextFireAt: Date,
): Promise<string> {
  const res = await t.http
    .post('/api/notifications/reminders')
    .set('Authorization', user.auth)
    .send(body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const id = (res.body as { id: string }).id;
  await setNextFireAt([id], nextFireAt);
  return id;
}

async function setNextFireAt(ids: string[], nextFireAt: Date) {
  await t.container.database.db
    .update(reminderSchedules)
    .set({ nextFireAt })
    .where(inArray(reminderSchedules.id, ids));
}

async function row(id: string): Promise<ReminderScheduleRow | undefined> {
  const [found] = await t.container.database.db
    .select()
    .from(reminderSchedules)
    .where(eq(reminderSchedules.id, id));
  return found;
}

const at = (iso: string) => new Date(iso);

describe('sending across daylight-saving changes', () => {
  it('when London repeats 01:00–02:00, then a daily 01:30 reminder is sent once, at the first 01:30', async () => {
    const user = await member('Europe/London');
    const id = await dueReminder(
      user,
      { kind: 'workout', days: [...weekdays], time: '01:30' },
      at('2026-10-25T00:30:00Z'),
    );
    const { service, notifier } = scheduler();
    // Every quarter hour through the night of the change.
    for (const iso of [
      '2026-10-25T00:15:00Z',
      '2026-10-25T00:30:00Z',
      '2026-10-25T00:45:00Z',
      '2026-10-25T01:30:00Z',
      '2026-10-25T01:45:00Z',
      '2026-10-26T01:30:00Z',
    ]) {
      await service.sendDue(at(iso));
    }
    expect(notifier.of(user.row.id).map((request) => request.data?.occurrence)).toEqual([
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ]);
    expect(notifier.of(user.row.id)[0]).toMatchObject({
      kind: 'workout-reminder',
      dedupeKey: `reminder:${id}:2026-10-25T00:30:00.000Z`,
      data: { reminderId: id, day: '2026-10-25', time: '01:30' },
    });
    expect((await row(id))?.nextFireAt?.toISOString()).toBe('2026-10-27T01:30:00.000Z');
    expect((await row(id))?.lastFiredAt?.toISOString()).toBe('2026-10-26T01:30:00.000Z');
  });

  it('when New York skips 02:00–03:00, then 02:30 is sent at 03:30 EDT, and 01:30 and 07:00 at their times', async () => {
    const user = await member('America/New_York');
    const everyDay = [...weekdays];
    const skipped = await dueReminder(
      user,
      { kind: 'meal', days: everyDay, time: '02:30', mealType: 'snack' },
      at('2026-03-08T07:30:00Z'),
    );
    const before = await dueReminder(
      user,
      { kind: 'meal', days: everyDay, time: '01:30' },
      at('2026-03-08T06:30:00Z'),
    );
    const after = await dueReminder(
      user,
      { kind: 'meal', days: everyDay, time: '07:00' },
      at('2026-03-08T11:00:00Z'),
    );
    const { service, notifier } = scheduler();
    for (const iso of [
      '2026-03-08T06:30:00Z', // 01:30 EST
      '2026-03-08T07:00:00Z', // 03:00 EDT: the clocks have just jumped
      '2026-03-08T07:30:00Z', // 03:30 EDT
      '2026-03-08T11:00:00Z', // 07:00 EDT
    ]) {
      await service.sendDue(at(iso));
    }
    expect(
      notifier
        .of(user.row.id)
        .map((request) => [request.data?.reminderId, request.data?.occurrence]),
    ).toEqual([
      [before, '2026-03-08T06:30:00.000Z'],
      [skipped, '2026-03-08T07:30:00.000Z'],
      [after, '2026-03-08T11:00:00.000Z'],
    ]);
    expect(notifier.of(user.row.id)[1]).toMatchObject({
      kind: 'meal-reminder',
      body: 'It’s 02:30: time to log your snack.',
    });
    // The day after, EDT throughout: 02:30 is 06:30 UTC again.
    expect((await row(skipped))?.nextFireAt?.toISOString()).toBe('2026-03-09T06:30:00.000Z');
  });
});

describe('missed occurrences', () => {
  it('when the scheduler was down, then only the latest missed occurrence is sent, and only within the grace hour', async () => {
    const user = await member();
    const everyDay = { kind: 'meal', days: [...weekdays], time: '07:00' };
    const { service, notifier } = scheduler();
    // Due since 1 June; the scheduler comes back on 4 June at 07:40 UTC.
    const recent = await dueReminder(user, everyDay, at('2026-06-01T07:00:00Z'));
    await service.sendDue(at('2026-06-04T07:40:00Z'));
    expect(notifier.of(user.row.id).map((request) => request.dedupeKey)).toEqual([
      `reminder:${recent}:2026-06-04T07:00:00.000Z`,
    ]);
    expect((await row(recent))?.nextFireAt?.toISOString()).toBe('2026-06-05T07:00:00.000Z');

    // Due at 07:00 on 4 June; the scheduler comes back at 09:00, two hours late.
    const stale = await dueReminder(user, everyDay, at('2026-06-04T07:00:00Z'));
    const outcome = await service.sendDue(at('2026-06-04T09:00:00Z'));
    expect(outcome.missed).toBeGreaterThanOrEqual(1);
    expect(notifier.of(user.row.id)).toHaveLength(1);
    expect((await row(stale))?.nextFireAt?.toISOString()).toBe('2026-06-05T07:00:00.000Z');
    expect((await row(stale))?.lastFiredAt).toBeNull();
  });
});

describe('skipping a workout reminder on a day trained', () => {
  it('when the member logged a workout that local day, then the workout reminder is skipped, but not the meal reminder or another member’s', async () => {
    const trained = await member('Asia/Tokyo');
    const idle = await member('Asia/Tokyo');
    // 07:00 in Tokyo on 1 June 2026 is 22:00 UTC the day before.
    const occurrence = at('2026-05-31T22:00:00Z');
    const reminder = { kind: 'workout', days: [...weekdays], time: '07:00' };
    const skipped = await dueReminder(trained, reminder, occurrence);
    const sentToIdle = await dueReminder(idle, reminder, occurrence);
    const meal = await dueReminder(
      trained,
      { kind: 'meal', days: [...weekdays], time: '07:00', mealType: 'breakfast' },
      occurrence,
    );
    // 06:10 Tokyo time on 1 June: the same local day, before the reminder.
    await t.http
      .post('/api/workouts/logs')
      .set('Authorization', trained.auth)
      .send({
        exerciseId: 'squat',
        exerciseName: 'Squat',
        completedSets: 3,
        completedReps: 5,
        weightKg: 100,
        completedAt: '2026-05-31T21:10:00Z',
      })
      .expect(201);
    // A log of the day before does not count.
    await t.http
      .post('/api/workouts/logs')
      .set('Authorization', idle.auth)
      .send({
        exerciseId: 'squat',
        exerciseName: 'Squat',
        completedSets: 1,
        completedReps: 5,
        completedAt: '2026-05-31T14:00:00Z',
      })
      .expect(201);

    const { service, notifier } = scheduler();
    const outcome = await service.sendDue(at('2026-05-31T22:00:30Z'));
    expect(outcome.skippedTrained).toBeGreaterThanOrEqual(1);
    expect(notifier.of(trained.row.id).map((request) => request.data?.reminderId)).toEqual([meal]);
    expect(notifier.of(idle.row.id).map((request) => request.data?.reminderId)).toEqual([
      sentToIdle,
    ]);
    const skippedRow = await row(skipped);
    expect(skippedRow?.lastFiredAt).toBeNull();
    expect(skippedRow?.nextFireAt?.toISOString()).toBe('2026-06-01T22:00:00.000Z');
  });
});

describe('once per occurrence across instances', () => {
  it('when two instances work the same due reminders at the same moment, then each occurrence is sent exactly once', async () => {
    const other = await t.startAnotherInstance();
    const users = await Promise.all([member(), member(), member()]);
    const occurrence = at('2026-07-01T07:00:00Z');
    const timing = { daysMask: daysMaskOf(weekdays), minuteOfDay: 7 * 60, timeZone: 'UTC' };
    // 180 due schedules, inserted straight away (the routes cap a member at 20).
    const inserted = await t.container.database.db
      .insert(reminderSchedules)
      .values(
        Array.from({ length: 180 }, (_, index) => ({
          userId: users[index % users.length]?.row.id ?? '',
          kind: index % 2 === 0 ? ('workout' as const) : ('meal' as const),
          ...timing,
          nextFireAt: occurrence,
        })),
      )
      .returning({ id: reminderSchedules.id });
    const ids = inserted.map((entry) => entry.id);

    const first = scheduler(t.container.database.db);
    const second = scheduler(other.container.database.db);
    const tick = at('2026-07-01T07:00:20Z');
    await Promise.all([
      first.service.sendDue(tick),
      second.service.sendDue(tick),
      first.service.sendDue(tick),
      second.service.sendDue(tick),
    ]);

    const keys = [...first.notifier.sent, ...second.notifier.sent]
      .filter((request) => ids.includes(String(request.data?.reminderId)))
      .map((request) => request.dedupeKey);
    expect(keys).toHaveLength(180);
    expect(new Set(keys).size).toBe(180);
    expect(new Set(keys)).toEqual(
      new Set(ids.map((id) => `reminder:${id}:2026-07-01T07:00:00.000Z`)),
    );
    const rows = await t.container.database.db
      .select({ nextFireAt: reminderSchedules.nextFireAt })
      .from(reminderSchedules)
      .where(inArray(reminderSchedules.id, ids));
    expect(new Set(rows.map((entry) => entry.nextFireAt?.toISOString()))).toEqual(
      new Set([nextOccurrence(timing, tick).toISOString()]),
    );
  });
});

describe('the scheduler job', () => {
  it('when a reminder falls due, then the job sends it over the member’s socket once', async () => {
    const user = await member();
    const baseUrl = await t.listen();
    // With Redis, a second instance works the jobs too, as a separate worker process would;
    // its notification reaches the member's socket on the first through Redis.
    const workers = process.env.TEST_REDIS_URL ? [t, await t.startAnotherInstance()] : [t];
    const socket = await connected(
      connectSocket(baseUrl, '/workouts', { token: user.session.accessToken }),
    );
    sockets.push(socket);
    const received = recordEvents<{ type: string; reminderId: string }>(socket, 'notification');

    // A reminder at the current UTC minute, every day, due now.
    const now = new Date();
    const time = now.toISOString().slice(11, 16);
    const res = await t.http
      .post('/api/notifications/reminders')
      .set('Authorization', user.auth)
      .send({ kind: 'workout', days: [...weekdays], time });
    expect(res.status).toBe(201);
    const id = (res.body as { id: string }).id;
    await setNextFireAt([id], new Date(`${now.toISOString().slice(0, 16)}:00.000Z`));
    for (const worker of workers) await worker.container.jobs.start();

    await waitUntil(() => received.some((event) => event.reminderId === id));
    // Two more runs of the job find nothing more to send.
    const jobs = jobDatabaseOf(t.container.database);
    const completedRuns = async () =>
      (
        await queryRows<{ count: string }>(
          jobs,
          `select count(*)::text as count from pgboss.job where name = $1 and state = 'completed'`,
          [sendDueReminders.name],
        )
      )[0]?.count ?? '0';
    const runs = Number(await completedRuns());
    await waitUntil(async () => Number(await completedRuns()) >= runs + 2);
    expect(received.filter((event) => event.reminderId === id)).toEqual([
      expect.objectContaining({ type: 'workout-reminder', reminderId: id }),
    ]);
    expect((await row(id))?.lastFiredAt).not.toBeNull();
  });
});
