// Telling members things: the port every module sends through, and its implementations.
export {
  SocketOnlyNotifier,
  notificationKinds,
  type NotificationData,
  type NotificationKind,
  type NotificationRequest,
  type Notifier,
} from './notifier.js';
