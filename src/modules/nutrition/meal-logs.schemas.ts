import { text, uuidParam } from '../../lib/http/common.schemas.js';
import { CLOCK_SKEW_ALLOWANCE_SECONDS, isBeyondClockSkew } from '../../lib/time/clock-skew.js';
import {
  decodeSyncCursor,
  timeCursor,
  type Cursor,
  type SyncCursor,
} from '../../lib/http/cursor.js';
import { z } from '../../lib/zod.js';
import { mealLogSources, mealTypes } from './meal-logs.table.js';
import { macroTargetsSchema } from './nutrition.schemas.js';

/**
 * A day view lists at most this many meals (by time); its totals count every meal of the day,
 * and `?from=&to=` pages through them all. A whole-day copy refuses a day with more.
 */
export const MAX_MEALS_PER_DAY = 200;

const FIRST_YEAR = 1900;
const yearOf = (value: string) => new Date(value).getUTCFullYear();

/** A calendar day, `YYYY-MM-DD` (real dates only: no February 30). */
export const calendarDay = z.iso
  .date('must be a date YYYY-MM-DD')
  .refine((value) => yearOf(value) >= FIRST_YEAR, `must be in ${String(FIRST_YEAR)} or later`)
  .openapi({ example: '2026-11-25' });

/** An ISO-8601 instant with `Z` or an offset. */
const instant = z.iso
  .datetime({ offset: true, message: 'must be an ISO-8601 date-time' })
  .refine((value) => yearOf(value) >= FIRST_YEAR, `must be in ${String(FIRST_YEAR)} or later`);

/** When the meal was eaten: any past time (logged offline, synced later), not the future. */
export const consumedAt = instant
  .refine(
    (value) => !isBeyondClockSkew(new Date(value)),
    `must not be more than ${String(CLOCK_SKEW_ALLOWANCE_SECONDS / 60)} minutes in the future`,
  )
  .openapi({ example: '2026-11-25T12:30:00Z' });

const mealType = z.enum(mealTypes);

/** kcal and grams of a meal; bounded so a typo cannot become a 50,000 kcal day. */
const macrosInput = z
  .strictObject({
    calories: z.number().min(0).max(10_000),
    protein: z.number().min(0).max(1_000),
    carbs: z.number().min(0).max(1_000),
    fat: z.number().min(0).max(1_000),
  })
  .openapi('MealMacrosInput', {
    description: 'kcal and grams',
    example: { calories: 650, protein: 42, carbs: 70, fat: 18 },
  });

const foodPortion = z.strictObject({
  foodId: uuidParam.openapi({ description: 'A food of GET /api/nutrition/foods' }),
  grams: z.number().gt(0).max(5_000),
});

const itemsInput = z
  .array(foodPortion)
  .min(1)
  .max(50)
  .openapi({
    description:
      'Foods of the food database with grams; the meal’s macros are computed from their ' +
      'per-100 g values (each item rounded to 0.1, the meal the sum of its items).',
    example: [
      { foodId: '93825deb-10aa-5688-a473-9f8a7ecdd3ba', grams: 60 },
      { foodId: 'efc33435-c411-5321-9526-7c29d9f1db39', grams: 200 },
    ],
  });

/** Exactly one of `macros` and `items`; checked after the fields themselves are valid. */
function oneSourceOfMacros(
  body: { macros?: unknown; items?: unknown },
  context: z.RefinementCtx,
  required: boolean,
) {
  if (body.macros !== undefined && body.items !== undefined) {
    context.addIssue({
      code: 'custom',
      path: ['items'],
      message: 'give either macros or items, not both',
    });
  } else if (required && body.macros === undefined && body.items === undefined) {
    context.addIssue({
      code: 'custom',
      path: ['macros'],
      message: 'give macros, or items to compute them from',
    });
  }
}

export const createMealLogBody = z
  .strictObject({
    mealType,
    mealDescription: text(500, 1)
      .optional()
      .openapi({ description: 'Required with `macros`; with `items`, defaults to their names.' }),
    consumedAt,
    macros: macrosInput.optional(),
    items: itemsInput.optional(),
    imageId: uuidParam.optional().openapi({
      description: 'The caller’s upload of `POST /api/upload/meal-images`',
    }),
  })
  .superRefine((body, context) => {
    oneSourceOfMacros(body, context, true);
    if (body.macros !== undefined && body.mealDescription === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['mealDescription'],
        message: 'is required when macros are given',
      });
    }
  })
  .openapi('CreateMealLog', {
    description: 'Exactly one of `macros` (as eaten) and `items` (foods with grams).',
    example: {
      mealType: 'lunch',
      mealDescription: 'Chicken, rice and broccoli',
      consumedAt: '2026-11-25T12:30:00Z',
      macros: { calories: 650, protein: 42, carbs: 70, fat: 18 },
    },
  });
