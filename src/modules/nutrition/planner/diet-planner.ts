import { validationError, type FieldError } from '../../../lib/errors.js';
import { fitsPreferences, resolvePreferences } from './diet-preferences.js';
import { FoodRotation, PlanNotes, ROLE_LABELS } from './food-rotation.js';
import { foodTable, type Diet, type MealType } from './food-table.data.js';
import type { MacroTargets } from './nutrition-calculator.js';
import {
  CALORIE_TOLERANCE,
  GRAM_STEP,
  macrosOf,
  newPortion,
  portionsMacros,
  PROTEIN_TOLERANCE,
  relativeMiss,
  tuneDay,
  tuneMeal,
  type MacroAmounts,
  type PlannedRole,
  type PortionedMeal,
} from './portion-tuning.js';

/*
 * A deterministic diet-day planner over the built-in food table. Each meal is a plate (protein,
 * carbohydrate, vegetables or fruit, plus whatever else it needs) or, once a day when the
 * member's cuisines offer one, a complete dish with vegetables. Portions are tuned to each meal's
 * share of the day, then the whole day is balanced to within tolerance. Same input, same plan.
 */

export type { Diet } from './food-table.data.js';
export type { MacroAmounts } from './portion-tuning.js';
export { CALORIE_TOLERANCE, PROTEIN_TOLERANCE } from './portion-tuning.js';

export interface DietPlanRequest {
  targets: MacroTargets;
  /** 1–7. */
  days: number;
  /** 3–6: three main meals plus up to three snacks. */
  mealsPerDay: number;
  allergies: readonly string[];
  cuisinePreferences: readonly string[];
  /** Defaults to omnivore; "vegan" or "vegetarian" written in the free-text lists also count. */
  diet?: Diet;
}

export interface PlannedItem {
  foodId: string;
  foodName: string;
  grams: number;
  macros: MacroAmounts;
}

export interface PlannedMeal {
  mealType: MealType;
  items: PlannedItem[];
  macros: MacroAmounts;
}

export interface PlannedDay {
  dayOrder: number;
  meals: PlannedMeal[];
  totals: MacroAmounts;
}

export interface DietPlan {
  days: PlannedDay[];
  explanation: string[];
}

// Each snack takes 10% of the day; breakfast, lunch and dinner share the rest 25:35:30.
const SNACK_SHARE = 0.1;
const MAIN_MEAL_WEIGHTS = { breakfast: 25, lunch: 35, dinner: 30 } as const;
const MEAL_LAYOUTS: Readonly<Record<number, readonly MealType[]>> = {
  3: ['breakfast', 'lunch', 'dinner'],
  4: ['breakfast', 'lunch', 'snack', 'dinner'],
  5: ['breakfast', 'snack', 'lunch', 'snack', 'dinner'],
  6: ['breakfast', 'snack', 'lunch', 'snack', 'dinner', 'snack'],
};

// After tuning, a meal more than this short of its calories or protein gets another food.
const FILLER_MARGIN = 0.05;
const FILLER_ROLES = ['protein', 'fat', 'carb'] as const;
// Below this share of the meal's fat target the meal gets an added fat.
const FAT_NEEDED_BELOW = 0.7;
// A carbohydrate or protein portion above this many typical servings gets a second food beside
// it: two moderate portions read better than one huge one.
const CROWDED_SERVINGS = 2;

interface MealSlot {
  mealType: MealType;
  share: number;
}

interface MealDraft extends PortionedMeal {
  mealType: MealType;
}

/** What one day's planning needs: the rotation, the notes, and the foods eaten so far today. */
interface DayContext {
  rotation: FoodRotation;
  notes: PlanNotes;
  usedToday: Set<string>;
}

function checkRequest(request: DietPlanRequest): void {
  const errors: FieldError[] = [];
  const { targets, days, mealsPerDay } = request;
  if (!Number.isInteger(days) || days < 1 || days > 7) {
    errors.push({ path: 'days', message: 'must be a whole number from 1 to 7' });
  }
  if (!Number.isInteger(mealsPerDay) || mealsPerDay < 3 || mealsPerDay > 6) {
    errors.push({ path: 'mealsPerDay', message: 'must be a whole number from 3 to 6' });
  }
  if (!Number.isFinite(targets.calories) || targets.calories < 800 || targets.calories > 8000) {
    errors.push({ path: 'targets.calories', message: 'must be from 800 to 8000 kcal' });
  }
  for (const macro of ['protein', 'carbs', 'fat'] as const) {
    const grams = targets[macro];
    const minimum = macro === 'protein' ? 1 : 0;
    if (!Number.isFinite(grams) || grams < minimum) {
      errors.push({ path: `targets.${macro}`, message: `must be at least ${String(minimum)} g` });
    }
  }
  if (errors.length > 0) throw validationError('The diet plan request is invalid.', errors);
}

