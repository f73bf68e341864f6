import { text } from '../../lib/http/common.schemas.js';
import { z } from '../../lib/zod.js';
import { personalRecordKinds } from '../workout-logs/workout-logs.table.js';

/** The ±band, in percent of the target, within which a day's intake counts as on target. */
export const COMPLIANCE_BAND_PERCENT = 10;
/** The trailing window of the body-trend moving average, in days (7 × 24 h before a point). */
export const MOVING_AVERAGE_WINDOW_DAYS = 7;
/** The longest range any analytics route answers for: three years and a leap day. */
export const MAX_RANGE_DAYS = 1096;
/** Compliance looks the targets up day by day, so it answers for at most a year. */
export const MAX_COMPLIANCE_RANGE_DAYS = 366;

const dayRangeBounds = { min: '1900-01-01', max: '2100-12-31' };

/** A calendar day in the member's time zone. */
export const daySchema = z.iso
  .date('must be a day as YYYY-MM-DD')
  .refine(
    (day) => day >= dayRangeBounds.min && day <= dayRangeBounds.max,
    `must be between ${dayRangeBounds.min} and ${dayRangeBounds.max}`,
  )
  .openapi({ example: '2026-11-25' });

const rangeFields = {
  from: daySchema.optional().openapi({
    description: 'First day (inclusive), in the member’s time zone',
    example: '2026-10-27',
  }),
  to: daySchema.optional().openapi({
    description: 'Last day (inclusive), in the member’s time zone; default today there',
    example: '2026-11-25',
  }),
};

export const workoutSummaryQuery = z.strictObject(rangeFields);
export const nutritionComplianceQuery = z.strictObject(rangeFields);

export const workoutProgressQuery = z.strictObject({
  exerciseId: text(200, 1).openapi({
    description: 'The `exerciseId` of the log entries (a library exercise id for most)',
    example: '3b0f6a52-2d1e-5c5a-9a63-0c1f1f4e2b10',
  }),
  ...rangeFields,
});

/** The body-composition measurements a trend can follow (columns of the entries). */
export const bodyMetrics = [
  'weightKg',
  'bodyFatPercentage',
  'bodyFatMassKg',
  'skeletalMuscleMassKg',
  'leanBodyMassKg',
  'totalBodyWaterKg',
  'visceralFatLevel',
  'basalMetabolicRateKcal',
  'bmi',
] as const;
export type BodyMetric = (typeof bodyMetrics)[number];

export const bodyTrendsQuery = z.strictObject({
  metric: z.enum(bodyMetrics).openapi({ example: 'weightKg' }),
  ...rangeFields,
});

export type RangeQuery = z.infer<typeof workoutSummaryQuery>;
export type WorkoutProgressQuery = z.infer<typeof workoutProgressQuery>;
export type BodyTrendsQuery = z.infer<typeof bodyTrendsQuery>;

const day = z.string().openapi({ format: 'date', example: '2026-11-25' });
const count = z.number().int().min(0);
const kg = z.number().openapi({ description: 'kilograms, rounded to 0.01' });

const rangeEcho = {
  from: day,
  to: day,
  timezone: z.string().openapi({
    description: 'The member’s time zone the days are in',
    example: 'Europe/London',
  }),
};

// ---- workout summary ----

const muscleGroupVolumeSchema = z
  .object({
    muscleGroup: z.string().openapi({ example: 'chest' }),
    sets: count,
    volumeKg: kg,
  })
  .openapi('MuscleGroupVolume');

export const workoutSummarySchema = z
  .object({
    ...rangeEcho,
    totals: z.object({
      trainingDays: count.openapi({ description: 'Distinct days with at least one log entry' }),
      logEntries: count,
      sets: count,
      reps: count,
      volumeKg: kg,
      durationSec: count.openapi({ description: 'Σ durationSec of the sets' }),
    }),
    muscleGroups: z.array(muscleGroupVolumeSchema),
    weeklyMuscleVolume: z.array(
      z.object({
        week: z.string().openapi({ example: '2026-W48' }),
        weekStart: day,
        muscleGroups: z.array(muscleGroupVolumeSchema),
      }),
    ),
    completion: z
      .object({
        plannedDaysPerWeek: z.number().int().min(1).max(7),
        plannedDays: count,
        trainingDays: count,
        percentage: z.number().min(0).max(100),
      })
      .nullable()
      .openapi({ description: 'Null without an active workout plan' }),
  })
  .openapi('WorkoutSummary', {
    example: {
      from: '2026-10-27',
      to: '2026-11-25',
      timezone: 'Europe/London',
      totals: {
        trainingDays: 12,
        logEntries: 41,
        sets: 150,
        reps: 1240,
        volumeKg: 48210.5,
        durationSec: 1800,
      },
      muscleGroups: [
        { muscleGroup: 'quadriceps', sets: 36, volumeKg: 21000 },
        { muscleGroup: 'chest', sets: 40, volumeKg: 15200 },
      ],
      weeklyMuscleVolume: [
        {
          week: '2026-W48',
          weekStart: '2026-11-23',
          muscleGroups: [{ muscleGroup: 'chest', sets: 10, volumeKg: 3800 }],
        },
      ],
      completion: { plannedDaysPerWeek: 3, plannedDays: 13, trainingDays: 12, percentage: 92.3 },
    },
  });
export type WorkoutSummaryView = z.infer<typeof workoutSummarySchema>;

// ---- exercise progress ----

const valueOnDay = z.object({ value: z.number(), day }).nullable();

