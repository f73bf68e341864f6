import type { DietPlanView, FoodView } from './nutrition.schemas.js';
import type { DietPlanRow, FoodRow } from './nutrition.table.js';

export function presentDietPlan(row: DietPlanRow): DietPlanView {
  return {
    id: row.id,
    planName: row.planName,
    source: row.origin,
    targets: row.targets,
    planData: row.planData,
    explanation: row.explanation,
    isActive: row.isActive,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function presentFood(row: FoodRow): FoodView {
  return {
    id: row.id,
    name: row.name,
    source: row.source,
    group: row.foodGroup,
    per100g: {
      calories: row.caloriesPer100g,
      protein: row.proteinPer100g,
      carbs: row.carbsPer100g,
      fat: row.fatPer100g,
      fiber: row.fiberPer100g,
    },
    allergens: row.allergens,
    servingGrams: row.servingGrams,
  };
}
