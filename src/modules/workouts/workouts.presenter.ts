import type { ExerciseRow, WorkoutPlanRow } from './workouts.table.js';
import type {
  ExerciseView,
  StoredCustomizations,
  StoredWorkoutPlanData,
  WorkoutPlanData,
  WorkoutPlanView,
} from './workouts.schemas.js';

const sameExercise =
  (dayOrder: number, exerciseId: string) => (ref: { dayOrder: number; exerciseId: string }) =>
    ref.dayOrder === dayOrder && ref.exerciseId === exerciseId;

/** Plan data as clients see it: without the service's internal exercise ids. */
function publicPlanData(data: StoredWorkoutPlanData): WorkoutPlanData {
  return {
    workoutDays: data.workoutDays.map((day) => ({
      muscleGroup: day.muscleGroup,
      dayOrder: day.dayOrder,
      exercises: day.exercises.map(({ exerciseId, exerciseName, sets, reps, seconds }) => ({
        exerciseId,
        exerciseName,
        sets,
        reps,
        seconds,
      })),
    })),
  };
}

/** The plan as the member will train it: removals dropped, swaps and adjustments applied. */
export function applyCustomizations(
  data: WorkoutPlanData,
  customizations: StoredCustomizations,
): WorkoutPlanData {
  return {
    workoutDays: data.workoutDays.map((day) => ({
      ...day,
      exercises: day.exercises
        .filter(
          (exercise) =>
            !customizations.removals?.some(sameExercise(day.dayOrder, exercise.exerciseId)),
        )
        .map((exercise) => {
          const matches = sameExercise(day.dayOrder, exercise.exerciseId);
          const swap = customizations.swaps?.find(matches);
          const adjustment = customizations.adjustments?.find(matches);
          return {
            ...exercise,
            ...(swap && {
              exerciseId: swap.replacementExerciseId,
              exerciseName: swap.replacementExerciseName,
            }),
            ...(adjustment?.sets !== undefined && { sets: adjustment.sets }),
            ...(adjustment?.reps !== undefined && { reps: adjustment.reps }),
            ...(adjustment?.seconds !== undefined && { seconds: adjustment.seconds }),
          };
        }),
    })),
  };
}

export function presentWorkoutPlan(row: WorkoutPlanRow): WorkoutPlanView {
  const planData = publicPlanData(row.planData);
  const { swaps, ...rest } = row.customizations;
  return {
    id: row.id,
    planName: row.planName,
    source: row.origin,
    planData,
    customizations: {
      ...rest,
      ...(swaps && {
        swaps: swaps.map(({ dayOrder, exerciseId, replacementExerciseId }) => ({
          dayOrder,
          exerciseId,
          replacementExerciseId,
        })),
      }),
    },
    effectivePlanData: applyCustomizations(planData, row.customizations),
    explanation: row.explanation,
    isActive: row.isActive,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function presentExercise(row: ExerciseRow): ExerciseView {
  return {
    id: row.id,
    name: row.name,
    source: row.source,
    primaryMuscles: row.primaryMuscles,
    secondaryMuscles: row.secondaryMuscles,
    equipment: row.equipment,
    level: row.level,
    type: row.type,
    instructions: row.instructions,
  };
}
