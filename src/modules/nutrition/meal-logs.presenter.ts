import type { MealLogView } from './meal-logs.schemas.js';
import type { MealLogRow } from './meal-logs.table.js';

/** Macros as shown: to 0.1, so sums of stored values carry no floating-point noise. */
export function roundMacros(macros: {
  calories: number;
  protein: number;
  carbs: number;
  fat: number;
}) {
  return {
    calories: roundToTenth(macros.calories),
    protein: roundToTenth(macros.protein),
    carbs: roundToTenth(macros.carbs),
    fat: roundToTenth(macros.fat),
  };
}

/** Rounds half away from zero to one decimal. */
export function roundToTenth(value: number): number {
  return Math.sign(value) * (Math.round(Math.abs(value) * 10) / 10);
}

export function presentMealLog(row: MealLogRow): MealLogView {
  return {
    id: row.id,
    day: row.day,
    mealType: row.mealType,
    mealDescription: row.mealDescription,
    consumedAt: row.consumedAt.toISOString(),
    macros: roundMacros(row),
    items: row.items.map((item) => ({
      foodId: item.foodId,
      foodName: item.name,
      grams: item.grams,
      macros: roundMacros(item),
    })),
    imageId: row.imageId,
    source: row.source,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
