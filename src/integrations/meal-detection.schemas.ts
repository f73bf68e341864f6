import { z } from '../lib/zod.js';
import { externalIdSchema, macrosSchema } from './common.schemas.js';

const confidenceSchema = z.number().min(0).max(1);

// About 6 MB of image once decoded: the app compresses photos before upload.
const MAX_IMAGE_BASE64_CHARS = 8 * 1024 * 1024;

/** POST /analyze/image body: the photo inline (base64) or as a URL the service can fetch. */
export const analyzeMealImageRequestSchema = z.object({
  image: z.union([
    z.object({ url: z.url({ protocol: /^https$/ }) }),
    z.object({
      base64: z.base64().max(MAX_IMAGE_BASE64_CHARS),
      contentType: z.enum(['image/jpeg', 'image/png', 'image/webp']),
    }),
  ]),
  mealType: z.enum(['breakfast', 'lunch', 'dinner', 'snack']).optional(),
  /** BCP 47 language tag such as `en` or `en-GB`, for food names in the answer. */
  locale: z
    .string()
    .regex(/^[a-z]{2}$|^[a-z]{2}-[A-Z]{2}$/)
    .optional(),
});
export type AnalyzeMealImageRequest = z.input<typeof analyzeMealImageRequestSchema>;

/** POST /analyze/image answer: detected foods, their total, and how sure the model is. */
export const mealAnalysisSchema = z.object({
  analysisId: externalIdSchema,
  items: z
    .array(
      z.object({
        name: z.string().min(1).max(200),
        grams: z.number().min(0).max(5_000),
        macros: macrosSchema,
      }),
    )
    .max(50),
  macros: macrosSchema,
  confidence: confidenceSchema,
});
export type MealAnalysis = z.infer<typeof mealAnalysisSchema>;

/** GET /confidence/score query. */
export const confidenceScoreQuerySchema = z.object({ analysisId: externalIdSchema });
export type ConfidenceScoreQuery = z.input<typeof confidenceScoreQuerySchema>;

/** GET /confidence/score answer: per-item confidence and whether the user should confirm. */
export const confidenceScoreSchema = z.object({
  analysisId: externalIdSchema,
  confidence: confidenceSchema,
  needsReview: z.boolean(),
  items: z
    .array(z.object({ name: z.string().min(1).max(200), confidence: confidenceSchema }))
    .max(50),
});
export type ConfidenceScore = z.infer<typeof confidenceScoreSchema>;

/** POST /correction/feedback body: what the user changed, to improve the model. */
export const correctionFeedbackRequestSchema = z.object({
  analysisId: externalIdSchema,
  corrections: z
    .array(
      z.object({
        itemIndex: z.number().int().min(0).max(49),
        correctedName: z.string().min(1).max(200).optional(),
        correctedGrams: z.number().min(0).max(5_000).optional(),
        removed: z.boolean().optional(),
      }),
    )
    .max(50),
  addedItems: z
    .array(z.object({ name: z.string().min(1).max(200), grams: z.number().min(0).max(5_000) }))
    .max(50)
    .default([]),
});
export type CorrectionFeedbackRequest = z.input<typeof correctionFeedbackRequestSchema>;

/** POST /correction/feedback answer. */
export const correctionFeedbackReceiptSchema = z.object({
  feedbackId: externalIdSchema,
  accepted: z.boolean(),
});
export type CorrectionFeedbackReceipt = z.infer<typeof correctionFeedbackReceiptSchema>;
