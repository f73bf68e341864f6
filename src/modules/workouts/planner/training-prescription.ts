import type { ExerciseLevel, LibraryExercise } from './exercise-library.data.js';
import type { FitnessGoal, PlannedExercise } from './workout-planner.schemas.js';

/**
 * Sets, reps, rest and the time model behind the planner.
 *
 * Dose by goal (strength and core work; core always uses the isolation row):
 *
 * | goal              | compound       | isolation      | cardio finisher      |
 * |-------------------|----------------|----------------|----------------------|
 * | build_muscle      | 4 × 8, 75 s    | 3 × 12, 60 s   | none                 |
 * | maintain          | 3 × 8, 90 s    | 3 × 12, 60 s   | 10 % of the session  |
 * | general_fitness   | 3 × 10, 75 s   | 3 × 12, 45 s   | 15 %                 |
 * | lose_weight       | 3 × 12, 45 s   | 3 × 15, 30 s   | 25 %                 |
 * | improve_endurance | 3 × 15, 30 s   | 2 × 20, 30 s   | 40 % (max 45 min)    |
 *
 * Timed strength and core work (planks, carries, wall sits) is held for 30 / 45 / 60 s by
 * level. Mobility is 2 × 30 s (or 2 × 10 reps) with 15 s between. A cardio finisher is one
 * continuous block, or 30 s on / 30 s off intervals when the block is 10 minutes or less.
 *
 * Time model: a warm-up of a tenth of the session (3 to 10 minutes); each rep takes 3 s;
 * an exercise costs its sets of work, the rest between its sets, and 30 s to move and set up.
 */

export const SECONDS_PER_REP = 3;
export const TRANSITION_SECONDS = 30;
const INTERVAL_WORK_SECONDS = 30;
const INTERVAL_REST_SECONDS = 30;
const MOBILITY_REST_SECONDS = 15;
/** Longer blocks of intervals stop being intervals; above this the finisher is steady cardio. */
export const MAX_INTERVAL_BLOCK_SECONDS = 10 * 60;
const MIN_FINISHER_SECONDS = 2 * 60;
const MAX_FINISHER_SECONDS = 45 * 60;

interface SetScheme {
  sets: number;
  reps: number;
  restSeconds: number;
}

interface GoalTraining {
  compound: SetScheme;
  isolation: SetScheme;
  /** Share of the time after the warm-up given to a cardio finisher; 0 means none. */
  cardioShare: number;
}

export const goalTraining: Record<FitnessGoal, GoalTraining> = {
  build_muscle: {
    // 75 s rather than the 90 s of strength work keeps two lifts inside a 15-minute session.
    compound: { sets: 4, reps: 8, restSeconds: 75 },
    isolation: { sets: 3, reps: 12, restSeconds: 60 },
    cardioShare: 0,
  },
  maintain: {
    compound: { sets: 3, reps: 8, restSeconds: 90 },
    isolation: { sets: 3, reps: 12, restSeconds: 60 },
    cardioShare: 0.1,
  },
  general_fitness: {
    compound: { sets: 3, reps: 10, restSeconds: 75 },
    isolation: { sets: 3, reps: 12, restSeconds: 45 },
    cardioShare: 0.15,
  },
  lose_weight: {
    compound: { sets: 3, reps: 12, restSeconds: 45 },
    isolation: { sets: 3, reps: 15, restSeconds: 30 },
    cardioShare: 0.25,
  },
  improve_endurance: {
    compound: { sets: 3, reps: 15, restSeconds: 30 },
    isolation: { sets: 2, reps: 20, restSeconds: 30 },
    cardioShare: 0.4,
  },
};

const holdSecondsByLevel: Record<ExerciseLevel, number> = {
  beginner: 30,
  intermediate: 45,
  advanced: 60,
};

/** Sets, and reps or seconds per set, for one exercise: what the member sees. */
export type Prescription = Pick<PlannedExercise, 'sets' | 'reps' | 'seconds'>;

const isCardio = (exercise: LibraryExercise) =>
  exercise.type === 'cardio' || exercise.type === 'plyometric';

