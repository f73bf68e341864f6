// The workouts feature as other modules see it.
export { workoutsRoutes } from './workouts.routes.js';
export { WorkoutsService } from './workouts.service.js';
export { refreshExerciseLibrary, registerWorkoutsJobs } from './workouts.jobs.js';
