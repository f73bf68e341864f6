import { z } from '../lib/zod.js';
import {
  catalogueQuerySchema,
  clientReferenceSchema,
  externalIdSchema,
  macrosSchema,
} from './common.schemas.js';

const foodNameSchema = z.string().min(1).max(200);

/** POST /plans/generate body: daily targets and dietary preferences. */
export const generateMealPlanRequestSchema = z.object({
  clientReference: clientReferenceSchema,
  targets: macrosSchema,
  preferences: z.object({
    dietType: z
      .enum(['omnivore', 'vegetarian', 'vegan', 'pescatarian', 'keto', 'paleo'])
      .default('omnivore'),
    allergies: z.array(z.string().min(1).max(64)).max(20).default([]),
    excludedFoods: z.array(foodNameSchema).max(50).default([]),
    mealsPerDay: z.number().int().min(2).max(6).default(3),
  }),
  days: z.number().int().min(1).max(14).default(7),
});
export type GenerateMealPlanRequest = z.input<typeof generateMealPlanRequestSchema>;

const plannedFoodSchema = z.object({
  foodId: externalIdSchema,
  name: foodNameSchema,
  grams: z.number().min(0).max(5_000),
  macros: macrosSchema,
});

/** POST /plans/generate answer: meals day by day, each with its foods and totals. */
export const mealPlanSchema = z.object({
  externalId: externalIdSchema,
  name: z.string().min(1).max(200),
  days: z
    .array(
      z.object({
        dayOrder: z.number().int().min(1).max(14),
        macros: macrosSchema,
        meals: z
          .array(
            z.object({
              mealType: z.enum(['breakfast', 'lunch', 'dinner', 'snack']),
              name: z.string().min(1).max(200),
              foods: z.array(plannedFoodSchema).min(1).max(30),
              macros: macrosSchema,
            }),
          )
          .min(1)
          .max(8),
      }),
    )
    .min(1)
    .max(14),
});
export type MealPlan = z.infer<typeof mealPlanSchema>;

/** GET /foods/database query. */
export const foodDatabaseQuerySchema = catalogueQuerySchema;
export type FoodDatabaseQuery = z.input<typeof foodDatabaseQuerySchema>;

/** GET /foods/database answer: one page of foods with macros per 100 g. */
export const foodDatabasePageSchema = z.object({
  foods: z
    .array(
      z.object({
        foodId: externalIdSchema,
        name: foodNameSchema,
        brand: z.string().min(1).max(200).nullable().default(null),
        servingGrams: z.number().positive().max(5_000),
        macrosPer100g: macrosSchema,
      }),
    )
    .max(100),
  nextCursor: z.string().min(1).max(500).nullable(),
});
export type FoodDatabasePage = z.infer<typeof foodDatabasePageSchema>;

/** POST /macros/calculate body: the body facts the energy equations need. */
export const calculateMacrosRequestSchema = z.object({
  sex: z.enum(['female', 'male']),
  age: z.number().int().min(13).max(100),
  heightCm: z.number().min(100).max(250),
  weightKg: z.number().min(30).max(300),
  bodyFatPercent: z.number().min(2).max(70).optional(),
  activityLevel: z.enum(['sedentary', 'light', 'moderate', 'active', 'very_active']),
  goal: z.enum(['lose', 'maintain', 'gain']),
});
export type CalculateMacrosRequest = z.input<typeof calculateMacrosRequestSchema>;

/** POST /macros/calculate answer: basal and total daily energy, and daily targets. */
export const macroTargetsSchema = z.object({
  bmr: z.number().positive().max(10_000),
  tdee: z.number().positive().max(20_000),
  targets: macrosSchema,
});
export type MacroTargets = z.infer<typeof macroTargetsSchema>;
