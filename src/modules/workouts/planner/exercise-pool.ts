import {
  exerciseLibrary,
  exerciseLevels,
  type ContraindicationTag,
  type Equipment,
  type ExerciseLevel,
  type LibraryExercise,
} from './exercise-library.data.js';
import type { ExerciseSlot } from './training-splits.js';

/**
 * The exercises one member may do, and how the planner picks among them.
 *
 * An exercise is usable when the member has all its equipment (bodyweight is always there),
 * its level is at or below theirs (a beginner gets beginner exercises, an intermediate also
 * beginner ones, an advanced member everything), and none of its contraindications is one of
 * theirs. Usable exercises are ordered by closeness to the member's level, then exercises that
 * use their equipment before bodyweight-only ones (someone who lists a gym's kit expects to use
 * it), then library order. Picks rotate through that order, so every choice is deterministic.
 */

/** The usable exercises in preference order, and what the member's conditions ruled out. */
export interface ExercisePool {
  usable: readonly LibraryExercise[];
  /** How many exercises equipment and level allow, before health is considered. */
  eligibleCount: number;
  /** Exercises equipment and level allow but a condition rules out, per condition. */
  excludedByCondition: ReadonlyMap<ContraindicationTag, readonly LibraryExercise[]>;
}

const levelRank = (level: ExerciseLevel) => exerciseLevels.indexOf(level);
const libraryPosition = new Map(exerciseLibrary.map((exercise, index) => [exercise.id, index]));
const needsNothing = (exercise: LibraryExercise) =>
  exercise.equipment.every((item) => item === 'bodyweight');

function preferenceOrder(memberLevel: ExerciseLevel, hasEquipment: boolean) {
  const levelDistance = (exercise: LibraryExercise) =>
    levelRank(memberLevel) - levelRank(exercise.level);
  const bodyweightLast = (exercise: LibraryExercise) =>
    hasEquipment && needsNothing(exercise) ? 1 : 0;
  return (a: LibraryExercise, b: LibraryExercise) =>
    levelDistance(a) - levelDistance(b) ||
    bodyweightLast(a) - bodyweightLast(b) ||
    (libraryPosition.get(a.id) ?? 0) - (libraryPosition.get(b.id) ?? 0);
}

/** The member's exercise pool; see the rules at the top of the file. */
export function buildExercisePool(
  equipment: readonly Equipment[],
  level: ExerciseLevel,
  conditions: readonly ContraindicationTag[],
): ExercisePool {
  const available = new Set<Equipment>(['bodyweight', ...equipment]);
  const eligible = exerciseLibrary.filter(
    (exercise) =>
      exercise.equipment.every((item) => available.has(item)) &&
      levelRank(exercise.level) <= levelRank(level),
  );
  const unsafe = new Set(conditions);
  const hasEquipment = available.size > 1;
  const usable = eligible
    .filter((exercise) => !exercise.contraindications.some((tag) => unsafe.has(tag)))
    .toSorted(preferenceOrder(level, hasEquipment));
  const excludedByCondition = new Map(
    conditions.map((tag) => [
      tag,
      eligible.filter((exercise) => exercise.contraindications.includes(tag)),
    ]),
  );
  return { usable, eligibleCount: eligible.length, excludedByCondition };
}

function fitsSlot(exercise: LibraryExercise, slot: ExerciseSlot, strictMechanics: boolean) {
  // The first primary muscle is the main target: a split squat works the glutes too, but it is
  // not a hip hinge.
  const mainMuscle = exercise.primaryMuscles[0];
  const trainsMuscle =
    slot.muscles.length === 0 || (mainMuscle !== undefined && slot.muscles.includes(mainMuscle));
  const rightMechanics =
    !strictMechanics || !slot.mechanics || exercise.mechanics === slot.mechanics;
  return slot.types.includes(exercise.type) && trainsMuscle && rightMechanics;
}

/**
 * Round-robin through candidate lists, one position per key for the whole week, so the same
 * slot on another day starts after the exercise it chose last time.
 */
export class CandidateRotation {
  private readonly nextPosition = new Map<string, number>();

  /** The first candidate at or after the key's position that today has not used yet. */
  pick(
    key: string,
    candidates: readonly LibraryExercise[],
    usedToday: ReadonlySet<string>,
  ): LibraryExercise | null {
    const start = this.nextPosition.get(key) ?? 0;
    for (let offset = 0; offset < candidates.length; offset++) {
      const position = (start + offset) % candidates.length;
      const candidate = candidates[position];
      if (candidate && !usedToday.has(candidate.id)) {
        this.nextPosition.set(key, position + 1);
        return candidate;
      }
    }
    return null;
  }
}

/** An exercise chosen for a slot; `isFallback` when it is a stand-in for the slot's muscles. */
export interface SlotPick {
  slot: ExerciseSlot;
  exercise: LibraryExercise;
  isFallback: boolean;
}

/**
 * Fills a slot: an exercise for its muscles with its mechanics; else for its muscles with any
 * mechanics; else a bodyweight core or mobility exercise (still safe and within level) as a
 * stand-in; else nothing.
 */
export function pickForSlot(
  slot: ExerciseSlot,
  pool: ExercisePool,
  rotation: CandidateRotation,
  usedToday: ReadonlySet<string>,
): SlotPick | null {
  const exact = pool.usable.filter((exercise) => fitsSlot(exercise, slot, true));
  const exactPick = rotation.pick(slot.key, exact, usedToday);
  if (exactPick) return { slot, exercise: exactPick, isFallback: false };

  const relaxed = pool.usable.filter((exercise) => fitsSlot(exercise, slot, false));
  const relaxedPick = rotation.pick(`${slot.key}:relaxed-mechanics`, relaxed, usedToday);
  if (relaxedPick) return { slot, exercise: relaxedPick, isFallback: false };

  const standIns = pool.usable.filter(
    (exercise) =>
      (exercise.type === 'core' || exercise.type === 'mobility') && needsNothing(exercise),
  );
  const standIn = rotation.pick('stand-in', standIns, usedToday);
  return standIn ? { slot, exercise: standIn, isFallback: true } : null;
}
