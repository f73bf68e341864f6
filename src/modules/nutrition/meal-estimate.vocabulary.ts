/*
 * The words the meal-description parser understands: quantities, units, portion sizes and the
 * names people give foods of the built-in food table. Portion weights are USDA FoodData Central
 * household measures (a large egg 50 g, a slice of whole-wheat bread 32 g, a cup of cooked
 * white rice 158 g ...), rounded; where USDA lists several sizes, the medium one.
 */

/** Units counted in portions of the food: their weight depends on what is measured. */
export const portionUnits = [
  'piece',
  'slice',
  'cup',
  'bowl',
  'glass',
  'handful',
  'serving',
  'scoop',
] as const;
export type PortionUnit = (typeof portionUnits)[number];

/** Units of mass (grams each) and volume (millilitres each). */
export type MeasureUnit =
  'g' | 'kg' | 'oz' | 'lb' | 'ml' | 'cl' | 'dl' | 'l' | 'pint' | 'tbsp' | 'tsp' | 'shot';
export type Unit = PortionUnit | MeasureUnit;

export const gramsPerMassUnit: Partial<Record<Unit, number>> = {
  g: 1,
  kg: 1000,
  oz: 28.35,
  lb: 453.6,
};

export const millilitresPerVolumeUnit: Partial<Record<Unit, number>> = {
  ml: 1,
  cl: 10,
  dl: 100,
  l: 1000,
  // The imperial pint, as pubs pour it.
  pint: 568,
  tbsp: 15,
  tsp: 5,
  shot: 30,
  cup: 240,
};

/** What a portion weighs when the food gives no weight of its own. */
export const defaultPortion: Record<Exclude<PortionUnit, 'piece' | 'serving' | 'cup'>, number> = {
  slice: 30,
  // Bowls and glasses are volumes: 300 ml and 250 ml at the food's density.
  bowl: 300,
  glass: 250,
  handful: 30,
  scoop: 30,
};

/** Every spelling of a unit, singular; plurals are reduced to these before the lookup. */
export const unitWords: Record<string, Unit> = {
  g: 'g',
  gr: 'g',
  gram: 'g',
  gramme: 'g',
  kg: 'kg',
  kilo: 'kg',
  kilogram: 'kg',
  kilogramme: 'kg',
  oz: 'oz',
  ounce: 'oz',
  lb: 'lb',
  lbs: 'lb',
  pound: 'lb',
  ml: 'ml',
  millilitre: 'ml',
  milliliter: 'ml',
  cl: 'cl',
  dl: 'dl',
  l: 'l',
  litre: 'l',
  liter: 'l',
  pint: 'pint',
  cup: 'cup',
  mug: 'cup',
  tbsp: 'tbsp',
  tbs: 'tbsp',
  tablespoon: 'tbsp',
  tsp: 'tsp',
  teaspoon: 'tsp',
  shot: 'shot',
  slice: 'slice',
  rasher: 'slice',
  piece: 'piece',
  pc: 'piece',
  pcs: 'piece',
  bowl: 'bowl',
  bowlful: 'bowl',
  glass: 'glass',
  handful: 'handful',
  serving: 'serving',
  portion: 'serving',
  helping: 'serving',
  scoop: 'scoop',
};

/** Number words; consecutive quantities multiply ("half a dozen" = 6). */
export const quantityWords: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  twenty: 20,
  half: 0.5,
  quarter: 0.25,
  third: 1 / 3,
  couple: 2,
  dozen: 12,
  single: 1,
  double: 2,
};

/** Size words, as factors of a medium portion; they change counted portions only. */
export const sizeWords: Record<string, number> = {
  small: 0.75,
  medium: 1,
  regular: 1,
  normal: 1,
  large: 1.25,
  big: 1.25,
};

