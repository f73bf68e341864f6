import type { RequestHandler } from 'express';
import { defineRoute, type RouteGroup } from '../../lib/http/route.js';
import { estimateMeal } from './meal-estimate.js';
import {
  analysisFeedbackBody,
  analysisIdParams,
  analyzeMealBody,
  confirmAnalysisBody,
  confirmedAnalysisSchema,
  estimateMealBody,
  feedbackReceiptSchema,
  mealAnalysisSchema,
  mealEstimateSchema,
} from './meal-analysis.schemas.js';
import type { MealAnalysisService } from './meal-analysis.service.js';

const idempotencyConflicts = ['IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_REQUEST_IN_PROGRESS'] as const;

const whenTheServiceFails =
  'Without the Meal Detection service (not configured, down, its circuit breaker open, or our ' +
  'hourly quota of 500 calls spent) the answer is 503 `SERVICE_UNAVAILABLE`, with Retry-After ' +
  'when known, and its detail points to POST /meals/estimate and manual logging; an answer ' +
  'from the service that breaks its contract is 502 `UPSTREAM_BAD_RESPONSE`. Nothing is stored ' +
  'in either case.';

/** `/api/nutrition/meals/analyze` and `/estimate`: meals from a photo or from words. */
export function mealAnalysisRoutes(
  analyses: MealAnalysisService,
  deps: { idempotent: RequestHandler },
): RouteGroup {
  return {
    basePath: '/api/nutrition',
    tag: 'Nutrition',
    routes: [
      defineRoute({
        method: 'post',
        path: '/meals/analyze',
        summary: 'Analyse a meal photo',
        description:
          'Sends the caller’s uploaded meal image to the Meal Detection service (scaled to fit ' +
          'MEAL_IMAGE_MAX_SIDE pixels and re-compressed as JPEG first) and answers the foods, ' +
          'grams and macros it sees. Results are cached by the SHA-256 of the image: the same ' +
          'photo, from this member or another, is never sent twice, yet every member gets an ' +
          'analysis of their own (`analysisId`). `needsConfirmation` is true when the service’s ' +
          'confidence is below MEAL_ANALYSIS_CONFIRM_BELOW. **201** with a new analysis; ' +
          '**200** with the caller’s earlier analysis of the same image. Another member’s image ' +
          `is a 404. ${whenTheServiceFails}`,
        access: 'user',
        body: analyzeMealBody,
        errors: [404, 502, 503],
        responses: {
          201: { description: 'A new analysis', schema: mealAnalysisSchema },
          200: {
            description: 'The caller’s earlier analysis of this image',
            schema: mealAnalysisSchema,
          },
        },
        handler: async ({ user, body }) => {
          const { analysis, created } = await analyses.analyze(user.userId, body.imageId);
          return { status: created ? 201 : 200, body: analysis };
        },
      }),
      defineRoute({
        method: 'get',
        path: '/meals/analyze/:analysisId',
        summary: 'One meal analysis',
        description:
          'The caller’s analysis and whether it was confirmed; another member’s is a 404.',
        access: 'user',
        params: analysisIdParams,
        errors: [404],
        responses: { 200: { description: 'The analysis', schema: mealAnalysisSchema } },
        handler: async ({ user, params }) => ({
          status: 200,
          body: await analyses.get(user.userId, params.analysisId),
        }),
      }),
      defineRoute({
        method: 'post',
        path: '/meals/analyze/:analysisId/confirm',
        summary: 'Log an analysed meal, as detected or corrected',
        description:
          'Creates the meal log (source `analysis`, the image attached, points awarded) in one ' +
          'transaction with the analysis turning `confirmed`. Without `items` the detected ' +
          'items and totals are logged; with `items`, the list as eaten: an item with ' +
          '`fromItem` corrects that detected item (its macros scaled to the new grams unless ' +
          'given), one without it is food the service missed (macros required), and detected ' +
          'items left out were not eaten. The differences are queued as feedback for the ' +
          'service (delivered by a background job). A second confirmation is a 409 ' +
          '`ANALYSIS_ALREADY_CONFIRMED`; a repeat with the same `Idempotency-Key` replays the ' +
          'first answer. Another member’s analysis is a 404.',
        access: 'user',
        params: analysisIdParams,
        body: confirmAnalysisBody,
        before: [deps.idempotent],
        errors: [404],
        reasons: { 409: ['ANALYSIS_ALREADY_CONFIRMED', ...idempotencyConflicts] },
        responses: {
          201: {
            description: 'The meal and the confirmed analysis',
            schema: confirmedAnalysisSchema,
          },
        },
        handler: async ({ user, params, body }) => ({
          status: 201,
          body: await analyses.confirm(user.userId, params.analysisId, body),
        }),
      }),
      defineRoute({
        method: 'post',
        path: '/meals/analyze/:analysisId/feedback',
        summary: 'Send corrections of an analysis to the Meal Detection service',
        description:
          'Forwards the corrections (detected items by index: renamed, re-weighed or removed; ' +
          'plus food it missed) to the service’s correction endpoint. **200** `delivered` when ' +
          'the service took them; **202** `queued` when it could not be reached: they are ' +
          'stored and a background job delivers them once, retrying with exponential backoff. ' +
          'One set of corrections per analysis (a confirmation with corrected items records ' +
          'its own): a second is a 409 `FEEDBACK_ALREADY_SENT`. Another member’s analysis is ' +
          'a 404.',
        access: 'user',
        params: analysisIdParams,
        body: analysisFeedbackBody,
        errors: [404],
        reasons: { 409: ['FEEDBACK_ALREADY_SENT'] },
        responses: {
          200: { description: 'Delivered to the service', schema: feedbackReceiptSchema },
          202: { description: 'Stored; a job delivers it', schema: feedbackReceiptSchema },
        },
        handler: async ({ user, params, body }) => {
          const receipt = await analyses.feedback(user.userId, params.analysisId, body);
          return { status: receipt.status === 'delivered' ? 200 : 202, body: receipt };
        },
      }),
      defineRoute({
        method: 'post',
        path: '/meals/estimate',
        summary: 'Estimate a meal from a description',
        description:
          'Reads free text such as "2 eggs, a slice of wholemeal toast and a latte" into foods ' +
          'of the built-in database with grams and macros, without any outside service. ' +
          'Understood: quantities (2, 1.5, 1/2, ½, 1 1/2, a, one … twelve, half, a couple, a ' +
          'dozen), units (g, kg, oz, lb, ml, cl, dl, l, pint, cup, tbsp, tsp, shot) and ' +
          'portions (slice, piece, bowl, glass, handful, serving, scoop; small/large), plurals, ' +
          'and parts separated by commas, "and", "with" or "+". Portion weights are USDA ' +
          'household measures. Words not understood come back in `unrecognized`, never ' +
          'guessed; an item over 5 kg is reported there too. Log the result with POST /meals ' +
          'and `items` ({ foodId, grams }). Nothing is stored.',
        access: 'user',
        body: estimateMealBody,
        responses: { 200: { description: 'The estimate', schema: mealEstimateSchema } },
        handler: ({ body }) =>
          Promise.resolve({ status: 200, body: estimateMeal(body.description) }),
      }),
    ],
  };
}
