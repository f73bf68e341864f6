import { describe, expect, it } from 'vitest';
import { cuisineTagsIn, fitsPreferences, resolvePreferences } from './diet-preferences.js';
import { findFoodBySlug, type FoodEntry } from './food-table.data.js';

function food(slug: string): FoodEntry {
  const found = findFoodBySlug(slug);
  if (!found) throw new Error(`no food ${slug}`);
  return found;
}

describe('diet preferences', () => {
  it.each([
    ['Italian food', ['italian', 'mediterranean']],
    ['middle-eastern', ['middle_eastern']],
    ['  Japanese cuisine ', ['japanese', 'asian']],
    ['Korean', ['asian']],
  ])('when "%s" is written, then it names the cuisines %j', (text, tags) => {
    expect(cuisineTagsIn(text)).toEqual(tags);
  });

  it('when a diet is requested and a stricter one is written, then the stricter one wins', () => {
    const { preferences, explanation } = resolvePreferences({
      diet: 'vegetarian',
      allergies: ['Vegan'],
      cuisinePreferences: [],
    });

    expect(preferences.diet).toBe('vegan');
    expect(explanation).toContain('Diet: vegan, as written in your preferences.');
  });

  it('when a food has a listed allergen or breaks the diet, then it does not fit', () => {
    const { preferences } = resolvePreferences({
      diet: 'vegetarian',
      allergies: ['sesame', 'strawberries'],
      cuisinePreferences: [],
    });

    expect(fitsPreferences(food('lentils-cooked'), preferences)).toBe(true);
    expect(fitsPreferences(food('tahini'), preferences)).toBe(false);
    expect(fitsPreferences(food('chicken-breast-roasted'), preferences)).toBe(false);
    expect(fitsPreferences(food('strawberries'), preferences)).toBe(false);
  });
});