/** Words that carry no meaning for the estimate. */
export const fillerWords = new Set([
  'of',
  'some',
  'the',
  'my',
  'x',
  'about',
  'around',
  'approx',
  'approximately',
  'roughly',
  'fresh',
  'plain',
  'homemade',
]);

/** Words that end one food and start the next. */
export const separatorWords = new Set(['and', 'with', 'plus', 'then', 'also', 'alongside']);

/** A food as people name it, and its portion weights in grams. */
export interface FoodWords {
  /** Slug of the food in the built-in table. */
  slug: string;
  /** Names, singular, lower case, words separated by single spaces. */
  names: readonly string[];
  portions?: Partial<Record<PortionUnit, number>>;
  /** The portion a bare count means ("2 eggs": pieces); default `piece` when given, else `serving`. */
  countAs?: PortionUnit;
}

// prettier-ignore
export const foodWords: readonly FoodWords[] = [
  // Eggs
  { slug: 'egg-whole', names: ['egg', 'whole egg', 'raw egg', 'poached egg'], portions: { piece: 50 } },
  { slug: 'egg-hard-boiled', names: ['boiled egg', 'hard boiled egg', 'soft boiled egg'], portions: { piece: 50 } },
  { slug: 'egg-fried', names: ['fried egg'], portions: { piece: 46 } },
  { slug: 'egg-scrambled', names: ['scrambled egg'], portions: { piece: 61, cup: 220 } },
  { slug: 'egg-white', names: ['egg white'], portions: { piece: 33, cup: 243 } },
  { slug: 'pancakes', names: ['pancake'], portions: { piece: 40 } },
  // Bread, cereals, grains
  { slug: 'white-bread', names: ['toast', 'white toast', 'bread', 'white bread'], portions: { slice: 29 }, countAs: 'slice' },
  { slug: 'whole-wheat-bread', names: ['wholemeal toast', 'wholemeal bread', 'whole wheat toast', 'whole wheat bread', 'wholegrain toast', 'wholegrain bread', 'whole grain bread', 'whole grain toast', 'brown bread', 'brown toast'], portions: { slice: 32 }, countAs: 'slice' },
  { slug: 'rye-bread', names: ['rye bread', 'rye toast', 'pumpernickel'], portions: { slice: 32 }, countAs: 'slice' },
  { slug: 'sourdough-bread', names: ['sourdough', 'sourdough bread', 'sourdough toast', 'baguette', 'french bread'], portions: { slice: 45 }, countAs: 'slice' },
  { slug: 'bagel-plain', names: ['bagel'], portions: { piece: 105 } },
  { slug: 'croissant', names: ['croissant'], portions: { piece: 57 } },
  { slug: 'pita-bread', names: ['pita', 'pitta', 'pita bread', 'pitta bread'], portions: { piece: 60 } },
  { slug: 'naan', names: ['naan', 'naan bread'], portions: { piece: 90 } },
  { slug: 'chapati', names: ['chapati', 'roti'], portions: { piece: 40 } },
  { slug: 'flour-tortilla', names: ['tortilla', 'wrap', 'flour tortilla'], portions: { piece: 45 } },
  { slug: 'corn-tortilla', names: ['corn tortilla'], portions: { piece: 26 } },
  { slug: 'oats-rolled-dry', names: ['oat', 'rolled oat', 'porridge oat'], portions: { cup: 81, bowl: 40 } },
  { slug: 'oatmeal-cooked', names: ['oatmeal', 'porridge'], portions: { cup: 234, bowl: 250 }, countAs: 'bowl' },
  { slug: 'granola', names: ['granola', 'muesli'], portions: { cup: 122, bowl: 60 }, countAs: 'bowl' },
  { slug: 'corn-flakes', names: ['cornflake', 'corn flake', 'cereal'], portions: { cup: 28, bowl: 40 }, countAs: 'bowl' },
  { slug: 'white-rice-cooked', names: ['rice', 'white rice', 'boiled rice', 'steamed rice'], portions: { cup: 158 } },
  { slug: 'brown-rice-cooked', names: ['brown rice'], portions: { cup: 195 } },
  { slug: 'pasta-cooked', names: ['pasta', 'spaghetti', 'penne', 'macaroni', 'noodle'], portions: { cup: 140 } },
  { slug: 'quinoa-cooked', names: ['quinoa'], portions: { cup: 185 } },
  { slug: 'couscous-cooked', names: ['couscous'], portions: { cup: 157 } },
  // Potatoes, vegetables
  { slug: 'potato-boiled', names: ['potato', 'boiled potato'], portions: { piece: 170, cup: 156 } },
  { slug: 'potato-baked', names: ['baked potato', 'jacket potato'], portions: { piece: 173 } },
  { slug: 'sweet-potato-baked', names: ['sweet potato'], portions: { piece: 114, cup: 200 } },
  { slug: 'mashed-potatoes', names: ['mashed potato', 'mash'], portions: { cup: 210 } },
  { slug: 'french-fries', names: ['fry', 'french fry'], portions: { serving: 117 } },
  { slug: 'broccoli-boiled', names: ['broccoli'], portions: { cup: 156 } },
  { slug: 'spinach-raw', names: ['spinach'], portions: { cup: 30 } },
  { slug: 'carrots-raw', names: ['carrot'], portions: { piece: 61, cup: 128 } },
  { slug: 'tomato', names: ['tomato'], portions: { piece: 123, slice: 20, cup: 180 } },
  { slug: 'cucumber', names: ['cucumber'], portions: { piece: 300, slice: 7, cup: 119 } },
  { slug: 'onion', names: ['onion'], portions: { piece: 110, cup: 160 } },
  { slug: 'mushrooms-white', names: ['mushroom'], portions: { piece: 18, cup: 70 } },
  { slug: 'romaine-lettuce', names: ['lettuce', 'salad', 'green salad', 'side salad'], portions: { cup: 47, bowl: 100 } },
  { slug: 'green-peas-boiled', names: ['pea', 'green pea'], portions: { cup: 160 } },
  { slug: 'sweet-corn-cooked', names: ['corn', 'sweetcorn', 'sweet corn'], portions: { cup: 164 } },
  { slug: 'baked-beans', names: ['baked bean'], portions: { cup: 254 } },
  // Fruit
  { slug: 'banana', names: ['banana'], portions: { piece: 118, cup: 150 } },
  { slug: 'apple', names: ['apple'], portions: { piece: 182, slice: 14 } },
  { slug: 'orange', names: ['orange'], portions: { piece: 131 } },
  { slug: 'pear', names: ['pear'], portions: { piece: 178 } },
  { slug: 'peach', names: ['peach'], portions: { piece: 150 } },
  { slug: 'kiwi', names: ['kiwi', 'kiwifruit'], portions: { piece: 69 } },
  { slug: 'mango', names: ['mango'], portions: { piece: 200, cup: 165 } },
  { slug: 'avocado', names: ['avocado'], portions: { piece: 150, slice: 15 } },
  { slug: 'strawberries', names: ['strawberry'], portions: { piece: 12, cup: 152, handful: 70 } },
  { slug: 'blueberries', names: ['blueberry'], portions: { cup: 148, handful: 40 } },
  { slug: 'raspberries', names: ['raspberry'], portions: { cup: 123, handful: 40 } },
  { slug: 'grapes', names: ['grape'], portions: { piece: 5, cup: 151, handful: 50 } },
  { slug: 'pineapple', names: ['pineapple'], portions: { slice: 84, cup: 165 } },
  { slug: 'watermelon', names: ['watermelon'], portions: { slice: 280, cup: 152 } },
  { slug: 'raisins', names: ['raisin'], portions: { cup: 145, handful: 30 } },
  // Dairy
  { slug: 'milk-whole', names: ['milk', 'whole milk'], portions: { cup: 244 } },
  { slug: 'milk-reduced-fat', names: ['semi skimmed milk', 'reduced fat milk'], portions: { cup: 244 } },
  { slug: 'milk-skim', names: ['skim milk', 'skimmed milk'], portions: { cup: 245 } },
  { slug: 'yogurt-plain-whole', names: ['yogurt', 'yoghurt', 'natural yogurt'], portions: { cup: 245, serving: 170 } },
  { slug: 'greek-yogurt-nonfat', names: ['greek yogurt', 'greek yoghurt', 'skyr'], portions: { cup: 285, serving: 170 } },
  { slug: 'cottage-cheese', names: ['cottage cheese'], portions: { cup: 226 } },
  { slug: 'cheddar', names: ['cheese', 'cheddar', 'cheddar cheese'], portions: { slice: 28, cup: 113, serving: 30 } },
  { slug: 'mozzarella', names: ['mozzarella'], portions: { slice: 28, cup: 112 } },
  { slug: 'feta', names: ['feta'], portions: { cup: 150 } },
  { slug: 'parmesan', names: ['parmesan', 'parmigiano'], portions: { cup: 100 } },
  { slug: 'cream-cheese', names: ['cream cheese'], portions: { cup: 232 } },
  { slug: 'butter', names: ['butter'], portions: { cup: 227, slice: 5 } },
  // Meat, fish, plant proteins
  { slug: 'chicken-breast-roasted', names: ['chicken', 'chicken breast', 'grilled chicken', 'roast chicken'], portions: { piece: 120, cup: 140 } },
  { slug: 'chicken-thigh-roasted', names: ['chicken thigh'], portions: { piece: 52 } },
  { slug: 'beef-sirloin-grilled', names: ['steak', 'sirloin', 'sirloin steak', 'beef steak'], portions: { piece: 170 } },
  { slug: 'beef-ground-85-cooked', names: ['mince', 'minced beef', 'ground beef', 'beef mince'], portions: { cup: 135 } },
  { slug: 'bacon-cooked', names: ['bacon', 'bacon rasher'], portions: { slice: 8, piece: 8 }, countAs: 'slice' },
  { slug: 'ham-sliced', names: ['ham'], portions: { slice: 28 }, countAs: 'slice' },
  { slug: 'turkey-breast-roasted', names: ['turkey', 'turkey breast'], portions: { slice: 28 } },
  { slug: 'salmon-farmed-cooked', names: ['salmon', 'salmon fillet'], portions: { piece: 154 } },
  { slug: 'tuna-canned-water', names: ['tuna', 'canned tuna', 'tinned tuna'], portions: { cup: 154 } },
  { slug: 'cod-cooked', names: ['cod', 'white fish'], portions: { piece: 180 } },
  { slug: 'shrimp-cooked', names: ['shrimp', 'prawn'], portions: { piece: 6, cup: 145 } },
  { slug: 'tofu-firm', names: ['tofu'], portions: { slice: 85, cup: 252 } },
  { slug: 'lentils-cooked', names: ['lentil'], portions: { cup: 198 } },
  { slug: 'chickpeas-cooked', names: ['chickpea'], portions: { cup: 164 } },
  { slug: 'black-beans-cooked', names: ['black bean', 'bean'], portions: { cup: 172 } },
  { slug: 'hummus', names: ['hummus', 'houmous'], portions: { cup: 246 } },
  // Nuts, spreads, fats, sweet things
  { slug: 'almonds', names: ['almond'], portions: { piece: 1.2, cup: 143, handful: 28 } },
  { slug: 'walnuts', names: ['walnut'], portions: { piece: 4, cup: 117, handful: 28 } },
  { slug: 'cashews', names: ['cashew'], portions: { piece: 1.6, cup: 137, handful: 28 } },
  { slug: 'peanuts-roasted', names: ['peanut'], portions: { cup: 146, handful: 28 } },
  { slug: 'mixed-nuts', names: ['nut', 'mixed nut'], portions: { cup: 137, handful: 28 } },
  { slug: 'peanut-butter', names: ['peanut butter'], portions: { cup: 258 } },
  { slug: 'olive-oil', names: ['olive oil', 'oil'], portions: { cup: 216 } },
  { slug: 'honey', names: ['honey'], portions: { cup: 339 } },
  { slug: 'jam', names: ['jam', 'jelly', 'marmalade'], portions: { cup: 320 } },
  { slug: 'sugar', names: ['sugar'], portions: { cup: 200, piece: 4 } },
  { slug: 'dark-chocolate', names: ['dark chocolate'], portions: { piece: 10 } },
  { slug: 'milk-chocolate', names: ['chocolate', 'milk chocolate'], portions: { piece: 10 } },
  { slug: 'ice-cream-vanilla', names: ['ice cream'], portions: { cup: 132, scoop: 66 } },
  { slug: 'potato-chips', names: ['crisp', 'potato chip'], portions: { serving: 28, handful: 15 } },
  { slug: 'popcorn-air-popped', names: ['popcorn'], portions: { cup: 8 } },
  { slug: 'whey-protein-powder', names: ['protein powder', 'whey', 'whey protein', 'protein shake'], portions: { scoop: 30 }, countAs: 'scoop' },
  // Drinks
  { slug: 'latte', names: ['latte', 'caffe latte', 'cafe latte', 'flat white'], portions: { serving: 360 } },
  { slug: 'cappuccino', names: ['cappuccino'], portions: { serving: 240 } },
  { slug: 'espresso', names: ['espresso'], portions: { serving: 30 } },
  { slug: 'coffee-black', names: ['coffee', 'black coffee', 'americano', 'filter coffee'], portions: { serving: 240 } },
  { slug: 'tea-black', names: ['tea', 'black tea'], portions: { serving: 240 } },
  { slug: 'green-tea', names: ['green tea'], portions: { serving: 240 } },
  { slug: 'orange-juice', names: ['orange juice', 'oj'], portions: { cup: 248 }, countAs: 'glass' },
  { slug: 'apple-juice', names: ['apple juice'], portions: { cup: 248 }, countAs: 'glass' },
  { slug: 'cola', names: ['cola', 'coke', 'soda'], portions: { serving: 355 } },
  { slug: 'beer', names: ['beer', 'lager', 'ale'], portions: { serving: 355, glass: 473 } },
  { slug: 'red-wine', names: ['red wine', 'wine'], portions: { glass: 150 }, countAs: 'glass' },
  { slug: 'white-wine', names: ['white wine'], portions: { glass: 150 }, countAs: 'glass' },
  // Dishes
  { slug: 'cheese-pizza', names: ['pizza', 'cheese pizza', 'margherita', 'margherita pizza'], portions: { slice: 107 }, countAs: 'slice' },
  { slug: 'hamburger', names: ['burger', 'hamburger'], portions: { piece: 200 } },
  { slug: 'spaghetti-bolognese', names: ['spaghetti bolognese', 'bolognese', 'spag bol'], portions: { bowl: 350 } },
  { slug: 'lasagna', names: ['lasagna', 'lasagne'], portions: { piece: 300 } },
  { slug: 'mac-and-cheese', names: ['mac and cheese', 'macaroni and cheese', 'macaroni cheese'], portions: { cup: 200 } },
  { slug: 'chicken-tikka-masala', names: ['tikka masala', 'chicken tikka masala', 'chicken curry', 'curry'], portions: { bowl: 300 } },
  { slug: 'pad-thai', names: ['pad thai'], portions: { bowl: 300 } },
  { slug: 'miso-soup', names: ['miso soup'], portions: { bowl: 240 } },
  { slug: 'guacamole', names: ['guacamole', 'guac'], portions: { cup: 230 } },
];
