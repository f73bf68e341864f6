import type { CallOptions } from './http/call-budget.js';
import { bearerTokenAuth } from './http/request-auth.js';
import {
  ResilientCaller,
  defineEndpoint,
  type ClientDependencies,
  type ServiceStatus,
} from './http/resilient-caller.js';
import type { QuotaLimit } from './http/shared-quota.js';
import type { MealDetectionConfig } from './integrations.config.js';
import {
  analyzeMealImageRequestSchema,
  confidenceScoreQuerySchema,
  confidenceScoreSchema,
  correctionFeedbackReceiptSchema,
  correctionFeedbackRequestSchema,
  mealAnalysisSchema,
  type AnalyzeMealImageRequest,
  type ConfidenceScore,
  type ConfidenceScoreQuery,
  type CorrectionFeedbackReceipt,
  type CorrectionFeedbackRequest,
  type MealAnalysis,
} from './meal-detection.schemas.js';

/** 500 requests per hour per token. */
export const mealDetectionQuota: QuotaLimit = { max: 500, windowSeconds: 3_600 };

const endpoints = {
  analyzeImage: defineEndpoint({
    operation: 'analyzeImage',
    method: 'POST',
    path: '/analyze/image',
    kind: 'ai',
    request: analyzeMealImageRequestSchema,
    response: mealAnalysisSchema,
  }),
  getConfidenceScore: defineEndpoint({
    operation: 'getConfidenceScore',
    method: 'GET',
    path: '/confidence/score',
    kind: 'standard',
    request: confidenceScoreQuerySchema,
    response: confidenceScoreSchema,
  }),
  submitCorrection: defineEndpoint({
    operation: 'submitCorrection',
    method: 'POST',
    path: '/correction/feedback',
    kind: 'standard',
    request: correctionFeedbackRequestSchema,
    response: correctionFeedbackReceiptSchema,
  }),
};

/** Client of the Meal Detection service (bearer token). */
export class MealDetectionClient {
  private readonly caller: ResilientCaller;

  constructor(config: MealDetectionConfig | undefined, deps: ClientDependencies) {
    this.caller = new ResilientCaller(
      'meal-detection',
      config && { baseUrl: config.baseUrl, auth: bearerTokenAuth(config.token) },
      mealDetectionQuota,
      deps,
    );
  }

  /** POST /analyze/image: foods, grams and macros detected in a meal photo. */
  analyzeImage(request: AnalyzeMealImageRequest, options?: CallOptions): Promise<MealAnalysis> {
    return this.caller.call(endpoints.analyzeImage, request, options);
  }

  /** GET /confidence/score: how sure the service is about an analysis, item by item. */
  getConfidenceScore(query: ConfidenceScoreQuery, options?: CallOptions): Promise<ConfidenceScore> {
    return this.caller.call(endpoints.getConfidenceScore, query, options);
  }

  /** POST /correction/feedback: the user's corrections of an analysis. */
  submitCorrection(
    request: CorrectionFeedbackRequest,
    options?: CallOptions,
  ): Promise<CorrectionFeedbackReceipt> {
    return this.caller.call(endpoints.submitCorrection, request, options);
  }

  /** Configured or not, and the breaker state, for the readiness probe. */
  status(): ServiceStatus {
    return this.caller.status();
  }
}
