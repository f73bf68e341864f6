import { nameBasedUuid } from '../../../lib/name-based-uuid.js';

/*
 * The built-in food table the nutrition planners work from when no AI service is available.
 *
 * Values are per 100 g of the food as eaten (cooked where the name says so), taken from USDA
 * FoodData Central (SR Legacy / Foundation) typical values and rounded to one decimal. `fdcId`
 * is given only where the FDC record is known; mixed dishes and a few regional staples have no
 * SR Legacy record, so their values are typical recipe values and carry no id.
 *
 * Allergen tags describe the usual recipe, erring towards listing an allergen (dark chocolate
 * lists dairy and soy, fried rice lists egg): a false "contains" costs a user a food, a missing
 * one can cost them far more.
 */

/** The allergens the planners can filter on (the EU's fourteen, molluscs folded into shellfish). */
export const allergenTags = [
  'gluten',
  'dairy',
  'egg',
  'peanut',
  'tree_nut',
  'soy',
  'fish',
  'shellfish',
  'sesame',
  'mustard',
  'celery',
  'lupin',
  'sulphites',
] as const;
export type AllergenTag = (typeof allergenTags)[number];

export const foodGroups = [
  'grains',
  'bread_pasta_rice',
  'starchy_vegetables',
  'legumes',
  'vegetables',
  'fruit',
  'dairy',
  'eggs',
  'meat',
  'poultry',
  'fish_seafood',
  'plant_proteins',
  'nuts_seeds',
  'oils_fats',
  'condiments',
  'snacks',
  'beverages',
  'dishes',
] as const;
export type FoodGroup = (typeof foodGroups)[number];

/** `international` marks staples that fit any cuisine. */
export const cuisineTags = [
  'international',
  'american',
  'european',
  'mediterranean',
  'italian',
  'greek',
  'middle_eastern',
  'indian',
  'asian',
  'chinese',
  'japanese',
  'thai',
  'mexican',
  'latin_american',
] as const;
export type CuisineTag = (typeof cuisineTags)[number];

export const mealTypes = ['breakfast', 'lunch', 'dinner', 'snack'] as const;
export type MealType = (typeof mealTypes)[number];

/** The diets the planners know, from least to most restrictive. */
export const diets = ['omnivore', 'vegetarian', 'vegan'] as const;
export type Diet = (typeof diets)[number];

/**
 * The part of a planned meal a food can fill: a protein source, a carbohydrate source,
 * vegetables or fruit, an added fat, or a complete dish (`main`). Drinks, condiments and treats
 * are `none`: they are in the table for logging, and the diet planner never picks them.
 */
export const mealRoles = ['protein', 'carb', 'produce', 'fat', 'main', 'none'] as const;
export type MealRole = (typeof mealRoles)[number];

/** Energy in kcal, everything else in grams, per 100 g. */
export interface Nutrients {
  calories: number;
  protein: number;
  carbs: number;
  fat: number;
  fiber: number;
  /** Only drinks with alcohol; it supplies 7 kcal/g that the other macros do not explain. */
  alcohol?: number;
}

export interface FoodEntry {
  /** Deterministic UUID v5 of the slug: stable across deploys, so plans can reference it. */
  id: string;
  slug: string;
  name: string;
  group: FoodGroup;
  per100g: Nutrients;
  /** USDA FoodData Central id, where the record is known. */
  fdcId?: number;
  allergens: readonly AllergenTag[];
  diets: { vegetarian: boolean; vegan: boolean };
  cuisines: readonly CuisineTag[];
  mealTypes: readonly MealType[];
  mealRole: MealRole;
  typicalServingG: number;
}

// Picked once at random for this table; changing it would change every food id.
const FOOD_ID_NAMESPACE = '6f1c2a4e-8b3d-4f5a-9c7e-2d4b6a8c0e1f';

/** The stable id of the food with this slug. */
export function foodId(slug: string): string {
  return nameBasedUuid(FOOD_ID_NAMESPACE, slug);
}

type NutrientRow = readonly [
  calories: number,
  protein: number,
  carbs: number,
  fat: number,
  fiber: number,
];

/** Per-food settings; each one given replaces the group's default. */
interface RowOptions {
  fdc?: number;
  allergens?: readonly AllergenTag[];
  cuisines?: readonly CuisineTag[];
  meals?: readonly MealType[];
  role?: MealRole;
  diet?: Diet;
  alcohol?: number;
}
type FoodRow = readonly [
  slug: string,
  name: string,
  per100g: NutrientRow,
  servingG: number,
  options?: RowOptions,
];

interface GroupDefaults {
  role: MealRole;
  diet: Diet;
  allergens: readonly AllergenTag[];
  cuisines: readonly CuisineTag[];
  meals: readonly MealType[];
}

const BREAKFAST: readonly MealType[] = ['breakfast'];
const MAINS: readonly MealType[] = ['lunch', 'dinner'];
const BREAKFAST_MAINS: readonly MealType[] = ['breakfast', 'lunch', 'dinner'];
const BREAKFAST_SNACK: readonly MealType[] = ['breakfast', 'snack'];
const MAINS_SNACK: readonly MealType[] = ['lunch', 'dinner', 'snack'];
const SNACK: readonly MealType[] = ['snack'];
const ANY_MEAL: readonly MealType[] = mealTypes;

function toEntry(group: FoodGroup, defaults: GroupDefaults, row: FoodRow): FoodEntry {
  const [slug, name, [calories, protein, carbs, fat, fiber], typicalServingG, options = {}] = row;
  const diet = options.diet ?? defaults.diet;
  const per100g: Nutrients = { calories, protein, carbs, fat, fiber };
  if (options.alcohol !== undefined) per100g.alcohol = options.alcohol;
  return {
    id: foodId(slug),
    slug,
    name,
    group,
    per100g,
    ...(options.fdc === undefined ? {} : { fdcId: options.fdc }),
    allergens: options.allergens ?? defaults.allergens,
    diets: { vegetarian: diet !== 'omnivore', vegan: diet === 'vegan' },
    cuisines: options.cuisines ?? defaults.cuisines,
    mealTypes: options.meals ?? defaults.meals,
    mealRole: options.role ?? defaults.role,
    typicalServingG,
  };
}

function defineGroup(group: FoodGroup, defaults: GroupDefaults, rows: readonly FoodRow[]) {
  return rows.map((row) => toEntry(group, defaults, row));
}

// Columns: slug, name, [kcal, protein, carbs, fat, fiber] per 100 g, typical serving in g, options.

// prettier-ignore
const grains = defineGroup('grains', { role: 'carb', diet: 'vegan', allergens: [], cuisines: ['international'], meals: MAINS }, [
  // Oats rarely escape wheat cross-contact, so they count as gluten unless labelled otherwise.
  ['oats-rolled-dry', 'Oats, rolled, dry', [379, 13.2, 67.7, 6.5, 10.1], 40, { fdc: 173904, allergens: ['gluten'], meals: BREAKFAST, cuisines: ['international', 'american', 'european', 'indian'] }],
  ['oatmeal-cooked', 'Oatmeal (porridge), cooked with water', [71, 2.5, 12.0, 1.5, 1.7], 240, { fdc: 173905, allergens: ['gluten'], meals: BREAKFAST, cuisines: ['international', 'american', 'european'] }],
  ['quinoa-cooked', 'Quinoa, cooked', [120, 4.4, 21.3, 1.9, 2.8], 150, { fdc: 168917, cuisines: ['international', 'latin_american', 'american', 'mediterranean'] }],
  ['bulgur-cooked', 'Bulgur wheat, cooked', [83, 3.1, 18.6, 0.2, 4.5], 150, { fdc: 170287, allergens: ['gluten'], cuisines: ['middle_eastern', 'mediterranean', 'greek'] }],
  ['couscous-cooked', 'Couscous, cooked', [112, 3.8, 23.2, 0.2, 1.4], 150, { fdc: 169700, allergens: ['gluten'], cuisines: ['middle_eastern', 'mediterranean'] }],
  ['millet-cooked', 'Millet, cooked', [119, 3.5, 23.7, 1.0, 1.3], 150, { fdc: 168871, cuisines: ['international', 'indian'] }],
  ['barley-pearled-cooked', 'Pearl barley, cooked', [123, 2.3, 28.2, 0.4, 3.8], 150, { fdc: 170285, allergens: ['gluten'], cuisines: ['european', 'middle_eastern'] }],
  ['buckwheat-groats-cooked', 'Buckwheat groats (kasha), cooked', [92, 3.4, 19.9, 0.6, 2.7], 150, { fdc: 170686, cuisines: ['european'], meals: BREAKFAST_MAINS }],
  ['polenta-cooked', 'Polenta / corn grits, cooked', [71, 1.7, 15.6, 0.5, 0.3], 200, { cuisines: ['italian', 'american', 'latin_american'], meals: BREAKFAST_MAINS }],
  ['amaranth-cooked', 'Amaranth, cooked', [102, 3.8, 18.7, 1.6, 2.1], 150, { cuisines: ['latin_american', 'mexican', 'international'] }],
  ['granola', 'Granola with nuts', [489, 13.7, 53.9, 24.3, 8.9], 50, { allergens: ['gluten', 'tree_nut'], meals: BREAKFAST_SNACK, cuisines: ['american', 'international'] }],
  // Corn flakes are usually flavoured with barley malt.
  ['corn-flakes', 'Corn flakes cereal', [357, 7.5, 84.1, 0.4, 3.3], 30, { allergens: ['gluten'], meals: BREAKFAST, cuisines: ['american', 'international'] }],
]);

