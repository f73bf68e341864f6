import { exerciseLibrary, type ContraindicationTag } from './exercise-library.data.js';
import type { ExercisePool } from './exercise-pool.js';
import { contraindicationDescriptions, type InterpretedConditions } from './health-conditions.js';
import {
  goalTraining,
  SECONDS_PER_REP,
  TRANSITION_SECONDS,
  type SessionBudget,
} from './training-prescription.js';
import { emphasisSlot, type WeekSplit } from './training-splits.js';
import type { FitnessGoal, PlannerInput } from './workout-planner.schemas.js';

/**
 * The plan's explanation: one plain sentence per rule the planner applied, in the order a
 * member would ask about them (what split, which exercises, how hard, how long, what was left
 * out for their health, where it had to improvise).
 */

/** A slot on a day that got a bodyweight stand-in because nothing safe trained its muscles. */
export interface StandInUse {
  dayOrder: number;
  slotLabel: string;
  exerciseName: string;
}

/** What the planner decided, for explaining it. */
export interface PlanFacts {
  input: PlannerInput;
  split: WeekSplit;
  pool: ExercisePool;
  conditions: InterpretedConditions;
  budget: SessionBudget;
  standIns: readonly StandInUse[];
}

const EXAMPLES_PER_CONDITION = 3;

const readable = (tag: string) => tag.replaceAll('_', ' ');
const quoted = (texts: readonly string[]) => texts.map((text) => `"${text}"`).join(', ');
const minutes = (seconds: number) => Math.round(seconds / 60);

const levelLines = {
  beginner: 'Level: beginner, so only beginner exercises.',
  intermediate: 'Level: intermediate, so beginner and intermediate exercises.',
  advanced: 'Level: advanced, so exercises of every level.',
} as const;

const goalReasons: Record<FitnessGoal, string> = {
  build_muscle: 'moderate reps with full rest build muscle',
  maintain: 'enough volume to keep what you have, plus a little cardio',
  general_fitness: 'balanced strength work with some cardio',
  lose_weight: 'short rests keep the heart rate up and the cardio finisher burns more energy',
  improve_endurance:
    'high reps with short rests (they can be done as a circuit) and a long cardio block',
};

function emphasisLine(input: PlannerInput, split: WeekSplit): string[] {
  if (!input.focus || !emphasisSlot(input.focus)) return [];
  return [
    `Emphasis: every ${split.name} strength day adds one more ${input.focus} exercise, second in priority so short sessions keep it.`,
  ];
}

function equipmentLine(input: PlannerInput, pool: ExercisePool): string {
  const listed = input.equipment.filter((item) => item !== 'bodyweight').map(readable);
  const kit = listed.length > 0 ? listed.join(', ') : 'none listed';
  return `Equipment: ${kit}; bodyweight exercises are always included. ${pool.eligibleCount} of the ${exerciseLibrary.length} built-in exercises suit your equipment and level.`;
}

function goalLine(goal: FitnessGoal, budget: SessionBudget): string {
  const { compound, isolation } = goalTraining[goal];
  const finisher =
    budget.cardioBlockSeconds > 0
      ? `, then a cardio finisher of about ${minutes(budget.cardioBlockSeconds)} minutes`
      : ', and no cardio finisher';
  return `Goal ${readable(goal)}: compound lifts ${compound.sets} × ${compound.reps} with ${compound.restSeconds} s rest, isolation and core ${isolation.sets} × ${isolation.reps} with ${isolation.restSeconds} s rest${finisher}, because ${goalReasons[goal]}. Timed exercises show seconds per set instead of reps.`;
}

function timeLine(input: PlannerInput, budget: SessionBudget): string {
  return `Time: each session fits ${input.sessionMinutes} minutes: a ${minutes(budget.warmUpSeconds)}-minute warm-up, then exercises in priority order while they fit, counting ${SECONDS_PER_REP} s per rep, the rest between sets and ${TRANSITION_SECONDS} s to set up each exercise.`;
}

function exclusionLine(tag: ContraindicationTag, pool: ExercisePool): string {
  const excluded = pool.excludedByCondition.get(tag) ?? [];
  if (excluded.length === 0) {
    return `For ${readable(tag)}: none of the exercises that suit your equipment and level needed leaving out.`;
  }
  const examples = excluded.slice(0, EXAMPLES_PER_CONDITION).map((exercise) => exercise.name);
  return `For ${readable(tag)}: left out ${excluded.length} exercises (${contraindicationDescriptions[tag]}), such as ${examples.join(', ')}.`;
}

function healthLines(conditions: InterpretedConditions, pool: ExercisePool): string[] {
  const lines: string[] = [];
  if (conditions.recognised.length === 0 && conditions.notUnderstood.length === 0) {
    lines.push('Health: no conditions given, so nothing was left out for safety.');
  }
  if (conditions.recognised.length > 0) {
    const readings = conditions.recognised.map(
      (condition) => `"${condition.text}" as ${condition.tags.map(readable).join(' and ')}`,
    );
    lines.push(`Health: read ${readings.join('; ')}.`);
    lines.push(...conditions.tags.map((tag) => exclusionLine(tag, pool)));
    const totalExcluded = new Set(
      [...pool.excludedByCondition.values()].flat().map((exercise) => exercise.id),
    ).size;
    lines.push(
      `In all, ${totalExcluded} exercises were left out for your health and none of them appears in this plan; ${pool.usable.length} remain to choose from.`,
    );
  }
  if (conditions.notUnderstood.length > 0) {
    lines.push(
      `Not understood: ${quoted(conditions.notUnderstood)}. Nothing was left out for ${conditions.notUnderstood.length === 1 ? 'it' : 'them'}; ask a doctor or coach which exercises are safe for you.`,
    );
  }
  return lines;
}

function standInLines(standIns: readonly StandInUse[], input: PlannerInput): string[] {
  if (standIns.length === 0) return [];
  const daysBySlot = new Map<string, Set<number>>();
  for (const use of standIns) {
    daysBySlot.set(use.slotLabel, (daysBySlot.get(use.slotLabel) ?? new Set()).add(use.dayOrder));
  }
  const gaps = [...daysBySlot].map(
    ([slotLabel, days]) => `${slotLabel} (day ${[...days].join(', ')})`,
  );
  // With little or no kit, the honest fix is more kit; say so rather than leave gaps unexplained.
  const hint =
    input.equipment.length < 3
      ? ' A resistance band, a pair of dumbbells or a pull-up bar would fill most of these gaps.'
      : '';
  return [
    `Stand-ins: nothing safe for your equipment, level and health trains ${gaps.join('; ')}, so a bodyweight core or mobility exercise takes each of those places.${hint}`,
  ];
}

/** The explanation lines for a plan; see the file comment for their order. */
export function explainPlan(facts: PlanFacts): string[] {
  const { input, split, pool, conditions, budget } = facts;
  return [
    split.rule,
    ...emphasisLine(input, split),
    levelLines[input.level],
    equipmentLine(input, pool),
    goalLine(input.goal, budget),
    timeLine(input, budget),
    ...healthLines(conditions, pool),
    ...standInLines(facts.standIns, input),
    'Order: compound lifts first, then isolation, core, mobility and cardio. No exercise repeats within a day, and each slot rotates through its options so repeated days differ.',
  ];
}
