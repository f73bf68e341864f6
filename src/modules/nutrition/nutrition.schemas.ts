import { namePageQuery, pageOf, text } from '../../lib/http/common.schemas.js';
import { z } from '../../lib/zod.js';
import { activityLevels, fitnessGoals, genders } from '../../lib/fitness-profile.js';
import { foodSources } from './food-sources.js';

const macrosSchema = z.object({
  calories: z.number(),
  protein: z.number(),
  carbs: z.number(),
  fat: z.number(),
});

export const macroTargetsSchema = macrosSchema.openapi('MacroTargets', {
  description: 'kcal and grams per day',
  example: { calories: 2650, protein: 150, carbs: 320, fat: 85 },
});
export type MacroTargetsView = z.infer<typeof macroTargetsSchema>;

export const generateDietPlanBody = z
  .strictObject({
    days: z.number().int().min(1).max(7).optional(),
    mealsPerDay: z.number().int().min(3).max(6).optional(),
    diet: z.enum(['omnivore', 'vegetarian', 'vegan']).optional(),
    goal: z.enum(fitnessGoals).optional(),
  })
  .openapi('GenerateDietPlan', {
    description:
      'Defaults: 7 days, 3 meals, omnivore (or what the profile’s preferences say), the ' +
      'profile’s goal. Allergies and cuisine preferences come from the profile.',
    example: { days: 3, mealsPerDay: 3, diet: 'omnivore' },
  });
export type GenerateDietPlanBody = z.infer<typeof generateDietPlanBody>;

const plannedItemSchema = z.object({
  foodId: z.uuid(),
  foodName: z.string(),
  grams: z.number(),
  macros: macrosSchema,
});

export const dietPlanDataSchema = z
  .object({
    days: z.array(
      z.object({
        dayOrder: z.number().int(),
        meals: z.array(
          z.object({
            mealType: z.enum(['breakfast', 'lunch', 'dinner', 'snack']),
            items: z.array(plannedItemSchema),
            macros: macrosSchema,
          }),
        ),
        totals: macrosSchema,
      }),
    ),
  })
  .openapi('DietPlanData', {
    example: {
      days: [
        {
          dayOrder: 1,
          meals: [
            {
              mealType: 'breakfast',
              items: [
                {
                  foodId: '3b9e2f61-7c4d-4a8e-b5f0-1d2c6e8a9f47',
                  foodName: 'Rolled oats',
                  grams: 80,
                  macros: { calories: 303, protein: 10.6, carbs: 51.4, fat: 5.6 },
                },
              ],
              macros: { calories: 303, protein: 10.6, carbs: 51.4, fat: 5.6 },
            },
          ],
          totals: { calories: 303, protein: 10.6, carbs: 51.4, fat: 5.6 },
        },
      ],
    },
  });
export type DietPlanData = z.infer<typeof dietPlanDataSchema>;

export const dietPlanSchema = z
  .object({
    id: z.uuid(),
    planName: z.string().openapi({ example: 'Build muscle, 3 days, omnivore' }),
    source: z.enum(['ai', 'fallback']),
    targets: macroTargetsSchema,
    planData: dietPlanDataSchema,
    explanation: z.array(z.string()).openapi({
      example: ['Protein at 2 g per kg of body weight supports muscle gain.'],
    }),
    isActive: z.boolean(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('DietPlan');
export type DietPlanView = z.infer<typeof dietPlanSchema>;

export const generatedDietPlanSchema = z
  .object({ plan: dietPlanSchema, source: z.enum(['ai', 'cache', 'fallback']) })
  .openapi('GeneratedDietPlan');
export const dietPlanPage = pageOf(dietPlanSchema, 'DietPlan');

export const calculateMacrosBody = z
  .strictObject({
    goal: z.enum(fitnessGoals).optional(),
    weightKg: z.number().min(20).max(400).optional(),
    heightCm: z.number().min(50).max(272).optional(),
    age: z.number().int().min(13).max(120).optional(),
    gender: z.enum(genders).optional(),
    activityLevel: z.enum(activityLevels).optional(),
  })
  .openapi('CalculateMacros', {
    description: 'Any value left out is taken from the profile.',
    example: {
      goal: 'build_muscle',
      weightKg: 76.5,
      heightCm: 178,
      age: 29,
      gender: 'male',
      activityLevel: 'moderate',
    },
  });
export type CalculateMacrosBody = z.infer<typeof calculateMacrosBody>;

export const macrosResultSchema = z
  .object({
    bmr: z.number().openapi({ example: 1760 }),
    tdee: z.number().openapi({ example: 2728 }),
    targets: macroTargetsSchema,
    source: z.enum(['ai', 'fallback']),
    explanation: z.array(z.string()).openapi({
      example: ['Mifflin-St Jeor BMR × 1.55 for moderate activity, plus 250 kcal to build muscle.'],
    }),
  })
  .openapi('MacroCalculation');
export type MacrosResult = z.infer<typeof macrosResultSchema>;

export const foodQuery = namePageQuery.extend({ q: text(100, 1).optional() });

export const foodSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    source: z.enum(foodSources).openapi({
      description:
        '`builtin` (our table), `service` (the Nutrition Planning service), `barcode` (a packaged ' +
        'product from Open Food Facts)',
    }),
    group: z.string().nullable(),
    per100g: z.object({
      calories: z.number(),
      protein: z.number(),
      carbs: z.number(),
      fat: z.number(),
      fiber: z.number().nullable(),
    }),
    allergens: z.array(z.string()).nullable().openapi({
      description: 'null when the source does not list allergens (unknown, not none)',
    }),
    servingGrams: z.number().nullable(),
  })
  .openapi('Food', {
    example: {
      id: 'b3f1c2d4-5e6f-5a7b-8c9d-0e1f2a3b4c5d',
      name: 'Nutella (Ferrero)',
      source: 'barcode',
      group: null,
      per100g: { calories: 539, protein: 6.3, carbs: 57.5, fat: 30.9, fiber: null },
      allergens: ['dairy', 'soy', 'tree_nut'],
      servingGrams: 15,
    },
  });
export type FoodView = z.infer<typeof foodSchema>;
export const foodPage = pageOf(foodSchema, 'Food');
