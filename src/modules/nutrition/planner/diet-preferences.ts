import { normaliseText, readAllergies } from './allergies.js';
import {
  diets,
  foodTable,
  type AllergenTag,
  type CuisineTag,
  type Diet,
  type FoodEntry,
} from './food-table.data.js';

/*
 * What a member's free-text preferences mean for the diet planner: a diet, the allergens to
 * avoid, foods to avoid by name, and the cuisines to prefer. Every reading is explained back.
 */

export interface DietPreferences {
  diet: Diet;
  allergens: ReadonlySet<AllergenTag>;
  /** Word stems from allergy entries no rule recognised; foods named with them are left out. */
  avoidedNames: readonly string[];
  cuisines: ReadonlySet<CuisineTag>;
}

export interface PreferenceInput {
  allergies: readonly string[];
  cuisinePreferences: readonly string[];
  diet?: Diet;
}

// Free text in a member's cuisine preferences mapped to cuisine tags. A national cuisine also
// brings its wider family, so "Italian" can fall back on Mediterranean foods before staples.
// Looked up through a Map: member text like "constructor" must not reach Object.prototype.
const CUISINE_ALIASES: ReadonlyMap<string, readonly CuisineTag[]> = new Map(
  Object.entries({
    international: ['international'],
    american: ['american'],
    'north american': ['american'],
    southern: ['american'],
    'tex mex': ['mexican', 'american'],
    european: ['european'],
    british: ['european'],
    english: ['european'],
    irish: ['european'],
    french: ['european', 'mediterranean'],
    german: ['european'],
    polish: ['european'],
    russian: ['european'],
    nordic: ['european'],
    scandinavian: ['european'],
    mediterranean: ['mediterranean'],
    spanish: ['mediterranean', 'european'],
    portuguese: ['mediterranean', 'european'],
    italian: ['italian', 'mediterranean'],
    greek: ['greek', 'mediterranean'],
    'middle eastern': ['middle_eastern'],
    'middle east': ['middle_eastern'],
    arabic: ['middle_eastern'],
    arab: ['middle_eastern'],
    levantine: ['middle_eastern', 'mediterranean'],
    lebanese: ['middle_eastern', 'mediterranean'],
    turkish: ['middle_eastern', 'mediterranean'],
    persian: ['middle_eastern'],
    iranian: ['middle_eastern'],
    israeli: ['middle_eastern', 'mediterranean'],
    moroccan: ['middle_eastern', 'mediterranean'],
    egyptian: ['middle_eastern'],
    indian: ['indian'],
    'north indian': ['indian'],
    'south indian': ['indian'],
    pakistani: ['indian'],
    bangladeshi: ['indian'],
    'sri lankan': ['indian'],
    nepali: ['indian'],
    asian: ['asian'],
    'east asian': ['asian'],
    'southeast asian': ['asian'],
    chinese: ['chinese', 'asian'],
    cantonese: ['chinese', 'asian'],
    sichuan: ['chinese', 'asian'],
    szechuan: ['chinese', 'asian'],
    japanese: ['japanese', 'asian'],
    thai: ['thai', 'asian'],
    korean: ['asian'],
    vietnamese: ['asian'],
    indonesian: ['asian'],
    malaysian: ['asian'],
    filipino: ['asian'],
    mexican: ['mexican', 'latin_american'],
    'latin american': ['latin_american'],
    latin: ['latin_american'],
    brazilian: ['latin_american'],
    peruvian: ['latin_american'],
    colombian: ['latin_american'],
    argentinian: ['latin_american'],
    caribbean: ['latin_american'],
    cuban: ['latin_american'],
  } satisfies Record<string, readonly CuisineTag[]>),
);
const CUISINE_FILLER_WORDS = /\b(food|foods|cuisine|cooking|dishes|style)\b/g;

// Members without a diet setting write it where they can: "vegan" under cuisines or allergies.
const DIET_WORDS: ReadonlyMap<string, Diet> = new Map([
  ['vegan', 'vegan'],
  ['plant based', 'vegan'],
  ['vegetarian', 'vegetarian'],
  ['veggie', 'vegetarian'],
]);
// `diets` lists them from least to most restrictive.
const strictness = (diet: Diet) => diets.indexOf(diet);

function dietWordIn(text: string): Diet | undefined {
  return DIET_WORDS.get(normaliseText(text));
}

function stricterDiet(a: Diet, b: Diet): Diet {
  return strictness(a) >= strictness(b) ? a : b;
}