function mealSlots(mealsPerDay: number): MealSlot[] {
  const layout = MEAL_LAYOUTS[mealsPerDay] ?? [];
  const snacks = layout.filter((type) => type === 'snack').length;
  const mainShare = 1 - snacks * SNACK_SHARE;
  const weightTotal =
    MAIN_MEAL_WEIGHTS.breakfast + MAIN_MEAL_WEIGHTS.lunch + MAIN_MEAL_WEIGHTS.dinner;
  return layout.map((mealType) => ({
    mealType,
    share:
      mealType === 'snack' ? SNACK_SHARE : (mainShare * MAIN_MEAL_WEIGHTS[mealType]) / weightTotal,
  }));
}

function describeSlots(slots: readonly MealSlot[]): string {
  const parts = slots.map(
    (slot) => `${slot.mealType} ${String(Math.round(slot.share * 1000) / 10)}%`,
  );
  return `Each day's targets are split across meals: ${parts.join(', ')} (snacks 10% each; breakfast, lunch and dinner share the rest 25:35:30).`;
}

function scaleTargets(targets: MacroTargets, share: number): MacroAmounts {
  return {
    calories: targets.calories * share,
    protein: targets.protein * share,
    carbs: targets.carbs * share,
    fat: targets.fat * share,
  };
}

// ---------------------------------------------------------------------------------------------
// Composing meals

function addFood(day: DayContext, meal: MealDraft, role: PlannedRole, optional = false): boolean {
  const food = day.rotation.pick(
    { mealType: meal.mealType, role, target: meal.target },
    day.usedToday,
  );
  if (food) meal.portions.push(newPortion(food, role, optional));
  return food !== undefined;
}

function addRequired(day: DayContext, meal: MealDraft, role: PlannedRole): void {
  if (addFood(day, meal, role)) return;
  day.notes.add(
    `No allowed ${ROLE_LABELS[role]} for ${meal.mealType}: that part of the meal is left out.`,
  );
}

// A snack is small enough that either of its foods may be tuned away entirely.
function composeSnack(day: DayContext, meal: MealDraft): void {
  const add = (role: PlannedRole) => addFood(day, meal, role, true);
  if (!add('protein')) add('fat');
  if (!add('produce')) add('carb');
  if (meal.portions.length === 0) day.notes.add('No allowed snack foods: snacks are left empty.');
}

// Once a day, alternating lunch and dinner, a main meal is a dish when the cuisines offer one.
function wantsDish(dayIndex: number, mealType: MealType): boolean {
  if (mealType !== 'lunch' && mealType !== 'dinner') return false;
  const ordinal = mealType === 'lunch' ? 0 : 1;
  return (dayIndex + ordinal) % 2 === 1;
}

function composeBase(day: DayContext, meal: MealDraft, dayIndex: number): void {
  if (meal.mealType === 'snack') return composeSnack(day, meal);
  if (wantsDish(dayIndex, meal.mealType) && addFood(day, meal, 'main')) {
    addRequired(day, meal, 'produce');
    return;
  }
  for (const role of ['protein', 'carb', 'produce'] as const) addRequired(day, meal, role);
}

/** Whether the tuned meal still lacks what a food of this role would supply. */
function needsMore(meal: MealDraft, role: PlannedRole): boolean {
  const actual = portionsMacros(meal.portions);
  const { target } = meal;
  const caloriesShort = actual.calories < (1 - FILLER_MARGIN) * target.calories;
  if (role === 'protein') return actual.protein < (1 - FILLER_MARGIN) * target.protein;
  if (role === 'fat') return caloriesShort || actual.fat < FAT_NEEDED_BELOW * target.fat;
  return caloriesShort;
}

/** The role of the first carbohydrate or protein portion grown past a comfortable size. */
function crowdedRole(meal: MealDraft): PlannedRole | undefined {
  return meal.portions.find(
    (portion) =>
      (portion.role === 'carb' || portion.role === 'protein') &&
      portion.grams > CROWDED_SERVINGS * portion.food.typicalServingG,
  )?.role;
}

/**
 * Tunes the meal, then adds a protein, a fat and a carbohydrate in that order, each only when
 * the portions so far cannot reach the meal's share without it; finally, when one portion has
 * grown past a comfortable size, a second food of its kind shares the load. Added foods may be
 * tuned down to nothing.
 */
