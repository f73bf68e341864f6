import { z } from '../../lib/zod.js';
import { mealTypes } from '../nutrition/meal-logs.table.js';
import { weekdays } from './reminder-occurrences.js';
import { reminderKinds } from './reminders.table.js';

/** A member has at most this many reminders (workout and meal together). */
export const MAX_REMINDERS_PER_MEMBER = 20;

const days = z
  .array(z.enum(weekdays))
  .min(1, 'must name at least one day')
  .max(weekdays.length)
  .refine((list) => new Set(list).size === list.length, 'must not repeat a day')
  .openapi({ description: 'Days of the week it repeats on', example: ['mon', 'wed', 'fri'] });

const time = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour time HH:MM, 00:00 to 23:59')
  .openapi({ description: 'Local wall-clock time in the member’s zone', example: '07:00' });

const mealType = z.enum(mealTypes);

export const createReminderBody = z
  .strictObject({
    kind: z.enum(reminderKinds),
    days,
    time,
    mealType: mealType
      .optional()
      .openapi({ description: 'Meal reminders only: which meal it is about.' }),
    enabled: z.boolean().default(true),
  })
  .superRefine((body, context) => {
    if (body.kind !== 'meal' && body.mealType !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['mealType'],
        message: 'only meal reminders have a meal type',
      });
    }
  })
  .openapi('CreateReminder', {
    example: { kind: 'workout', days: ['mon', 'wed', 'fri'], time: '07:00' },
  });
export type CreateReminderBody = z.infer<typeof createReminderBody>;

export const updateReminderBody = z
  .strictObject({
    days: days.optional(),
    time: time.optional(),
    mealType: mealType
      .nullable()
      .optional()
      .openapi({ description: 'Meal reminders only; null removes it.' }),
    enabled: z.boolean().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'give at least one field to change')
  .openapi('UpdateReminder', { example: { time: '06:30', enabled: true } });
export type UpdateReminderBody = z.infer<typeof updateReminderBody>;

export const reminderSchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(reminderKinds),
    days: z.array(z.enum(weekdays)),
    time: z.string(),
    mealType: mealType.nullable(),
    enabled: z.boolean(),
    timeZone: z.string().openapi({
      description: 'The zone `time` is read in: the member’s profile `timezone` (UTC without one)',
    }),
    nextFireAt: z.iso.datetime().nullable().openapi({
      description: 'The next time it is sent (UTC); null while disabled',
    }),
    lastFiredAt: z.iso.datetime().nullable().openapi({
      description: 'The occurrence last sent; skipped occurrences do not count',
    }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('Reminder', {
    example: {
      id: '0b6f6c1e-4a55-4d7e-9a39-5a0c1f7f2d11',
      kind: 'meal',
      days: ['mon', 'tue', 'wed', 'thu', 'fri'],
      time: '12:30',
      mealType: 'lunch',
      enabled: true,
      timeZone: 'Europe/London',
      nextFireAt: '2026-11-26T12:30:00.000Z',
      lastFiredAt: '2026-11-25T12:30:00.000Z',
      createdAt: '2026-11-20T09:12:44.120Z',
      updatedAt: '2026-11-20T09:12:44.120Z',
    },
  });
export type ReminderView = z.infer<typeof reminderSchema>;

export const reminderListSchema = z
  .object({ items: z.array(reminderSchema) })
  .openapi('ReminderList');
export type ReminderListView = z.infer<typeof reminderListSchema>;
