import { pageQuery, text, uuidParam } from '../../lib/http/common.schemas.js';
import { z } from '../../lib/zod.js';
import { CLOCK_SKEW_ALLOWANCE_SECONDS, isBeyondClockSkew } from '../../lib/time/clock-skew.js';
import { personalRecordKinds, workoutLogSources } from './workout-logs.table.js';

/** Log entries before this are refused as typos (and imports skip them). */
const EARLIEST_COMPLETED_AT = Date.parse('2000-01-01T00:00:00Z');

const timestamp = z.iso.datetime();
const day = z.iso.date().refine((value) => value >= '2000-01-01' && value <= '2100-12-31', {
  message: 'must be between 2000-01-01 and 2100-12-31',
});

const exerciseId = text(100, 1).openapi({
  description: 'The library exercise id (a UUID from `GET /api/workouts/exercises`) or a slug',
  example: '6f2d8a8e-2a37-5d0e-9b51-5d3f6f1d2c11',
});
const exerciseName = text(200, 1).openapi({ example: 'Barbell bench press' });
const reps = z.number().int().min(0).max(1000);
const weightKg = z.number().min(0).max(1000);
const durationSec = z
  .number()
  .int()
  .min(0)
  .max(24 * 3600);
const distanceM = z.number().min(0).max(1_000_000);
const performanceNotes = text(1000);

/** Why an entry's time is refused, or undefined when it is fine. */
export function completedAtProblem(at: Date): string | undefined {
  if (at.getTime() < EARLIEST_COMPLETED_AT) return 'must not be before 2000-01-01';
  if (isBeyondClockSkew(at)) {
    return `must not be more than ${String(CLOCK_SKEW_ALLOWANCE_SECONDS)} seconds in the future`;
  }
  return undefined;
}