function completeMeal(day: DayContext, meal: MealDraft): void {
  tuneMeal(meal);
  for (const role of FILLER_ROLES) {
    if (needsMore(meal, role) && addFood(day, meal, role, true)) tuneMeal(meal);
  }
  const crowded = crowdedRole(meal);
  if (crowded && addFood(day, meal, crowded, true)) tuneMeal(meal);
}

// ---------------------------------------------------------------------------------------------
// Presenting

function roundMacros(macros: MacroAmounts): MacroAmounts {
  const tenth = (value: number) => Math.round(value * 10) / 10;
  return {
    calories: Math.round(macros.calories),
    protein: tenth(macros.protein),
    carbs: tenth(macros.carbs),
    fat: tenth(macros.fat),
  };
}

function presentMeal(meal: MealDraft): PlannedMeal {
  return {
    mealType: meal.mealType,
    items: meal.portions
      .filter((portion) => portion.grams > 0)
      .map((portion) => ({
        foodId: portion.food.id,
        foodName: portion.food.name,
        grams: portion.grams,
        macros: roundMacros(macrosOf(portion.food, portion.grams)),
      })),
    macros: roundMacros(portionsMacros(meal.portions)),
  };
}

function toleranceMiss(day: PlannedDay, targets: MacroTargets): string | undefined {
  const calorieMiss = relativeMiss(day.totals.calories, targets.calories);
  const proteinMiss = relativeMiss(day.totals.protein, targets.protein);
  const misses: string[] = [];
  if (Math.abs(calorieMiss) > CALORIE_TOLERANCE) {
    misses.push(`calories ${String(Math.round(calorieMiss * 100))}%`);
  }
  if (Math.abs(proteinMiss) > PROTEIN_TOLERANCE) {
    misses.push(`protein ${String(Math.round(proteinMiss * 100))}%`);
  }
  if (misses.length === 0) return undefined;
  return `Day ${String(day.dayOrder)} misses its targets (${misses.join(', ')}): the allowed foods cannot get closer within sensible portions.`;
}

// ---------------------------------------------------------------------------------------------
// Planning

function planDay(
  context: Omit<DayContext, 'usedToday'>,
  targets: MacroTargets,
  slots: readonly MealSlot[],
  dayIndex: number,
): PlannedDay {
  const day: DayContext = { ...context, usedToday: new Set() };
  const meals: MealDraft[] = slots.map((slot) => ({
    mealType: slot.mealType,
    target: scaleTargets(targets, slot.share),
    portions: [],
  }));
  for (const meal of meals) {
    composeBase(day, meal, dayIndex);
    completeMeal(day, meal);
  }
  tuneDay(meals, targets);
  const planned: PlannedDay = {
    dayOrder: dayIndex + 1,
    meals: meals.map(presentMeal),
    totals: roundMacros(portionsMacros(meals.flatMap((meal) => meal.portions))),
  };
  const miss = toleranceMiss(planned, targets);
  if (miss) day.notes.add(miss);
  return planned;
}

/**
 * Plans `days` days of meals that meet the daily targets (calories within ±10%, protein within
 * ±15%, or the explanation says which day could not) from the built-in food table, never using
 * a food outside the member's diet or with an allergen they listed, and preferring their
 * cuisines. Deterministic: the same request always gives the same plan. Throws a validation
 * AppError (400) for out-of-range input.
 */
export function planDietDays(request: DietPlanRequest): DietPlan {
  checkRequest(request);
  const { preferences, explanation } = resolvePreferences(request);
  const slots = mealSlots(request.mealsPerDay);
  explanation.push(
    describeSlots(slots),
    'Meals are a protein, a carbohydrate and vegetables or fruit, with another food added only when the meal needs it; once a day a dish from your cuisines may replace the plate. Foods rotate so days differ.',
    `Portions are whole ${String(GRAM_STEP)} g steps around a typical serving, sized to each meal's share, then the day is balanced to within ±${String(CALORIE_TOLERANCE * 100)}% of calories and ±${String(PROTEIN_TOLERANCE * 100)}% of protein.`,
  );
  const notes = new PlanNotes();
  const foods = foodTable.filter(
    (food) => food.mealRole !== 'none' && fitsPreferences(food, preferences),
  );
  const rotation = new FoodRotation(foods, preferences.cuisines, notes);
  const days = Array.from({ length: request.days }, (_, dayIndex) =>
    planDay({ rotation, notes }, request.targets, slots, dayIndex),
  );
  return { days, explanation: [...explanation, ...notes.list()] };
}