// prettier-ignore
const breadPastaRice = defineGroup('bread_pasta_rice', { role: 'carb', diet: 'vegan', allergens: ['gluten'], cuisines: ['international'], meals: MAINS }, [
  ['white-rice-cooked', 'White rice, long-grain, cooked', [130, 2.7, 28.2, 0.3, 0.4], 160, { fdc: 168878, allergens: [], cuisines: ['international', 'asian', 'chinese', 'indian', 'thai', 'mexican', 'latin_american', 'middle_eastern'] }],
  ['brown-rice-cooked', 'Brown rice, long-grain, cooked', [123, 2.7, 25.6, 1.0, 1.6], 160, { fdc: 169704, allergens: [], cuisines: ['international', 'asian', 'american'] }],
  ['short-grain-rice-cooked', 'Short-grain (sushi) rice, cooked', [130, 2.4, 28.7, 0.2, 0], 160, { allergens: [], cuisines: ['japanese', 'asian', 'chinese'], meals: BREAKFAST_MAINS }],
  ['wild-rice-cooked', 'Wild rice, cooked', [101, 4.0, 21.3, 0.3, 1.8], 160, { allergens: [], cuisines: ['american'] }],
  ['pasta-cooked', 'Pasta, cooked', [158, 5.8, 30.9, 0.9, 1.8], 160, { fdc: 169737, cuisines: ['italian', 'mediterranean', 'international'] }],
  ['whole-wheat-pasta-cooked', 'Whole-wheat pasta, cooked', [149, 6.0, 30.1, 1.7, 3.9], 160, { fdc: 168910, cuisines: ['italian', 'mediterranean', 'international'] }],
  ['egg-noodles-cooked', 'Egg noodles, cooked', [138, 4.5, 25.2, 2.1, 1.2], 160, { fdc: 169762, allergens: ['gluten', 'egg'], diet: 'vegetarian', cuisines: ['chinese', 'asian', 'european'] }],
  ['rice-noodles-cooked', 'Rice noodles, cooked', [108, 1.8, 24.0, 0.2, 1.0], 180, { fdc: 168914, allergens: [], cuisines: ['thai', 'asian', 'chinese'] }],
  // Most soba is part wheat.
  ['soba-noodles-cooked', 'Soba (buckwheat) noodles, cooked', [99, 5.1, 21.4, 0.1, 0], 180, { cuisines: ['japanese', 'asian'] }],
  ['white-bread', 'White bread', [266, 7.6, 50.6, 3.3, 2.4], 60, { meals: BREAKFAST_MAINS, cuisines: ['international', 'american', 'european'] }],
  ['whole-wheat-bread', 'Whole-wheat bread', [252, 12.4, 42.7, 3.5, 6.0], 60, { fdc: 172688, meals: ANY_MEAL, cuisines: ['international', 'american', 'european'] }],
  ['rye-bread', 'Rye bread', [259, 8.5, 48.3, 3.3, 5.8], 60, { fdc: 172684, meals: BREAKFAST_MAINS, cuisines: ['european'] }],
  ['sourdough-bread', 'Sourdough / French bread', [272, 10.8, 51.9, 2.4, 2.2], 60, { meals: BREAKFAST_MAINS, cuisines: ['european', 'mediterranean', 'american', 'italian'] }],
  ['bagel-plain', 'Bagel, plain', [264, 10.6, 52.4, 1.3, 1.6], 90, { meals: BREAKFAST, cuisines: ['american'] }],
  ['pita-bread', 'Pita bread, white', [275, 9.1, 55.7, 1.2, 2.2], 60, { meals: MAINS_SNACK, cuisines: ['middle_eastern', 'mediterranean', 'greek'] }],
  // Naan dough is usually made with yogurt or milk.
  ['naan', 'Naan bread', [291, 9.6, 50.4, 5.7, 2.2], 90, { allergens: ['gluten', 'dairy'], diet: 'vegetarian', cuisines: ['indian'] }],
  ['chapati', 'Chapati / roti, whole wheat', [297, 9.8, 47.3, 7.5, 4.9], 60, { meals: BREAKFAST_MAINS, cuisines: ['indian'] }],
  ['corn-tortilla', 'Corn tortilla', [218, 5.7, 44.6, 2.9, 6.3], 50, { fdc: 175036, allergens: [], meals: BREAKFAST_MAINS, cuisines: ['mexican', 'latin_american'] }],
  ['flour-tortilla', 'Flour tortilla', [306, 8.2, 50.8, 8.0, 3.5], 50, { meals: BREAKFAST_MAINS, cuisines: ['mexican', 'american'] }],
  ['croissant', 'Croissant, butter', [406, 8.2, 45.8, 21.0, 2.6], 60, { allergens: ['gluten', 'dairy', 'egg'], diet: 'vegetarian', meals: BREAKFAST, cuisines: ['european'] }],
]);

// prettier-ignore
const starchyVegetables = defineGroup('starchy_vegetables', { role: 'carb', diet: 'vegan', allergens: [], cuisines: ['international'], meals: MAINS }, [
  ['potato-boiled', 'Potatoes, boiled, without skin', [86, 1.7, 20.0, 0.1, 1.8], 200, { fdc: 170440, cuisines: ['international', 'european', 'american', 'indian'] }],
  ['potato-baked', 'Potato, baked, flesh and skin', [93, 2.5, 21.2, 0.1, 2.2], 200, { cuisines: ['american', 'european', 'international'] }],
  ['sweet-potato-baked', 'Sweet potato, baked in skin', [90, 2.0, 20.7, 0.2, 3.3], 150, { fdc: 168483, cuisines: ['international', 'american', 'latin_american'] }],
  ['sweet-potato-boiled', 'Sweet potato, boiled, without skin', [76, 1.4, 17.7, 0.1, 2.5], 150, { fdc: 168484, cuisines: ['international', 'asian', 'latin_american'] }],
  ['sweet-corn-cooked', 'Sweet corn, yellow, boiled', [96, 3.4, 21.0, 1.5, 2.4], 100, { fdc: 169999, cuisines: ['american', 'mexican', 'latin_american', 'international'] }],
  ['plantain-boiled', 'Plantain, green, boiled', [116, 0.8, 31.2, 0.2, 2.3], 150, { cuisines: ['latin_american', 'mexican'] }],
  ['yam-boiled', 'Yam, boiled', [116, 1.5, 27.5, 0.1, 3.9], 150, { cuisines: ['latin_american', 'asian', 'international'] }],
  ['taro-cooked', 'Taro, cooked', [142, 0.5, 34.6, 0.1, 5.1], 150, { cuisines: ['asian', 'chinese', 'japanese'] }],
]);

