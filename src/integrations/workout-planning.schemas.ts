import { z } from '../lib/zod.js';
import { catalogueQuerySchema, clientReferenceSchema, externalIdSchema } from './common.schemas.js';

export const fitnessLevelSchema = z.enum(['beginner', 'intermediate', 'advanced']);
export const trainingGoalSchema = z.enum([
  'weight_loss',
  'muscle_gain',
  'strength',
  'endurance',
  'general_fitness',
]);

/** One exercise of a plan day. An exercise is counted in reps or held for seconds (0 = unused). */
export const planExerciseSchema = z
  .object({
    exerciseId: externalIdSchema,
    exerciseName: z.string().min(1).max(200),
    sets: z.number().int().min(1).max(20),
    reps: z.number().int().min(0).max(500),
    seconds: z.number().int().min(0).max(7_200),
  })
  .refine((exercise) => exercise.reps > 0 || exercise.seconds > 0, {
    message: 'an exercise needs reps or seconds',
  });

/** The seed's `planData`: the plan as the service builds it and as we store it. */
export const planDataSchema = z.object({
  workoutDays: z
    .array(
      z.object({
        muscleGroup: z.string().min(1).max(100),
        dayOrder: z.number().int().min(1).max(31),
        exercises: z.array(planExerciseSchema).min(1).max(40),
      }),
    )
    .min(1)
    .max(31),
});
export type PlanData = z.infer<typeof planDataSchema>;

/** POST /plans/generate body. Profile facts only; nothing that names the member. */
export const generateWorkoutPlanRequestSchema = z.object({
  clientReference: clientReferenceSchema,
  profile: z.object({
    fitnessLevel: fitnessLevelSchema,
    goals: z.array(trainingGoalSchema).min(1).max(3),
    age: z.number().int().min(13).max(100).optional(),
    sex: z.enum(['female', 'male']).optional(),
    heightCm: z.number().min(100).max(250).optional(),
    weightKg: z.number().min(30).max(300).optional(),
    injuries: z.array(z.string().min(1).max(100)).max(10).default([]),
  }),
  preferences: z.object({
    daysPerWeek: z.number().int().min(1).max(7),
    sessionMinutes: z.number().int().min(15).max(180),
    equipment: z.array(z.string().min(1).max(64)).max(50).default([]),
  }),
});
export type GenerateWorkoutPlanRequest = z.input<typeof generateWorkoutPlanRequestSchema>;

/** Answer of /plans/generate and /plans/customize: the plan with its name and the service's id. */
export const workoutPlanSchema = z.object({
  externalId: externalIdSchema,
  name: z.string().min(1).max(200),
  planData: planDataSchema,
});
export type WorkoutPlan = z.infer<typeof workoutPlanSchema>;

/** POST /plans/customize body: changes to a plan the service generated. */
export const customizeWorkoutPlanRequestSchema = z.object({
  externalId: externalIdSchema,
  customizations: z
    .object({
      daysPerWeek: z.number().int().min(1).max(7).optional(),
      sessionMinutes: z.number().int().min(15).max(180).optional(),
      excludeExerciseIds: z.array(externalIdSchema).max(100).optional(),
      focusMuscleGroups: z.array(z.string().min(1).max(100)).max(10).optional(),
      equipment: z.array(z.string().min(1).max(64)).max(50).optional(),
    })
    .refine(
      (changes) =>
        [
          changes.daysPerWeek,
          changes.sessionMinutes,
          changes.excludeExerciseIds,
          changes.focusMuscleGroups,
          changes.equipment,
        ].some((change) => change !== undefined),
      { message: 'give at least one customization' },
    ),
});
export type CustomizeWorkoutPlanRequest = z.input<typeof customizeWorkoutPlanRequestSchema>;

/** GET /exercises/library query. */
export const exerciseLibraryQuerySchema = catalogueQuerySchema.extend({
  muscleGroup: z.string().min(1).max(100).optional(),
  equipment: z.string().min(1).max(64).optional(),
});
export type ExerciseLibraryQuery = z.input<typeof exerciseLibraryQuerySchema>;

/** GET /exercises/library answer: one page of the service's exercise catalogue. */
export const exerciseLibraryPageSchema = z.object({
  exercises: z
    .array(
      z.object({
        exerciseId: externalIdSchema,
        name: z.string().min(1).max(200),
        muscleGroups: z.array(z.string().min(1).max(100)).max(20),
        equipment: z.array(z.string().min(1).max(64)).max(20),
        difficulty: fitnessLevelSchema,
        instructions: z.string().max(5_000).nullable().default(null),
        videoUrl: z.url().nullable().default(null),
      }),
    )
    .max(100),
  nextCursor: z.string().min(1).max(500).nullable(),
});
export type ExerciseLibraryPage = z.infer<typeof exerciseLibraryPageSchema>;
