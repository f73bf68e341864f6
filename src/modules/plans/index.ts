// Stored generated plans, shared by the workouts and nutrition features.
export { planColumns, planOrigins, planTableIndexes, type PlanOrigin } from './plans.table.js';
export { planRepository, type PlanRepository, type PlanTable } from './plans.repository.js';
export {
  PlansService,
  type ActivePlanSlots,
  type PlanGeneration,
  type PlanKind,
  type PlanSource,
} from './plans.service.js';
export { scheduleCatalogueRefresh } from './catalogue-refresh.jobs.js';