// prettier-ignore
const legumes = defineGroup('legumes', { role: 'protein', diet: 'vegan', allergens: [], cuisines: ['international'], meals: MAINS }, [
  ['lentils-cooked', 'Lentils, boiled', [116, 9.0, 20.1, 0.4, 7.9], 150, { fdc: 172421, cuisines: ['international', 'indian', 'middle_eastern', 'mediterranean'] }],
  ['chickpeas-cooked', 'Chickpeas, boiled', [164, 8.9, 27.4, 2.6, 7.6], 150, { fdc: 173757, cuisines: ['international', 'middle_eastern', 'indian', 'mediterranean'] }],
  ['black-beans-cooked', 'Black beans, boiled', [132, 8.9, 23.7, 0.5, 8.7], 150, { fdc: 173735, meals: BREAKFAST_MAINS, cuisines: ['mexican', 'latin_american', 'american'] }],
  ['kidney-beans-cooked', 'Kidney beans, boiled', [127, 8.7, 22.8, 0.5, 6.4], 150, { fdc: 173740, cuisines: ['mexican', 'indian', 'american', 'international'] }],
  ['pinto-beans-cooked', 'Pinto beans, boiled', [143, 9.0, 26.2, 0.7, 9.0], 150, { cuisines: ['mexican', 'american', 'latin_american'] }],
  ['white-beans-cooked', 'White (cannellini) beans, boiled', [139, 9.7, 25.1, 0.4, 6.3], 150, { cuisines: ['italian', 'mediterranean', 'european', 'greek'] }],
  ['mung-beans-cooked', 'Mung beans, boiled', [105, 7.0, 19.2, 0.4, 7.6], 150, { fdc: 174257, cuisines: ['indian', 'asian', 'chinese'] }],
  ['adzuki-beans-cooked', 'Adzuki beans, boiled', [128, 7.5, 24.8, 0.1, 7.3], 150, { fdc: 173728, cuisines: ['japanese', 'chinese', 'asian'] }],
  ['split-peas-cooked', 'Split peas, boiled', [118, 8.3, 21.1, 0.4, 8.3], 150, { fdc: 172429, cuisines: ['indian', 'european', 'american'] }],
  ['fava-beans-cooked', 'Fava (broad) beans, boiled', [110, 7.6, 19.7, 0.4, 5.4], 150, { cuisines: ['middle_eastern', 'mediterranean', 'greek'] }],
  ['black-eyed-peas-cooked', 'Black-eyed peas, boiled', [116, 7.7, 20.8, 0.5, 6.5], 150, { cuisines: ['american', 'indian', 'latin_american'] }],
  ['lupini-beans', 'Lupini beans, boiled', [119, 15.6, 9.9, 2.9, 2.8], 100, { allergens: ['lupin'], meals: MAINS_SNACK, cuisines: ['mediterranean', 'middle_eastern', 'italian'] }],
  ['edamame', 'Edamame, prepared', [121, 11.9, 8.9, 5.2, 5.2], 100, { fdc: 168411, allergens: ['soy'], meals: MAINS_SNACK, cuisines: ['japanese', 'asian', 'chinese'] }],
  ['refried-beans', 'Refried beans, canned', [91, 5.4, 15.2, 1.2, 5.1], 120, { meals: BREAKFAST_MAINS, cuisines: ['mexican', 'latin_american'] }],
  ['baked-beans', 'Baked beans in tomato sauce, canned', [94, 4.8, 21.1, 0.4, 4.1], 150, { role: 'carb', meals: BREAKFAST_MAINS, cuisines: ['american', 'european'] }],
]);

// prettier-ignore
const vegetables = defineGroup('vegetables', { role: 'produce', diet: 'vegan', allergens: [], cuisines: ['international'], meals: MAINS }, [
  ['broccoli-raw', 'Broccoli, raw', [34, 2.8, 6.6, 0.4, 2.6], 100, { fdc: 170379, cuisines: ['international', 'chinese', 'asian', 'italian', 'american'] }],
  ['broccoli-boiled', 'Broccoli, boiled', [35, 2.4, 7.2, 0.4, 3.3], 100, { cuisines: ['international', 'american', 'european'] }],
  ['spinach-raw', 'Spinach, raw', [23, 2.9, 3.6, 0.4, 2.2], 80, { fdc: 168462, meals: BREAKFAST_MAINS, cuisines: ['international', 'mediterranean', 'italian', 'american'] }],
  ['spinach-boiled', 'Spinach, boiled', [23, 3.0, 3.8, 0.3, 2.4], 100, { fdc: 168463, cuisines: ['indian', 'international', 'middle_eastern', 'greek'] }],
  ['kale-raw', 'Kale, raw', [35, 2.9, 4.4, 1.5, 4.1], 80, { cuisines: ['american', 'european', 'international'] }],
  ['carrots-raw', 'Carrots, raw', [41, 0.9, 9.6, 0.2, 2.8], 80, { fdc: 170393, meals: MAINS_SNACK, cuisines: ['international', 'middle_eastern', 'european', 'american'] }],
  ['carrots-boiled', 'Carrots, boiled', [35, 0.8, 8.2, 0.2, 3.0], 100, { fdc: 170394, cuisines: ['international', 'european', 'indian'] }],
  ['cucumber', 'Cucumber with peel, raw', [15, 0.7, 3.6, 0.1, 0.5], 100, { fdc: 168409, meals: ANY_MEAL, cuisines: ['international', 'mediterranean', 'greek', 'middle_eastern', 'japanese', 'indian', 'asian'] }],
  ['tomato', 'Tomato, red, raw', [18, 0.9, 3.9, 0.2, 1.2], 120, { fdc: 170457, meals: BREAKFAST_MAINS, cuisines: ['international', 'mediterranean', 'italian', 'greek', 'middle_eastern', 'mexican', 'indian'] }],
  ['red-bell-pepper', 'Red bell pepper, raw', [26, 1.0, 6.0, 0.3, 2.1], 100, { fdc: 170108, meals: MAINS_SNACK, cuisines: ['international', 'mexican', 'mediterranean', 'chinese', 'thai'] }],
  ['green-bell-pepper', 'Green bell pepper, raw', [20, 0.9, 4.6, 0.2, 1.7], 100, { cuisines: ['mexican', 'chinese', 'american', 'latin_american'] }],
  ['cabbage', 'Cabbage, raw', [25, 1.3, 5.8, 0.1, 2.5], 100, { fdc: 169975, cuisines: ['european', 'asian', 'indian', 'international', 'latin_american'] }],
  ['napa-cabbage', 'Napa (Chinese) cabbage, raw', [16, 1.2, 3.2, 0.2, 1.2], 100, { fdc: 169979, cuisines: ['chinese', 'asian', 'japanese'] }],
  ['bok-choy', 'Bok choy, raw', [13, 1.5, 2.2, 0.2, 1.0], 100, { cuisines: ['chinese', 'asian', 'thai'] }],
  ['onion', 'Onion, raw', [40, 1.1, 9.3, 0.1, 1.7], 50, { fdc: 170000, cuisines: ['international', 'indian', 'mexican', 'middle_eastern'] }],
  ['eggplant', 'Eggplant (aubergine), raw', [25, 1.0, 5.9, 0.2, 3.0], 100, { fdc: 169228, cuisines: ['mediterranean', 'middle_eastern', 'indian', 'italian', 'greek', 'chinese', 'thai'] }],
  ['zucchini', 'Zucchini (courgette), raw', [17, 1.2, 3.1, 0.3, 1.0], 100, { fdc: 169291, cuisines: ['mediterranean', 'italian', 'middle_eastern', 'international', 'mexican'] }],
  ['mushrooms-white', 'White mushrooms, raw', [22, 3.1, 3.3, 0.3, 1.0], 80, { fdc: 169251, meals: BREAKFAST_MAINS, cuisines: ['international', 'italian', 'european', 'chinese'] }],
  ['shiitake', 'Shiitake mushrooms, raw', [34, 2.2, 6.8, 0.5, 2.5], 60, { fdc: 169242, cuisines: ['japanese', 'chinese', 'asian'] }],
  ['cauliflower', 'Cauliflower, raw', [25, 1.9, 5.0, 0.3, 2.0], 100, { fdc: 169986, cuisines: ['indian', 'international', 'middle_eastern', 'european'] }],
  ['celery', 'Celery, raw', [14, 0.7, 3.0, 0.2, 1.6], 80, { fdc: 169988, allergens: ['celery'], meals: MAINS_SNACK, cuisines: ['international', 'american', 'european'] }],
  ['romaine-lettuce', 'Romaine lettuce, raw', [17, 1.2, 3.3, 0.3, 2.1], 80, { fdc: 169247, cuisines: ['international', 'mediterranean', 'american', 'greek', 'mexican'] }],
  ['iceberg-lettuce', 'Iceberg lettuce, raw', [14, 0.9, 3.0, 0.1, 1.2], 80, { cuisines: ['american', 'mexican'] }],
  ['arugula', 'Arugula (rocket), raw', [25, 2.6, 3.7, 0.7, 1.6], 40, { cuisines: ['italian', 'mediterranean'] }],
  ['radish', 'Radishes, raw', [16, 0.7, 3.4, 0.1, 1.6], 60, { fdc: 169276, meals: MAINS_SNACK, cuisines: ['european', 'japanese', 'mexican'] }],
  ['beets-boiled', 'Beetroot, boiled', [44, 1.7, 10.0, 0.2, 2.0], 100, { fdc: 169146, cuisines: ['european', 'middle_eastern'] }],
  ['asparagus', 'Asparagus, raw', [20, 2.2, 3.9, 0.1, 2.1], 100, { fdc: 168389, cuisines: ['european', 'international', 'italian'] }],
  ['green-beans-boiled', 'Green beans, boiled', [35, 1.9, 7.9, 0.3, 3.2], 100, { fdc: 169141, cuisines: ['international', 'american', 'chinese', 'indian', 'greek'] }],
  ['green-peas-boiled', 'Green peas, boiled', [84, 5.4, 15.6, 0.2, 5.5], 80, { fdc: 170420, cuisines: ['indian', 'international', 'european'] }],
  ['brussels-sprouts', 'Brussels sprouts, raw', [43, 3.4, 9.0, 0.3, 3.8], 100, { cuisines: ['european', 'american'] }],
  ['okra', 'Okra, raw', [33, 1.9, 7.5, 0.2, 3.2], 100, { cuisines: ['indian', 'american', 'middle_eastern'] }],
  ['pumpkin-boiled', 'Pumpkin, boiled', [20, 0.7, 4.9, 0.1, 1.1], 120, { fdc: 168449, cuisines: ['international', 'indian', 'middle_eastern', 'american', 'thai'] }],
  ['butternut-squash-baked', 'Butternut squash, baked', [40, 0.9, 10.5, 0.1, 3.2], 120, { cuisines: ['american', 'european', 'mediterranean'] }],
  ['scallions', 'Scallions (spring onions), raw', [32, 1.8, 7.3, 0.2, 2.6], 30, { fdc: 170005, cuisines: ['chinese', 'asian', 'japanese', 'mexican'] }],
  ['leeks', 'Leeks, raw', [61, 1.5, 14.2, 0.3, 1.8], 80, { cuisines: ['european'] }],
  ['bean-sprouts', 'Mung bean sprouts, raw', [30, 3.0, 5.9, 0.2, 1.8], 80, { cuisines: ['chinese', 'asian', 'thai'] }],
]);

