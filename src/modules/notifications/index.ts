// Telling members things: the port every module sends through, and the service behind it.
export {
  notificationKinds,
  type NotificationData,
  type NotificationKind,
  type NotificationRequest,
  type Notifier,
} from './notifier.js';
// Workout and meal reminders and their scheduler.
export {
  RemindersService,
  type HomeTimeZones,
  type MemberDay,
  type ReminderRunOutcome,
  type TrainingDays,
} from './reminders.service.js';
export { remindersRoutes } from './reminders.routes.js';
export { registerReminderJobs, sendDueReminders } from './reminders.jobs.js';
export { NotificationService, type NotificationTimeZones } from './notifications.service.js';
export { notificationsRoutes } from './notifications.routes.js';
export { notificationEventSchema } from './notifications.schemas.js';
export { registerNotificationJobs } from './notifications.jobs.js';
export { createPushGateways } from './push-gateways.js';
export type { PushConfig } from '../../config/push.config.js';
