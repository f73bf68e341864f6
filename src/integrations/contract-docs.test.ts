import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from '../lib/zod.js';
import { hmacSignedAuth } from './http/hmac-request-signing.js';
import * as meal from './meal-detection.schemas.js';
import * as nutrition from './nutrition-planning.schemas.js';
import * as scanning from './scanning.schemas.js';
import * as workout from './workout-planning.schemas.js';

// docs/external-services.md is the contract we assume; its examples must be valid under the
// schemas the clients enforce, and its signature example must match the signing code.
const doc = readFileSync(path.resolve('docs/external-services.md'), 'utf8');

const schemas: Record<string, z.ZodType> = {
  'workout-planning generatePlan request': workout.generateWorkoutPlanRequestSchema,
  'workout-planning generatePlan response': workout.workoutPlanSchema,
  'workout-planning listExercises response': workout.exerciseLibraryPageSchema,
  'workout-planning customizePlan request': workout.customizeWorkoutPlanRequestSchema,
  'workout-planning customizePlan response': workout.workoutPlanSchema,
  'meal-detection analyzeImage request': meal.analyzeMealImageRequestSchema,
  'meal-detection analyzeImage response': meal.mealAnalysisSchema,
  'meal-detection getConfidenceScore response': meal.confidenceScoreSchema,
  'meal-detection submitCorrection request': meal.correctionFeedbackRequestSchema,
  'meal-detection submitCorrection response': meal.correctionFeedbackReceiptSchema,
  'nutrition-planning generateMealPlan request': nutrition.generateMealPlanRequestSchema,
  'nutrition-planning generateMealPlan response': nutrition.mealPlanSchema,
  'nutrition-planning searchFoods response': nutrition.foodDatabasePageSchema,
  'nutrition-planning calculateMacros request': nutrition.calculateMacrosRequestSchema,
  'nutrition-planning calculateMacros response': nutrition.macroTargetsSchema,
  'scanning processScan request': scanning.processScanRequestSchema,
  'scanning processScan response': scanning.processingJobSchema,
  'scanning generateAvatar request': scanning.generateAvatarRequestSchema,
  'scanning generateAvatar response': scanning.processingJobSchema,
  'scanning getProcessingStatus response': scanning.processingStatusSchema,
};

const examples = [...doc.matchAll(/<!-- contract: (.+?) -->\s*```json\n([\s\S]*?)```/g)].map(
  ([, key, json]) => ({ key: key!, json: json! }),
);

describe('docs/external-services.md', () => {
  it('when the examples are collected, then every POST body and every answer has one', () => {
    expect(new Set(examples.map((example) => example.key))).toEqual(new Set(Object.keys(schemas)));
  });

  it.each(examples)('when "$key" is parsed, then the schema accepts it', ({ key, json }) => {
    const result = schemas[key]!.safeParse(JSON.parse(json));
    expect(result.error?.issues ?? []).toEqual([]);
  });

  it('when the worked HMAC example is signed by the client code, then the signature matches', async () => {
    const block = /<!-- hmac-example -->\s*```text\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
    const fields = new Map(
      block.split('\n').flatMap((line) => {
        const match = /^(\w+):\s+(.+)$/.exec(line);
        return match ? [[match[1]!, match[2]!] as const] : [];
      }),
    );
    const field = (name: string) => fields.get(name) ?? '';
    const auth = hmacSignedAuth({
      apiKey: 'any',
      secret: field('secret'),
      now: () => Number(field('timestamp')) * 1000,
    });

    const headers = await auth.headersFor({
      method: 'POST',
      url: new URL(`https://api.nutrition-planner.com${field('target')}`),
      body: field('body'),
    });

    expect(headers['X-Timestamp']).toBe(field('timestamp'));
    expect(headers['X-Signature']).toBe(field('signature'));
  });
});
