import type { CallOptions } from './http/call-budget.js';
import { apiKeyAuth } from './http/request-auth.js';
import {
  ResilientCaller,
  defineEndpoint,
  type ClientDependencies,
  type ServiceStatus,
} from './http/resilient-caller.js';
import type { QuotaLimit } from './http/shared-quota.js';
import type { WorkoutPlanningConfig } from './integrations.config.js';
import {
  customizeWorkoutPlanRequestSchema,
  exerciseLibraryPageSchema,
  exerciseLibraryQuerySchema,
  generateWorkoutPlanRequestSchema,
  workoutPlanSchema,
  type CustomizeWorkoutPlanRequest,
  type ExerciseLibraryPage,
  type ExerciseLibraryQuery,
  type GenerateWorkoutPlanRequest,
  type WorkoutPlan,
} from './workout-planning.schemas.js';

/** 1,000 requests per hour per API key. */
export const workoutPlanningQuota: QuotaLimit = { max: 1_000, windowSeconds: 3_600 };

const endpoints = {
  generatePlan: defineEndpoint({
    operation: 'generatePlan',
    method: 'POST',
    path: '/plans/generate',
    kind: 'ai',
    request: generateWorkoutPlanRequestSchema,
    response: workoutPlanSchema,
  }),
  listExercises: defineEndpoint({
    operation: 'listExercises',
    method: 'GET',
    path: '/exercises/library',
    kind: 'standard',
    request: exerciseLibraryQuerySchema,
    response: exerciseLibraryPageSchema,
  }),
  customizePlan: defineEndpoint({
    operation: 'customizePlan',
    method: 'POST',
    path: '/plans/customize',
    kind: 'standard',
    request: customizeWorkoutPlanRequestSchema,
    response: workoutPlanSchema,
  }),
};

/** Client of the Workout Planning service (API key in `X-API-Key`). */
export class WorkoutPlanningClient {
  private readonly caller: ResilientCaller;

  constructor(config: WorkoutPlanningConfig | undefined, deps: ClientDependencies) {
    this.caller = new ResilientCaller(
      'workout-planning',
      config && { baseUrl: config.baseUrl, auth: apiKeyAuth(config.apiKey) },
      workoutPlanningQuota,
      deps,
    );
  }

  /** POST /plans/generate: a personalised plan for a profile and weekly preferences. */
  generatePlan(request: GenerateWorkoutPlanRequest, options?: CallOptions): Promise<WorkoutPlan> {
    return this.caller.call(endpoints.generatePlan, request, options);
  }

  /** GET /exercises/library: one page of the exercise catalogue. */
  listExercises(
    query: ExerciseLibraryQuery = {},
    options?: CallOptions,
  ): Promise<ExerciseLibraryPage> {
    return this.caller.call(endpoints.listExercises, query, options);
  }

  /** POST /plans/customize: the service's plan, regenerated with the given changes. */
  customizePlan(request: CustomizeWorkoutPlanRequest, options?: CallOptions): Promise<WorkoutPlan> {
    return this.caller.call(endpoints.customizePlan, request, options);
  }

  /** Configured or not, and the breaker state, for the readiness probe. */
  status(): ServiceStatus {
    return this.caller.status();
  }
}
