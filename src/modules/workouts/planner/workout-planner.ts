import { exerciseLibrary, type LibraryExercise } from './exercise-library.data.js';
import {
  buildExercisePool,
  CandidateRotation,
  pickForSlot,
  type ExercisePool,
  type SlotPick,
} from './exercise-pool.js';
import { interpretHealthConditions } from './health-conditions.js';
import { explainPlan, type StandInUse } from './plan-explanation.js';
import {
  exerciseSeconds,
  goalTraining,
  MAX_INTERVAL_BLOCK_SECONDS,
  prescribeCardioBlock,
  prescribeWork,
  restSecondsBetweenSets,
  sessionBudget,
  warmUpSeconds,
  type Prescription,
  type SessionBudget,
} from './training-prescription.js';
import {
  chooseSplit,
  daySlots,
  emphasisSlot,
  type DayTemplate,
  type ExerciseSlot,
} from './training-splits.js';
import {
  plannerInputSchema,
  type FitnessGoal,
  type PlannedWorkout,
  type PlannedWorkoutDay,
  type PlannerInput,
} from './workout-planner.schemas.js';

/**
 * The built-in workout planner: the product's answer when no AI planning service does.
 * Pure and deterministic (no randomness, no clock): the same input always gives the same plan,
 * and every rule it applies is written out in the plan's `explanation`.
 *
 * 1. Health: free-text conditions become contraindication tags (health-conditions.ts); text
 *    it cannot read is reported, never guessed.
 * 2. Pool: exercises the member has the equipment for, at or below their level, and with no
 *    contraindication among their tags (exercise-pool.ts). Nothing outside the pool is ever
 *    planned, stand-ins included.
 * 3. Split: days per week and focus choose the kind of each day (training-splits.ts); 7 days
 *    always include an active-recovery and mobility day.
 * 4. Slots: each day is a priority list of slots (main compound lifts, then accessories). Each
 *    slot takes the next candidate in a week-long rotation that today has not used, so nothing
 *    repeats within a day and repeated days vary. A slot nothing safe can fill gets a
 *    bodyweight core or mobility stand-in, and the explanation says so.
 * 5. Dose and time: sets, reps and rest come from the goal (training-prescription.ts). A
 *    session is a warm-up, the cardio finisher the goal asks for, and as many slots, in
 *    priority order, as fit the remaining minutes; so a longer session never has fewer
 *    exercises and the estimate never exceeds the session.
 * 6. Order: compound lifts first, then isolation, core, mobility and the cardio finisher.
 */

/** The recovery day's easy cardio: at most this long, and this share of the session. */
const RECOVERY_CARDIO_SHARE = 0.4;
const RECOVERY_CARDIO_MAX_SECONDS = 20 * 60;

/** An exercise as planned, with the time it is expected to take. */
interface PlannedItem {
  exercise: LibraryExercise;
  prescription: Prescription;
  restSeconds: number;
  seconds: number;
}

interface PlanningContext {
  input: PlannerInput;
  pool: ExercisePool;
  rotation: CandidateRotation;
  emphasis: ExerciseSlot | null;
  standIns: StandInUse[];
}

const libraryById = new Map(exerciseLibrary.map((exercise) => [exercise.id, exercise]));

function plannedItem(
  exercise: LibraryExercise,
  prescription: Prescription,
  goal: FitnessGoal,
): PlannedItem {
  const restSeconds = restSecondsBetweenSets(exercise, goal);
  return {
    exercise,
    prescription,
    restSeconds,
    seconds: exerciseSeconds(prescription, restSeconds),
  };
}

/** Fewer sets until the item fits, for the rare session too short for even one full exercise. */
function shrinkToFit(item: PlannedItem, budgetSeconds: number): PlannedItem {
  let sets = item.prescription.sets;
  const cost = (count: number) =>
    exerciseSeconds({ ...item.prescription, sets: count }, item.restSeconds);
  while (sets > 1 && cost(sets) > budgetSeconds) sets--;
  return { ...item, prescription: { ...item.prescription, sets }, seconds: cost(sets) };
}

/** The longest prefix of the priority list that fits; at least one (shrunk) exercise. */
function fitToBudget(items: readonly PlannedItem[], budgetSeconds: number): PlannedItem[] {
  const kept: PlannedItem[] = [];
  let spent = 0;
  for (const item of items) {
    if (spent + item.seconds > budgetSeconds) break;
    kept.push(item);
    spent += item.seconds;
  }
  const first = items[0];
  if (kept.length === 0 && first) return [shrinkToFit(first, budgetSeconds)];
  return kept;
}

const orderRank = (exercise: LibraryExercise): number => {
  if (exercise.type === 'strength') return exercise.mechanics === 'compound' ? 0 : 1;
  const ranks = { core: 2, mobility: 3, plyometric: 4, cardio: 4 } as const;
  return ranks[exercise.type];
};

/** Every slot's pick for the day, chosen before the budget cuts so picks never depend on it. */
function pickDay(slots: readonly ExerciseSlot[], context: PlanningContext): SlotPick[] {
  const usedToday = new Set<string>();
  const picks: SlotPick[] = [];
  for (const slot of slots) {
    const pick = pickForSlot(slot, context.pool, context.rotation, usedToday);
    if (!pick) continue;
    usedToday.add(pick.exercise.id);
    picks.push(pick);
  }
  return picks;
}

function cardioCandidates(pool: ExercisePool, blockSeconds: number): LibraryExercise[] {
  const continuousOnly = blockSeconds > MAX_INTERVAL_BLOCK_SECONDS;
  return pool.usable.filter(
    (exercise) =>
      (exercise.type === 'cardio' || exercise.type === 'plyometric') &&
      (exercise.measuredBy === 'continuous' ||
        (exercise.measuredBy === 'timed_sets' && !continuousOnly)),
  );
}

