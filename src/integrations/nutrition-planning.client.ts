import type { CallOptions } from './http/call-budget.js';
import { hmacSignedAuth } from './http/hmac-request-signing.js';
import {
  ResilientCaller,
  defineEndpoint,
  type ClientDependencies,
  type ServiceStatus,
} from './http/resilient-caller.js';
import type { QuotaLimit } from './http/shared-quota.js';
import type { NutritionPlanningConfig } from './integrations.config.js';
import {
  calculateMacrosRequestSchema,
  foodDatabasePageSchema,
  foodDatabaseQuerySchema,
  generateMealPlanRequestSchema,
  macroTargetsSchema,
  mealPlanSchema,
  type CalculateMacrosRequest,
  type FoodDatabasePage,
  type FoodDatabaseQuery,
  type GenerateMealPlanRequest,
  type MacroTargets,
  type MealPlan,
} from './nutrition-planning.schemas.js';

/** 2,000 requests per day per API key. */
export const nutritionPlanningQuota: QuotaLimit = { max: 2_000, windowSeconds: 86_400 };

const endpoints = {
  generateMealPlan: defineEndpoint({
    operation: 'generateMealPlan',
    method: 'POST',
    path: '/plans/generate',
    kind: 'ai',
    request: generateMealPlanRequestSchema,
    response: mealPlanSchema,
  }),
  searchFoods: defineEndpoint({
    operation: 'searchFoods',
    method: 'GET',
    path: '/foods/database',
    kind: 'standard',
    request: foodDatabaseQuerySchema,
    response: foodDatabasePageSchema,
  }),
  calculateMacros: defineEndpoint({
    operation: 'calculateMacros',
    method: 'POST',
    path: '/macros/calculate',
    kind: 'standard',
    request: calculateMacrosRequestSchema,
    response: macroTargetsSchema,
  }),
};

/** Client of the Nutrition Planning service (API key plus HMAC-SHA256 request signature). */
export class NutritionPlanningClient {
  private readonly caller: ResilientCaller;

  constructor(config: NutritionPlanningConfig | undefined, deps: ClientDependencies) {
    const now = deps.now ?? Date.now;
    this.caller = new ResilientCaller(
      'nutrition-planning',
      config && {
        baseUrl: config.baseUrl,
        auth: hmacSignedAuth({ apiKey: config.apiKey, secret: config.hmacSecret, now }),
      },
      nutritionPlanningQuota,
      deps,
    );
  }

  /** POST /plans/generate: a meal plan meeting daily macro targets and preferences. */
  generateMealPlan(request: GenerateMealPlanRequest, options?: CallOptions): Promise<MealPlan> {
    return this.caller.call(endpoints.generateMealPlan, request, options);
  }

  /** GET /foods/database: one page of foods matching a search. */
  searchFoods(query: FoodDatabaseQuery = {}, options?: CallOptions): Promise<FoodDatabasePage> {
    return this.caller.call(endpoints.searchFoods, query, options);
  }

  /** POST /macros/calculate: BMR, TDEE and daily macro targets for a body and a goal. */
  calculateMacros(request: CalculateMacrosRequest, options?: CallOptions): Promise<MacroTargets> {
    return this.caller.call(endpoints.calculateMacros, request, options);
  }

  /** Configured or not, and the breaker state, for the readiness probe. */
  status(): ServiceStatus {
    return this.caller.status();
  }
}
