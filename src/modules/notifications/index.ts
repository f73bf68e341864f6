// Telling members things: the port every module sends through, and the service behind it.
export {
  notificationKinds,
  type NotificationData,
  type NotificationKind,
  type NotificationRequest,
  type Notifier,
} from './notifier.js';
export { NotificationService, type NotificationTimeZones } from './notifications.service.js';
export { notificationsRoutes } from './notifications.routes.js';
export { registerNotificationJobs } from './notifications.jobs.js';
export { createPushGateways } from './push-gateways.js';
export type { PushConfig } from '../../config/push.config.js';
