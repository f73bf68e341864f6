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
