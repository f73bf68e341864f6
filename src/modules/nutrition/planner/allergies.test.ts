import { describe, expect, it } from 'vitest';
import { allergensIn, readAllergies } from './allergies.js';
import { allergenTags } from './food-table.data.js';

describe('allergy reading', () => {
  it.each([
    ['peanuts', ['peanut']],
    ['Tree nuts', ['tree_nut']],
    ['tree-nuts', ['tree_nut']],
    ['lactose intolerant', ['dairy']],
    ['gluten/coeliac', ['gluten']],
    ['Celiac disease', ['gluten']],
    ['shellfish', ['shellfish']],
    ['eggs', ['egg']],
    ['Fish', ['fish']],
    ['prawns', ['shellfish']],
    ['sesame seeds', ['sesame']],
    ['SULFITES', ['sulphites']],
    ['nut allergy', ['peanut', 'tree_nut']],
    ['peanuts and tree nuts', ['peanut', 'tree_nut']],
    ['milk, eggs & soy', ['dairy', 'egg', 'soy']],
  ])('when the member writes "%s", then it reads as %j', (text, expected) => {
    expect(allergensIn(text)).toEqual(expected);
  });

  it('when each allergen tag is written out in words, then it reads as itself', () => {
    for (const tag of allergenTags) {
      expect(allergensIn(tag.replace('_', ' ')), tag).toContain(tag);
    }
  });

  it.each(['eggplant', 'coconut', 'buckwheat', 'shellfish'])(
    'when "%s" is written, then no allergen is read from a look-alike word',
    (text) => {
      expect(allergensIn(text)).not.toContain('egg');
      expect(allergensIn(text)).not.toContain('tree_nut');
      expect(allergensIn(text)).not.toContain('gluten');
      expect(allergensIn(text)).not.toContain('fish');
    },
  );

  it('when entries are read together, then tags are merged and unknown text reported back', () => {
    const reading = readAllergies(['peanuts', '  Kiwi ', '', 'lactose intolerant', 'peanut']);

    expect(reading.allergens).toEqual(['dairy', 'peanut']);
    expect(reading.unrecognised).toEqual(['Kiwi']);
    expect(reading.matches).toEqual([
      { text: 'peanuts', allergens: ['peanut'] },
      { text: 'lactose intolerant', allergens: ['dairy'] },
      { text: 'peanut', allergens: ['peanut'] },
    ]);
  });
});