/** The requested diet, made stricter by any diet written in the free-text lists. */
function resolveDiet(input: PreferenceInput, explanation: string[]): Diet {
  const requested = input.diet ?? 'omnivore';
  const written = [...input.cuisinePreferences, ...input.allergies]
    .map(dietWordIn)
    .filter((diet): diet is Diet => diet !== undefined)
    .reduce<Diet>(stricterDiet, 'omnivore');
  const diet = stricterDiet(requested, written);
  if (strictness(written) > strictness(requested)) {
    explanation.push(`Diet: ${diet}, as written in your preferences.`);
  } else if (diet !== 'omnivore') {
    explanation.push(`Diet: ${diet}.`);
  }
  return diet;
}

// Shorter stems ("a", "ok") would match half the table by accident.
const MIN_NAME_STEM = 3;

/** Word stem used to match food names: "strawberries" → "strawberr", "peaches" → "peach". */
function nameStem(text: string): string {
  const word = normaliseText(text);
  const stem = word.replace(/(ies|es|s|y)$/, '');
  return stem.length >= MIN_NAME_STEM ? stem : word;
}

function namesFood(food: FoodEntry, stem: string): boolean {
  return ` ${normaliseText(food.name)}`.includes(` ${stem}`);
}

/**
 * Allergen tags from the allergy entries. An entry no rule recognises ("kiwi") still protects
 * the member: foods whose name starts a word with it are left out too.
 */
function resolveAllergies(entries: readonly string[], explanation: string[]) {
  const reading = readAllergies(entries.filter((entry) => dietWordIn(entry) === undefined));
  if (reading.allergens.length > 0) {
    const sources = reading.matches.map((match) => `"${match.text}"`).join(', ');
    explanation.push(
      `Left out every food containing ${reading.allergens.join(', ')} (from ${sources}).`,
    );
  }
  const avoidedNames: string[] = [];
  for (const text of reading.unrecognised) {
    const stem = nameStem(text);
    const named =
      stem.length < MIN_NAME_STEM
        ? []
        : foodTable.filter((food) => namesFood(food, stem)).map((food) => food.name);
    if (named.length > 0) {
      avoidedNames.push(stem);
      explanation.push(
        `"${text}" is not an allergen we know, so foods named like it were left out: ${named.join(', ')}.`,
      );
    } else {
      explanation.push(
        `"${text}" is not an allergen we know and no food is named like it: please check the plan yourself.`,
      );
    }
  }
  return { allergens: new Set<AllergenTag>(reading.allergens), avoidedNames };
}

/** The cuisine tags a free-text preference names ("Italian food" → italian, mediterranean). */
export function cuisineTagsIn(text: string): readonly CuisineTag[] | undefined {
  const key = normaliseText(text).replace(CUISINE_FILLER_WORDS, ' ').replace(/\s+/g, ' ').trim();
  return CUISINE_ALIASES.get(key);
}

function resolveCuisines(entries: readonly string[], explanation: string[]): Set<CuisineTag> {
  const cuisines = new Set<CuisineTag>();
  const unknown: string[] = [];
  for (const entry of entries) {
    if (entry.trim() === '' || dietWordIn(entry) !== undefined) continue;
    const tags = cuisineTagsIn(entry);
    if (tags) for (const tag of tags) cuisines.add(tag);
    else unknown.push(`"${entry.trim()}"`);
  }
  if (cuisines.size > 0) explanation.push(`Preferring ${[...cuisines].join(', ')} foods.`);
  if (unknown.length > 0) {
    explanation.push(`Cuisines we do not know were ignored: ${unknown.join(', ')}.`);
  }
  return cuisines;
}

/** Reads a member's diet, allergy and cuisine entries, explaining each reading. */
export function resolvePreferences(input: PreferenceInput): {
  preferences: DietPreferences;
  explanation: string[];
} {
  const explanation: string[] = [];
  const preferences: DietPreferences = {
    diet: resolveDiet(input, explanation),
    ...resolveAllergies(input.allergies, explanation),
    cuisines: resolveCuisines(input.cuisinePreferences, explanation),
  };
  return { preferences, explanation };
}

/** Whether a food fits the member's diet and avoids everything they are allergic to. */
export function fitsPreferences(food: FoodEntry, preferences: DietPreferences): boolean {
  if (preferences.diet === 'vegan' && !food.diets.vegan) return false;
  if (preferences.diet === 'vegetarian' && !food.diets.vegetarian) return false;
  if (food.allergens.some((allergen) => preferences.allergens.has(allergen))) return false;
  return !preferences.avoidedNames.some((stem) => namesFood(food, stem));
}