function setScheme(exercise: LibraryExercise, goal: FitnessGoal): SetScheme {
  const training = goalTraining[goal];
  const usesCompoundRow = exercise.type === 'strength' && exercise.mechanics === 'compound';
  return usesCompoundRow ? training.compound : training.isolation;
}

/** Seconds of rest between two sets of this exercise under this goal. */
export function restSecondsBetweenSets(exercise: LibraryExercise, goal: FitnessGoal): number {
  if (exercise.type === 'mobility') return MOBILITY_REST_SECONDS;
  if (isCardio(exercise)) return exercise.measuredBy === 'continuous' ? 0 : INTERVAL_REST_SECONDS;
  return setScheme(exercise, goal).restSeconds;
}

/** Strength, core or mobility work: the goal's sets and reps, or holds sized by level. */
export function prescribeWork(
  exercise: LibraryExercise,
  goal: FitnessGoal,
  level: ExerciseLevel,
): Prescription {
  if (exercise.type === 'mobility') {
    return exercise.measuredBy === 'reps'
      ? { sets: 2, reps: 10, seconds: null }
      : { sets: 2, reps: null, seconds: 30 };
  }
  const scheme = setScheme(exercise, goal);
  return exercise.measuredBy === 'reps'
    ? { sets: scheme.sets, reps: scheme.reps, seconds: null }
    : { sets: scheme.sets, reps: null, seconds: holdSecondsByLevel[level] };
}

/** A cardio block of about `blockSeconds`: one continuous bout, or as many intervals as fit. */
export function prescribeCardioBlock(
  exercise: LibraryExercise,
  blockSeconds: number,
): Prescription {
  if (exercise.measuredBy === 'continuous') return { sets: 1, reps: null, seconds: blockSeconds };
  const rounds = Math.floor(
    (blockSeconds + INTERVAL_REST_SECONDS) / (INTERVAL_WORK_SECONDS + INTERVAL_REST_SECONDS),
  );
  return { sets: Math.max(1, rounds), reps: null, seconds: INTERVAL_WORK_SECONDS };
}

/** Estimated seconds for one exercise: work, rest between sets, and moving to the next. */
export function exerciseSeconds(prescription: Prescription, restSeconds: number): number {
  const workPerSet = prescription.seconds ?? (prescription.reps ?? 0) * SECONDS_PER_REP;
  return (
    prescription.sets * workPerSet + (prescription.sets - 1) * restSeconds + TRANSITION_SECONDS
  );
}

/** How a session's minutes are spent before any exercise is chosen. */
export interface SessionBudget {
  warmUpSeconds: number;
  /** The cardio block's own length; its exercise also costs a transition. 0 means none. */
  cardioBlockSeconds: number;
  /** What remains for strength, core and mobility work. */
  workSeconds: number;
}

const roundDownToHalfMinute = (seconds: number) => Math.floor(seconds / 30) * 30;

/** The warm-up: a tenth of the session, at least 3 and at most 10 minutes. */
export function warmUpSeconds(sessionMinutes: number): number {
  return Math.min(10, Math.max(3, Math.floor(sessionMinutes / 10))) * 60;
}

/**
 * Splits a session into warm-up, cardio block and work time. Every part grows (or stays) as the
 * session grows, so a longer session never gets fewer exercises.
 */
export function sessionBudget(
  sessionMinutes: number,
  cardioShare: number,
  maxCardioSeconds = MAX_FINISHER_SECONDS,
): SessionBudget {
  const warmUp = warmUpSeconds(sessionMinutes);
  const afterWarmUp = sessionMinutes * 60 - warmUp;
  const cardioBlockSeconds =
    cardioShare > 0
      ? Math.min(
          maxCardioSeconds,
          roundDownToHalfMinute(Math.max(MIN_FINISHER_SECONDS, cardioShare * afterWarmUp)),
        )
      : 0;
  const cardioCost = cardioBlockSeconds > 0 ? cardioBlockSeconds + TRANSITION_SECONDS : 0;
  return { warmUpSeconds: warmUp, cardioBlockSeconds, workSeconds: afterWarmUp - cardioCost };
}
