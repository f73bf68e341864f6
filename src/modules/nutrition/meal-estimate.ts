import { roundMacros, roundToTenth } from './meal-logs.presenter.js';
import {
  defaultPortion,
  fillerWords,
  foodWords,
  gramsPerMassUnit,
  millilitresPerVolumeUnit,
  portionUnits,
  quantityWords,
  separatorWords,
  sizeWords,
  unitWords,
  type FoodWords,
  type PortionUnit,
  type Unit,
} from './meal-estimate.vocabulary.js';
import { findFoodBySlug, type FoodEntry } from './planner/food-table.data.js';

/*
 * Free text ("2 eggs, a slice of wholemeal toast and a latte") to foods of the built-in table
 * with grams and macros. Pure: no database, no clock. The text is read as a stream of words:
 * quantities, units, sizes and food names (longest name first, so "mac and cheese" is one
 * food), split into parts by commas and words such as "and" / "with". A quantity or unit
 * belongs to the next food of its part ("toast, 2 slices" also works). Words it does not know
 * are reported, never guessed: a part without a known food comes back whole in `unrecognized`.
 */

/** An item larger than this is not believed (a typo such as "100 kg"); it is reported instead. */
export const MAX_ITEM_GRAMS = 5_000;

export interface Macros {
  calories: number;
  protein: number;
  carbs: number;
  fat: number;
}

export interface EstimatedItem {
  /** The words of the description this item was read from. */
  text: string;
  foodId: string;
  name: string;
  quantity: number;
  unit: Unit;
  grams: number;
  macros: Macros;
}

export interface MealEstimate {
  items: EstimatedItem[];
  macros: Macros;
  /** Words and parts of the description that were not understood, in order. */
  unrecognized: string[];
}

interface KnownFood {
  words: FoodWords;
  entry: FoodEntry;
}

type Lexeme =
  | { kind: 'quantity'; value: number; text: string; mixed?: boolean }
  | { kind: 'unit'; unit: Unit; text: string }
  | { kind: 'size'; factor: number; text: string }
  | { kind: 'food'; food: KnownFood; text: string }
  | { kind: 'filler'; text: string }
  | { kind: 'separator'; text: string }
  | { kind: 'word'; text: string };

const foodsByFirstWord = indexFoodNames();
const knownWords = new Set<string>([
  ...Object.keys(unitWords),
  ...Object.keys(quantityWords),
  ...Object.keys(sizeWords),
  ...fillerWords,
  ...separatorWords,
  ...[...foodsByFirstWord.values()].flatMap((names) => names.flatMap((name) => name.words)),
]);

function indexFoodNames(): Map<string, { words: string[]; food: KnownFood }[]> {
  const index = new Map<string, { words: string[]; food: KnownFood }[]>();
  for (const words of foodWords) {
    const entry = findFoodBySlug(words.slug);
    if (!entry) throw new Error(`meal-estimate vocabulary names an unknown food: ${words.slug}`);
    for (const name of words.names) {
      const parts = name.split(' ');
      const first = parts[0] ?? '';
      const list = index.get(first) ?? [];
      list.push({ words: parts, food: { words, entry } });
      index.set(first, list);
    }
  }
  // Longest names first: "wholemeal toast" before "toast" never matters (different first
  // words), but "chicken breast" must win over "chicken".
  for (const list of index.values()) list.sort((a, b) => b.words.length - a.words.length);
  return index;
}

const unicodeFractions: Record<string, string> = {
  '½': '1/2',
  '⅓': '1/3',
  '⅔': '2/3',
  '¼': '1/4',
  '¾': '3/4',
  '⅛': '1/8',
};

/** Lower case, accents dropped, unicode fractions spelt out, hyphens between words as spaces. */
function normalise(text: string): string {
  return text
    .replace(/(\d)?([½⅓⅔¼¾⅛])/g, (_, digit: string | undefined, fraction: string) =>
      digit
        ? `${digit} ${unicodeFractions[fraction] ?? ''}`
        : ` ${unicodeFractions[fraction] ?? ''}`,
    )
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/(\p{L})[-/](?=\p{L})/gu, '$1 ');
}

// Numbers (with fractions and a unit attached: "1/2", "1.5", "100g"), words, separators; the
// lexer checks what each number-like run really is.
const TOKEN = /[\d./]+\p{L}*|\p{L}+|[,;+&\n]/gu;

/** A word reduced to its singular when the singular is a word we know ("slices" → "slice"). */
export function singular(word: string): string {
  if (knownWords.has(word)) return word;
  const candidates = [
    word.endsWith('ies') ? `${word.slice(0, -3)}y` : undefined,
    word.endsWith('ves') ? `${word.slice(0, -3)}f` : undefined,
    word.endsWith('oes') ? word.slice(0, -2) : undefined,
    word.endsWith('es') ? word.slice(0, -2) : undefined,
    word.endsWith('s') ? word.slice(0, -1) : undefined,
  ];
  return (
    candidates.find((candidate) => candidate !== undefined && knownWords.has(candidate)) ?? word
  );
}

