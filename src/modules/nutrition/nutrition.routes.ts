import type { RequestHandler } from 'express';
import { idParams, pageQuery } from '../../lib/http/common.schemas.js';
import { defineRoute, type RouteGroup } from '../../lib/http/route.js';
import {
  calculateMacrosBody,
  dietPlanPage,
  dietPlanSchema,
  foodPage,
  foodQuery,
  generateDietPlanBody,
  generatedDietPlanSchema,
  macrosResultSchema,
} from './nutrition.schemas.js';
import type { NutritionService } from './nutrition.service.js';

/** `/api/nutrition`: macro targets, diet plans and the food database. */
export function nutritionRoutes(
  nutrition: NutritionService,
  deps: { idempotent: RequestHandler },
): RouteGroup {
  return {
    basePath: '/api/nutrition',
    tag: 'Nutrition',
    routes: [
      defineRoute({
        method: 'post',
        path: '/plans/generate',
        summary: 'Generate a diet plan',
        description:
          'Targets from POST /macros/calculate, then meals from the Nutrition Planning service ' +
          '(HMAC-signed). When the service fails, the member’s stored plan is served (`source: ' +
          'cache`); without one, or with no service configured, the built-in planner answers ' +
          '(`source: fallback`), never using a food with one of the profile’s allergens. Needs ' +
          'weight, height, age and gender in the profile (400 `PROFILE_INCOMPLETE` names the ' +
          'missing ones). Honours `Idempotency-Key`.',
        access: 'user',
        body: generateDietPlanBody,
        before: [deps.idempotent],
        responses: {
          201: { description: 'The plan and where it came from', schema: generatedDietPlanSchema },
        },
        handler: async ({ user, body }) => ({
          status: 201,
          body: await nutrition.generate(user.account, body),
        }),
      }),
      defineRoute({
        method: 'get',
        path: '/plans',
        summary: 'The member’s diet plans, newest first',
        access: 'user',
        query: pageQuery,
        responses: { 200: { description: 'A page of plans', schema: dietPlanPage } },
        handler: async ({ user, query }) => ({
          status: 200,
          body: await nutrition.listPlans(user.userId, query),
        }),
      }),
      defineRoute({
        method: 'get',
        path: '/plans/active',
        summary: 'The active diet plan',
        access: 'user',
        errors: [404],
        responses: {
          200: { description: 'Meals per day with macro targets', schema: dietPlanSchema },
        },
        handler: async ({ user }) => ({
          status: 200,
          body: await nutrition.getActivePlan(user.userId),
        }),
      }),
      defineRoute({
        method: 'get',
        path: '/plans/:id',
        summary: 'One diet plan',
        access: 'user',
        params: idParams,
        errors: [404],
        responses: {
          200: { description: 'Meals per day with macro targets', schema: dietPlanSchema },
        },
        handler: async ({ user, params }) => ({
          status: 200,
          body: await nutrition.getPlan(user.userId, params.id),
        }),
      }),
      defineRoute({
        method: 'post',
        path: '/plans/:id/activate',
        summary: 'Make a diet plan the active one',
        description: 'Also sets the user’s `activePlans.dietPlanId`, in the same transaction.',
        access: 'user',
        params: idParams,
        errors: [404],
        responses: { 200: { description: 'The activated plan', schema: dietPlanSchema } },
        handler: async ({ user, params }) => ({
          status: 200,
          body: await nutrition.activate(user.userId, params.id),
        }),
      }),
      defineRoute({
        method: 'post',
        path: '/macros/calculate',
        summary: 'Daily energy and macro targets',
        description:
          'From the Nutrition Planning service, else Mifflin–St Jeor × activity factor with a ' +
          'goal adjustment, protein by body weight, fat by share of energy, carbs the rest.',
        access: 'user',
        body: calculateMacrosBody,
        responses: { 200: { description: 'kcal and grams per day', schema: macrosResultSchema } },
        handler: async ({ user, body }) => ({
          status: 200,
          body: await nutrition.calculateMacros(user.account, body),
        }),
      }),
      defineRoute({
        method: 'get',
        path: '/foods',
        summary: 'Search the food database',
        description:
          'Built-in foods (USDA values per 100 g) plus the service’s database copied daily.',
        access: 'user',
        query: foodQuery,
        responses: { 200: { description: 'A page of foods, by name', schema: foodPage } },
        handler: async ({ query }) => ({ status: 200, body: await nutrition.searchFoods(query) }),
      }),
    ],
  };
}