export type CreateMealLogBody = z.infer<typeof createMealLogBody>;

export const updateMealLogBody = z
  .strictObject({
    mealType: mealType.optional(),
    mealDescription: text(500, 1).optional(),
    consumedAt: consumedAt.optional(),
    macros: macrosInput.optional(),
    items: itemsInput.optional(),
    imageId: uuidParam.nullable().optional(),
  })
  .superRefine((body, context) => {
    if (Object.keys(body).length === 0) {
      context.addIssue({ code: 'custom', path: [], message: 'give at least one field to change' });
    }
    oneSourceOfMacros(body, context, false);
  })
  .openapi('UpdateMealLog', {
    description:
      'Only the fields given change. `macros` replaces the macros (the items are dropped, ' +
      'source `manual`); `items` recomputes them from the foods (source `foods`). A new ' +
      '`consumedAt` moves the meal to that time’s local day.',
    example: {
      mealDescription: 'Chicken, rice, no sauce',
      macros: { calories: 560, protein: 42, carbs: 70, fat: 8 },
    },
  });
export type UpdateMealLogBody = z.infer<typeof updateMealLogBody>;

export const copyMealLogBody = z
  .strictObject({
    date: calendarDay.optional().openapi({ description: 'The day to copy to; default today.' }),
    mealType: mealType.optional().openapi({ description: 'Default: the original’s.' }),
  })
  .openapi('CopyMealLog', { example: { date: '2026-11-25', mealType: 'lunch' } });
export type CopyMealLogBody = z.infer<typeof copyMealLogBody>;

export const copyMealDayBody = z
  .strictObject({
    fromDate: calendarDay,
    toDate: calendarDay,
    mealTypes: z
      .array(mealType)
      .min(1)
      .max(mealTypes.length)
      .optional()
      .openapi({ description: 'Only meals of these types; default all.' }),
  })
  .refine((body) => body.fromDate !== body.toDate, {
    path: ['toDate'],
    message: 'must differ from fromDate',
  })
  .openapi('CopyMealDay', {
    example: { fromDate: '2026-11-24', toDate: '2026-11-25', mealTypes: ['breakfast', 'lunch'] },
  });
export type CopyMealDayBody = z.infer<typeof copyMealDayBody>;

/** What `GET /meals` was asked for: one day, a range of days, or the changes since a time. */
export type MealListing =
  | { mode: 'day'; date?: string }
  | { mode: 'range'; from?: string; to?: string; limit: number; cursor?: Cursor }
  | { mode: 'sync'; updatedSince: Date; limit: number; cursor?: SyncCursor };

const DEFAULT_PAGE_SIZE = 20;

export const mealListQuery = z
  .strictObject({
    date: calendarDay
      .optional()
      .openapi({ description: 'A day’s diary (default: today in the member’s time zone).' }),
    from: calendarDay.optional().openapi({ description: 'First day of a range (inclusive).' }),
    to: calendarDay.optional().openapi({ description: 'Last day of a range (inclusive).' }),
    updatedSince: instant.optional().openapi({
      description:
        'Two-way sync: meals created or changed, and ids of meals deleted, since this time ' +
        '(the previous page’s `syncCursor`; any past time the first time).',
      example: '2026-11-25T08:00:00.000Z',
    }),
    limit: z.coerce.number().int().min(1).max(100).optional(),
    cursor: z.string().max(300).optional(),
  })
  .transform((query, context): MealListing => {
    const { date, from, to, updatedSince, limit, cursor } = query;
    const modes = [
      date !== undefined && 'date',
      (from !== undefined || to !== undefined) && (from !== undefined ? 'from' : 'to'),
      updatedSince !== undefined && 'updatedSince',
    ].filter((mode) => mode !== false);
    const invalid = (path: string, message: string) => {
      context.addIssue({ code: 'custom', path: [path], message });
      return z.NEVER;
    };
    if (modes.length > 1) {
      return invalid(modes[1] ?? 'date', 'date, from/to and updatedSince cannot be combined');
    }
    if (updatedSince !== undefined) {
      const position = cursor === undefined ? undefined : decodeSyncCursor(cursor);
      if (cursor !== undefined && !position) return invalid('cursor', 'invalid cursor');
      return {
        mode: 'sync',
        updatedSince: new Date(updatedSince),
        limit: limit ?? DEFAULT_PAGE_SIZE,
        cursor: position,
      };
    }
    if (from !== undefined || to !== undefined) {
      if (from !== undefined && to !== undefined && from > to) {
        return invalid('from', 'must not be after to');
      }
      const position = cursor === undefined ? undefined : timeCursor.safeParse(cursor);
      if (position && !position.success) return invalid('cursor', 'invalid cursor');
      return {
        mode: 'range',
        from,
        to,
        limit: limit ?? DEFAULT_PAGE_SIZE,
        cursor: position?.data,
      };
    }
    if (limit !== undefined) return invalid('limit', 'pages only from/to and updatedSince lists');
    if (cursor !== undefined) return invalid('cursor', 'pages only from/to and updatedSince lists');
    return { mode: 'day', date };
  });