// prettier-ignore
const fruit = defineGroup('fruit', { role: 'produce', diet: 'vegan', allergens: [], cuisines: ['international'], meals: BREAKFAST_SNACK }, [
  ['banana', 'Banana', [89, 1.1, 22.8, 0.3, 2.6], 120, { fdc: 173944, cuisines: ['international', 'indian', 'latin_american', 'american'] }],
  ['apple', 'Apple with skin', [52, 0.3, 13.8, 0.2, 2.4], 180, { fdc: 171688, cuisines: ['international', 'american', 'european'] }],
  ['orange', 'Orange', [47, 0.9, 11.8, 0.1, 2.4], 150, { fdc: 169097, cuisines: ['international', 'mediterranean', 'chinese'] }],
  ['mandarin', 'Mandarin / tangerine', [53, 0.8, 13.3, 0.3, 1.8], 100, { fdc: 169105, cuisines: ['international', 'chinese', 'japanese', 'asian'] }],
  ['pear', 'Pear', [57, 0.4, 15.2, 0.1, 3.1], 170, { fdc: 169118, cuisines: ['international', 'european', 'asian'] }],
  ['peach', 'Peach', [39, 0.9, 9.5, 0.3, 1.5], 150, { fdc: 169928, cuisines: ['international', 'mediterranean', 'american'] }],
  ['plum', 'Plum', [46, 0.7, 11.4, 0.3, 1.4], 130, { fdc: 169949, cuisines: ['international', 'european'] }],
  ['apricot', 'Apricot', [48, 1.4, 11.1, 0.4, 2.0], 100, { fdc: 171697, cuisines: ['mediterranean', 'middle_eastern', 'european'] }],
  ['cherries', 'Sweet cherries', [63, 1.1, 16.0, 0.2, 2.1], 120, { fdc: 171719, cuisines: ['international', 'european', 'mediterranean'] }],
  ['grapes', 'Grapes, red or green', [69, 0.7, 18.1, 0.2, 0.9], 120, { fdc: 174683, cuisines: ['international', 'mediterranean', 'european', 'greek'] }],
  ['strawberries', 'Strawberries', [32, 0.7, 7.7, 0.3, 2.0], 150, { fdc: 167762, cuisines: ['international', 'american', 'european'] }],
  ['blueberries', 'Blueberries', [57, 0.7, 14.5, 0.3, 2.4], 120, { fdc: 171711, cuisines: ['international', 'american', 'european'] }],
  ['raspberries', 'Raspberries', [52, 1.2, 11.9, 0.7, 6.5], 120, { cuisines: ['international', 'european', 'american'] }],
  ['blackberries', 'Blackberries', [43, 1.4, 9.6, 0.5, 5.3], 120, { cuisines: ['international', 'european', 'american'] }],
  ['watermelon', 'Watermelon', [30, 0.6, 7.6, 0.2, 0.4], 250, { fdc: 167765, cuisines: ['international', 'mediterranean', 'middle_eastern', 'mexican'] }],
  ['cantaloupe', 'Cantaloupe melon', [34, 0.8, 8.2, 0.2, 0.9], 200, { cuisines: ['international', 'mediterranean', 'american'] }],
  ['pineapple', 'Pineapple', [50, 0.5, 13.1, 0.1, 1.4], 150, { fdc: 169124, cuisines: ['international', 'thai', 'latin_american', 'mexican', 'asian'] }],
  ['mango', 'Mango', [60, 0.8, 15.0, 0.4, 1.6], 150, { fdc: 169910, cuisines: ['indian', 'thai', 'mexican', 'latin_american', 'asian', 'international'] }],
  ['papaya', 'Papaya', [43, 0.5, 10.8, 0.3, 1.7], 150, { fdc: 169926, cuisines: ['thai', 'indian', 'latin_american', 'mexican', 'asian'] }],
  ['kiwi', 'Kiwifruit, green', [61, 1.1, 14.7, 0.5, 3.0], 150, { fdc: 168153, cuisines: ['international'] }],
  ['pomegranate', 'Pomegranate seeds', [83, 1.7, 18.7, 1.2, 4.0], 100, { cuisines: ['middle_eastern', 'indian', 'mediterranean'] }],
  ['grapefruit', 'Grapefruit', [42, 0.8, 10.7, 0.1, 1.6], 200, { cuisines: ['american', 'international'] }],
  ['lychee', 'Lychee', [66, 0.8, 16.5, 0.4, 1.3], 100, { cuisines: ['chinese', 'asian', 'thai'] }],
  ['guava', 'Guava', [68, 2.6, 14.3, 1.0, 5.4], 100, { cuisines: ['indian', 'latin_american', 'mexican', 'asian'] }],
  ['figs-dried', 'Figs, dried', [249, 3.3, 63.9, 0.9, 9.8], 40, { cuisines: ['mediterranean', 'middle_eastern', 'greek'] }],
  ['dates-medjool', 'Dates, Medjool', [277, 1.8, 75.0, 0.2, 6.7], 40, { cuisines: ['middle_eastern', 'indian', 'mediterranean'] }],
  ['raisins', 'Raisins, dark, seedless', [299, 3.3, 79.3, 0.3, 4.5], 40, { fdc: 168165, cuisines: ['international', 'american', 'middle_eastern'] }],
  // Dried apricots are usually preserved with sulphur dioxide.
  ['dried-apricots', 'Apricots, dried', [241, 3.4, 62.6, 0.5, 7.3], 40, { allergens: ['sulphites'], cuisines: ['middle_eastern', 'mediterranean', 'international'] }],
  ['avocado', 'Avocado', [160, 2.0, 8.5, 14.7, 6.7], 70, { fdc: 171705, role: 'fat', meals: ANY_MEAL, cuisines: ['international', 'mexican', 'american', 'latin_american'] }],
  ['olives', 'Olives, ripe', [115, 0.8, 6.3, 10.7, 3.2], 30, { role: 'fat', meals: MAINS_SNACK, cuisines: ['mediterranean', 'greek', 'middle_eastern', 'italian'] }],
  ['coconut-meat', 'Coconut meat, raw', [354, 3.3, 15.2, 33.5, 9.0], 30, { role: 'fat', meals: ANY_MEAL, cuisines: ['thai', 'indian', 'asian', 'latin_american'] }],
]);

