import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_ITEM_GRAMS, estimateMeal, singular } from './meal-estimate.js';
import { foodWords } from './meal-estimate.vocabulary.js';
import { findFoodBySlug } from './planner/food-table.data.js';

const slugOf = (foodId: string) =>
  foodWords.find((words) => findFoodBySlug(words.slug)?.id === foodId)?.slug;

/** The items as slug, unit, quantity and grams: what a reader of the text would check. */
const readBack = (description: string) =>
  estimateMeal(description).items.map((item) => [
    slugOf(item.foodId),
    item.unit,
    item.quantity,
    item.grams,
  ]);

describe('estimateMeal', () => {
  it('when given the example breakfast, then eggs, a toast slice and a latte with their macros', () => {
    const estimate = estimateMeal('2 eggs, a slice of wholemeal toast and a latte');

    expect(readBack('2 eggs, a slice of wholemeal toast and a latte')).toEqual([
      ['egg-whole', 'piece', 2, 100],
      ['whole-wheat-bread', 'slice', 1, 32],
      ['latte', 'serving', 1, 360],
    ]);
    // 100 g egg (143 kcal/100 g) + 32 g bread (252) + 360 g latte (49).
    expect(estimate.items.map((item) => item.macros.calories)).toEqual([143, 80.6, 176.4]);
    expect(estimate.macros).toEqual({ calories: 400, protein: 26, carbs: 28.4, fat: 20 });
    expect(estimate.unrecognized).toEqual([]);
  });

  it.each([
    ['1.5 cups of rice', ['white-rice-cooked', 'cup', 1.5, 237]],
    ['1 1/2 cups rice', ['white-rice-cooked', 'cup', 1.5, 237]],
    ['one and a half cups of rice', ['white-rice-cooked', 'cup', 1.5, 237]],
    ['½ avocado', ['avocado', 'piece', 0.5, 75]],
    ['1½ bananas', ['banana', 'piece', 1.5, 177]],
    ['half a dozen eggs', ['egg-whole', 'piece', 6, 300]],
    ['a dozen eggs', ['egg-whole', 'piece', 12, 600]],
    ['a couple of eggs', ['egg-whole', 'piece', 2, 100]],
    ['an apple', ['apple', 'piece', 1, 182]],
    ['three slices of pizza', ['cheese-pizza', 'slice', 3, 321]],
    ['100g chicken breast', ['chicken-breast-roasted', 'g', 100, 100]],
    ['0.2 kg salmon', ['salmon-farmed-cooked', 'kg', 0.2, 200]],
    ['4 oz steak', ['beef-sirloin-grilled', 'oz', 4, 113.4]],
    ['1 lb potatoes', ['potato-boiled', 'lb', 1, 453.6]],
    ['250ml orange juice', ['orange-juice', 'ml', 250, 258.3]],
    ['a litre of milk', ['milk-whole', 'l', 1, 1016.7]],
    ['2 tbsp peanut butter', ['peanut-butter', 'tbsp', 2, 32.3]],
    ['1 tsp sugar', ['sugar', 'tsp', 1, 4.2]],
    ['a bowl of porridge', ['oatmeal-cooked', 'bowl', 1, 250]],
    ['a glass of red wine', ['red-wine', 'glass', 1, 150]],
    ['a handful of almonds', ['almonds', 'handful', 1, 28]],
    ['a serving of lasagne', ['lasagna', 'serving', 1, 300]],
    ['2 pieces of chicken', ['chicken-breast-roasted', 'piece', 2, 240]],
    ['a scoop of whey', ['whey-protein-powder', 'scoop', 1, 30]],
    ['a large latte', ['latte', 'serving', 1, 450]],
    ['2 small bananas', ['banana', 'piece', 2, 177]],
    ['3 rashers of bacon', ['bacon-cooked', 'slice', 3, 24]],
    ['mac and cheese', ['mac-and-cheese', 'serving', 1, 250]],
    ['Café Latte', ['latte', 'serving', 1, 360]],
    ['whole-wheat toast', ['whole-wheat-bread', 'slice', 1, 32]],
    ['toast, 2 slices', ['white-bread', 'slice', 2, 58]],
  ])('when the text is "%s", then it is read as %j', (description, expected) => {
    expect(readBack(description)).toEqual([expected]);
    expect(estimateMeal(description).unrecognized).toEqual([]);
  });

  it('when words are unknown, then they come back in unrecognized and nothing is guessed', () => {
    const estimate = estimateMeal('2 organic eggs, a zorgblat and 3 flibbers of rice');

    expect(readBack('2 organic eggs, a zorgblat and 3 flibbers of rice')).toEqual([
      ['egg-whole', 'piece', 2, 100],
      ['white-rice-cooked', 'serving', 3, 480],
    ]);
    expect(estimate.unrecognized).toEqual(['organic', 'a zorgblat', 'flibbers']);
  });

  it('when an amount has no food, then it is reported rather than dropped', () => {
    expect(estimateMeal('3 cups').unrecognized).toEqual(['3 cups']);
    expect(estimateMeal('2 eggs and 3 cups').unrecognized).toEqual(['3 cups']);
    expect(estimateMeal('2 eggs and 3 cups').items).toHaveLength(1);
  });

  it('when an amount is beyond belief, then the item is reported instead of counted', () => {
    const estimate = estimateMeal('1000 kg rice and an apple');

    expect(estimate.unrecognized).toEqual(['1000 kg rice']);
    expect(readBack('1000 kg rice and an apple')).toEqual([['apple', 'piece', 1, 182]]);
  });

  it('when words are plural, then they reduce only to words of the vocabulary', () => {
    expect(singular('slices')).toBe('slice');
    expect(singular('strawberries')).toBe('strawberry');
    expect(singular('tomatoes')).toBe('tomato');
    expect(singular('glasses')).toBe('glass');
    expect(singular('halves')).toBe('half');
    expect(singular('bus')).toBe('bus');
  });

  it('when the vocabulary loads, then every name points at a food of the table', () => {
    for (const words of foodWords) expect(findFoodBySlug(words.slug), words.slug).toBeDefined();
  });
});