function parseNumber(token: string): number | undefined {
  const parts = token.split('/');
  if (parts.length > 2 || parts.some((part) => part === '' || part === '.')) return undefined;
  const [numerator, denominator = 1] = parts.map(Number);
  if (numerator === undefined || !Number.isFinite(numerator) || !Number.isFinite(denominator)) {
    return undefined;
  }
  return denominator === 0 ? undefined : numerator / denominator;
}

/** The description as lexemes; food names are matched here, longest first. */
function lex(description: string): Lexeme[] {
  const tokens = normalise(description).match(TOKEN) ?? [];
  const lexemes: Lexeme[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? '';
    if (/^[,;+&\n]$/.test(token) || /^[./]+$/.test(token)) {
      lexemes.push({ kind: 'separator', text: token });
      continue;
    }
    if (/^[\d./]/.test(token)) {
      // "100g", "250ml": a number with its unit attached.
      const attached = /^([\d./]+)(\p{L}+)$/u.exec(token);
      const numberText = attached?.[1] ?? token;
      const value = parseNumber(numberText);
      const unit = attached?.[2] === undefined ? undefined : unitWords[singular(attached[2])];
      if (value === undefined || (attached && !unit)) {
        lexemes.push({ kind: 'word', text: token });
        continue;
      }
      lexemes.push({ kind: 'quantity', value, text: numberText, mixed: numberText.includes('/') });
      if (unit && attached?.[2]) lexemes.push({ kind: 'unit', unit, text: attached[2] });
      continue;
    }
    const word = singular(token);
    const food = matchFood(tokens, i);
    if (food) {
      lexemes.push({
        kind: 'food',
        food: food.food,
        text: tokens.slice(i, i + food.length).join(' '),
      });
      i += food.length - 1;
      continue;
    }
    // "one and a half", "2 and a half": the half belongs to the quantity, not a new food.
    const previous = lexemes.at(-1);
    if (word === 'and' && previous?.kind === 'quantity') {
      const rest = tokens.slice(i + 1, i + 3).map(singular);
      const skip = rest[0] === 'half' ? 1 : rest[0] === 'a' && rest[1] === 'half' ? 2 : 0;
      if (skip > 0) {
        previous.value += 0.5;
        previous.text = `${previous.text} and ${skip === 2 ? 'a ' : ''}half`;
        i += skip;
        continue;
      }
    }
    const quantity = quantityWords[word];
    const unit = unitWords[word];
    const size = sizeWords[word];
    if (quantity !== undefined) lexemes.push({ kind: 'quantity', value: quantity, text: token });
    else if (unit !== undefined) lexemes.push({ kind: 'unit', unit, text: token });
    else if (size !== undefined) lexemes.push({ kind: 'size', factor: size, text: token });
    else if (separatorWords.has(word)) lexemes.push({ kind: 'separator', text: token });
    else if (fillerWords.has(word)) lexemes.push({ kind: 'filler', text: token });
    else lexemes.push({ kind: 'word', text: token });
  }
  return lexemes;
}

function matchFood(tokens: readonly string[], start: number) {
  const first = singular(tokens[start] ?? '');
  for (const name of foodsByFirstWord.get(first) ?? []) {
    const matches = name.words.every((word, offset) => {
      const token = tokens[start + offset];
      return token !== undefined && (token === word || singular(token) === word);
    });
    if (matches) return { food: name.food, length: name.words.length };
  }
  return undefined;
}

/** Consecutive quantities multiply ("half a dozen"), except a fraction after a number adds ("1 1/2"). */
function combine(quantities: Extract<Lexeme, { kind: 'quantity' }>[]): number | undefined {
  if (quantities.length === 0) return undefined;
  let value = 1;
  let previousWasDigits = false;
  for (const quantity of quantities) {
    if (quantity.mixed && previousWasDigits) value += quantity.value;
    else value *= quantity.value;
    previousWasDigits = /^\d+$/.test(quantity.text);
  }
  return value;
}

/** Grams per millilitre: from the food's cup weight when known, else that of water. */
const densityOf = (food: KnownFood) => (food.words.portions?.cup ?? 240) / 240;

/** What one of `unit` of the food weighs. */
function gramsPerUnit(food: KnownFood, unit: Unit): number {
  const mass = gramsPerMassUnit[unit];
  if (mass !== undefined) return mass;
  const portion = food.words.portions?.[unit as PortionUnit];
  if (portion !== undefined) return portion;
  const volume = millilitresPerVolumeUnit[unit];
  if (volume !== undefined) return volume * densityOf(food);
  switch (unit) {
    case 'piece':
    case 'serving':
      return food.entry.typicalServingG;
    case 'bowl':
    case 'glass':
      return defaultPortion[unit] * densityOf(food);
    case 'slice':
    case 'handful':
    case 'scoop':
      return defaultPortion[unit];
    default:
      return food.entry.typicalServingG;
  }
}

function countUnit(food: KnownFood): Unit {
  return food.words.countAs ?? (food.words.portions?.piece === undefined ? 'serving' : 'piece');
}

const isPortionUnit = (unit: Unit): unit is PortionUnit =>
  (portionUnits as readonly string[]).includes(unit);