// prettier-ignore
const dairy = defineGroup('dairy', { role: 'fat', diet: 'vegetarian', allergens: ['dairy'], cuisines: ['international'], meals: MAINS }, [
  ['milk-whole', 'Milk, whole (3.25%)', [61, 3.2, 4.8, 3.3, 0], 240, { fdc: 171265, role: 'none', meals: BREAKFAST_SNACK }],
  ['milk-reduced-fat', 'Milk, reduced fat (2%)', [50, 3.3, 4.8, 2.0, 0], 240, { fdc: 171267, role: 'none', meals: BREAKFAST_SNACK }],
  ['milk-skim', 'Milk, skim', [34, 3.4, 5.0, 0.1, 0], 240, { role: 'none', meals: BREAKFAST_SNACK }],
  ['greek-yogurt-nonfat', 'Greek yogurt, plain, non-fat', [59, 10.2, 3.6, 0.4, 0], 170, { fdc: 170894, role: 'protein', meals: BREAKFAST_SNACK, cuisines: ['international', 'greek', 'mediterranean', 'middle_eastern', 'american'] }],
  ['greek-yogurt-whole', 'Greek yogurt, plain, whole milk', [97, 9.0, 4.0, 5.0, 0], 170, { fdc: 171304, role: 'protein', meals: BREAKFAST_SNACK, cuisines: ['international', 'greek', 'mediterranean', 'middle_eastern'] }],
  ['yogurt-plain-whole', 'Yogurt, plain, whole milk', [61, 3.5, 4.7, 3.3, 0], 170, { fdc: 171284, role: 'none', meals: ANY_MEAL, cuisines: ['international', 'indian', 'middle_eastern'] }],
  ['yogurt-plain-lowfat', 'Yogurt, plain, low-fat', [63, 5.3, 7.0, 1.6, 0], 170, { fdc: 170886, role: 'protein', meals: BREAKFAST_SNACK, cuisines: ['international', 'indian', 'middle_eastern', 'european'] }],
  ['kefir', 'Kefir, low-fat, plain', [43, 3.8, 4.8, 1.0, 0], 240, { fdc: 170904, role: 'none', meals: BREAKFAST_SNACK, cuisines: ['european', 'international'] }],
  ['cottage-cheese', 'Cottage cheese, 2% fat', [81, 10.5, 4.8, 2.3, 0], 110, { role: 'protein', meals: ANY_MEAL, cuisines: ['international', 'american', 'european'] }],
  ['ricotta', 'Ricotta, whole milk', [150, 7.5, 7.3, 10.2, 0], 60, { fdc: 170851, meals: BREAKFAST_MAINS, cuisines: ['italian', 'mediterranean'] }],
  ['mozzarella', 'Mozzarella, whole milk', [299, 22.2, 2.4, 22.1, 0], 30, { fdc: 170845, cuisines: ['italian', 'mediterranean', 'american'] }],
  ['feta', 'Feta cheese', [265, 14.2, 3.9, 21.5, 0], 30, { fdc: 173420, cuisines: ['greek', 'mediterranean', 'middle_eastern'] }],
  ['cheddar', 'Cheddar cheese', [403, 24.9, 1.3, 33.1, 0], 30, { meals: ANY_MEAL, cuisines: ['american', 'european', 'mexican'] }],
  ['parmesan', 'Parmesan cheese, hard', [392, 35.8, 3.2, 25.8, 0], 15, { cuisines: ['italian', 'mediterranean'] }],
  ['cream-cheese', 'Cream cheese', [342, 5.9, 4.1, 34.2, 0], 30, { meals: BREAKFAST_SNACK, cuisines: ['american', 'european'] }],
  ['sour-cream', 'Sour cream', [198, 2.4, 4.6, 19.4, 0], 30, { fdc: 171257, cuisines: ['mexican', 'european', 'american'] }],
  ['paneer', 'Paneer', [321, 21.4, 3.6, 25.0, 0], 80, { role: 'protein', cuisines: ['indian'] }],
]);

// prettier-ignore
const eggs = defineGroup('eggs', { role: 'protein', diet: 'vegetarian', allergens: ['egg'], cuisines: ['international', 'american', 'european', 'indian', 'mexican', 'asian'], meals: BREAKFAST_MAINS }, [
  ['egg-whole', 'Egg, whole, raw weight', [143, 12.6, 0.7, 9.5, 0], 100, { fdc: 171287 }],
  ['egg-hard-boiled', 'Egg, hard-boiled', [155, 12.6, 1.1, 10.6, 0], 100, { fdc: 173424, meals: ANY_MEAL }],
  ['egg-white', 'Egg white', [52, 10.9, 0.7, 0.2, 0], 100, { fdc: 172183 }],
  ['egg-fried', 'Egg, fried', [196, 13.6, 0.8, 14.8, 0], 100],
  // Scrambled eggs are usually made with milk.
  ['egg-scrambled', 'Eggs, scrambled', [149, 10.0, 1.6, 11.0, 0], 120, { allergens: ['egg', 'dairy'] }],
]);

// prettier-ignore
const meat = defineGroup('meat', { role: 'protein', diet: 'omnivore', allergens: [], cuisines: ['international'], meals: MAINS }, [
  ['beef-sirloin-grilled', 'Beef top sirloin, lean, grilled', [171, 30.6, 0, 5.4, 0], 120, { fdc: 174693, cuisines: ['international', 'american', 'european', 'latin_american'] }],
  ['beef-top-round-grilled', 'Beef top round steak, grilled', [167, 30.0, 0, 4.3, 0], 120, { cuisines: ['american', 'mexican', 'latin_american', 'international'] }],
  ['beef-ground-90-cooked', 'Ground beef, 90% lean, cooked', [217, 26.1, 0, 11.8, 0], 100, { cuisines: ['american', 'italian', 'mexican', 'middle_eastern', 'international'] }],
  ['beef-ground-85-cooked', 'Ground beef, 85% lean, cooked', [250, 25.9, 0, 15.4, 0], 100, { cuisines: ['american', 'mexican', 'italian'] }],
  ['pork-tenderloin-roasted', 'Pork tenderloin, lean, roasted', [143, 26.2, 0, 3.5, 0], 120, { fdc: 168250, cuisines: ['international', 'european', 'chinese', 'american', 'latin_american'] }],
  ['ham-sliced', 'Ham, sliced', [163, 16.6, 3.8, 8.6, 0], 60, { meals: BREAKFAST_MAINS, cuisines: ['american', 'european'] }],
  ['bacon-cooked', 'Bacon, pan-fried', [541, 37.0, 1.4, 41.8, 0], 20, { meals: BREAKFAST, cuisines: ['american', 'european'] }],
  ['lamb-leg-roasted', 'Lamb leg, lean, roasted', [191, 28.3, 0, 7.7, 0], 120, { cuisines: ['middle_eastern', 'mediterranean', 'greek', 'indian', 'european'] }],
  ['lamb-ground-cooked', 'Ground lamb, cooked', [283, 24.8, 0, 19.7, 0], 100, { cuisines: ['middle_eastern', 'greek', 'indian'] }],
  ['goat-roasted', 'Goat meat, roasted', [143, 27.1, 0, 3.0, 0], 120, { cuisines: ['indian', 'middle_eastern', 'latin_american'] }],
]);

// prettier-ignore
const poultry = defineGroup('poultry', { role: 'protein', diet: 'omnivore', allergens: [], cuisines: ['international'], meals: MAINS }, [
  ['chicken-breast-roasted', 'Chicken breast, meat only, roasted', [165, 31.0, 0, 3.6, 0], 120, { fdc: 171477, cuisines: ['international', 'american', 'mediterranean', 'mexican', 'asian', 'indian'] }],
  ['chicken-thigh-roasted', 'Chicken thigh, meat only, roasted', [209, 25.9, 0, 10.9, 0], 120, { cuisines: ['international', 'asian', 'chinese', 'thai', 'latin_american', 'middle_eastern'] }],
  ['chicken-drumstick-roasted', 'Chicken drumstick, meat only, roasted', [172, 28.3, 0, 5.7, 0], 120, { cuisines: ['international', 'american', 'indian'] }],
  ['turkey-breast-roasted', 'Turkey breast, meat only, roasted', [147, 30.1, 0, 2.1, 0], 120, { fdc: 171496, meals: BREAKFAST_MAINS, cuisines: ['international', 'american', 'european'] }],
  ['turkey-ground-cooked', 'Ground turkey, cooked', [203, 27.4, 0, 10.4, 0], 100, { cuisines: ['american', 'mexican', 'international'] }],
  ['duck-roasted', 'Duck, meat only, roasted', [201, 23.5, 0, 11.2, 0], 120, { fdc: 172411, cuisines: ['chinese', 'european', 'asian'] }],
]);

