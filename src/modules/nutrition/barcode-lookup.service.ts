import type { Database } from '../../db/database.js';
import { AppError, validationError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { OffProduct, OpenFoodFactsClient } from '../../integrations/index.js';
import { readBarcode } from './barcode.js';
import { nutritionRepository } from './nutrition.repository.js';
import { presentFood } from './nutrition.presenter.js';
import type { FoodView } from './nutrition.schemas.js';
import type { NewFoodRow } from './nutrition.table.js';
import { foodId, type AllergenTag } from './planner/food-table.data.js';

export interface BarcodeLookupDeps {
  db: Database;
  logger: Logger;
  openFoodFacts: Pick<OpenFoodFactsClient, 'product'>;
}

const KJ_PER_KCAL = 4.184;

// Open Food Facts' allergen taxonomy, as the tags our allergy filter knows.
const offAllergens: Record<string, AllergenTag> = {
  'en:gluten': 'gluten',
  'en:milk': 'dairy',
  'en:eggs': 'egg',
  'en:peanuts': 'peanut',
  'en:nuts': 'tree_nut',
  'en:soybeans': 'soy',
  'en:fish': 'fish',
  'en:crustaceans': 'shellfish',
  'en:molluscs': 'shellfish',
  'en:sesame-seeds': 'sesame',
  'en:mustard': 'mustard',
  'en:celery': 'celery',
  'en:lupin': 'lupin',
  'en:sulphur-dioxide-and-sulphites': 'sulphites',
};

const roundTo = (value: number, places: number) => {
  const factor = 10 ** places;
  return Math.round(value * factor) / factor;
};

/** The product as a food row; undefined when its label lacks energy or a macro per 100 g. */
export function foodRowFromProduct(code: string, product: OffProduct): NewFoodRow | undefined {
  const n = product.nutriments;
  const kcal =
    n?.['energy-kcal_100g'] ??
    (n?.energy_100g === undefined ? undefined : n.energy_100g / KJ_PER_KCAL);
  const protein = n?.proteins_100g;
  const carbs = n?.carbohydrates_100g;
  const fat = n?.fat_100g;
  if (kcal === undefined || protein === undefined || carbs === undefined || fat === undefined) {
    return undefined;
  }
  const name = (product.product_name ?? product.product_name_en ?? '').trim() || `Product ${code}`;
  const brand = product.brands?.split(',')[0]?.trim();
  const tags = product.allergens_tags;
  return {
    id: foodId(`barcode:${code}`),
    source: 'barcode',
    externalId: code,
    name: (brand ? `${name} (${brand})` : name).slice(0, 300),
    foodGroup: null,
    caloriesPer100g: roundTo(kcal, 1),
    proteinPer100g: roundTo(protein, 2),
    carbsPer100g: roundTo(carbs, 2),
    fatPer100g: roundTo(fat, 2),
    fiberPer100g: n?.fiber_100g ?? null,
    // No tags at all means unknown, which is not the same as none.
    allergens: tags ? [...new Set(tags.flatMap((tag) => offAllergens[tag] ?? []))].sort() : null,
    servingGrams:
      product.serving_quantity && product.serving_quantity > 0 ? product.serving_quantity : null,
  };
}

/**
 * Packaged foods by barcode: the check digit is verified first (a misread scan costs no call),
 * then our foods table answers, else Open Food Facts, whose answer is kept there for good.
 */
export class BarcodeLookupService {
  constructor(private readonly deps: BarcodeLookupDeps) {}

  async lookup(code: string): Promise<FoodView> {
    const reading = readBarcode(code);
    if (!reading.valid) {
      throw validationError(`${code} is not a valid EAN-8, EAN-13, UPC-A or UPC-E barcode.`, [
        { path: 'params.code', message: reading.reason },
      ]);
    }
    const { db } = this.deps;
    const known = await nutritionRepository.findFoodByExternalId(db, 'barcode', reading.normalized);
    if (known) return presentFood(known);

    const answer = await this.deps.openFoodFacts.product(reading.normalized);
    if (!answer.found) {
      throw new AppError(
        404,
        'NOT_FOUND',
        'Not found',
        `Open Food Facts has no product with barcode ${reading.normalized}. Log the food by hand ` +
          'or search GET /api/nutrition/foods.',
      );
    }
    const row = foodRowFromProduct(reading.normalized, answer.product);
    if (!row) {
      throw new AppError(
        404,
        'NOT_FOUND',
        'Not found',
        `Open Food Facts has product ${reading.normalized} but not its energy, protein, ` +
          'carbohydrates and fat per 100 g. Log the food by hand.',
      );
    }
    await nutritionRepository.upsertFoods(db, [row]);
    const stored = await nutritionRepository.findFoodByExternalId(
      db,
      'barcode',
      reading.normalized,
    );
    if (!stored) throw new Error('barcode food vanished right after its upsert');
    this.deps.logger.info({ barcode: reading.normalized }, 'barcode product cached');
    return presentFood(stored);
  }
}