export const workoutProgressSchema = z
  .object({
    exerciseId: z.string(),
    ...rangeEcho,
    days: z.array(
      z.object({
        day,
        logEntries: count,
        sets: count,
        reps: count,
        volumeKg: kg,
        bestE1rmKg: kg.nullable(),
        bestSet: z.object({ weightKg: kg, reps: count }).nullable(),
        mostReps: count.nullable(),
      }),
    ),
    personalRecords: z.array(
      z.object({
        logId: z.uuid(),
        day,
        completedAt: z.iso.datetime(),
        records: z.array(z.enum(personalRecordKinds)),
      }),
    ),
    currentBests: z.object({
      e1rmKg: valueOnDay,
      heaviestSet: z.object({ weightKg: kg, reps: count, day }).nullable(),
      dayVolumeKg: valueOnDay,
      mostReps: valueOnDay,
    }),
  })
  .openapi('WorkoutProgress', {
    example: {
      exerciseId: '3b0f6a52-2d1e-5c5a-9a63-0c1f1f4e2b10',
      from: '2025-11-26',
      to: '2026-11-25',
      timezone: 'Europe/London',
      days: [
        {
          day: '2026-11-20',
          logEntries: 1,
          sets: 3,
          reps: 15,
          volumeKg: 1500,
          bestE1rmKg: 116.67,
          bestSet: { weightKg: 100, reps: 5 },
          mostReps: 5,
        },
      ],
      personalRecords: [
        {
          logId: '0b5f4a7e-1c2d-4e3f-8a9b-0c1d2e3f4a5b',
          day: '2026-11-20',
          completedAt: '2026-11-20T18:30:00.000Z',
          records: ['e1rm', 'weight'],
        },
      ],
      currentBests: {
        e1rmKg: { value: 116.67, day: '2026-11-20' },
        heaviestSet: { weightKg: 100, reps: 5, day: '2026-11-20' },
        dayVolumeKg: { value: 1650, day: '2026-11-13' },
        mostReps: { value: 12, day: '2026-10-02' },
      },
    },
  });
export type WorkoutProgressView = z.infer<typeof workoutProgressSchema>;

// ---- nutrition compliance ----

const macros = z
  .object({ calories: z.number(), protein: z.number(), carbs: z.number(), fat: z.number() })
  .openapi('AnalyticsMacros', { description: 'kcal and grams' });
export interface Macros {
  calories: number;
  protein: number;
  carbs: number;
  fat: number;
}
const nullableMacros = <T extends z.ZodType>(value: T) =>
  z.object({ calories: value, protein: value, carbs: value, fat: value });

export const nutritionComplianceSchema = z
  .object({
    ...rangeEcho,
    bandPercent: z.number().openapi({ example: COMPLIANCE_BAND_PERCENT }),
    days: z.array(
      z.object({
        day,
        meals: count,
        eaten: macros,
        targets: macros.nullable(),
        percentOfTarget: nullableMacros(z.number().nullable()).nullable(),
        withinTarget: nullableMacros(z.boolean().nullable()).nullable(),
        onTarget: z.boolean().nullable().openapi({
          description: 'Calories within the band; null without a calorie target',
        }),
      }),
    ),
    overall: z.object({
      loggedDays: count,
      daysWithTargets: count,
      daysOnTarget: count,
      averageEaten: macros.nullable(),
      percentOfTarget: nullableMacros(z.number().nullable()).nullable(),
    }),
  })
  .openapi('NutritionCompliance', {
    example: {
      from: '2026-11-19',
      to: '2026-11-25',
      timezone: 'Europe/London',
      bandPercent: COMPLIANCE_BAND_PERCENT,
      days: [
        {
          day: '2026-11-24',
          meals: 3,
          eaten: { calories: 2105, protein: 150.5, carbs: 220, fat: 70 },
          targets: { calories: 2200, protein: 160, carbs: 240, fat: 73 },
          percentOfTarget: { calories: 95.7, protein: 94.1, carbs: 91.7, fat: 95.9 },
          withinTarget: { calories: true, protein: true, carbs: true, fat: true },
          onTarget: true,
        },
      ],
      overall: {
        loggedDays: 1,
        daysWithTargets: 1,
        daysOnTarget: 1,
        averageEaten: { calories: 2105, protein: 150.5, carbs: 220, fat: 70 },
        percentOfTarget: { calories: 95.7, protein: 94.1, carbs: 91.7, fat: 95.9 },
      },
    },
  });
export type NutritionComplianceView = z.infer<typeof nutritionComplianceSchema>;

// ---- body trends ----

export const bodyTrendsSchema = z
  .object({
    metric: z.enum(bodyMetrics),
    ...rangeEcho,
    windowDays: z.number().int().openapi({ example: MOVING_AVERAGE_WINDOW_DAYS }),
    points: z.array(
      z.object({
        measuredAt: z.iso.datetime(),
        day,
        value: z.number(),
        movingAverage: z.number(),
      }),
    ),
    change: z
      .object({
        first: z.number(),
        last: z.number(),
        absolute: z.number(),
        percent: z.number().nullable(),
      })
      .nullable()
      .openapi({ description: 'From the first to the last point of the range; null without' }),
  })
  .openapi('BodyTrends', {
    example: {
      metric: 'weightKg',
      from: '2025-11-26',
      to: '2026-11-25',
      timezone: 'Europe/London',
      windowDays: MOVING_AVERAGE_WINDOW_DAYS,
      points: [
        {
          measuredAt: '2026-11-18T07:05:00.000Z',
          day: '2026-11-18',
          value: 82.4,
          movingAverage: 82.4,
        },
        {
          measuredAt: '2026-11-21T07:10:00.000Z',
          day: '2026-11-21',
          value: 81.8,
          movingAverage: 82.1,
        },
      ],
      change: { first: 82.4, last: 81.8, absolute: -0.6, percent: -0.7 },
    },
  });
export type BodyTrendsView = z.infer<typeof bodyTrendsSchema>;
