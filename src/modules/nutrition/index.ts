// The nutrition feature as other modules see it.
export { nutritionRoutes } from './nutrition.routes.js';
export { NutritionService } from './nutrition.service.js';
export { refreshFoodDatabase, registerNutritionJobs } from './nutrition.jobs.js';
