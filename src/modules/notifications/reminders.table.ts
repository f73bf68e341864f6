import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  pgTable,
  smallint,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { mealTypes } from '../nutrition/meal-logs.table.js';
import { users } from '../users/users.table.js';

export const reminderKinds = ['workout', 'meal'] as const;
export type ReminderKind = (typeof reminderKinds)[number];

/**
 * A member's repeating reminder: on the days of `days_mask` at `minute_of_day`, wall-clock time
 * in `time_zone` (the member's profile zone, copied at write time and kept in step when the
 * profile's zone changes). `next_fire_at` is the next occurrence as an instant, null while the
 * reminder is off; the scheduler finds due rows through its partial index.
 */
export const reminderSchedules = pgTable(
  'reminder_schedules',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: reminderKinds }).notNull(),
    /** ISO weekdays as bits: Monday 1, Tuesday 2, … Sunday 64. */
    daysMask: smallint('days_mask').notNull(),
    /** Local time of day in minutes since midnight (07:00 is 420). */
    minuteOfDay: smallint('minute_of_day').notNull(),
    /** Meal reminders only: which meal. */
    mealType: text('meal_type', { enum: mealTypes }),
    timeZone: text('time_zone').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    nextFireAt: timestamp('next_fire_at', { withTimezone: true, precision: 3 }),
    /** The occurrence last sent (not skipped). */
    lastFiredAt: timestamp('last_fired_at', { withTimezone: true, precision: 3 }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    index('reminder_schedules_due_idx')
      .on(t.nextFireAt)
      .where(sql`${t.nextFireAt} is not null`),
    index('reminder_schedules_user_idx').on(t.userId, t.createdAt),
    check('reminder_schedules_kind_check', sql`${t.kind} in ('workout', 'meal')`),
    check('reminder_schedules_days_check', sql`${t.daysMask} between 1 and 127`),
    check('reminder_schedules_minute_check', sql`${t.minuteOfDay} between 0 and 1439`),
    check(
      'reminder_schedules_meal_type_check',
      sql`${t.mealType} is null or (${t.kind} = 'meal' and ${t.mealType} in ('breakfast', 'lunch', 'dinner', 'snack'))`,
    ),
    check('reminder_schedules_enabled_check', sql`${t.enabled} = (${t.nextFireAt} is not null)`),
  ],
);

export type ReminderScheduleRow = typeof reminderSchedules.$inferSelect;
export type NewReminderScheduleRow = typeof reminderSchedules.$inferInsert;