const completedAt = z.iso
  .datetime({ offset: true })
  .transform((value, context) => {
    const at = new Date(value);
    const problem = completedAtProblem(at);
    if (problem) {
      context.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    return at;
  })
  .openapi({
    type: 'string',
    format: 'date-time',
    description:
      'When the exercise was finished. Past times are fine (offline logging); at most ' +
      `${String(CLOCK_SKEW_ALLOWANCE_SECONDS)} s in the future (clock skew).`,
    example: '2026-11-25T18:42:00Z',
  });

export const setInput = z
  .strictObject({
    reps,
    weightKg: weightKg.optional(),
    durationSec: durationSec.optional(),
    distanceM: distanceM.optional(),
  })
  .openapi('WorkoutSetInput');
export type SetInput = z.infer<typeof setInput>;

const setsInput = z.array(setInput).min(1).max(100);

/** `POST /logs`. */
export const createWorkoutLogBody = z
  .strictObject({
    exerciseId,
    exerciseName,
    completedSets: z
      .number()
      .int()
      .min(1)
      .max(100)
      .optional()
      .openapi({
        description:
          'How many sets. Required without `sets`; with `sets` it may be left out, and if given ' +
          'must equal their number.',
      }),
    completedReps: reps.optional().openapi({
      description:
        'Reps in each set. Required without `sets`; with `sets` it may be left out, and if ' +
        'given every set must have this many reps.',
    }),
    weightKg: weightKg.optional().openapi({
      description: 'Weight of each set; with `sets`, of the sets that give none of their own.',
    }),
    durationSec: durationSec.optional().openapi({
      description: 'Duration of each set; with `sets`, of the sets that give none of their own.',
    }),
    performanceNotes: performanceNotes.optional(),
    completedAt,
    machineId: uuidParam.optional().openapi({
      description:
        'The machine used. Accepted only while the caller is linked to it (409 ' +
        '`MACHINE_NOT_LINKED` otherwise), whatever `completedAt` says: the link is the one ' +
        'thing the server can check, so an entry synced after the link ended is sent without it.',
    }),
    sets: setsInput.optional().openapi({
      description:
        'Sets that differ from each other, in order (numbered from 1). Without it, ' +
        '`completedSets` sets of `completedReps` reps are stored.',
    }),
  })
  .superRefine((body, context) => {
    if (body.sets) {
      if (body.completedSets !== undefined && body.completedSets !== body.sets.length) {
        context.addIssue({
          code: 'custom',
          path: ['completedSets'],
          message: `conflicts with sets: ${String(body.sets.length)} sets were given`,
        });
      }
      if (
        body.completedReps !== undefined &&
        body.sets.some((s) => s.reps !== body.completedReps)
      ) {
        context.addIssue({
          code: 'custom',
          path: ['completedReps'],
          message: 'conflicts with sets: not every set has this many reps',
        });
      }
      return;
    }
    for (const field of ['completedSets', 'completedReps'] as const) {
      if (body[field] === undefined) {
        context.addIssue({ code: 'custom', path: [field], message: 'required without sets' });
      }
    }
  })
  .openapi('CreateWorkoutLog', {
    example: {
      exerciseId: '6f2d8a8e-2a37-5d0e-9b51-5d3f6f1d2c11',
      exerciseName: 'Barbell bench press',
      completedSets: 3,
      completedReps: 8,
      weightKg: 60,
      performanceNotes: 'Last set felt heavy',
      completedAt: '2026-11-25T18:42:00Z',
    },
  });
export type CreateWorkoutLogBody = z.infer<typeof createWorkoutLogBody>;

/** `PATCH /logs/:id`: corrections; `sets` replaces every set. */
export const updateWorkoutLogBody = z
  .strictObject({
    exerciseName: exerciseName.optional(),
    performanceNotes: performanceNotes.nullable().optional(),
    completedAt: completedAt.optional(),
    sets: setsInput.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'give at least one field to change')
  .openapi('UpdateWorkoutLog', {
    example: {
      completedAt: '2026-11-25T18:45:00Z',
      sets: [
        { reps: 8, weightKg: 60 },
        { reps: 8, weightKg: 60 },
        { reps: 6, weightKg: 62.5 },
      ],
    },
  });
export type UpdateWorkoutLogBody = z.infer<typeof updateWorkoutLogBody>;

/** `?updatedSince=`: an ISO time, such as the `syncCursor` of the previous sync. */
const updatedSince = z
  .string()
  .max(200)
  .transform((raw, context): Date => {
    const asTime = z.iso.datetime({ offset: true }).safeParse(raw);
    const at = asTime.success ? new Date(asTime.data) : undefined;
    if (!at || at.getTime() < EARLIEST_COMPLETED_AT) {
      context.addIssue({ code: 'custom', message: 'must be an ISO time (a syncCursor is one)' });
      return z.NEVER;
    }
    return at;
  })
  .openapi({ type: 'string', maxLength: 200, example: '2026-11-25T18:00:00Z' });

/** `GET /logs`: a day range, or the changes since a sync cursor. */
export const listWorkoutLogsQuery = pageQuery
  .extend({ from: day.optional(), to: day.optional(), updatedSince: updatedSince.optional() })
  .superRefine((query, context) => {
    if (query.updatedSince && (query.from || query.to)) {
      context.addIssue({
        code: 'custom',
        path: ['updatedSince'],
        message: 'cannot be combined with from/to',
      });
    }
    if (query.from && query.to && query.from > query.to) {
      context.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
    }
  });
export type ListWorkoutLogsQuery = z.infer<typeof listWorkoutLogsQuery>;

// ---- views ----

export const workoutSetSchema = z
  .object({
    id: z.uuid(),
    setNumber: z.number().int(),
    reps: z.number().int(),
    weightKg: z.number().nullable(),
    durationSec: z.number().int().nullable(),
    distanceM: z.number().nullable(),
    estimatedOneRepMaxKg: z.number().nullable().openapi({
      description: 'Epley: weightKg × (1 + reps / 30); one rep is the weight itself',
    }),
    recordedAt: timestamp,
  })
  .openapi('WorkoutSet');
export type WorkoutSetView = z.infer<typeof workoutSetSchema>;

const exampleSet = (setNumber: number, reps: number, weight: number) => ({
  id: `0b7c1e4a-8d1f-4c55-9a3e-7f6d2c1b0a0${String(setNumber)}`,
  setNumber,
  reps,
  weightKg: weight,
  durationSec: null,
  distanceM: null,
  estimatedOneRepMaxKg: Math.round(weight * (1 + reps / 30) * 100) / 100,
  recordedAt: '2026-11-25T18:42:00.000Z',
});

export const workoutLogSchema = z
  .object({
    id: z.uuid(),
    day: z.iso.date().openapi({ description: 'The member’s local day of `completedAt`' }),
    exerciseId: z.string(),
    exerciseName: z.string(),
    completedAt: timestamp,
    performanceNotes: z.string().nullable(),
    machineId: z.uuid().nullable(),
    source: z.enum(workoutLogSources),
    sets: z.array(workoutSetSchema),
    totals: z.object({
      completedSets: z.number().int(),
      completedReps: z.number().int().openapi({ description: 'Reps of all sets together' }),
      volumeKg: z.number().openapi({ description: 'Σ reps × weightKg over the sets' }),
      durationSec: z.number().int(),
      distanceM: z.number(),
    }),
    bestEstimatedOneRepMaxKg: z.number().nullable(),
    personalRecords: z.array(z.enum(personalRecordKinds)).openapi({
      description:
        'The member’s records for this exercise that this entry set, compared with their ' +
        'earlier entries of it (by completedAt): `e1rm` (best estimated 1RM of a set), ' +
        '`weight` (heaviest set with at least one rep), `reps` (most reps in a set), ' +
        '`volume` (Σ reps × weight). The first entry of an exercise sets each record it has a ' +
        'value for.',
    }),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .openapi('WorkoutLog', {
    example: {
      id: '3c0f3f3e-8b9a-4a4e-9d55-0f1f6a2b7c10',
      day: '2026-11-25',
      exerciseId: '6f2d8a8e-2a37-5d0e-9b51-5d3f6f1d2c11',
      exerciseName: 'Barbell bench press',
      completedAt: '2026-11-25T18:42:00.000Z',
      performanceNotes: 'Last set felt heavy',
      machineId: null,
      source: 'app',
      sets: [exampleSet(1, 8, 60), exampleSet(2, 8, 60), exampleSet(3, 8, 60)],
      totals: { completedSets: 3, completedReps: 24, volumeKg: 1440, durationSec: 0, distanceM: 0 },
      bestEstimatedOneRepMaxKg: 76,
      personalRecords: ['e1rm', 'volume'],
      createdAt: '2026-11-25T18:42:01.000Z',
      updatedAt: '2026-11-25T18:42:01.000Z',
    },
  });
export type WorkoutLogView = z.infer<typeof workoutLogSchema>;

export const workoutLogListSchema = z
  .object({
    items: z.array(workoutLogSchema),
    nextCursor: z.string().nullable(),
    deleted: z
      .array(z.object({ id: z.uuid(), deletedAt: timestamp }))
      .optional()
      .openapi({ description: 'With `updatedSince`: entries deleted since' }),
    syncCursor: z.iso
      .datetime()
      .nullable()
      .optional()
      .openapi({
        description:
          'With `updatedSince`, on the last page (`nextCursor` null): pass it as `updatedSince` ' +
          'next time. Null while more pages follow.',
      }),
  })
  .openapi('WorkoutLogPage');
export type WorkoutLogList = z.infer<typeof workoutLogListSchema>;

// ---- records ----

const recordHolder = (description: string) =>
  z
    .object({ value: z.number(), logId: z.uuid(), day: z.iso.date(), completedAt: timestamp })
    .nullable()
    .openapi({ description });

export const exerciseRecordsSchema = z
  .object({
    exerciseId: z.string(),
    exerciseName: z.string(),
    estimatedOneRepMaxKg: recordHolder('Best Epley estimate of a set'),
    heaviestWeightKg: recordHolder('Heaviest set with at least one rep'),
    mostReps: recordHolder('Most reps in one set'),
    bestVolumeKg: recordHolder('Most Σ reps × weight in one entry'),
  })
  .openapi('ExerciseRecords');
export type ExerciseRecordsView = z.infer<typeof exerciseRecordsSchema>;

export const exerciseRecordsPage = z
  .object({ items: z.array(exerciseRecordsSchema), nextCursor: z.string().nullable() })
  .openapi('ExerciseRecordsPage', {
    example: {
      items: [
        {
          exerciseId: '6f2d8a8e-2a37-5d0e-9b51-5d3f6f1d2c11',
          exerciseName: 'Barbell bench press',
          estimatedOneRepMaxKg: {
            value: 80,
            logId: '3c0f3f3e-8b9a-4a4e-9d55-0f1f6a2b7c10',
            day: '2026-11-25',
            completedAt: '2026-11-25T18:42:00.000Z',
          },
          heaviestWeightKg: {
            value: 70,
            logId: '3c0f3f3e-8b9a-4a4e-9d55-0f1f6a2b7c10',
            day: '2026-11-25',
            completedAt: '2026-11-25T18:42:00.000Z',
          },
          mostReps: {
            value: 12,
            logId: '9a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
            day: '2026-11-18',
            completedAt: '2026-11-18T18:10:00.000Z',
          },
          bestVolumeKg: {
            value: 1440,
            logId: '9a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
            day: '2026-11-18',
            completedAt: '2026-11-18T18:10:00.000Z',
          },
        },
      ],
      nextCursor: null,
    },
  });

// Records are listed by exercise id; the cursor is the last id of the page.
const exerciseCursor = z
  .string()
  .max(400)
  .transform((raw, context): string => {
    try {
      const parsed = z
        .tuple([z.literal('exercise'), z.string().min(1).max(200)])
        .safeParse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
      if (parsed.success) return parsed.data[1];
    } catch {
      // Not base64url JSON: reported below like any other foreign cursor.
    }
    context.addIssue({ code: 'custom', message: 'invalid cursor' });
    return z.NEVER;
  })
  .openapi({ type: 'string', maxLength: 400 });

/** The opaque cursor after an exercise of the records list. */
export const encodeExerciseCursor = (exerciseIdValue: string) =>
  Buffer.from(JSON.stringify(['exercise', exerciseIdValue])).toString('base64url');

export const recordsQuery = z.strictObject({
  limit: pageQuery.shape.limit,
  cursor: exerciseCursor.optional(),
  exerciseId: text(100, 1).optional(),
});
export type RecordsQuery = z.infer<typeof recordsQuery>;

// ---- day activity ----

export const dayActivityQuery = z.strictObject({ date: day.optional() });

export const dayActivitySchema = z
  .object({
    date: z.iso.date(),
    timezone: z.string().openapi({ description: 'The zone `date` is a day of' }),
    plan: z
      .object({
        id: z.uuid(),
        planName: z.string(),
        dayOrder: z.number().int().nullable().openapi({
          description: 'The plan day that falls on this weekday; null on a rest day',
        }),
        muscleGroup: z.string().nullable(),
      })
      .nullable(),
    assignedExercises: z.array(
      z.object({
        exerciseId: z.string(),
        exerciseName: z.string(),
        sets: z.number().int(),
        reps: z.number().int().nullable(),
        seconds: z.number().int().nullable(),
        completed: z.boolean(),
      }),
    ),
    completedExercises: z
      .array(z.object({ exerciseId: z.string(), exerciseName: z.string(), assigned: z.boolean() }))
      .openapi({ description: 'Every exercise logged that day, assigned or not' }),
    assignedWorkouts: z.number().int(),
    completedWorkouts: z.number().int(),
    completionPercentage: z
      .number()
      .nullable()
      .openapi({
        description:
          'Assigned exercises with a log that day × 100 / assigned exercises, one decimal; null ' +
          'when nothing is assigned (no active plan, or a rest day)',
      }),
    workoutHistory: z.array(workoutLogSchema).openapi({ description: 'The day’s log entries' }),
  })
  .openapi('DayActivity', {
    example: {
      date: '2026-11-25',
      timezone: 'Europe/London',
      plan: {
        id: '7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6',
        planName: 'Full body, 3 days',
        dayOrder: 2,
        muscleGroup: 'Full body',
      },
      assignedExercises: [
        {
          exerciseId: '6f2d8a8e-2a37-5d0e-9b51-5d3f6f1d2c11',
          exerciseName: 'Barbell bench press',
          sets: 3,
          reps: 8,
          seconds: null,
          completed: true,
        },
        {
          exerciseId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
          exerciseName: 'Goblet squat',
          sets: 3,
          reps: 10,
          seconds: null,
          completed: false,
        },
      ],
      completedExercises: [
        {
          exerciseId: '6f2d8a8e-2a37-5d0e-9b51-5d3f6f1d2c11',
          exerciseName: 'Barbell bench press',
          assigned: true,
        },
      ],
      assignedWorkouts: 2,
      completedWorkouts: 1,
      completionPercentage: 50,
      workoutHistory: [],
    },
  });
export type DayActivityView = z.infer<typeof dayActivitySchema>;

// ---- socket ----

/** `workout:progress` as the member's app or the linked machine sends it. */
export const workoutProgressPayload = z.strictObject({
  exerciseId: text(100, 1),
  exerciseName: text(200, 1),
  setNumber: z.number().int().min(1).max(100),
  reps,
  weightKg: weightKg.optional(),
  durationSec: durationSec.optional(),
  distanceM: distanceM.optional(),
  machineId: uuidParam.optional(),
});
export type WorkoutProgressPayload = z.infer<typeof workoutProgressPayload>;

/** A stored set, as acked to the sender and broadcast to the member's devices. */
export const workoutProgressRecord = z
  .object({
    id: z.uuid().openapi({ description: 'The set' }),
    logId: z.uuid().openapi({ description: 'The log entry the set belongs to' }),
    userId: z.uuid(),
    day: z.iso.date(),
    exerciseId: z.string(),
    exerciseName: z.string(),
    setNumber: z.number().int(),
    reps: z.number().int(),
    weightKg: z.number().nullable(),
    durationSec: z.number().int().nullable(),
    distanceM: z.number().nullable(),
    machineId: z.uuid().nullable(),
    source: z.enum(['app', 'machine']),
    recordedAt: timestamp,
  })
  .openapi('WorkoutProgressRecord');
export type WorkoutProgressRecord = z.infer<typeof workoutProgressRecord>;

/** The `workout:progress` ack: the set as stored. */
export const workoutProgressAckSchema = z
  .object({ record: workoutProgressRecord })
  .openapi('WorkoutProgressResult');
export type WorkoutProgressAck = z.infer<typeof workoutProgressAckSchema>;