// prettier-ignore
const fishSeafood = defineGroup('fish_seafood', { role: 'protein', diet: 'omnivore', allergens: ['fish'], cuisines: ['international'], meals: MAINS }, [
  ['salmon-farmed-cooked', 'Atlantic salmon, farmed, cooked', [206, 22.1, 0, 12.4, 0], 120, { fdc: 175168, cuisines: ['international', 'japanese', 'european', 'american'] }],
  ['salmon-wild-cooked', 'Atlantic salmon, wild, cooked', [182, 25.4, 0, 8.1, 0], 120, { cuisines: ['international', 'american', 'european', 'japanese'] }],
  ['smoked-salmon', 'Smoked salmon (lox)', [117, 18.3, 0, 4.3, 0], 60, { meals: BREAKFAST_MAINS, cuisines: ['european', 'american', 'international'] }],
  ['cod-cooked', 'Atlantic cod, cooked', [105, 22.8, 0, 0.9, 0], 140, { fdc: 171956, cuisines: ['international', 'european', 'mediterranean'] }],
  ['tuna-canned-water', 'Tuna, light, canned in water, drained', [116, 25.5, 0, 0.8, 0], 100, { fdc: 171986, cuisines: ['international', 'mediterranean', 'american', 'italian'] }],
  ['tuna-steak-cooked', 'Yellowfin tuna steak, cooked', [130, 29.2, 0, 0.6, 0], 120, { cuisines: ['japanese', 'international', 'mediterranean'] }],
  ['tilapia-cooked', 'Tilapia, cooked', [128, 26.2, 0, 2.7, 0], 140, { fdc: 175177, cuisines: ['international', 'latin_american', 'asian', 'mexican'] }],
  ['trout-cooked', 'Rainbow trout, farmed, cooked', [168, 23.8, 0, 7.4, 0], 120, { cuisines: ['european', 'american'] }],
  ['mackerel-cooked', 'Atlantic mackerel, cooked', [262, 23.9, 0, 17.8, 0], 100, { cuisines: ['japanese', 'european', 'mediterranean'] }],
  ['sardines-canned', 'Sardines, canned in oil, drained', [208, 24.6, 0, 11.5, 0], 90, { meals: BREAKFAST_MAINS, cuisines: ['mediterranean', 'european'] }],
  ['sea-bass-cooked', 'Sea bass, cooked', [124, 23.6, 0, 2.6, 0], 140, { cuisines: ['mediterranean', 'greek', 'asian', 'chinese'] }],
  ['shrimp-cooked', 'Shrimp, cooked', [119, 22.8, 1.5, 1.7, 0], 100, { fdc: 171971, allergens: ['shellfish'], cuisines: ['international', 'chinese', 'thai', 'mexican', 'mediterranean', 'japanese', 'indian'] }],
  ['crab-cooked', 'King crab, cooked', [97, 19.4, 0, 1.5, 0], 100, { allergens: ['shellfish'], cuisines: ['american', 'asian', 'japanese'] }],
  ['mussels-cooked', 'Blue mussels, cooked', [172, 23.8, 7.4, 4.5, 0], 100, { allergens: ['shellfish'], cuisines: ['european', 'mediterranean'] }],
  ['scallops-cooked', 'Scallops, steamed', [111, 20.5, 5.4, 0.8, 0], 100, { allergens: ['shellfish'], cuisines: ['european', 'american', 'japanese'] }],
  // Calamari is floured before frying.
  ['calamari-fried', 'Squid (calamari), fried', [175, 17.9, 7.8, 7.5, 0], 100, { allergens: ['shellfish', 'gluten'], cuisines: ['mediterranean', 'greek', 'italian'] }],
]);

// prettier-ignore
const plantProteins = defineGroup('plant_proteins', { role: 'protein', diet: 'vegan', allergens: ['soy'], cuisines: ['asian', 'chinese', 'japanese', 'thai', 'international'], meals: MAINS }, [
  ['tofu-firm', 'Tofu, firm', [144, 17.3, 2.8, 8.7, 2.3], 120, { fdc: 172475, meals: BREAKFAST_MAINS }],
  ['tofu-soft', 'Tofu, soft / silken', [61, 7.2, 1.2, 3.7, 0.2], 150, { fdc: 172449, cuisines: ['japanese', 'chinese', 'asian'] }],
  ['tempeh', 'Tempeh', [192, 20.3, 7.6, 10.8, 0], 100, { cuisines: ['asian', 'international'] }],
  ['natto', 'Natto (fermented soybeans)', [211, 19.4, 12.7, 11.0, 5.4], 50, { meals: BREAKFAST_MAINS, cuisines: ['japanese'] }],
  ['seitan', 'Seitan (wheat gluten), prepared', [141, 25.0, 5.7, 1.9, 0.6], 100, { allergens: ['gluten'], cuisines: ['international', 'asian', 'american'] }],
]);

// prettier-ignore
const nutsSeeds = defineGroup('nuts_seeds', { role: 'fat', diet: 'vegan', allergens: ['tree_nut'], cuisines: ['international'], meals: BREAKFAST_SNACK }, [
  ['almonds', 'Almonds', [579, 21.2, 21.6, 49.9, 12.5], 30, { fdc: 170567, cuisines: ['international', 'mediterranean', 'indian', 'middle_eastern'] }],
  ['walnuts', 'Walnuts', [654, 15.2, 13.7, 65.2, 6.7], 30, { fdc: 170187, cuisines: ['international', 'mediterranean', 'european'] }],
  ['cashews', 'Cashews', [553, 18.2, 30.2, 43.9, 3.3], 30, { fdc: 170162, meals: ANY_MEAL, cuisines: ['indian', 'asian', 'thai', 'chinese', 'international'] }],
  ['pistachios', 'Pistachios', [560, 20.2, 27.2, 45.3, 10.6], 30, { fdc: 170184, cuisines: ['middle_eastern', 'mediterranean', 'international'] }],
  ['hazelnuts', 'Hazelnuts', [628, 15.0, 16.7, 60.8, 9.7], 30, { fdc: 170581, cuisines: ['european', 'mediterranean'] }],
  ['pecans', 'Pecans', [691, 9.2, 13.9, 72.0, 9.6], 30, { cuisines: ['american'] }],
  ['macadamias', 'Macadamia nuts', [718, 7.9, 13.8, 75.8, 8.6], 30, { cuisines: ['international'] }],
  ['brazil-nuts', 'Brazil nuts', [659, 14.3, 11.7, 67.1, 7.5], 30, { cuisines: ['latin_american', 'international'] }],
  ['pine-nuts', 'Pine nuts', [673, 13.7, 13.1, 68.4, 3.7], 15, { meals: MAINS, cuisines: ['italian', 'middle_eastern', 'mediterranean'] }],
  ['peanuts-roasted', 'Peanuts, dry-roasted', [587, 24.4, 21.3, 49.7, 8.4], 30, { fdc: 173806, allergens: ['peanut'], meals: ANY_MEAL, cuisines: ['international', 'american', 'thai', 'chinese', 'asian'] }],
  ['peanut-butter', 'Peanut butter, smooth', [588, 25.1, 19.6, 50.4, 6.0], 32, { allergens: ['peanut'], cuisines: ['american', 'international'] }],
  ['almond-butter', 'Almond butter', [614, 21.0, 18.8, 55.5, 10.3], 32, { cuisines: ['american', 'international'] }],
  // Mixed nuts as sold in most places include peanuts.
  ['mixed-nuts', 'Mixed nuts with peanuts, dry-roasted', [594, 17.3, 25.4, 51.5, 9.0], 30, { allergens: ['tree_nut', 'peanut'], meals: SNACK, cuisines: ['international', 'american'] }],
  ['sunflower-seeds', 'Sunflower seeds', [584, 20.8, 20.0, 51.5, 8.6], 30, { fdc: 170562, allergens: [], cuisines: ['international', 'european', 'american'] }],
  ['pumpkin-seeds', 'Pumpkin seeds (pepitas)', [559, 30.2, 10.7, 49.1, 6.0], 30, { allergens: [], meals: ANY_MEAL, cuisines: ['mexican', 'international', 'latin_american'] }],
  ['chia-seeds', 'Chia seeds', [486, 16.5, 42.1, 30.7, 34.4], 15, { fdc: 170554, allergens: [], cuisines: ['international', 'latin_american', 'american'] }],
  ['flaxseed', 'Flaxseed', [534, 18.3, 28.9, 42.2, 27.3], 15, { fdc: 169414, allergens: [], cuisines: ['international', 'european'] }],
  ['hemp-seeds', 'Hemp seeds, hulled', [553, 31.6, 8.7, 48.8, 4.0], 30, { allergens: [], cuisines: ['international'] }],
  ['sesame-seeds', 'Sesame seeds', [573, 17.7, 23.5, 49.7, 11.8], 10, { fdc: 170150, allergens: ['sesame'], meals: ANY_MEAL, cuisines: ['japanese', 'chinese', 'asian', 'middle_eastern'] }],
  ['tahini', 'Tahini (sesame paste)', [595, 17.0, 21.2, 53.8, 9.3], 15, { allergens: ['sesame'], meals: ANY_MEAL, cuisines: ['middle_eastern', 'mediterranean', 'greek'] }],
]);

