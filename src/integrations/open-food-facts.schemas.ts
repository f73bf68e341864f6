import { z } from '../lib/zod.js';

// Open Food Facts product API v2 (`GET /api/v2/product/{code}.json`), as far as we read it.
// Product documents are community-edited and large: only the fields asked for with `fields=`
// are read, unknown ones are dropped, and nutriments may arrive as numbers or numeric strings.

/** The product fields we ask for (the `fields` query parameter). */
export const OFF_PRODUCT_FIELDS = [
  'code',
  'product_name',
  'product_name_en',
  'brands',
  'serving_quantity',
  'allergens_tags',
  'nutriments',
] as const;

/** GET query of the product endpoint. */
export const offProductQuerySchema = z.object({ fields: z.string().min(1).max(500) });
export type OffProductQuery = z.input<typeof offProductQuerySchema>;

/** A number, or a string holding one (older products store nutriments as text). */
const numeric = z
  .union([
    z.number(),
    z
      .string()
      .trim()
      .refine((value) => value !== '' && Number.isFinite(Number(value)), 'is not a number')
      .transform(Number),
  ])
  .pipe(z.number().min(0).max(100_000));

/** An optional field that is dropped, rather than failing the whole answer, when it is unusable. */
const lenient = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

export const offNutrimentsSchema = z.object({
  'energy-kcal_100g': lenient(numeric),
  /** Energy in kJ; used when the kcal value is missing. */
  energy_100g: lenient(numeric),
  proteins_100g: lenient(numeric),
  carbohydrates_100g: lenient(numeric),
  fat_100g: lenient(numeric),
  fiber_100g: lenient(numeric),
});

export const offProductSchema = z.object({
  product_name: lenient(z.string().max(500)),
  product_name_en: lenient(z.string().max(500)),
  brands: lenient(z.string().max(500)),
  serving_quantity: lenient(numeric),
  allergens_tags: lenient(z.array(z.string().max(200)).max(100)),
  nutriments: lenient(offNutrimentsSchema),
});
export type OffProduct = z.infer<typeof offProductSchema>;

/**
 * The answer: `status` 1 with the product, or 0 when Open Food Facts has no such product (sent
 * with HTTP 404 by the v2 API; some mirrors answer 200).
 */
export const offProductResponseSchema = z.object({
  code: z.string().max(50),
  status: z.union([z.literal(0), z.literal(1)]),
  status_verbose: z.string().max(200).optional(),
  product: offProductSchema.optional(),
});
export type OffProductResponse = z.infer<typeof offProductResponseSchema>;
