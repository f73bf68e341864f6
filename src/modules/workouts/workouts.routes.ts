import type { RequestHandler } from 'express';
import { idParams, pageQuery } from '../../lib/http/common.schemas.js';
import { defineRoute, type RouteGroup } from '../../lib/http/route.js';
import {
  customizePlanBody,
  exercisePage,
  exerciseQuery,
  generateWorkoutBody,
  generatedPlanSchema,
  workoutPlanPage,
  workoutPlanSchema,
} from './workouts.schemas.js';
import type { WorkoutsService } from './workouts.service.js';

/** `/api/workouts`: generated plans, their customization and activation, the exercise library. */
export function workoutsRoutes(
  workouts: WorkoutsService,
  deps: { idempotent: RequestHandler },
): RouteGroup {
  return {
    basePath: '/api/workouts',
    tag: 'Workouts',
    routes: [
      defineRoute({
        method: 'post',
        path: '/generate',
        summary: 'Generate a workout plan',
        description:
          'From the Workout Planning service; the same inputs within 24 h answer from cache. ' +
          'When the service fails, the member’s stored plan is served (`source: cache`); ' +
          'without one, or with no service configured, the built-in planner answers ' +
          '(`source: fallback`). The built-in planner never picks an exercise unsafe for the ' +
          'profile’s health conditions and explains its choices in `explanation`. Honours ' +
          '`Idempotency-Key`.',
        access: 'user',
        body: generateWorkoutBody,
        before: [deps.idempotent],
        responses: {
          201: { description: 'The plan and where it came from', schema: generatedPlanSchema },
        },
        handler: async ({ user, body }) => ({
          status: 201,
          body: await workouts.generate(user.account, body),
        }),
      }),
      defineRoute({
        method: 'get',
        path: '/plans',
        summary: 'The member’s workout plans, newest first',
        access: 'user',
        query: pageQuery,
        responses: { 200: { description: 'A page of plans', schema: workoutPlanPage } },
        handler: async ({ user, query }) => ({
          status: 200,
          body: await workouts.listPlans(user.userId, query),
        }),
      }),
      defineRoute({
        method: 'get',
        path: '/plans/active',
        summary: 'The active workout plan',
        access: 'user',
        errors: [404],
        responses: { 200: { description: 'The active plan', schema: workoutPlanSchema } },
        handler: async ({ user }) => ({
          status: 200,
          body: await workouts.getActivePlan(user.userId),
        }),
      }),
      defineRoute({
        method: 'get',
        path: '/plans/:id',
        summary: 'One workout plan',
        access: 'user',
        params: idParams,
        errors: [404],
        responses: { 200: { description: 'The plan', schema: workoutPlanSchema } },
        handler: async ({ user, params }) => ({
          status: 200,
          body: await workouts.getPlan(user.userId, params.id),
        }),
      }),
      defineRoute({
        method: 'patch',
        path: '/plans/:id',
        summary: 'Customize a plan (swap, adjust or remove exercises)',
        description:
          'Replaces the plan’s customizations; `effectivePlanData` shows the result. Plans from ' +
          'the service also have the change forwarded to its customize endpoint.',
        access: 'user',
        params: idParams,
        body: customizePlanBody,
        errors: [404],
        responses: { 200: { description: 'The customized plan', schema: workoutPlanSchema } },
        handler: async ({ user, params, body }) => ({
          status: 200,
          body: await workouts.customize(user.userId, params.id, body.customizations),
        }),
      }),
      defineRoute({
        method: 'post',
        path: '/plans/:id/activate',
        summary: 'Make a plan the active one',
        description: 'Also sets the user’s `activePlans.workoutPlanId`, in the same transaction.',
        access: 'user',
        params: idParams,
        errors: [404],
        responses: { 200: { description: 'The activated plan', schema: workoutPlanSchema } },
        handler: async ({ user, params }) => ({
          status: 200,
          body: await workouts.activate(user.userId, params.id),
        }),
      }),
      defineRoute({
        method: 'get',
        path: '/exercises',
        summary: 'Search the exercise library',
        description: 'The built-in library plus the service’s catalogue copied by a daily job.',
        access: 'user',
        query: exerciseQuery,
        responses: { 200: { description: 'A page of exercises, by name', schema: exercisePage } },
        handler: async ({ query }) => ({
          status: 200,
          body: await workouts.searchExercises(query),
        }),
      }),
    ],
  };
}
