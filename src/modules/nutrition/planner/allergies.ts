import { allergenTags, type AllergenTag } from './food-table.data.js';

/*
 * Members type allergies as free text ("peanuts", "Tree nuts", "lactose intolerant",
 * "gluten/coeliac"). Keyword rules map each entry to the table's allergen tags; anything no rule
 * recognises is handed back so the caller can say so instead of silently ignoring it.
 */

interface AllergenRule {
  allergen: AllergenTag;
  pattern: RegExp;
}

// Patterns run on normalised text (lower case, every non-letter a single space), so `\b` sits
// between words and "tree-nuts" reads "tree nuts". Lactose intolerance is mapped to dairy:
// the table cannot tell lactose-free dairy apart, so leaving all of it out is the safe side.
const RULES: readonly AllergenRule[] = [
  { allergen: 'gluten', pattern: /\b(gluten|coeliac|celiac|wheat|barley|rye|spelt|seitan)\b/ },
  {
    allergen: 'dairy',
    pattern: /\b(dairy|milk|lactose|casein|whey|cheese|cream|yogh?urt|ghee)\b/,
  },
  { allergen: 'egg', pattern: /\beggs?\b/ },
  { allergen: 'peanut', pattern: /\b(peanuts?|groundnuts?)\b/ },
  {
    allergen: 'tree_nut',
    pattern:
      /\b(tree nuts?|almonds?|cashews?|walnuts?|pecans?|hazelnuts?|pistachios?|macadamias?|brazil nuts?|pine nuts?)\b/,
  },
  { allergen: 'soy', pattern: /\b(soy|soya|soybeans?|tofu|edamame|tempeh|miso)\b/ },
  {
    allergen: 'fish',
    pattern: /\b(fish|fishes|salmon|tuna|cod|anchov(y|ies)|sardines?|mackerel|trout|tilapia)\b/,
  },
  {
    allergen: 'shellfish',
    pattern:
      /\b(shellfish|crustaceans?|molluscs?|mollusks?|shrimps?|prawns?|crabs?|lobsters?|clams?|mussels?|oysters?|scallops?|squid|octopus|calamari)\b/,
  },
  { allergen: 'sesame', pattern: /\b(sesame|tahini)\b/ },
  { allergen: 'mustard', pattern: /\bmustard\b/ },
  { allergen: 'celery', pattern: /\b(celery|celeriac)\b/ },
  { allergen: 'lupin', pattern: /\b(lupin|lupine|lupini)\b/ },
  { allergen: 'sulphites', pattern: /\b(sulphites?|sulfites?|sulphur dioxide|sulfur dioxide)\b/ },
];

// "nut allergy" names no kind of nut: it has to cover both peanuts and tree nuts.
const ANY_NUT = /\bnuts?\b/;

/** One free-text entry and the allergen tags it was read as. */
export interface AllergyMatch {
  text: string;
  allergens: AllergenTag[];
}

export interface AllergyReading {
  /** Every tag any entry mapped to, in the table's order. */
  allergens: AllergenTag[];
  matches: AllergyMatch[];
  /** Entries no rule recognised, as the member wrote them (trimmed). */
  unrecognised: string[];
}

/** Lower case, accents stripped, every run of non-letters one space. */
export function normaliseText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z]+/g, ' ')
    .trim();
}

/** The allergen tags one free-text entry mentions; empty when no rule recognises it. */
export function allergensIn(text: string): AllergenTag[] {
  const normalised = normaliseText(text);
  const found = new Set(
    RULES.filter((rule) => rule.pattern.test(normalised)).map((rule) => rule.allergen),
  );
  if (!found.has('peanut') && !found.has('tree_nut') && ANY_NUT.test(normalised)) {
    found.add('peanut');
    found.add('tree_nut');
  }
  return allergenTags.filter((tag) => found.has(tag));
}

/** Reads a member's allergy entries into allergen tags, reporting the ones it cannot read. */
export function readAllergies(entries: readonly string[]): AllergyReading {
  const matches: AllergyMatch[] = [];
  const unrecognised: string[] = [];
  for (const entry of entries) {
    const text = entry.trim();
    if (text === '') continue;
    const allergens = allergensIn(text);
    if (allergens.length === 0) unrecognised.push(text);
    else matches.push({ text, allergens });
  }
  const all = new Set(matches.flatMap((match) => match.allergens));
  return { allergens: allergenTags.filter((tag) => all.has(tag)), matches, unrecognised };
}
