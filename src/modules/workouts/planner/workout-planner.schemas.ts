import { z } from '../../../lib/zod.js';
import { equipmentTags, exerciseLevels } from './exercise-library.data.js';
import { planFocuses } from './training-splits.js';
import { fitnessGoals, type FitnessGoal } from '../../../lib/fitness-profile.js';

export { fitnessGoals, type FitnessGoal };

/** Everything the built-in planner needs; the route fills gaps from the user's profile. */
export const plannerInputSchema = z.object({
  daysPerWeek: z.number().int().min(1).max(7),
  sessionMinutes: z.number().int().min(15).max(180),
  /** What the member can use; bodyweight exercises are always allowed. */
  equipment: z.array(z.enum(equipmentTags)).max(50),
  level: z.enum(exerciseLevels),
  goal: z.enum(fitnessGoals),
  focus: z.enum(planFocuses).optional(),
  /** Free text as typed in the profile ("bad knee", "pregnant"). */
  healthConditions: z.array(z.string().max(200)).max(50),
});
export type PlannerInput = z.infer<typeof plannerInputSchema>;

/**
 * One exercise of a day. Rep-counted exercises have `reps` and `seconds: null`; timed ones
 * (holds, stretches, intervals, a continuous cardio block) have `seconds` per set and
 * `reps: null`. Never both.
 */
export interface PlannedExercise {
  exerciseId: string;
  exerciseName: string;
  sets: number;
  reps: number | null;
  seconds: number | null;
}

/** One training day; `muscleGroup` is a readable label of the day's focus. */
export interface PlannedWorkoutDay {
  muscleGroup: string;
  dayOrder: number;
  exercises: PlannedExercise[];
}

/** A week of training plus the reasons behind it, one sentence per line. */
export interface PlannedWorkout {
  planName: string;
  workoutDays: PlannedWorkoutDay[];
  explanation: string[];
}