function cardioFinisher(blockSeconds: number, context: PlanningContext): PlannedItem | null {
  if (blockSeconds === 0) return null;
  const candidates = cardioCandidates(context.pool, blockSeconds);
  const exercise = context.rotation.pick('cardio-finisher', candidates, new Set());
  if (!exercise) return null;
  return plannedItem(exercise, prescribeCardioBlock(exercise, blockSeconds), context.input.goal);
}

function recoveryCardio(blockSeconds: number, context: PlanningContext): PlannedItem | null {
  const easy = context.pool.usable.filter(
    (exercise) =>
      exercise.type === 'cardio' &&
      exercise.measuredBy === 'continuous' &&
      exercise.level === 'beginner',
  );
  const exercise = context.rotation.pick('recovery-cardio', easy, new Set());
  if (!exercise) return null;
  return plannedItem(exercise, prescribeCardioBlock(exercise, blockSeconds), context.input.goal);
}

function dayBudget(template: DayTemplate, input: PlannerInput): SessionBudget {
  return template.kind === 'recovery'
    ? sessionBudget(input.sessionMinutes, RECOVERY_CARDIO_SHARE, RECOVERY_CARDIO_MAX_SECONDS)
    : sessionBudget(input.sessionMinutes, goalTraining[input.goal].cardioShare);
}

function dayLabel(template: DayTemplate, context: PlanningContext): string {
  const focus = context.input.focus;
  if (template.kind === 'recovery' || !context.emphasis || !focus) return template.label;
  return `${template.label}, with extra ${focus}`;
}

function planDay(
  template: DayTemplate,
  occurrence: number,
  dayOrder: number,
  context: PlanningContext,
): PlannedWorkoutDay {
  const { input } = context;
  const budget = dayBudget(template, input);
  // The cardio block is chosen first: it is reserved in the budget before any slot is filled.
  const cardio =
    template.kind === 'recovery'
      ? recoveryCardio(budget.cardioBlockSeconds, context)
      : cardioFinisher(budget.cardioBlockSeconds, context);
  const picks = pickDay(daySlots(template, occurrence, context.emphasis), context);
  const items = picks.map((pick) =>
    plannedItem(pick.exercise, prescribeWork(pick.exercise, input.goal, input.level), input.goal),
  );
  const kept = fitToBudget(items, budget.workSeconds);
  for (const pick of picks.slice(0, kept.length).filter((candidate) => candidate.isFallback)) {
    context.standIns.push({
      dayOrder,
      slotLabel: pick.slot.label,
      exerciseName: pick.exercise.name,
    });
  }
  const ordered = kept.toSorted((a, b) => orderRank(a.exercise) - orderRank(b.exercise));
  return {
    muscleGroup: dayLabel(template, context),
    dayOrder,
    exercises: [...ordered, ...(cardio ? [cardio] : [])].map((item) => ({
      exerciseId: item.exercise.id,
      exerciseName: item.exercise.name,
      ...item.prescription,
    })),
  };
}

function planDays(
  templates: readonly DayTemplate[],
  context: PlanningContext,
): PlannedWorkoutDay[] {
  const seen = new Map<DayTemplate, number>();
  return templates.map((template, index) => {
    const occurrence = seen.get(template) ?? 0;
    seen.set(template, occurrence + 1);
    return planDay(template, occurrence, index + 1, context);
  });
}

const goalPhrases: Record<FitnessGoal, string> = {
  build_muscle: 'to build muscle',
  lose_weight: 'to lose weight',
  maintain: 'to maintain fitness',
  improve_endurance: 'to improve endurance',
  general_fitness: 'for general fitness',
};

/** A week of workouts for this member; see the rules at the top of this file. */
export function planWorkout(rawInput: PlannerInput): PlannedWorkout {
  const input = plannerInputSchema.parse(rawInput);
  const conditions = interpretHealthConditions(input.healthConditions);
  const pool = buildExercisePool(input.equipment, input.level, conditions.tags);
  const split = chooseSplit(input.daysPerWeek, input.focus);
  const context: PlanningContext = {
    input,
    pool,
    rotation: new CandidateRotation(),
    emphasis: emphasisSlot(input.focus),
    standIns: [],
  };
  const workoutDays = planDays(split.days, context);
  return {
    planName: `${input.daysPerWeek}-day ${split.name} plan ${goalPhrases[input.goal]}`,
    workoutDays,
    explanation: explainPlan({
      input,
      split,
      pool,
      conditions,
      budget: sessionBudget(input.sessionMinutes, goalTraining[input.goal].cardioShare),
      standIns: context.standIns,
    }),
  };
}

/**
 * Estimated minutes for a planned day, by the planner's own time model: the warm-up plus each
 * exercise's work, rest between sets and set-up. Exercises not in the built-in library (a plan
 * edited by hand) are counted without rest.
 */
export function estimateDayMinutes(
  day: PlannedWorkoutDay,
  input: Pick<PlannerInput, 'goal' | 'sessionMinutes'>,
): number {
  const exerciseTotal = day.exercises.reduce((total, planned) => {
    const exercise = libraryById.get(planned.exerciseId);
    const rest = exercise ? restSecondsBetweenSets(exercise, input.goal) : 0;
    return total + exerciseSeconds(planned, rest);
  }, 0);
  return (warmUpSeconds(input.sessionMinutes) + exerciseTotal) / 60;
}
