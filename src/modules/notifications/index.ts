// Telling members things: the port every module sends through, and its implementations.
export {
  SocketOnlyNotifier,
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
