import { describe, expect, it } from 'vitest';
import {
  allergenTags,
  cuisineTags,
  findFoodBySlug,
  foodGroups,
  foodId,
  foodTable,
  mealRoles,
  mealTypes,
  type FoodEntry,
} from './food-table.data.js';

const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Energy the macros explain, by the general Atwater factors (alcohol 7 kcal/g). */
function atwaterCalories(food: FoodEntry): number {
  const { protein, carbs, fat, alcohol = 0 } = food.per100g;
  return 4 * protein + 4 * carbs + 9 * fat + 7 * alcohol;
}

describe('food table', () => {
  it('when the table loads, then it holds at least 200 foods with unique slugs and ids', () => {
    const slugs = new Set(foodTable.map((food) => food.slug));
    const ids = new Set(foodTable.map((food) => food.id));

    expect(foodTable.length).toBeGreaterThanOrEqual(200);
    expect(slugs.size).toBe(foodTable.length);
    expect(ids.size).toBe(foodTable.length);
  });

  it('when a food is described, then every tag comes from its closed list', () => {
    for (const food of foodTable) {
      expect(foodGroups, food.slug).toContain(food.group);
      expect(mealRoles, food.slug).toContain(food.mealRole);
      for (const allergen of food.allergens) expect(allergenTags, food.slug).toContain(allergen);
      for (const cuisine of food.cuisines) expect(cuisineTags, food.slug).toContain(cuisine);
      for (const mealType of food.mealTypes) expect(mealTypes, food.slug).toContain(mealType);
      expect(food.cuisines.length, food.slug).toBeGreaterThan(0);
      expect(food.mealTypes.length, food.slug).toBeGreaterThan(0);
    }
  });

  it('when the groups are counted, then every group and every cuisine has foods', () => {
    for (const group of foodGroups) {
      expect(
        foodTable.some((food) => food.group === group),
        group,
      ).toBe(true);
    }
    for (const cuisine of cuisineTags) {
      expect(
        foodTable.filter((food) => food.cuisines.includes(cuisine)).length,
        cuisine,
      ).toBeGreaterThanOrEqual(5);
    }
  });

  it('when dishes are listed, then several cuisines have their own', () => {
    const dishCuisines = new Set(
      foodTable.filter((food) => food.group === 'dishes').flatMap((food) => food.cuisines),
    );

    for (const cuisine of [
      'mediterranean',
      'middle_eastern',
      'indian',
      'mexican',
      'asian',
      'italian',
      'american',
    ] as const) {
      expect(dishCuisines, cuisine).toContain(cuisine);
    }
  });

  it('when energy is recomputed from the macros, then it matches within 15% or 20 kcal', () => {
    const mismatches = foodTable
      .map((food) => ({
        slug: food.slug,
        stated: food.per100g.calories,
        computed: Math.round(atwaterCalories(food)),
      }))
      .filter(({ stated, computed }) => {
        const gap = Math.abs(computed - stated);
        return gap > 20 && gap > 0.15 * stated;
      });

    expect(mismatches).toEqual([]);
  });

  it('when per-100 g values are read, then none is negative and the macros fit in 100 g', () => {
    for (const food of foodTable) {
      const { calories, protein, carbs, fat, fiber, alcohol = 0 } = food.per100g;
      for (const value of [calories, protein, carbs, fat, fiber, alcohol]) {
        expect(value, food.slug).toBeGreaterThanOrEqual(0);
      }
      // Fiber is part of carbohydrate by difference, so it is not added again.
      expect(protein + carbs + fat + alcohol, food.slug).toBeLessThanOrEqual(100.5);
      expect(fiber, food.slug).toBeLessThanOrEqual(carbs + 0.05);
      expect(food.typicalServingG, food.slug).toBeGreaterThan(0);
    }
  });

  it('when diet flags are set, then they agree with the allergens and the group', () => {
    const animalGroups = new Set(['meat', 'poultry', 'fish_seafood']);
    for (const food of foodTable) {
      if (food.diets.vegan) {
        expect(food.diets.vegetarian, food.slug).toBe(true);
        expect(food.allergens, food.slug).not.toContain('dairy');
        expect(food.allergens, food.slug).not.toContain('egg');
      }
      if (food.allergens.includes('fish') || food.allergens.includes('shellfish')) {
        expect(food.diets.vegetarian, food.slug).toBe(false);
      }
      if (animalGroups.has(food.group)) expect(food.diets.vegetarian, food.slug).toBe(false);
    }
  });

  it('when USDA ids are given, then they are unique positive integers', () => {
    const fdcIds = foodTable.flatMap((food) => (food.fdcId === undefined ? [] : [food.fdcId]));

    for (const fdcId of fdcIds) expect(Number.isInteger(fdcId) && fdcId > 0).toBe(true);
    expect(new Set(fdcIds).size).toBe(fdcIds.length);
  });

  it('when a food id is made, then it is the UUID v5 of the slug and never changes', () => {
    expect(foodId('chicken-breast-roasted')).toBe('3d4c98e9-4cc6-5b56-844c-51d8a018d34f');
    expect(findFoodBySlug('chicken-breast-roasted')?.id).toBe(
      '3d4c98e9-4cc6-5b56-844c-51d8a018d34f',
    );
    for (const food of foodTable) {
      expect(food.id, food.slug).toMatch(UUID_V5);
      expect(food.id, food.slug).toBe(foodId(food.slug));
    }
  });
});
