import type { FoodEntry, MealRole } from './food-table.data.js';

/*
 * Portion sizes for a planned meal or day: whole 5 g steps within bounds around each food's
 * typical serving, chosen to match energy and macro targets. Plain greedy descent, so the result
 * is deterministic and every step could be replayed by hand.
 */

/** A day's calories land within this fraction of the target. */
export const CALORIE_TOLERANCE = 0.1;
/** A day's protein lands within this fraction of the target. */
export const PROTEIN_TOLERANCE = 0.15;
/** Every portion is a whole number of these grams. */
export const GRAM_STEP = 5;

/** The meal roles the planner fills; `none` foods are never planned. */
export type PlannedRole = Exclude<MealRole, 'none'>;

/** Energy in kcal, macros in grams. */
export interface MacroAmounts {
  calories: number;
  protein: number;
  carbs: number;
  fat: number;
}

export interface Portion {
  food: FoodEntry;
  role: PlannedRole;
  grams: number;
  min: number;
  max: number;
}

/** Portions aiming at one meal's share of the day. */
export interface PortionedMeal {
  target: MacroAmounts;
  portions: Portion[];
}

// Portions stay between these multiples of a food's typical serving: enough room to scale a
// plan from 1200 to well over 4000 kcal without a plate of oil or a bucket of rice.
const PORTION_RANGE: Record<PlannedRole, readonly [number, number]> = {
  protein: [0.25, 3],
  carb: [0.25, 4],
  produce: [0.5, 2.5],
  fat: [0.25, 4],
  main: [0.5, 2.5],
};

// How much each kind of miss weighs: one over the square of its tolerance, so a miss at the
// edge of the calorie band weighs as much as one at the edge of the protein band. Carbohydrate
// and fat (±40%) only steer the choice between otherwise equal portions.
const ERROR_WEIGHTS = {
  calories: 1 / CALORIE_TOLERANCE ** 2,
  protein: 1 / PROTEIN_TOLERANCE ** 2,
  carbs: 1 / 0.4 ** 2,
  fat: 1 / 0.4 ** 2,
} as const;
// Keeps portions near a typical serving when that costs (almost) nothing in accuracy.
const TYPICAL_SERVING_PULL = 0.05;
// The day pass still cares a little about each meal keeping its share.
const MEAL_SHARE_WEIGHT = 0.25;
const MAX_TUNING_ROUNDS = 400;
const TUNING_STEPS = [100, 50, 25, 10, 5] as const;

const roundToStep = (grams: number) => Math.round(grams / GRAM_STEP) * GRAM_STEP;

/** A portion at the food's typical serving; an optional one may be tuned down to nothing. */
export function newPortion(food: FoodEntry, role: PlannedRole, optional = false): Portion {
  const [low, high] = PORTION_RANGE[role];
  const min = optional ? 0 : Math.max(GRAM_STEP, roundToStep(food.typicalServingG * low));
  const max = Math.max(min, roundToStep(food.typicalServingG * high));
  const grams = Math.min(max, Math.max(min, roundToStep(food.typicalServingG)));
  return { food, role, grams, min, max };
}

/** Energy and macros of `grams` of a food. */
export function macrosOf(food: FoodEntry, grams: number): MacroAmounts {
  const factor = grams / 100;
  return {
    calories: food.per100g.calories * factor,
    protein: food.per100g.protein * factor,
    carbs: food.per100g.carbs * factor,
    fat: food.per100g.fat * factor,
  };
}

/** Energy and macros of a set of portions together. */
export function portionsMacros(portions: readonly Portion[]): MacroAmounts {
  const total = { calories: 0, protein: 0, carbs: 0, fat: 0 };
  for (const portion of portions) {
    const macros = macrosOf(portion.food, portion.grams);
    total.calories += macros.calories;
    total.protein += macros.protein;
    total.carbs += macros.carbs;
    total.fat += macros.fat;
  }
  return total;
}

/** Signed miss as a fraction of the target (targets under 1 count as 1, so zero is safe). */
export function relativeMiss(actual: number, target: number): number {
  return (actual - target) / Math.max(target, 1);
}

function targetMiss(actual: MacroAmounts, target: MacroAmounts): number {
  return (
    ERROR_WEIGHTS.calories * relativeMiss(actual.calories, target.calories) ** 2 +
    ERROR_WEIGHTS.protein * relativeMiss(actual.protein, target.protein) ** 2 +
    ERROR_WEIGHTS.carbs * relativeMiss(actual.carbs, target.carbs) ** 2 +
    ERROR_WEIGHTS.fat * relativeMiss(actual.fat, target.fat) ** 2
  );
}

function servingPull(portions: readonly Portion[]): number {
  let pull = 0;
  for (const portion of portions) {
    pull += relativeMiss(portion.grams, portion.food.typicalServingG) ** 2;
  }
  return TYPICAL_SERVING_PULL * pull;
}

/**
 * Greedy descent on the gram grid: each round applies the single portion change (±5 to ±100 g,
 * within bounds) that lowers the score most, until no change helps.
 */
function descend(portions: readonly Portion[], score: () => number): void {
  let best = score();
  for (let round = 0; round < MAX_TUNING_ROUNDS; round += 1) {
    let move: { portion: Portion; grams: number } | undefined;
    for (const portion of portions) {
      const current = portion.grams;
      for (const step of TUNING_STEPS) {
        for (const grams of [current + step, current - step]) {
          if (grams < portion.min || grams > portion.max) continue;
          portion.grams = grams;
          const candidate = score();
          if (candidate < best - 1e-12) {
            best = candidate;
            move = { portion, grams };
          }
        }
      }
      portion.grams = current;
    }
    if (!move) return;
    move.portion.grams = move.grams;
  }
}

/** Sizes a meal's portions to match its target. */
export function tuneMeal(meal: PortionedMeal): void {
  descend(
    meal.portions,
    () => targetMiss(portionsMacros(meal.portions), meal.target) + servingPull(meal.portions),
  );
}

/** Re-sizes a whole day's portions so the day's totals match, keeping meals near their share. */
export function tuneDay(meals: readonly PortionedMeal[], dayTarget: MacroAmounts): void {
  const portions = meals.flatMap((meal) => meal.portions);
  descend(portions, () => {
    let mealMisses = 0;
    for (const meal of meals) mealMisses += targetMiss(portionsMacros(meal.portions), meal.target);
    return (
      targetMiss(portionsMacros(portions), dayTarget) +
      MEAL_SHARE_WEIGHT * mealMisses +
      servingPull(portions)
    );
  });
}