describe('estimateMeal properties', () => {
  const countable = foodWords.filter(
    (words) => words.portions?.piece !== undefined && words.countAs === undefined,
  );
  const name = fc.constantFrom(
    ...countable.flatMap((words) => words.names.map((n) => [n, words] as const)),
  );

  it('when any text is given, then it never throws and every item is a believable portion', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const estimate = estimateMeal(text);
        for (const item of estimate.items) {
          expect(item.grams).toBeGreaterThanOrEqual(0);
          expect(item.grams).toBeLessThanOrEqual(MAX_ITEM_GRAMS);
          expect(Number.isFinite(item.macros.calories)).toBe(true);
        }
      }),
    );
  });

  it('when n of a countable food are eaten, then the grams are n pieces', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), name, (n, [foodName, words]) => {
        const [item] = estimateMeal(`${String(n)} ${foodName}`).items;
        expect(item?.foodId).toBe(findFoodBySlug(words.slug)?.id);
        expect(item?.grams).toBeCloseTo(n * (words.portions?.piece ?? 0), 1);
      }),
    );
  });

  it('when two descriptions are joined with "and", then the items are both lists in order', () => {
    const phrase = fc
      .tuple(fc.integer({ min: 1, max: 5 }), name)
      .map(([n, [foodName]]) => `${String(n)} ${foodName}`);
    fc.assert(
      fc.property(phrase, phrase, (first, second) => {
        const joined = estimateMeal(`${first} and ${second}`).items;
        expect(joined).toEqual([...estimateMeal(first).items, ...estimateMeal(second).items]);
      }),
    );
  });
});
