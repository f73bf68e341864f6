import type { Registry } from 'prom-client';
import type { KeyValueStore } from '../lib/kv/kv.js';
import type { Logger } from '../lib/logger.js';
import type { ClientDependencies, ServiceStatus } from './http/resilient-caller.js';
import type { ResilienceSettings } from './http/resilience-settings.js';
import type { QuotaLimit } from './http/shared-quota.js';
import type { ServiceName } from './http/integration-errors.js';
import type { IntegrationsConfig } from './integrations.config.js';
import { MealDetectionClient } from './meal-detection.client.js';
import { NutritionPlanningClient } from './nutrition-planning.client.js';
import { OpenFoodFactsClient } from './open-food-facts.client.js';
import { ScanningClient } from './scanning.client.js';
import { WorkoutPlanningClient } from './workout-planning.client.js';

export type { CallOptions } from './http/call-budget.js';
export { copyPagedCatalogue } from './copy-catalogue.js';
export {
  IntegrationError,
  type IntegrationFailureReason,
  type ServiceName,
} from './http/integration-errors.js';
export type { ServiceStatus } from './http/resilient-caller.js';
export type { ResilienceSettings } from './http/resilience-settings.js';
export type { QuotaLimit } from './http/shared-quota.js';
export {
  integrationsEnvironmentSchema,
  integrationsEnvironmentShape,
  readIntegrationsConfig,
  type IntegrationsConfig,
} from './integrations.config.js';
export {
  MealDetectionClient,
  NutritionPlanningClient,
  OpenFoodFactsClient,
  ScanningClient,
  WorkoutPlanningClient,
};
export type { OffLookup } from './open-food-facts.client.js';
export type { OffProduct } from './open-food-facts.schemas.js';
export * from './workout-planning.schemas.js';
export * from './meal-detection.schemas.js';
export * from './nutrition-planning.schemas.js';
export * from './scanning.schemas.js';
export { macrosSchema, type Macros } from './common.schemas.js';

/** What the integrations are built from. */
export interface IntegrationsOptions {
  config: IntegrationsConfig;
  /** The shared key-value store holding the provider quota counters. */
  kv: KeyValueStore;
  /** The app's Prometheus registry. */
  registry: Registry;
  logger: Logger;
  /** Wall clock (epoch ms) for quota windows, token lifetimes and signature timestamps. */
  now?: () => number;
  /** Time limits, retry and breaker tuning (tests use milliseconds). */
  resilience?: Partial<ResilienceSettings>;
  /** Per-service quota overrides (tests use tiny ones). */
  quotas?: Partial<Record<ServiceName, QuotaLimit>>;
}

/** The four AI-service clients and Open Food Facts, built once per process. */
export interface Integrations {
  workoutPlanning: WorkoutPlanningClient;
  mealDetection: MealDetectionClient;
  nutritionPlanning: NutritionPlanningClient;
  scanning: ScanningClient;
  /** Packaged-food products by barcode (public API, always configured). */
  openFoodFacts: OpenFoodFactsClient;
  /** One entry per service, for the readiness probe (informational: never fails readiness). */
  statuses(): ServiceStatus[];
}

/** Builds every client; unconfigured services answer SERVICE_UNAVAILABLE without network calls. */
export function createIntegrations(options: IntegrationsOptions): Integrations {
  const { config, quotas = {} } = options;
  const deps = (service: ServiceName): ClientDependencies => ({
    kv: options.kv,
    registry: options.registry,
    logger: options.logger,
    now: options.now,
    requestBudgetMs: config.requestBudgetMs,
    resilience: options.resilience,
    quota: quotas[service],
  });
  const workoutPlanning = new WorkoutPlanningClient(
    config.workoutPlanning,
    deps('workout-planning'),
  );
  const mealDetection = new MealDetectionClient(config.mealDetection, deps('meal-detection'));
  const nutritionPlanning = new NutritionPlanningClient(
    config.nutritionPlanning,
    deps('nutrition-planning'),
  );
  const scanning = new ScanningClient(config.scanning, deps('scanning'));
  const openFoodFacts = new OpenFoodFactsClient(config.openFoodFacts, deps('open-food-facts'));
  return {
    workoutPlanning,
    mealDetection,
    nutritionPlanning,
    scanning,
    openFoodFacts,
    statuses: () =>
      [workoutPlanning, mealDetection, nutritionPlanning, scanning, openFoodFacts].map((client) =>
        client.status(),
      ),
  };
}