// prettier-ignore
const oilsFats = defineGroup('oils_fats', { role: 'fat', diet: 'vegan', allergens: [], cuisines: ['international'], meals: MAINS }, [
  ['olive-oil', 'Olive oil', [884, 0, 0, 100, 0], 10, { fdc: 171413, cuisines: ['international', 'mediterranean', 'italian', 'greek', 'middle_eastern'] }],
  ['canola-oil', 'Canola (rapeseed) oil', [884, 0, 0, 100, 0], 10, { fdc: 172336, cuisines: ['international', 'american', 'indian', 'asian'] }],
  ['sunflower-oil', 'Sunflower oil', [884, 0, 0, 100, 0], 10, { fdc: 171025, cuisines: ['international', 'european', 'indian'] }],
  ['sesame-oil', 'Sesame oil', [884, 0, 0, 100, 0], 5, { fdc: 171016, allergens: ['sesame'], cuisines: ['chinese', 'japanese', 'asian'] }],
  ['coconut-oil', 'Coconut oil', [862, 0, 0, 99.1, 0], 10, { cuisines: ['thai', 'indian', 'asian'] }],
  ['avocado-oil', 'Avocado oil', [884, 0, 0, 100, 0], 10, { cuisines: ['international', 'mexican', 'american'] }],
  ['peanut-oil', 'Peanut (groundnut) oil', [884, 0, 0, 100, 0], 10, { allergens: ['peanut'], cuisines: ['chinese', 'asian', 'thai', 'american'] }],
  ['butter', 'Butter, salted', [717, 0.9, 0.1, 81.1, 0], 10, { fdc: 173410, allergens: ['dairy'], diet: 'vegetarian', meals: BREAKFAST_MAINS, cuisines: ['international', 'european', 'american'] }],
  ['ghee', 'Ghee (clarified butter)', [876, 0.3, 0, 99.5, 0], 10, { allergens: ['dairy'], diet: 'vegetarian', meals: BREAKFAST_MAINS, cuisines: ['indian'] }],
  ['mayonnaise', 'Mayonnaise', [680, 1.0, 0.6, 74.9, 0], 15, { fdc: 171009, allergens: ['egg'], diet: 'vegetarian', cuisines: ['american', 'european'] }],
]);

// prettier-ignore
const condiments = defineGroup('condiments', { role: 'none', diet: 'vegan', allergens: [], cuisines: ['international'], meals: ANY_MEAL }, [
  ['soy-sauce', 'Soy sauce (shoyu)', [53, 8.1, 4.9, 0.6, 0.8], 15, { fdc: 174277, allergens: ['soy', 'gluten'], cuisines: ['chinese', 'japanese', 'asian'] }],
  ['miso', 'Miso paste', [198, 12.8, 25.4, 6.0, 5.4], 15, { allergens: ['soy'], cuisines: ['japanese'] }],
  ['fish-sauce', 'Fish sauce', [35, 5.1, 3.6, 0, 0], 10, { allergens: ['fish'], diet: 'omnivore', cuisines: ['thai', 'asian'] }],
  ['yellow-mustard', 'Yellow mustard', [60, 3.7, 5.8, 3.3, 4.0], 10, { allergens: ['mustard'], cuisines: ['american', 'european'] }],
  ['ketchup', 'Tomato ketchup', [101, 1.0, 27.4, 0.1, 0.3], 15, { cuisines: ['american', 'international'] }],
  ['salsa', 'Tomato salsa', [36, 1.5, 6.6, 0.2, 1.9], 30, { cuisines: ['mexican', 'latin_american'] }],
  ['honey', 'Honey', [304, 0.3, 82.4, 0, 0.2], 20, { fdc: 169640, diet: 'vegetarian', meals: BREAKFAST_SNACK }],
  ['maple-syrup', 'Maple syrup', [260, 0, 67.0, 0.1, 0], 20, { meals: BREAKFAST, cuisines: ['american'] }],
  ['jam', 'Fruit jam', [278, 0.4, 68.9, 0.1, 1.1], 20, { meals: BREAKFAST_SNACK, cuisines: ['international', 'european'] }],
  ['sugar', 'Sugar, granulated', [387, 0, 100, 0, 0], 5, { fdc: 169655 }],
]);

// prettier-ignore
const snacks = defineGroup('snacks', { role: 'none', diet: 'vegan', allergens: [], cuisines: ['international'], meals: SNACK }, [
  ['popcorn-air-popped', 'Popcorn, air-popped', [387, 12.9, 77.8, 4.5, 14.5], 25, { fdc: 167959, role: 'carb', cuisines: ['american', 'international'] }],
  ['rice-cakes', 'Rice cakes, brown rice', [387, 8.2, 81.5, 2.8, 4.2], 20, { role: 'carb', meals: BREAKFAST_SNACK, cuisines: ['international', 'japanese', 'asian'] }],
  ['pretzels', 'Pretzels, hard, salted', [380, 10.3, 79.8, 2.9, 2.8], 30, { role: 'carb', allergens: ['gluten'], cuisines: ['american', 'european'] }],
  ['granola-bar', 'Granola bar, plain', [471, 10.1, 64.4, 19.8, 5.3], 40, { role: 'carb', allergens: ['gluten'], meals: BREAKFAST_SNACK, cuisines: ['american', 'international'] }],
  ['potato-chips', 'Potato chips, salted', [536, 6.6, 52.9, 34.6, 3.1], 30, { cuisines: ['american', 'european'] }],
  ['tortilla-chips', 'Tortilla chips', [489, 6.8, 66.4, 22.6, 5.3], 30, { cuisines: ['mexican', 'american'] }],
  // Dark chocolate usually contains soy lecithin and is made on milk-chocolate lines.
  ['dark-chocolate', 'Dark chocolate, 70-85% cocoa', [598, 7.8, 45.9, 42.6, 10.9], 20, { allergens: ['dairy', 'soy'], diet: 'vegetarian' }],
  ['milk-chocolate', 'Milk chocolate', [535, 7.7, 59.4, 29.7, 3.4], 20, { allergens: ['dairy', 'soy'], diet: 'vegetarian' }],
  ['ice-cream-vanilla', 'Ice cream, vanilla', [207, 3.5, 23.6, 11.0, 0.7], 70, { allergens: ['dairy'], diet: 'vegetarian', cuisines: ['international', 'american'] }],
  // Jerky marinades are soy-sauce based.
  ['beef-jerky', 'Beef jerky', [410, 33.2, 11.0, 25.6, 1.8], 30, { role: 'protein', allergens: ['soy', 'gluten'], diet: 'omnivore', cuisines: ['american'] }],
]);

// prettier-ignore
const beverages = defineGroup('beverages', { role: 'none', diet: 'vegan', allergens: [], cuisines: ['international'], meals: ANY_MEAL }, [
  ['coffee-black', 'Coffee, brewed, black', [1, 0.1, 0, 0, 0], 240, { meals: BREAKFAST_SNACK }],
  ['tea-black', 'Black tea, brewed', [1, 0, 0.3, 0, 0], 240, { meals: BREAKFAST_SNACK, cuisines: ['international', 'indian', 'european'] }],
  ['green-tea', 'Green tea, brewed', [1, 0.2, 0, 0, 0], 240, { cuisines: ['japanese', 'chinese', 'asian', 'international'] }],
  // Espresso with steamed whole milk (about four parts milk to one of coffee), as cafés serve them.
  ['latte', 'Caffè latte, whole milk', [49, 2.6, 3.9, 2.6, 0], 360, { allergens: ['dairy'], diet: 'vegetarian', meals: BREAKFAST_SNACK }],
  ['cappuccino', 'Cappuccino, whole milk', [31, 1.7, 2.5, 1.6, 0], 240, { allergens: ['dairy'], diet: 'vegetarian', meals: BREAKFAST_SNACK }],
  ['espresso', 'Espresso', [9, 0.1, 1.7, 0.2, 0], 30, { meals: BREAKFAST_SNACK }],
  ['orange-juice', 'Orange juice', [45, 0.7, 10.4, 0.2, 0.2], 240, { fdc: 169098, meals: BREAKFAST_SNACK }],
  ['apple-juice', 'Apple juice', [46, 0.1, 11.3, 0.1, 0.2], 240, { meals: BREAKFAST_SNACK }],
  ['cola', 'Cola, regular', [37, 0.1, 9.6, 0, 0], 355, { cuisines: ['american', 'international'] }],
  ['coconut-water', 'Coconut water', [19, 0.7, 3.7, 0.2, 1.1], 240, { cuisines: ['thai', 'latin_american', 'indian', 'international'] }],
  ['almond-milk-unsweetened', 'Almond milk, unsweetened', [15, 0.6, 0.6, 1.1, 0], 240, { allergens: ['tree_nut'], meals: BREAKFAST_SNACK }],
  ['soy-milk-unsweetened', 'Soy milk, unsweetened', [33, 2.9, 1.7, 1.6, 0], 240, { allergens: ['soy'], meals: BREAKFAST_SNACK }],
  // USDA's whey "isolate" record is a flavoured shake powder, hence the carbohydrate.
  ['whey-protein-powder', 'Whey protein powder', [359, 58.1, 29.1, 1.2, 0], 30, { role: 'protein', allergens: ['dairy'], diet: 'vegetarian', meals: BREAKFAST_SNACK }],
  ['soy-protein-powder', 'Soy protein powder', [388, 55.6, 28.9, 5.6, 6.7], 30, { role: 'protein', allergens: ['soy'], meals: BREAKFAST_SNACK }],
  ['beer', 'Beer, regular', [43, 0.5, 3.6, 0, 0], 355, { alcohol: 3.9, allergens: ['gluten'], meals: MAINS }],
  ['red-wine', 'Red wine', [85, 0.1, 2.6, 0, 0], 150, { alcohol: 10.6, allergens: ['sulphites'], meals: MAINS, cuisines: ['mediterranean', 'european', 'italian'] }],
  ['white-wine', 'White wine', [82, 0.1, 2.6, 0, 0], 150, { alcohol: 10.3, allergens: ['sulphites'], meals: MAINS, cuisines: ['mediterranean', 'european', 'italian'] }],
]);

