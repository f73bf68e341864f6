// The activity feature as other modules see it.
export { ActivityService, type MemberPresence } from './activity.service.js';
export { workoutProgressPayload, type WorkoutProgressPayload } from './activity.schemas.js';
export { workoutsSocket } from './activity.socket.js';
