import { text, uuidParam } from '../../lib/http/common.schemas.js';
import { z } from '../../lib/zod.js';
import { consumedAt, mealLogSchema } from './meal-logs.schemas.js';
import { mealTypes } from './meal-logs.table.js';

/** The most items a photo, a correction or a description may hold (the service's limit). */
export const MAX_ANALYSIS_ITEMS = 50;

const macros = z
  .object({ calories: z.number(), protein: z.number(), carbs: z.number(), fat: z.number() })
  .openapi('AnalysisMacros', { description: 'kcal and grams' });

const macrosInput = z.strictObject({
  calories: z.number().min(0).max(10_000),
  protein: z.number().min(0).max(1_000),
  carbs: z.number().min(0).max(1_000),
  fat: z.number().min(0).max(1_000),
});

const grams = z.number().gt(0).max(5_000);
const foodName = text(200, 1);

export const analyzeMealBody = z
  .strictObject({
    imageId: uuidParam.openapi({
      description: 'A meal image the caller uploaded with POST /api/upload/meal-images',
    }),
  })
  .openapi('AnalyzeMeal', { example: { imageId: '0b6f3c1e-5f7a-4c2e-9d51-3a8e2f4b7c10' } });
export type AnalyzeMealBody = z.infer<typeof analyzeMealBody>;

export const analysisIdParams = z.strictObject({ analysisId: uuidParam });

const analysisItemSchema = z.object({ name: z.string(), grams: z.number(), macros });

export const mealAnalysisSchema = z
  .object({
    analysisId: z.uuid(),
    imageId: z.uuid(),
    items: z.array(analysisItemSchema),
    macros: macros.openapi({ description: 'The meal’s total, as the service computed it' }),
    confidence: z.number().min(0).max(1).openapi({ description: 'The service’s, 0 to 1' }),
    needsConfirmation: z.boolean().openapi({
      description:
        'True when `confidence` is below MEAL_ANALYSIS_CONFIRM_BELOW: show the items for the ' +
        'member to check before confirming',
    }),
    status: z.enum(['pending', 'confirmed']),
    mealLogId: z.uuid().nullable().openapi({ description: 'The meal it was confirmed into' }),
    createdAt: z.iso.datetime(),
  })
  .openapi('MealAnalysis', {
    example: {
      analysisId: '5d1c9a7e-2b3f-4e6a-8c0d-1f2e3a4b5c6d',
      imageId: '0b6f3c1e-5f7a-4c2e-9d51-3a8e2f4b7c10',
      items: [
        {
          name: 'Grilled chicken',
          grams: 150,
          macros: { calories: 248, protein: 46, carbs: 0, fat: 5.4 },
        },
        {
          name: 'White rice',
          grams: 180,
          macros: { calories: 234, protein: 4.9, carbs: 51, fat: 0.5 },
        },
      ],
      macros: { calories: 482, protein: 50.9, carbs: 51, fat: 5.9 },
      confidence: 0.64,
      needsConfirmation: true,
      status: 'pending',
      mealLogId: null,
      createdAt: '2026-11-25T12:31:02.120Z',
    },
  });
export type MealAnalysisView = z.infer<typeof mealAnalysisSchema>;

const confirmedItem = z
  .strictObject({
    name: foodName,
    grams,
    fromItem: z
      .number()
      .int()
      .min(0)
      .max(MAX_ANALYSIS_ITEMS - 1)
      .optional()
      .openapi({
        description:
          'Index of the detected item this one corrects; without `macros`, the detected macros ' +
          'are scaled to the new grams. Leave out for food the service missed.',
      }),
    macros: macrosInput
      .optional()
      .openapi({ description: 'Required for items without `fromItem`' }),
  })
  .refine((item) => item.fromItem !== undefined || item.macros !== undefined, {
    path: ['macros'],
    message: 'give macros for an item that is not one of the detected ones (fromItem)',
  });

export const confirmAnalysisBody = z
  .strictObject({
    mealType: z.enum(mealTypes),
    consumedAt,
    mealDescription: text(500, 1)
      .optional()
      .openapi({ description: 'Default: the items’ names and grams' }),
    items: z
      .array(confirmedItem)
      .max(MAX_ANALYSIS_ITEMS)
      .optional()
      .openapi({
        description:
          'The meal as eaten, when it differs from what was detected: the whole list. Detected ' +
          'items left out count as removed; the differences are sent to the service as feedback.',
      }),
  })
  .superRefine((body, context) => {
    const seen = new Set<number>();
    body.items?.forEach((item, index) => {
      if (item.fromItem === undefined) return;
      if (seen.has(item.fromItem)) {
        context.addIssue({
          code: 'custom',
          path: ['items', index, 'fromItem'],
          message: 'names a detected item another entry already corrects',
        });
      }
      seen.add(item.fromItem);
    });
  })
  .openapi('ConfirmMealAnalysis', {
    example: {
      mealType: 'lunch',
      consumedAt: '2026-11-25T12:30:00Z',
      items: [
        { fromItem: 0, name: 'Grilled chicken', grams: 120 },
        { name: 'Olive oil', grams: 10, macros: { calories: 88, protein: 0, carbs: 0, fat: 10 } },
      ],
    },
  });
