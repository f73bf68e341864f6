// The gym floor (branches, machines, gym sessions) as other modules see it.
export { createGymFloor, type FloorSettings, type GymFloor } from './gym-floor.js';
export { branchesRoutes } from './branches.routes.js';
export { machineDeviceRoutes, machinesRoutes } from './machines.routes.js';
export { gymSessionsRoutes } from './gym-sessions.routes.js';
export { occupancyRoutes } from './occupancy.routes.js';
export { machinesSocket } from './machines.socket.js';
export {
  expireGymSessions,
  markSilentMachinesOffline,
  registerGymFloorJobs,
  releaseIdleLinks,
} from './gym-floor.jobs.js';
export type { MembershipView } from './gym-floor.schemas.js';
// The `/machines` event payloads, for the AsyncAPI document.
export {
  branchSubscribedSchema,
  branchSubscribePayload,
  branchUnsubscribedSchema,
  heartbeatResultSchema,
  machineHeartbeatPayload,
  machineLinkedEventSchema,
  machineRemovedEventSchema,
  machineStatusEventSchema,
  machineUnlinkedEventSchema,
} from './gym-floor.schemas.js';
