// Health probes and metrics as the app mounts them.
export { healthRoutes, type ReadinessCheck } from './health.routes.js';
