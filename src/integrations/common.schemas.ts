import { z } from '../lib/zod.js';

// Schemas more than one service contract uses.

/** Energy in kcal and macronutrients in grams, as Meal Detection and Nutrition Planning send them. */
export const macrosSchema = z.object({
  calories: z.number().min(0).max(20_000),
  protein: z.number().min(0).max(2_000),
  carbs: z.number().min(0).max(2_000),
  fat: z.number().min(0).max(2_000),
});
export type Macros = z.infer<typeof macrosSchema>;

/** Cursor pagination of the catalogue endpoints (exercise library, food database). */
export const catalogueQuerySchema = z.object({
  search: z.string().trim().min(1).max(100).optional(),
  cursor: z.string().min(1).max(500).optional(),
  limit: z.number().int().min(1).max(100).default(50),
});

/** Opaque id we give a service to correlate its work with ours; never a name or an email. */
export const clientReferenceSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

/** Ids the services hand out (plans, analyses, jobs, exercises, foods). */
export const externalIdSchema = z.string().min(1).max(128);
