import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDay, localTimeOfDay } from '../../lib/time/local-day.js';
import { buildSignedInUser } from '../../test-support/factories.js';
import { createTestApp, type TestApp } from '../../test-support/test-app.js';
import { reminderSchedules } from './reminders.table.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

interface ReminderView {
  id: string;
  kind: 'workout' | 'meal';
  days: string[];
  time: string;
  mealType: string | null;
  enabled: boolean;
  timeZone: string;
  nextFireAt: string | null;
  lastFiredAt: string | null;
  updatedAt: string;
}

type Member = Awaited<ReturnType<typeof buildSignedInUser>>;

async function member(timezone?: string): Promise<Member> {
  const user = await buildSignedInUser(t);
  if (timezone) await setTimezone(user, timezone);
  return user;
}

async function setTimezone(user: Member, timezone: string | null) {
  const res = await t.http
    .patch('/api/users/me')
    .set('Authorization', user.auth)
    .send({ profile: { timezone } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

async function createReminder(user: Member, body: Record<string, unknown>): Promise<ReminderView> {
  const res = await t.http
    .post('/api/notifications/reminders')
    .set('Authorization', user.auth)
    .send(body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as ReminderView;
}

async function getReminder(user: Member, id: string): Promise<ReminderView> {
  const res = await t.http
    .get(`/api/notifications/reminders/${id}`)
    .set('Authorization', user.auth);
  expect(res.status).toBe(200);
  return res.body as ReminderView;
}

/** The local weekday (0 Sunday … 6 Saturday) and minutes since midnight of an instant. */
function localWhen(iso: string, zone: string) {
  const at = new Date(iso);
  return {
    weekday: new Date(`${localDay(at, zone)}T00:00:00Z`).getUTCDay(),
    minute: localTimeOfDay(at, zone) / 60_000,
  };
}

const WEEK_MS = 7 * 24 * 3600_000;

describe('scheduling reminders', () => {
  it('when a member schedules Mon/Wed/Fri 07:00, then it is stored in their zone with its next occurrence at 07:00 there', async () => {
    const user = await member('Europe/London');
    const reminder = await createReminder(user, {
      kind: 'workout',
      days: ['fri', 'mon', 'wed'],
      time: '07:00',
    });
    expect(reminder).toMatchObject({
      kind: 'workout',
      days: ['mon', 'wed', 'fri'],
      time: '07:00',
      mealType: null,
      enabled: true,
      timeZone: 'Europe/London',
      lastFiredAt: null,
    });
    const next = reminder.nextFireAt ?? '';
    expect(new Date(next).getTime()).toBeGreaterThan(Date.now());
    expect(new Date(next).getTime() - Date.now()).toBeLessThanOrEqual(WEEK_MS);
    const when = localWhen(next, 'Europe/London');
    expect(when.minute).toBe(7 * 60);
    expect([1, 3, 5]).toContain(when.weekday);

    const list = await t.http.get('/api/notifications/reminders').set('Authorization', user.auth);
    expect(list.status).toBe(200);
    expect((list.body as { items: ReminderView[] }).items.map((item) => item.id)).toEqual([
      reminder.id,
    ]);
  });

  it('when a member without a profile zone schedules a meal reminder, then it runs in UTC with its meal type', async () => {
    const user = await member();
    const reminder = await createReminder(user, {
      kind: 'meal',
      days: ['sat', 'sun'],
      time: '12:30',
      mealType: 'lunch',
    });
    expect(reminder).toMatchObject({ timeZone: 'UTC', mealType: 'lunch', days: ['sat', 'sun'] });
    expect(localWhen(reminder.nextFireAt ?? '', 'UTC').minute).toBe(12 * 60 + 30);
  });

  it('when a reminder is disabled and enabled again, then it has no next occurrence while off', async () => {
    const user = await member('America/New_York');
    const reminder = await createReminder(user, {
      kind: 'meal',
      days: ['tue'],
      time: '18:45',
      enabled: false,
    });
    expect(reminder.nextFireAt).toBeNull();
    const on = await t.http
      .patch(`/api/notifications/reminders/${reminder.id}`)
      .set('Authorization', user.auth)
      .send({ enabled: true, time: '19:15', mealType: 'dinner' });
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    expect(on.body).toMatchObject({ enabled: true, time: '19:15', mealType: 'dinner' });
    const when = localWhen((on.body as ReminderView).nextFireAt ?? '', 'America/New_York');
    expect(when).toEqual({ weekday: 2, minute: 19 * 60 + 15 });

    const cleared = await t.http
      .patch(`/api/notifications/reminders/${reminder.id}`)
      .set('Authorization', user.auth)
      .send({ mealType: null, enabled: false });
    expect(cleared.body).toMatchObject({ mealType: null, enabled: false, nextFireAt: null });
  });

  it('when a member deletes a reminder, then it is gone', async () => {
    const user = await member();
    const reminder = await createReminder(user, { kind: 'workout', days: ['mon'], time: '06:00' });
    await t.http
      .delete(`/api/notifications/reminders/${reminder.id}`)
      .set('Authorization', user.auth)
      .expect(204);
    await t.http
      .get(`/api/notifications/reminders/${reminder.id}`)
      .set('Authorization', user.auth)
      .expect(404);
  });

  it(`when a member has twenty reminders, then a twenty-first is refused with REMINDER_LIMIT_REACHED`, async () => {
    const user = await member();
    for (let index = 0; index < 20; index++) {
      await createReminder(user, {
        kind: 'meal',
        days: ['mon'],
        time: `${String(index).padStart(2, '0')}:00`,
      });
    }
    const res = await t.http
      .post('/api/notifications/reminders')
      .set('Authorization', user.auth)
      .send({ kind: 'workout', days: ['mon'], time: '21:00' });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'CONFLICT', reason: 'REMINDER_LIMIT_REACHED' });
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  });
});

describe('validation', () => {
  it.each([
    [{ kind: 'workout', days: ['funday'], time: '07:00' }, 'body.days.0'],
    [{ kind: 'workout', days: [], time: '07:00' }, 'body.days'],
    [{ kind: 'workout', days: ['mon', 'mon'], time: '07:00' }, 'body.days'],
    [{ kind: 'workout', days: ['mon'], time: '24:00' }, 'body.time'],
    [{ kind: 'workout', days: ['mon'], time: '7:00' }, 'body.time'],
    [{ kind: 'workout', days: ['mon'], time: '07:60' }, 'body.time'],
    [{ kind: 'nap', days: ['mon'], time: '07:00' }, 'body.kind'],
    [{ kind: 'workout', days: ['mon'], time: '07:00', mealType: 'lunch' }, 'body.mealType'],
    [{ kind: 'meal', days: ['mon'], time: '07:00', mealType: 'brunch' }, 'body.mealType'],
    [{ kind: 'meal', days: ['mon'], time: '07:00', zone: 'UTC' }, 'body.zone'],
  ])('when a reminder is posted as %j, then it is a 400 at %s', async (body, path) => {
    const user = await member();
    const res = await t.http
      .post('/api/notifications/reminders')
      .set('Authorization', user.auth)
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_ERROR' });
    expect((res.body as { errors: { path: string }[] }).errors.map((e) => e.path)).toContain(path);
    const rows = await t.container.database.db
      .select()
      .from(reminderSchedules)
      .where(eq(reminderSchedules.userId, user.row.id));
    expect(rows).toEqual([]);
  });

  it('when a workout reminder is given a meal type or an empty change, then it is a 400 and unchanged', async () => {
    const user = await member();
    const reminder = await createReminder(user, { kind: 'workout', days: ['thu'], time: '17:00' });
    for (const body of [{ mealType: 'lunch' }, {}, { time: '25:00' }]) {
      const res = await t.http
        .patch(`/api/notifications/reminders/${reminder.id}`)
        .set('Authorization', user.auth)
        .send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect(await getReminder(user, reminder.id)).toMatchObject({
      time: '17:00',
      mealType: null,
      nextFireAt: reminder.nextFireAt,
    });
  });

  it('when the caller is not signed in, then it is a 401', async () => {
    await t.http.get('/api/notifications/reminders').expect(401);
  });
});

describe('ownership', () => {
  it('when another member reads, changes or deletes a reminder, then it is a 404 and the reminder is untouched', async () => {
    const owner = await member();
    const other = await member();
    const reminder = await createReminder(owner, { kind: 'meal', days: ['mon'], time: '08:00' });
    const path = `/api/notifications/reminders/${reminder.id}`;
    await t.http.get(path).set('Authorization', other.auth).expect(404);
    await t.http.patch(path).set('Authorization', other.auth).send({ time: '09:00' }).expect(404);
    await t.http.delete(path).set('Authorization', other.auth).expect(404);
    const list = await t.http.get('/api/notifications/reminders').set('Authorization', other.auth);
    expect((list.body as { items: unknown[] }).items).toEqual([]);
    expect(await getReminder(owner, reminder.id)).toMatchObject({ time: '08:00' });
  });
});

describe('the member’s time zone', () => {
  it('when the profile’s zone changes, then every reminder moves to it and fires at the same local time there', async () => {
    const user = await member('Europe/London');
    const workout = await createReminder(user, {
      kind: 'workout',
      days: ['mon', 'wed', 'fri'],
      time: '07:00',
    });
    const off = await createReminder(user, {
      kind: 'meal',
      days: ['sun'],
      time: '09:00',
      enabled: false,
    });

    await setTimezone(user, 'America/New_York');
    const moved = await getReminder(user, workout.id);
    expect(moved.timeZone).toBe('America/New_York');
    expect(localWhen(moved.nextFireAt ?? '', 'America/New_York').minute).toBe(7 * 60);
    expect([1, 3, 5]).toContain(localWhen(moved.nextFireAt ?? '', 'America/New_York').weekday);
    expect(moved.nextFireAt).not.toBe(workout.nextFireAt);
    expect(await getReminder(user, off.id)).toMatchObject({
      timeZone: 'America/New_York',
      nextFireAt: null,
    });

    await setTimezone(user, null);
    const utc = await getReminder(user, workout.id);
    expect(utc.timeZone).toBe('UTC');
    expect(localWhen(utc.nextFireAt ?? '', 'UTC').minute).toBe(7 * 60);
  });

  it('when a profile change leaves the zone as it was, then the reminders are not rewritten', async () => {
    const user = await member('Asia/Tokyo');
    const reminder = await createReminder(user, { kind: 'workout', days: ['sat'], time: '10:00' });
    const res = await t.http
      .patch('/api/users/me')
      .set('Authorization', user.auth)
      .send({ profile: { name: 'Renamed' } });
    expect(res.status).toBe(200);
    const [row] = await t.container.database.db
      .select()
      .from(reminderSchedules)
      .where(eq(reminderSchedules.id, reminder.id));
    expect(row?.updatedAt.toISOString()).toBe(reminder.updatedAt);
  });
});

describe('the API document', () => {
  it('when the OpenAPI document is read, then the reminder routes are in it with examples', async () => {
    const res = await t.http.get('/api/openapi.json').expect(200);
    const document = res.body as {
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, { example?: unknown }> };
    };
    expect(Object.keys(document.paths['/api/notifications/reminders'] ?? {})).toEqual(
      expect.arrayContaining(['get', 'post']),
    );
    expect(Object.keys(document.paths['/api/notifications/reminders/{id}'] ?? {})).toEqual(
      expect.arrayContaining(['get', 'patch', 'delete']),
    );
    expect(document.components.schemas.CreateReminder?.example).toBeDefined();
    expect(document.components.schemas.Reminder?.example).toBeDefined();
  });
});