const macrosSchema = z
  .object({ calories: z.number(), protein: z.number(), carbs: z.number(), fat: z.number() })
  .openapi('MealMacros', { description: 'kcal and grams' });

export const mealLogSchema = z
  .object({
    id: z.uuid(),
    day: z.iso.date().openapi({ description: 'The member’s local day of `consumedAt`' }),
    mealType,
    mealDescription: z.string(),
    consumedAt: z.iso.datetime(),
    macros: macrosSchema,
    items: z.array(
      z.object({
        foodId: z.uuid(),
        foodName: z.string(),
        grams: z.number(),
        macros: macrosSchema,
      }),
    ),
    imageId: z.uuid().nullable(),
    source: z.enum(mealLogSources).openapi({
      description:
        '`manual` (macros given), `foods` (computed from items), `copy` (copied from another ' +
        'meal or day), `analysis` (from a meal photo)',
    }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('MealLog', {
    example: {
      id: '6a0f6a4e-1b2c-4d3e-8f90-a1b2c3d4e5f6',
      day: '2026-11-25',
      mealType: 'breakfast',
      mealDescription: 'Oats, rolled, dry + White rice, long-grain, cooked',
      consumedAt: '2026-11-25T07:30:00.000Z',
      macros: { calories: 487.4, protein: 13.3, carbs: 97, fat: 4.5 },
      items: [
        {
          foodId: '93825deb-10aa-5688-a473-9f8a7ecdd3ba',
          foodName: 'Oats, rolled, dry',
          grams: 60,
          macros: { calories: 227.4, protein: 7.9, carbs: 40.6, fat: 3.9 },
        },
        {
          foodId: 'efc33435-c411-5321-9526-7c29d9f1db39',
          foodName: 'White rice, long-grain, cooked',
          grams: 200,
          macros: { calories: 260, protein: 5.4, carbs: 56.4, fat: 0.6 },
        },
      ],
      imageId: null,
      source: 'foods',
      createdAt: '2026-11-25T07:31:02.120Z',
      updatedAt: '2026-11-25T07:31:02.120Z',
    },
  });
export type MealLogView = z.infer<typeof mealLogSchema>;

export const mealDaySchema = z
  .object({
    date: z.iso.date(),
    meals: z.array(mealLogSchema),
    totals: macrosSchema,
    targets: macroTargetsSchema.nullable(),
    targetsSource: z
      .enum(['diet-plan', 'profile'])
      .nullable()
      .openapi({
        description:
          '`diet-plan` (the active plan’s targets), `profile` (Mifflin–St Jeor from the ' +
          'profile), null when the profile lacks weight, height, age or gender',
      }),
    remaining: macrosSchema
      .nullable()
      .openapi({ description: 'Targets minus totals (negative when over); null without targets' }),
  })
  .openapi('MealDay', {
    example: {
      date: '2026-11-25',
      meals: [],
      totals: { calories: 1240.5, protein: 88.2, carbs: 130.4, fat: 40.1 },
      targets: { calories: 2759, protein: 96, carbs: 397, fat: 86 },
      targetsSource: 'profile',
      remaining: { calories: 1518.5, protein: 7.8, carbs: 266.6, fat: 45.9 },
    },
  });
export type MealDayView = z.infer<typeof mealDaySchema>;

export const mealLogPageSchema = z
  .object({ items: z.array(mealLogSchema), nextCursor: z.string().nullable() })
  .openapi('MealLogPage');

export const mealSyncPageSchema = z
  .object({
    items: z.array(mealLogSchema).openapi({ description: 'Meals created or changed' }),
    deleted: z
      .array(z.object({ id: z.uuid(), deletedAt: z.iso.datetime() }))
      .openapi({ description: 'Meals deleted' }),
    nextCursor: z.string().nullable().openapi({ description: 'More changes: the next page' }),
    syncCursor: z.iso.datetime().nullable().openapi({
      description:
        'On the last page (when `nextCursor` is null): the `updatedSince` of the next sync',
    }),
  })
  .openapi('MealLogSyncPage');
export type MealSyncPageView = z.infer<typeof mealSyncPageSchema>;

export const mealListResponseSchema = z.union([
  mealDaySchema,
  mealLogPageSchema,
  mealSyncPageSchema,
]);

export const copiedMealDaySchema = z
  .object({
    fromDate: z.iso.date().openapi({ example: '2026-03-01' }),
    toDate: z.iso.date().openapi({ example: '2026-03-02' }),
    meals: z.array(mealLogSchema),
  })
  .openapi('CopiedMealDay');
export type CopiedMealDayView = z.infer<typeof copiedMealDaySchema>;