export type ConfirmAnalysisBody = z.infer<typeof confirmAnalysisBody>;

const correction = z
  .strictObject({
    itemIndex: z
      .number()
      .int()
      .min(0)
      .max(MAX_ANALYSIS_ITEMS - 1),
    correctedName: foodName.optional(),
    correctedGrams: grams.optional(),
    removed: z.boolean().optional(),
  })
  .refine(
    (item) =>
      item.correctedName !== undefined ||
      item.correctedGrams !== undefined ||
      item.removed === true,
    { message: 'give correctedName, correctedGrams or removed: true' },
  );

export const analysisFeedbackBody = z
  .strictObject({
    corrections: z.array(correction).max(MAX_ANALYSIS_ITEMS),
    addedItems: z
      .array(z.strictObject({ name: foodName, grams }))
      .max(MAX_ANALYSIS_ITEMS)
      .default([])
      .openapi({ description: 'Food in the photo the service missed' }),
  })
  .refine((body) => body.corrections.length > 0 || body.addedItems.length > 0, {
    path: ['corrections'],
    message: 'give at least one correction or added item',
  })
  .openapi('MealAnalysisFeedback', {
    example: {
      corrections: [
        { itemIndex: 0, correctedGrams: 120 },
        { itemIndex: 1, correctedName: 'Brown rice' },
      ],
      addedItems: [{ name: 'Olive oil', grams: 10 }],
    },
  });
export type AnalysisFeedbackBody = z.infer<typeof analysisFeedbackBody>;

export const feedbackReceiptSchema = z
  .object({
    feedbackId: z.uuid(),
    status: z.enum(['delivered', 'queued']).openapi({
      description:
        '`delivered`: the service has them; `queued`: it could not be reached, a background job ' +
        'delivers them (once) when it can',
    }),
  })
  .openapi('MealAnalysisFeedbackReceipt', {
    example: { feedbackId: '7a1e2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b', status: 'queued' },
  });
export type FeedbackReceipt = z.infer<typeof feedbackReceiptSchema>;

export const confirmedAnalysisSchema = z
  .object({
    analysis: mealAnalysisSchema,
    meal: mealLogSchema,
    feedback: feedbackReceiptSchema
      .nullable()
      .openapi({ description: 'The corrections queued for the service, when items changed' }),
  })
  .openapi('ConfirmedMealAnalysis');
export type ConfirmedAnalysisView = z.infer<typeof confirmedAnalysisSchema>;

export const estimateMealBody = z
  .strictObject({
    description: text(1_000, 1).openapi({
      example: '2 eggs, a slice of wholemeal toast and a latte',
    }),
  })
  .openapi('EstimateMeal', {
    example: { description: '2 eggs, a slice of wholemeal toast and a latte' },
  });

export const mealEstimateSchema = z
  .object({
    items: z.array(
      z.object({
        text: z.string().openapi({ description: 'The words this item was read from' }),
        foodId: z.uuid().openapi({ description: 'A food of GET /api/nutrition/foods' }),
        name: z.string(),
        quantity: z.number(),
        unit: z.string().openapi({
          description:
            'g, kg, oz, lb, ml, cl, dl, l, pint, tbsp, tsp, shot, or a portion: piece, slice, ' +
            'cup, bowl, glass, handful, serving, scoop',
        }),
        grams: z.number(),
        macros,
      }),
    ),
    macros,
    unrecognized: z.array(z.string()).openapi({
      description: 'Words and parts of the description that were not understood (never guessed)',
    }),
  })
  .openapi('MealEstimate', {
    example: {
      items: [
        {
          text: '2 eggs',
          foodId: '3a2e9cee-ac77-5f0b-9a68-35290b8a3b2f',
          name: 'Egg, whole, raw weight',
          quantity: 2,
          unit: 'piece',
          grams: 100,
          macros: { calories: 143, protein: 12.6, carbs: 0.7, fat: 9.5 },
        },
        {
          text: 'a slice of wholemeal toast',
          foodId: 'ef7efcee-649f-58e5-86aa-2dc2e68a02fc',
          name: 'Whole-wheat bread',
          quantity: 1,
          unit: 'slice',
          grams: 32,
          macros: { calories: 80.6, protein: 4, carbs: 13.7, fat: 1.1 },
        },
        {
          text: 'a latte',
          foodId: 'd95e11a0-140f-5cb6-a7ad-27c1012f3456',
          name: 'Caffè latte, whole milk',
          quantity: 1,
          unit: 'serving',
          grams: 360,
          macros: { calories: 176.4, protein: 9.4, carbs: 14, fat: 9.4 },
        },
      ],
      macros: { calories: 400, protein: 26, carbs: 28.4, fat: 20 },
      unrecognized: [],
    },
  });

export const barcodeParams = z.strictObject({
  code: z
    .string()
    .max(20)
    .openapi({ description: 'EAN-13, EAN-8, UPC-A or UPC-E digits', example: '3017620422003' }),
});
