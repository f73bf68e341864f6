// The nutrition feature as other modules see it.
export { nutritionRoutes } from './nutrition.routes.js';
export {
  NutritionService,
  type DailyTargets,
  type DailyTargetsSource,
} from './nutrition.service.js';
export { mealLogsRoutes } from './meal-logs.routes.js';
export { MealLogsService, type MemberTimeZones } from './meal-logs.service.js';
export { refreshFoodDatabase, registerNutritionJobs } from './nutrition.jobs.js';
export { MealAnalysisService, type MealAnalysisSettings } from './meal-analysis.service.js';
export { mealAnalysisRoutes } from './meal-analysis.routes.js';
export { registerMealAnalysisJobs } from './meal-analysis.jobs.js';
export { BarcodeLookupService } from './barcode-lookup.service.js';
export { barcodeLookupRoutes } from './barcode-lookup.routes.js';
