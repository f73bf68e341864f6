import { namePageQuery, pageOf, text } from '../../lib/http/common.schemas.js';
import { z } from '../../lib/zod.js';
import {
  equipmentTags,
  exerciseLevels,
  exerciseTypes,
  muscleGroups,
} from './planner/exercise-library.data.js';
import { planFocuses } from './planner/training-splits.js';

export const generateWorkoutBody = z
  .strictObject({
    daysPerWeek: z.number().int().min(1).max(7).optional(),
    sessionMinutes: z.number().int().min(15).max(180).optional(),
    equipment: z.array(z.enum(equipmentTags)).max(equipmentTags.length).optional(),
    focus: z.enum(planFocuses).optional(),
  })
  .openapi('GenerateWorkoutPlan', {
    description:
      'Missing values default to 3 days, 45 minutes, bodyweight only and a balanced split; ' +
      'level, goal and health conditions come from the profile.',
    example: { daysPerWeek: 3, sessionMinutes: 45, equipment: ['bodyweight', 'dumbbell'] },
  });
export type GenerateWorkoutBody = z.infer<typeof generateWorkoutBody>;

const plannedExerciseSchema = z.object({
  exerciseId: z.uuid(),
  exerciseName: z.string().openapi({ example: 'Goblet Squat' }),
  sets: z.number().int().openapi({ example: 3 }),
  reps: z.number().int().nullable(),
  seconds: z.number().int().nullable(),
});

/** A stored exercise of a plan: for service plans also the service's own exercise id. */
export type StoredPlanExercise = z.infer<typeof plannedExerciseSchema> & {
  sourceExerciseId?: string;
};

export const workoutPlanDataSchema = z
  .object({
    workoutDays: z.array(
      z.object({
        muscleGroup: z.string().openapi({ example: 'full_body' }),
        dayOrder: z.number().int().openapi({ example: 1 }),
        exercises: z.array(plannedExerciseSchema),
      }),
    ),
  })
  .openapi('WorkoutPlanData', {
    example: {
      workoutDays: [
        {
          muscleGroup: 'full_body',
          dayOrder: 1,
          exercises: [
            {
              exerciseId: '0d6a3f8e-52b1-4c7e-9f0a-6b2d1e4c8a73',
              exerciseName: 'Goblet Squat',
              sets: 3,
              reps: 10,
              seconds: null,
            },
          ],
        },
      ],
    },
  });
export type WorkoutPlanData = z.infer<typeof workoutPlanDataSchema>;
/** Plan data as stored: exercises may carry the service's exercise id. */
export interface StoredWorkoutPlanData {
  workoutDays: {
    muscleGroup: string;
    dayOrder: number;
    exercises: StoredPlanExercise[];
  }[];
}

const exerciseRef = { dayOrder: z.number().int().min(1).max(31), exerciseId: z.uuid() };

/** Local edits on top of a generated plan; PATCH replaces the whole set. */
export const planCustomizationsSchema = z
  .strictObject({
    swaps: z
      .array(z.strictObject({ ...exerciseRef, replacementExerciseId: z.uuid() }))
      .max(50)
      .optional(),
    adjustments: z
      .array(
        z.strictObject({
          ...exerciseRef,
          sets: z.number().int().min(1).max(20).optional(),
          reps: z.number().int().min(1).max(100).optional(),
          seconds: z.number().int().min(5).max(7200).optional(),
        }),
      )
      .max(100)
      .optional(),
    removals: z.array(z.strictObject(exerciseRef)).max(100).optional(),
    notes: text(1000).optional(),
  })
  .openapi('PlanCustomizations', {
    example: {
      adjustments: [
        { dayOrder: 1, exerciseId: '0d6a3f8e-52b1-4c7e-9f0a-6b2d1e4c8a73', sets: 4, reps: 8 },
      ],
      notes: 'One more set of squats while the knee allows it.',
    },
  });
export type PlanCustomizations = z.infer<typeof planCustomizationsSchema>;
/** Customizations as stored: swaps also remember the replacement's name. */
export type StoredCustomizations = Omit<PlanCustomizations, 'swaps'> & {
  swaps?: (NonNullable<PlanCustomizations['swaps']>[number] & {
    replacementExerciseName: string;
  })[];
};

export const customizePlanBody = z
  .strictObject({ customizations: planCustomizationsSchema })
  .openapi('CustomizeWorkoutPlan');

export const workoutPlanSchema = z
  .object({
    id: z.uuid(),
    planName: z.string().openapi({ example: 'Full body, 3 days × 45 min' }),
    source: z.enum(['ai', 'fallback']).openapi({ description: 'Who built the plan' }),
    planData: workoutPlanDataSchema,
    customizations: planCustomizationsSchema,
    effectivePlanData: workoutPlanDataSchema.openapi({
      description: '`planData` with the customizations applied',
    }),
    explanation: z.array(z.string()).openapi({
      example: ['Three full-body days suit an intermediate member building muscle.'],
    }),
    isActive: z.boolean(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('WorkoutPlan');
export type WorkoutPlanView = z.infer<typeof workoutPlanSchema>;

export const generatedPlanSchema = z
  .object({ plan: workoutPlanSchema, source: z.enum(['ai', 'cache', 'fallback']) })
  .openapi('GeneratedWorkoutPlan');

export const workoutPlanPage = pageOf(workoutPlanSchema, 'WorkoutPlan');

export const exerciseQuery = namePageQuery.extend({
  q: text(100, 1).optional(),
  muscleGroup: z.enum(muscleGroups).optional(),
  equipment: z.enum(equipmentTags).optional(),
});

export const exerciseSchema = z
  .object({
    id: z.uuid(),
    name: z.string().openapi({ example: 'Goblet Squat' }),
    source: z.enum(['builtin', 'service']),
    primaryMuscles: z.array(z.string()).openapi({ example: ['quadriceps', 'glutes'] }),
    secondaryMuscles: z.array(z.string()).openapi({ example: ['core'] }),
    equipment: z.array(z.string()).openapi({ example: ['dumbbell'] }),
    level: z.enum(exerciseLevels).or(z.string()),
    type: z.enum(exerciseTypes).or(z.string()),
    instructions: z.string().nullable(),
  })
  .openapi('Exercise');
export type ExerciseView = z.infer<typeof exerciseSchema>;
export const exercisePage = pageOf(exerciseSchema, 'Exercise');
