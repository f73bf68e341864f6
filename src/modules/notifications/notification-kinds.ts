/** Every kind of notification a member can receive (and set preferences for). */
export const notificationKinds = [
  'workout-reminder',
  'meal-reminder',
  'achievement-unlocked',
  'new-follower',
  'follow-request',
  'gym-session-expired',
  'machine-released',
  'scan-finished',
] as const;
export type NotificationKind = (typeof notificationKinds)[number];

/** Scalar details a client needs to act on a notification (ids, names, times). */
export type NotificationData = Record<string, string | number | boolean | null>;