// Mixed dishes have no SR Legacy record: typical recipe values per 100 g as served.
// prettier-ignore
const dishes = defineGroup('dishes', { role: 'main', diet: 'omnivore', allergens: [], cuisines: ['international'], meals: MAINS }, [
  ['hummus', 'Hummus', [177, 4.9, 20.1, 8.6, 4.0], 60, { fdc: 172454, role: 'fat', diet: 'vegan', allergens: ['sesame'], meals: MAINS_SNACK, cuisines: ['middle_eastern', 'mediterranean', 'greek'] }],
  ['falafel', 'Falafel', [333, 13.3, 31.8, 17.8, 0], 100, { role: 'protein', diet: 'vegan', allergens: ['gluten'], cuisines: ['middle_eastern', 'mediterranean'] }],
  ['chicken-kebab', 'Chicken kebab (shish tawook / souvlaki)', [162, 25.0, 2.0, 6.0, 0.3], 150, { role: 'protein', allergens: ['dairy'], cuisines: ['middle_eastern', 'greek', 'mediterranean'] }],
  ['guacamole', 'Guacamole', [155, 1.9, 8.6, 14.2, 6.0], 60, { role: 'fat', diet: 'vegan', meals: MAINS_SNACK, cuisines: ['mexican', 'latin_american'] }],
  ['chili-con-carne', 'Chili con carne with beans', [110, 7.4, 10.5, 4.3, 3.8], 300, { role: 'protein', cuisines: ['mexican', 'american'] }],
  ['bean-burrito', 'Bean and cheese burrito', [190, 7.0, 28.0, 5.5, 3.0], 250, { diet: 'vegetarian', allergens: ['gluten', 'dairy'], cuisines: ['mexican', 'american'] }],
  ['chicken-tikka-masala', 'Chicken tikka masala', [140, 12.5, 5.5, 7.6, 1.0], 250, { role: 'protein', allergens: ['dairy'], cuisines: ['indian'] }],
  ['tandoori-chicken', 'Tandoori chicken', [153, 24.0, 3.0, 5.0, 0.5], 150, { role: 'protein', allergens: ['dairy'], cuisines: ['indian'] }],
  // Tadka is often tempered with mustard seeds.
  ['dal', 'Dal (lentil curry)', [104, 5.8, 14.0, 2.8, 3.5], 250, { role: 'protein', diet: 'vegan', allergens: ['mustard'], cuisines: ['indian'] }],
  ['chana-masala', 'Chana masala (chickpea curry)', [140, 5.8, 17.0, 5.5, 5.0], 250, { role: 'protein', diet: 'vegan', cuisines: ['indian'] }],
  ['palak-paneer', 'Palak paneer (spinach with paneer)', [145, 7.0, 6.0, 10.5, 2.0], 250, { role: 'protein', diet: 'vegetarian', allergens: ['dairy'], cuisines: ['indian'] }],
  ['chicken-biryani', 'Chicken biryani', [169, 9.0, 22.0, 5.0, 1.0], 300, { allergens: ['dairy'], cuisines: ['indian'] }],
  ['aloo-gobi', 'Aloo gobi (potato and cauliflower)', [91, 2.2, 10.5, 4.5, 2.5], 200, { role: 'produce', diet: 'vegan', cuisines: ['indian'] }],
  ['vegetable-fried-rice', 'Vegetable fried rice', [165, 3.8, 32.5, 2.2, 1.0], 300, { diet: 'vegetarian', allergens: ['egg', 'soy', 'gluten'], cuisines: ['chinese', 'asian'] }],
  ['kung-pao-chicken', 'Kung pao chicken', [175, 14.0, 8.0, 10.0, 1.5], 250, { role: 'protein', allergens: ['peanut', 'soy', 'gluten'], cuisines: ['chinese', 'asian'] }],
  ['beef-and-broccoli', 'Beef and broccoli stir-fry', [110, 9.5, 6.5, 5.2, 1.5], 250, { role: 'protein', allergens: ['soy', 'gluten'], cuisines: ['chinese', 'asian'] }],
  ['chicken-teriyaki', 'Chicken teriyaki', [155, 19.0, 7.0, 5.0, 0.2], 200, { role: 'protein', allergens: ['soy', 'gluten'], cuisines: ['japanese', 'asian'] }],
  // Curry paste contains shrimp paste; the curry is seasoned with fish sauce.
  ['thai-green-curry', 'Thai green curry with chicken', [135, 9.0, 4.5, 9.3, 1.0], 250, { role: 'protein', allergens: ['fish', 'shellfish'], cuisines: ['thai', 'asian'] }],
  ['pad-thai', 'Pad thai with chicken', [165, 8.5, 20.0, 5.8, 1.2], 300, { allergens: ['peanut', 'egg', 'fish', 'soy'], cuisines: ['thai', 'asian'] }],
  ['salmon-maki', 'Salmon and avocado maki roll', [155, 6.0, 22.0, 4.5, 1.2], 200, { allergens: ['fish', 'sesame'], cuisines: ['japanese', 'asian'] }],
  ['miso-soup', 'Miso soup', [36, 2.6, 3.4, 1.4, 0.7], 240, { role: 'none', allergens: ['soy', 'fish'], meals: BREAKFAST_MAINS, cuisines: ['japanese'] }],
  ['lasagna', 'Lasagna with meat sauce', [166, 9.9, 15.6, 7.2, 1.3], 300, { allergens: ['gluten', 'dairy'], cuisines: ['italian', 'american'] }],
  ['spaghetti-bolognese', 'Spaghetti with meat sauce', [132, 7.3, 16.8, 4.1, 1.6], 350, { allergens: ['gluten'], cuisines: ['italian', 'international'] }],
  ['cheese-pizza', 'Cheese pizza', [266, 11.4, 33.3, 9.7, 2.3], 200, { diet: 'vegetarian', allergens: ['gluten', 'dairy'], cuisines: ['italian', 'american'] }],
  // Burger buns are often seeded.
  ['hamburger', 'Hamburger, single patty, plain', [254, 13.2, 30.3, 9.0, 1.4], 200, { allergens: ['gluten', 'sesame'], cuisines: ['american'] }],
  ['mac-and-cheese', 'Macaroni and cheese', [164, 6.5, 16.8, 7.9, 0.9], 250, { diet: 'vegetarian', allergens: ['gluten', 'dairy'], cuisines: ['american'] }],
  ['pancakes', 'Pancakes, plain', [227, 6.4, 28.3, 9.7, 1.0], 120, { role: 'carb', diet: 'vegetarian', allergens: ['gluten', 'egg', 'dairy'], meals: BREAKFAST, cuisines: ['american', 'european'] }],
  ['french-fries', 'French fries', [312, 3.4, 41.4, 14.7, 3.8], 120, { role: 'none', diet: 'vegan', cuisines: ['american', 'european'] }],
  ['mashed-potatoes', 'Mashed potatoes with milk and butter', [113, 2.0, 16.9, 4.2, 1.5], 200, { role: 'carb', diet: 'vegetarian', allergens: ['dairy'], cuisines: ['american', 'european'] }],
]);

/** Every food the planners know, in a fixed order. */
export const foodTable: readonly FoodEntry[] = [
  ...grains,
  ...breadPastaRice,
  ...starchyVegetables,
  ...legumes,
  ...vegetables,
  ...fruit,
  ...dairy,
  ...eggs,
  ...meat,
  ...poultry,
  ...fishSeafood,
  ...plantProteins,
  ...nutsSeeds,
  ...oilsFats,
  ...condiments,
  ...snacks,
  ...beverages,
  ...dishes,
];

const foodsBySlug = new Map(foodTable.map((food) => [food.slug, food]));

/** The food with this slug, if the table has it. */
export function findFoodBySlug(slug: string): FoodEntry | undefined {
  return foodsBySlug.get(slug);
}