interface Pending {
  quantities: Extract<Lexeme, { kind: 'quantity' }>[];
  unit?: Unit;
  size?: number;
  words: string[];
}

const emptyPending = (): Pending => ({ quantities: [], words: [] });

/** The last item read, and whether its amount was given (else a later amount may set it). */
interface LastItem {
  index: number;
  explicit: boolean;
}

/** Reads a meal description; see the comment at the top of this file. */
export function estimateMeal(description: string): MealEstimate {
  const items: EstimatedItem[] = [];
  const unrecognized: string[] = [];
  const state: { last?: LastItem } = {};
  let part: Lexeme[] = [];
  const flush = () => {
    readPart(part, items, unrecognized, state);
    part = [];
  };
  for (const lexeme of lex(description)) {
    if (lexeme.kind === 'separator') flush();
    else part.push(lexeme);
  }
  flush();
  return {
    items,
    macros: roundMacros(
      items.reduce(
        (sum, item) => ({
          calories: sum.calories + item.macros.calories,
          protein: sum.protein + item.macros.protein,
          carbs: sum.carbs + item.macros.carbs,
          fat: sum.fat + item.macros.fat,
        }),
        { calories: 0, protein: 0, carbs: 0, fat: 0 },
      ),
    ),
    unrecognized,
  };
}

/** One part between separators: its foods, each with the quantity and unit before it. */
function readPart(
  part: Lexeme[],
  items: EstimatedItem[],
  unrecognized: string[],
  state: { last?: LastItem },
): void {
  if (part.length === 0) return;
  let pending = emptyPending();
  let unknownRun: string[] = [];
  const hasFood = part.some((lexeme) => lexeme.kind === 'food');
  const hasUnknown = part.some((lexeme) => lexeme.kind === 'word');
  if (!hasFood && hasUnknown) {
    unrecognized.push(part.map((lexeme) => lexeme.text).join(' '));
    return;
  }
  const endUnknownRun = () => {
    if (unknownRun.length > 0) unrecognized.push(unknownRun.join(' '));
    unknownRun = [];
  };
  for (const lexeme of part) {
    if (lexeme.kind !== 'word') endUnknownRun();
    switch (lexeme.kind) {
      case 'quantity':
        pending.quantities.push(lexeme);
        pending.words.push(lexeme.text);
        break;
      case 'unit':
        pending.unit = lexeme.unit;
        pending.words.push(lexeme.text);
        break;
      case 'size':
        pending.size = lexeme.factor;
        pending.words.push(lexeme.text);
        break;
      case 'filler':
        if (pending.words.length > 0) pending.words.push(lexeme.text);
        break;
      case 'word':
        unknownRun.push(lexeme.text);
        break;
      case 'food': {
        const explicit = pending.quantities.length > 0 || pending.unit !== undefined;
        const item = itemOf(lexeme.food, pending, [...pending.words, lexeme.text].join(' '));
        if (item.grams > MAX_ITEM_GRAMS) {
          unrecognized.push(item.text);
          state.last = undefined;
        } else {
          items.push(item);
          state.last = { index: items.length - 1, explicit };
        }
        pending = emptyPending();
        break;
      }
      case 'separator':
        break;
    }
  }
  endUnknownRun();
  if (pending.words.length === 0) return;
  const amount = pending.quantities.length > 0 || pending.unit !== undefined;
  if (!amount || !applyAfterwards(pending, items, state)) {
    unrecognized.push(pending.words.join(' '));
  }
}

/** "toast, 2 slices": an amount after the food it measures, when that food had none. */
function applyAfterwards(
  pending: Pending,
  items: EstimatedItem[],
  state: { last?: LastItem },
): boolean {
  const last = state.last;
  const target = last && !last.explicit ? items[last.index] : undefined;
  const food = target && knownFood(target.foodId);
  if (!last || !target || !food) return false;
  const item = itemOf(food, pending, `${target.text} ${pending.words.join(' ')}`);
  if (item.grams > MAX_ITEM_GRAMS) return false;
  items[last.index] = item;
  state.last = { index: last.index, explicit: true };
  return true;
}

const foodsById = new Map(
  [...foodsByFirstWord.values()].flatMap((names) =>
    names.map((name) => [name.food.entry.id, name.food] as const),
  ),
);
const knownFood = (id: string) => foodsById.get(id);

function itemOf(food: KnownFood, pending: Pending, text: string): EstimatedItem {
  const quantity = combine(pending.quantities) ?? 1;
  const unit = pending.unit ?? countUnit(food);
  const sizeFactor = pending.size !== undefined && isPortionUnit(unit) ? pending.size : 1;
  const grams = roundToTenth(quantity * gramsPerUnit(food, unit) * sizeFactor);
  const share = grams / 100;
  const { per100g } = food.entry;
  return {
    text,
    foodId: food.entry.id,
    name: food.entry.name,
    quantity: Math.round(quantity * 1000) / 1000,
    unit,
    grams,
    macros: roundMacros({
      calories: per100g.calories * share,
      protein: per100g.protein * share,
      carbs: per100g.carbs * share,
      fat: per100g.fat * share,
    }),
  };
}
